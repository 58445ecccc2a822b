#ifndef FABRICSCOPE_TESTS_ROCE_CONVERSATION_H
#define FABRICSCOPE_TESTS_ROCE_CONVERSATION_H

// A RoCEv2 capture the tests write themselves, for cases that need a realistic capture but not a
// particular one (reading gzip and pcapng, probes that replay a file, the command line's bad
// files): two hosts, RC queue pairs that each carry a 3-packet RDMA WRITE and a SEND, every one
// acknowledged, a CNP, and a few UDP frames that are not RDMA. Every ICRC and IPv4 checksum is
// valid.

#include "dpi/frame-builder.h"
#include "support/udp-pcap.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace fab::dpi::test
{

struct RoceConversationCounts
{
    std::uint32_t frames{0};
    std::uint32_t roce{0};       ///< frames to UDP port 4791
    std::uint32_t requests{0};   ///< WRITE and SEND packets
    std::uint32_t acks{0};       ///< ACKNOWLEDGE packets
    std::uint32_t cnps{0};
    std::uint32_t otherUdp{0};   ///< frames that are not RDMA
};

/** The counts RoceConversationFrames(queuePairs) gives. */
inline RoceConversationCounts
RoceConversationCountsFor(std::uint32_t queuePairs)
{
    RoceConversationCounts counts;
    counts.requests = 4 * queuePairs;
    counts.acks = 2 * queuePairs;
    counts.cnps = 1;
    counts.otherUdp = 3;
    counts.roce = counts.requests + counts.acks + counts.cnps;
    counts.frames = counts.roce + counts.otherUdp;
    return counts;
}

/** The frames of the conversation, in the order they are sent. */
inline std::vector<std::vector<std::uint8_t>>
RoceConversationFrames(std::uint32_t queuePairs = 4)
{
    constexpr std::uint32_t kHostA = 0x0A000101; // 10.0.1.1
    constexpr std::uint32_t kHostB = 0x0A000202; // 10.0.2.2
    std::vector<std::vector<std::uint8_t>> frames;
    auto add = [&](RoceSpec spec, bool fromA)
    {
        spec.sourceIpv4 = fromA ? kHostA : kHostB;
        spec.destinationIpv4 = fromA ? kHostB : kHostA;
        auto frame = BuildRoceFrame(spec);
        fab::tests::SetIpv4Checksum(frame, 14); // the ICRC leaves it out
        frames.push_back(std::move(frame));
    };
    for (std::uint32_t qp = 0; qp < queuePairs; ++qp)
    {
        RoceSpec request;
        request.destQp = 0x100 + qp;
        request.udpSourcePort = static_cast<std::uint16_t>(0xC000 + qp);
        request.psn = 1000 * qp;
        request.payload = 1024;
        const std::uint8_t writeOpcodes[] = {0x06, 0x07, 0x08};
        for (std::uint8_t opcode : writeOpcodes)
        {
            RoceSpec packet = request;
            packet.opcode = opcode;
            packet.headers = opcode == 0x06 ? Reth(0x7F0000000000 + qp * 0x10000, 0x1234, 3 * 1024)
                                            : std::vector<std::uint8_t>{};
            packet.ackRequest = opcode == 0x08;
            add(packet, true);
            ++request.psn;
        }
        RoceSpec ack;
        ack.opcode = 0x11;
        ack.destQp = 0x200 + qp;
        ack.udpSourcePort = static_cast<std::uint16_t>(0xD000 + qp);
        ack.psn = request.psn - 1;
        ack.headers = Aeth(0x1F, 1);
        add(ack, false);

        RoceSpec send = request;
        send.opcode = 0x04;
        send.payload = 256;
        send.ackRequest = true;
        add(send, true);
        ack.psn = request.psn;
        ack.headers = Aeth(0x1F, 2);
        add(ack, false);
    }
    RoceSpec cnp;
    cnp.opcode = 0x81;
    cnp.becn = true;
    cnp.destQp = 0x100;
    cnp.psn = 0;
    cnp.tos = 0xC2;
    cnp.headers.assign(16, 0);
    cnp.udpSourcePort = 0xE000;
    add(cnp, false);
    for (std::uint16_t i = 0; i < 3; ++i)
    {
        // To the discard port: plain UDP that no decoder claims.
        const std::uint8_t data[16] = {'f', 'a', 'b', 'r', 'i', 'c', 's', 'c', 'o', 'p', 'e'};
        fab::tests::UdpEndpoints discard{
            kHostA, 0x0A0000FE, static_cast<std::uint16_t>(53000 + i), 9};
        frames.push_back(fab::tests::UdpFrame(data, sizeof data, discard));
    }
    return frames;
}

/** Writes the conversation as a classic pcap (Ethernet, one frame a millisecond). */
inline bool
WriteRoceConversation(const std::filesystem::path& path, std::uint32_t queuePairs = 4)
{
    return fab::tests::WritePcap(path, RoceConversationFrames(queuePairs));
}

} // namespace fab::dpi::test

#endif
