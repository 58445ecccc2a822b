// The RoCEv2 ICRC against a CNP captured on a ConnectX-4 Lx (the opt-in external captures), and
// the fields the ICRC must not cover: a switch may rewrite them without breaking it.
#include "dpi/capture-reader.h"
#include "dpi/icrc.h"
#include "dpi/packet-decoder.h"
#include "frame-builder.h"
#include "support/prerequisites.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <zlib.h>

using namespace fab::dpi;
using namespace fab::dpi::test;

namespace
{

std::vector<std::uint8_t>
CapturedCnp()
{
    std::string path = fab::tests::ExternalCapture("cnp-connectx4lx.hex");
    std::vector<std::uint8_t> frame = ParseHex(ReadTextFile(path));
    INFO(path);
    REQUIRE(frame.size() == 74);
    return frame;
}

/**
 * A CNP laid out as the ConnectX-4 Lx sends one: Ethernet, IPv4 (DSCP 48, ECT(0)), UDP, BTH with
 * BECN, 16 reserved bytes and the ICRC, 74 bytes in all.
 */
std::vector<std::uint8_t>
BuiltCnp()
{
    RoceSpec spec;
    spec.opcode = kOpcodeRoceCnp;
    spec.becn = true;
    spec.tos = 0xC2;
    spec.destQp = 0x000118;
    spec.psn = 0;
    spec.headers.assign(16, 0);
    auto frame = BuildRoceFrame(spec);
    REQUIRE(frame.size() == 74);
    return frame;
}

Anomaly
Decode(const std::vector<std::uint8_t>& frame, DecodedPacket& packet)
{
    AnomalyCounts counts;
    return DecodePacket(
        LinkKind::Ethernet, frame.data(), frame.size(), frame.size(), packet, counts);
}

} // namespace

TEST_CASE("the captured ConnectX-4 Lx CNP decodes and its ICRC verifies",
          "[dpi][icrc][cnp][needs:external]")
{
    std::vector<std::uint8_t> frame = CapturedCnp();
    constexpr std::size_t kIpStart = 14;
    std::uint32_t computed = ComputeIcrc(
        IcrcScope::RoceV2Ipv4, frame.data() + kIpStart, 20, frame.size() - kIcrcBytes - kIpStart);
    CHECK(computed == 0x2A00FD82);
    CHECK(ReadIcrc(frame.data() + frame.size() - kIcrcBytes) == computed);

    DecodedPacket packet;
    REQUIRE(Decode(frame, packet) == Anomaly::None);
    CHECK(packet.anomalies.Empty());
    CHECK(packet.Has(Layer::Roce));
    CHECK(packet.Has(Layer::Cnp));
    CHECK(packet.icrc == CrcStatus::Ok);
    CHECK(Ipv4Of(packet.ip.source) == 0x0A001101);
    CHECK(Ipv4Of(packet.ip.destination) == 0x0A001201);
    CHECK(packet.ip.dscp == 48);
    CHECK(packet.ip.ecn == Ecn::Ect0);
    CHECK(packet.ip.ttl == 64);
    CHECK(packet.udp.sourcePort == 0);
    CHECK(packet.udp.destinationPort == 4791);
    CHECK(packet.udp.length == 40);
    CHECK(packet.bth.opcode == kOpcodeRoceCnp);
    CHECK(packet.bth.becn);
    CHECK(!packet.bth.fecn);
    CHECK(packet.bth.partitionKey == 0xFFFF);
    CHECK(packet.bth.destinationQp == 0x000118);
    CHECK(packet.bth.psn == 0);
    CHECK(packet.ext.Has(ExtendedHeader::CnpReserved));
    CHECK(packet.payloadLength == 0);
}

TEST_CASE("one flipped bit breaks the ICRC", "[dpi][icrc]")
{
    std::vector<std::uint8_t> frame = BuiltCnp();
    // Invariant bytes that leave the frame RoCE: addresses, source port, BTH opcode, P_Key, QP,
    // AckReq byte, PSN, the reserved bytes, the ICRC itself.
    auto byte = GENERATE(26, 30, 34, 42, 44, 48, 50, 52, 60, 70, 73);
    auto bit = GENERATE(0, 7);
    frame[static_cast<std::size_t>(byte)] ^= static_cast<std::uint8_t>(1u << bit);
    DecodedPacket packet;
    Decode(frame, packet);
    INFO("byte " << byte << " bit " << bit);
    CHECK(packet.icrc == CrcStatus::Bad);
    CHECK(packet.anomalies.Has(Anomaly::BadIcrc));
}

TEST_CASE("variant fields are outside the ICRC", "[dpi][icrc]")
{
    std::vector<std::uint8_t> frame = BuiltCnp();
    // TOS (ECN marking), TTL, IP checksum, UDP checksum, BTH FECN/BECN byte.
    auto byte = GENERATE(15, 22, 24, 25, 40, 41, 46);
    frame[static_cast<std::size_t>(byte)] ^= 0x01;
    DecodedPacket packet;
    Decode(frame, packet);
    INFO("byte " << byte);
    CHECK(packet.icrc == CrcStatus::Ok);
}

TEST_CASE("a snap-truncated packet's ICRC is not checked, and says so", "[dpi][icrc]")
{
    std::vector<std::uint8_t> frame = BuiltCnp();
    DecodedPacket packet;
    AnomalyCounts counts;
    CHECK(DecodePacket(LinkKind::Ethernet, frame.data(), 72, frame.size(), packet, counts)
          == Anomaly::None);
    CHECK(packet.icrc == CrcStatus::NotChecked);
    CHECK(counts.Get(Anomaly::IcrcNotChecked) == 1);

    DecodeOptions off;
    off.verifyCrcs = false;
    DecodePacket(LinkKind::Ethernet, frame.data(), frame.size(), frame.size(), packet, counts, off);
    CHECK(packet.icrc == CrcStatus::NotChecked);
    CHECK(counts.Get(Anomaly::IcrcNotChecked) == 1); // switched off is not an anomaly
}

TEST_CASE("IPv6 and native IB ICRCs round-trip through the builders", "[dpi][icrc]")
{
    RoceSpec spec;
    spec.ipv6 = true;
    spec.payload = 100;
    spec.pad = 0;
    auto frame = BuildRoceFrame(spec);
    DecodedPacket packet;
    Decode(frame, packet);
    CHECK(packet.icrc == CrcStatus::Ok);
    frame[14 + 8 + 3] ^= 0x10; // a source address bit
    Decode(frame, packet);
    CHECK(packet.icrc == CrcStatus::Bad);
    frame[14 + 8 + 3] ^= 0x10;
    frame[14 + 1] ^= 0x0F; // flow label: variant
    frame[14 + 7] ^= 0xFF; // hop limit: variant
    Decode(frame, packet);
    CHECK(packet.icrc == CrcStatus::Ok);
}

TEST_CASE("native IB ICRC and VCRC of a captured ACK", "[dpi][icrc][ib][needs:external]")
{
    // Frame 11 of the external ERF capture (ib-erf-rc-send.pcap) without its ERF header: LRH
    // (LNH local), BTH ACKNOWLEDGE, AETH, ICRC, VCRC 30 81.
    CaptureReader reader(fab::tests::ExternalCapture("ib-erf-rc-send.pcap"));
    CapturedPacket captured;
    while (reader.Next(captured) && captured.packetNumber < 11)
    {
    }
    REQUIRE(captured.packetNumber == 11);
    std::vector<std::uint8_t> packet(captured.FrameBytes(),
                                     captured.FrameBytes() + captured.frame.length);
    REQUIRE(packet.size() == 30);
    CHECK(packet[8] == 0x11); // BTH opcode: ACKNOWLEDGE
    CHECK(ComputeIcrc(IcrcScope::IbLocal, packet.data(), 0, 24) == ReadIcrc(packet.data() + 24));
    CHECK(ComputeVcrc(packet.data(), 28) == ReadVcrc(packet.data() + 28));
    CHECK(ReadVcrc(packet.data() + 28) == 0x8130);
    packet[9] ^= 0x02; // a BTH bit: both CRCs break
    CHECK(ComputeIcrc(IcrcScope::IbLocal, packet.data(), 0, 24) != ReadIcrc(packet.data() + 24));
    CHECK(ComputeVcrc(packet.data(), 28) != ReadVcrc(packet.data() + 28));
}

TEST_CASE("the ICRC equals zlib's CRC-32 of the masked packet at every payload length",
          "[dpi][icrc]")
{
    // A second implementation: zlib's table CRC over a copy with the variant fields set to ones,
    // against the carry-less-multiply CRC the analyser uses, across the lengths where its
    // folding changes strategy (under 16, 64 and 256 bytes, and long spans).
    std::vector<std::uint8_t> frame = BuiltCnp();
    constexpr std::size_t kIpStart = 14;
    constexpr std::size_t kHeaders = 20 + 8 + 12; // IPv4, UDP, BTH
    std::uint32_t seed = 12345;
    for (std::size_t payload = 0; payload <= 4200; payload += payload < 300 ? 1 : 97)
    {
        std::vector<std::uint8_t> packet(frame.begin() + kIpStart,
                                         frame.begin() + kIpStart + kHeaders);
        for (std::size_t i = 0; i < payload; ++i)
        {
            seed = seed * 1103515245U + 12345U;
            packet.push_back(static_cast<std::uint8_t>(seed >> 16));
        }
        std::vector<std::uint8_t> masked(8 + packet.size(), 0xFF);
        std::copy(packet.begin(), packet.end(), masked.begin() + 8);
        for (std::size_t at : {8 + 1, 8 + 8, 8 + 10, 8 + 11, 8 + 20 + 6, 8 + 20 + 7, 8 + 28 + 4})
        {
            masked[at] = 0xFF;
        }
        auto expected = static_cast<std::uint32_t>(crc32(0, masked.data(), masked.size()));
        INFO("payload " << payload);
        REQUIRE(ComputeIcrc(IcrcScope::RoceV2Ipv4, packet.data(), 20, packet.size()) == expected);
    }
}
