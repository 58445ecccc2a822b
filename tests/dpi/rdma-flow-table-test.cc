// The RDMA flow table: PSN order with 24-bit wrap, gaps, go-back-N retransmissions, responses
// bound to the flow they answer (NAKs, CNPs, round-trip times), ECN marks.
#include "tests/dpi/flow-feeder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using namespace fab::dpi::test;

TEST_CASE("PSNs in order across the 24-bit wrap are neither gaps nor retransmissions",
          "[dpi][flows]")
{
    Feeder f;
    for (std::uint32_t psn : {0xFFFFFDu, 0xFFFFFEu, 0xFFFFFFu, 0u, 1u, 2u})
    {
        f.Request(psn);
    }
    REQUIRE(f.table.Size() == 1);
    const auto& flow = f.Flow(0);
    REQUIRE(flow.packets == 6);
    REQUIRE(flow.messages == 6);
    REQUIRE(flow.outOfSequence == 0);
    REQUIRE(flow.retransmitted == 0);
    REQUIRE(flow.expectedPsn == 3);
    REQUIRE(FormatFlowAddress(flow.key.source) == "10.0.0.1");
    REQUIRE(FormatFlowAddress(flow.key.destination) == "10.0.0.2");
    REQUIRE(flow.key.destinationQp == 0x100);
    REQUIRE(flow.operations[kSendOnly] == 6);
}

TEST_CASE("a PSN gap, then go-back-N from the NAKed PSN", "[dpi][flows]")
{
    Feeder f;
    f.Request(1);
    f.Request(2);
    f.Request(4); // 3 lost on the way to the capture point
    f.Request(5);
    f.Response(0x60, 3); // NAK, PSN sequence error: expecting 3
    f.Request(3);        // go back to 3 …
    f.Request(4);
    f.Request(5);
    f.Request(6); // … and on
    const auto& request = f.Flow(0);
    REQUIRE(request.outOfSequence == 1);
    REQUIRE(request.missingPsns == 1);
    REQUIRE(request.retransmitted == 3);
    REQUIRE(request.goBackNEpisodes == 1);
    REQUIRE(request.firstRetransmissionPacket == 6);
    const auto& response = f.Flow(1);
    REQUIRE(response.naks[static_cast<std::size_t>(NakCode::PsnSequenceError)] == 1);
    REQUIRE(response.Naks() == 1);
    REQUIRE(response.firstNakPacket == 5);
    REQUIRE(response.answers == 0);
    REQUIRE(request.answeredBy == 1);
}

TEST_CASE("a second go-back-N episode after new packets counts again", "[dpi][flows]")
{
    Feeder f;
    for (std::uint32_t psn : {10u, 11u, 12u, 11u, 12u, 13u, 14u, 13u, 14u})
    {
        f.Request(psn);
    }
    REQUIRE(f.Flow(0).retransmitted == 4);
    REQUIRE(f.Flow(0).goBackNEpisodes == 2);
}

TEST_CASE("ACKs give round-trip times, and bind to the request flow whose PSNs they name",
          "[dpi][flows]")
{
    Feeder f;
    // Two QPs between the same hosts, PSNs far apart.
    f.Request(100, 1'000, 0x100, kWriteOnly, true);
    f.Request(5'000, 1'500, 0x101, kWriteOnly, true);
    f.Response(0x1F, 5'000, 4'000, 0x201); // ACK of the second QP's request
    f.Response(0x1F, 100, 9'000, 0x200);   // ACK of the first
    REQUIRE(f.table.Size() == 4);
    REQUIRE(f.Flow(2).answers == 1);
    REQUIRE(f.Flow(3).answers == 0);
    REQUIRE(f.Flow(1).rtt.samples == 1);
    REQUIRE(f.Flow(1).rtt.minNs == 2'500);
    REQUIRE(f.Flow(0).rtt.samples == 1);
    REQUIRE(f.Flow(0).rtt.maxNs == 8'000);
    REQUIRE(f.Flow(0).rtt.MeanNs() == Approx(8'000));
    REQUIRE(f.Flow(2).acks == 1);
    REQUIRE(f.Flow(2).IsResponseFlow());
    REQUIRE_FALSE(f.Flow(1).IsResponseFlow());
}

TEST_CASE("CNPs count on the flow back to the requester's QP, ECN-CE on the data", "[dpi][flows]")
{
    Feeder f;
    RoceSpec marked;
    marked.opcode = kWriteOnly;
    marked.destQp = 0x100;
    marked.psn = 1;
    marked.tos = 0x6B; // DSCP 26, CE
    f.Send(marked, 0);
    marked.psn = 2;
    marked.tos = 0x6A; // ECT(0)
    f.Send(marked, 0);
    f.Response(0x1F, 2, 10, 0x200);
    RoceSpec cnp;
    cnp.opcode = kCnp;
    cnp.destQp = 0x200;
    cnp.psn = 0;
    cnp.becn = true;
    cnp.headers.assign(16, 0);
    f.Send(cnp, 20, true);
    REQUIRE(f.table.Size() == 2);
    REQUIRE(f.Flow(0).ecnCe == 1);
    REQUIRE(f.Flow(0).ecnCapable == 1);
    REQUIRE(f.Flow(1).cnps == 1);
    REQUIRE(f.Flow(1).becn == 1);
    REQUIRE(f.Flow(1).answers == 0);
}

TEST_CASE("a READ request takes as many PSNs as its responses: the next request is no gap",
          "[dpi][flows]")
{
    Feeder f;
    f.Request(10, 0, 0x100, kReadRequest);
    f.Request(13, 0, 0x100, kSendOnly); // 8 KiB read at 4 KiB MTU: PSNs 10-12 went to responses
    REQUIRE(f.Flow(0).outOfSequence == 0);
    REQUIRE(f.Flow(0).messages == 2);
}

TEST_CASE("the longest silence inside a message is kept, silences between messages are not",
          "[dpi][flows]")
{
    constexpr std::uint8_t kWriteFirst = 0x06;
    constexpr std::uint8_t kWriteMiddle = 0x07;
    constexpr std::uint8_t kWriteLast = 0x08;
    Feeder f;
    f.Request(1, 0, 0x100, kWriteFirst);
    f.Request(2, 1'000, 0x100, kWriteMiddle);
    f.Request(3, 2'501'000, 0x100, kWriteMiddle); // stalled 2.5 ms mid-message
    f.Request(4, 2'502'000, 0x100, kWriteLast);
    f.Request(5, 9'000'000, 0x100, kWriteOnly); // 6.5 ms between messages: not a stall
    f.Request(6, 9'001'000, 0x100, kWriteFirst);
    f.Request(7, 9'500'000, 0x100, kWriteLast); // 0.5 ms: shorter than the first
    const auto& flow = f.Flow(0);
    CHECK(flow.messages == 3);
    CHECK(flow.longestStallNs == 2'500'000);
    CHECK(flow.longestStallStartNs == 1'000);
    CHECK(flow.longestStallEndPacket == 3);
    CHECK_FALSE(flow.inMessage);
    CHECK(flow.ecnNotCapable == 0);
    CHECK(flow.ecnCapable == 7);
}
