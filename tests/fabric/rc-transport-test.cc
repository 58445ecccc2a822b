#include "fabric/model/rc-transport.h"

#include <catch2/catch.hpp>
#include <set>

using namespace ns3::fabric;

TEST_CASE("PSNs unwrap across the 24-bit boundary", "[fabric][rc]")
{
    REQUIRE(UnwrapPsn(5, 3) == 5);
    REQUIRE(UnwrapPsn(0, 0xFFFFFE) == 0x1000000);        // wrapped forward
    REQUIRE(UnwrapPsn(0xFFFFFF, 0x1000001) == 0xFFFFFF); // just behind, before the wrap
    REQUIRE(UnwrapPsn(0xFFFFF0, 2) == 0xFFFFF0);         // nothing below zero
    REQUIRE(UnwrapPsn(7, 0x3000000 + 2) == 0x3000007);
}

TEST_CASE("a sender segments messages and retires them on cumulative ACKs", "[fabric][rc]")
{
    RcSender sender(4096);
    auto m1 = sender.Post(1, 10'000, 0); // 3 packets: 4096, 4096, 1808
    auto m2 = sender.Post(2, 4096, 0);   // 1 packet
    REQUIRE(m1.firstPsn == 0);
    REQUIRE(m1.lastPsn == 2);
    REQUIRE(m2.firstPsn == 3);
    std::vector<RcPacket> sent;
    while (sender.HasPacketToSend())
    {
        sent.push_back(sender.Next());
    }
    REQUIRE(sent.size() == 4);
    REQUIRE(sent[0].first);
    REQUIRE(sent[2].last);
    REQUIRE(sent[2].payloadBytes == 10'000 - 2 * 4096);
    REQUIRE(sent[3].first);
    REQUIRE(sent[3].last);
    REQUIRE(sender.OnAck(1).empty());
    auto done = sender.OnAck(2);
    REQUIRE(done.size() == 1);
    REQUIRE(done[0].id == 1);
    REQUIRE(sender.OnAck(3).at(0).id == 2);
    REQUIRE_FALSE(sender.Outstanding());
}

TEST_CASE("go-back-N: a NAK rewinds to the expected PSN and resends exactly the rest",
          "[fabric][rc]")
{
    RcSender sender(1000);
    RcReceiver receiver(1);
    sender.Post(1, 10 * 1000, 0);
    std::set<std::uint64_t> delivered;
    std::vector<std::uint64_t> retransmitted;
    auto deliver = [&](const RcPacket& packet, bool lose)
    {
        if (lose)
        {
            return;
        }
        auto response
            = receiver.OnPacket(static_cast<std::uint32_t>(packet.psn & kPsnMask), packet.last);
        if (response.deliver)
        {
            REQUIRE(delivered.insert(packet.psn).second); // exactly once
        }
        if (response.kind == RcResponse::Kind::Nak)
        {
            sender.OnNak(response.psn);
        }
        else if (response.kind == RcResponse::Kind::Ack)
        {
            sender.OnAck(response.psn);
        }
    };
    // PSN 3 is lost; 4..9 arrive out of sequence; the first of them draws one NAK for 3.
    while (sender.HasPacketToSend())
    {
        auto packet = sender.Next();
        if (packet.retransmission)
        {
            retransmitted.push_back(packet.psn);
        }
        deliver(packet, packet.psn == 3 && !packet.retransmission);
    }
    REQUIRE(receiver.NaksSent() == 1);
    REQUIRE(receiver.OutOfSequence() >= 1);
    REQUIRE(delivered.size() == 10);
    REQUIRE_FALSE(sender.Outstanding());
    // The retransmitted PSNs are exactly those from the gap on, sent at the time of the NAK.
    REQUIRE(retransmitted.front() == 3);
    for (std::size_t i = 1; i < retransmitted.size(); ++i)
    {
        REQUIRE(retransmitted[i] == retransmitted[i - 1] + 1);
    }
}

TEST_CASE("a lost ACK is covered by the next one; a timeout resends from the oldest",
          "[fabric][rc]")
{
    RcSender sender(1000);
    RcReceiver receiver(1);
    sender.Post(1, 3000, 0);
    for (int i = 0; i < 3; ++i)
    {
        auto packet = sender.Next();
        auto response = receiver.OnPacket(static_cast<std::uint32_t>(packet.psn), packet.last);
        if (i == 2) // only the last ACK arrives: cumulative
        {
            REQUIRE(sender.OnAck(response.psn).size() == 1);
        }
    }
    REQUIRE_FALSE(sender.Outstanding());

    RcSender lossy(1000);
    lossy.Post(7, 2000, 0);
    lossy.Next();
    lossy.Next();
    lossy.OnTimeout();
    REQUIRE(lossy.SendPsn() == 0);
    auto again = lossy.Next();
    REQUIRE(again.retransmission);
    REQUIRE(again.psn == 0);
    // The duplicate draws a fresh ACK at the receiver.
    RcReceiver receiver2(1);
    receiver2.OnPacket(0, false);
    auto duplicate = receiver2.OnPacket(0, false);
    REQUIRE(duplicate.duplicate);
    REQUIRE(duplicate.kind == RcResponse::Kind::Ack);
    REQUIRE(duplicate.psn == 0);
}

TEST_CASE("ACKs coalesce but every requested ACK is sent", "[fabric][rc]")
{
    RcReceiver receiver(4);
    int acks = 0;
    for (std::uint32_t psn = 0; psn < 10; ++psn)
    {
        acks += receiver.OnPacket(psn, psn == 9).kind == RcResponse::Kind::Ack ? 1 : 0;
    }
    REQUIRE(acks == 3); // after 4, after 8, and the requested one at 9
}

TEST_CASE("PSNs keep working across the 24-bit wrap", "[fabric][rc]")
{
    std::uint64_t start = kPsnMask - 2;
    RcSender sender(1000, start);
    RcReceiver receiver(1, start);
    sender.Post(1, 6000, 0);
    while (sender.HasPacketToSend())
    {
        auto packet = sender.Next();
        auto response
            = receiver.OnPacket(static_cast<std::uint32_t>(packet.psn & kPsnMask), packet.last);
        REQUIRE(response.deliver);
        sender.OnAck(response.psn);
    }
    REQUIRE_FALSE(sender.Outstanding());
    REQUIRE(receiver.Expected() == start + 6);
}
