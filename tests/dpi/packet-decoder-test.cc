// Whole frames through DecodePacket: every RC/UC/UD opcode family over RoCEv2, CNP, IPv6, QinQ,
// RoCEv1, cooked captures, and the named failures when a frame is cut at every length.
#include "dpi/extended-header-decoder.h"
#include "dpi/opcode-table.h"
#include "dpi/packet-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>
#include <utility>

using namespace fab::dpi;
using namespace fab::dpi::test;

namespace
{

constexpr std::uint64_t kVa = 0x00007F00DEAD0000;
constexpr std::uint32_t kRkey = 0x0000ABCD;
constexpr std::uint32_t kDmaLength = 1 << 20;
constexpr std::uint32_t kImmediate = 0xDEADBEEF;
constexpr std::uint32_t kInvalidateRkey = 0x00C0FFEE;
constexpr std::uint64_t kSwapAdd = 0x1111222233334444;
constexpr std::uint64_t kCompare = 0x5555666677778888;
constexpr std::uint64_t kOriginal = 0x0102030405060708;
constexpr std::uint32_t kQkey = 0x80010000;
constexpr std::uint32_t kSourceQp = 0x00BEEF;

/** The extended headers an opcode calls for, in wire order, with recognisable values. */
std::vector<std::uint8_t>
HeadersFor(std::uint8_t opcode, std::uint8_t syndrome = 0x1F)
{
    std::uint16_t mask = LookupOpcode(opcode).headers;
    auto has = [mask](ExtendedHeader header)
    {
        return (mask & HeaderBit(header)) != 0;
    };
    Bytes bytes;
    if (has(ExtendedHeader::Rdeth))
    {
        bytes.U32(0x00000777);
    }
    if (has(ExtendedHeader::Deth))
    {
        bytes.Append(Deth(kQkey, kSourceQp));
    }
    if (has(ExtendedHeader::Xrceth))
    {
        bytes.U32(0x00000888);
    }
    if (has(ExtendedHeader::Feth))
    {
        bytes.U32(0x00000011);
    }
    if (has(ExtendedHeader::Reth))
    {
        bytes.Append(Reth(kVa, kRkey, kDmaLength));
    }
    if (has(ExtendedHeader::AtomicEth))
    {
        bytes.Append(AtomicEth(kVa, kRkey, kSwapAdd, kCompare));
    }
    if (has(ExtendedHeader::Aeth))
    {
        bytes.Append(Aeth(syndrome, 0x000321));
    }
    if (has(ExtendedHeader::AtomicAckEth))
    {
        bytes.U64(kOriginal);
    }
    if (has(ExtendedHeader::ImmDt))
    {
        bytes.U32(kImmediate);
    }
    if (has(ExtendedHeader::Ieth))
    {
        bytes.U32(kInvalidateRkey);
    }
    if (has(ExtendedHeader::CnpReserved))
    {
        bytes.Fill(16, 0);
    }
    return bytes.data;
}

Anomaly
Decode(const std::vector<std::uint8_t>& frame,
       DecodedPacket& packet,
       const DecodeOptions& options = {})
{
    AnomalyCounts counts;
    Anomaly stop = DecodePacket(
        LinkKind::Ethernet, frame.data(), frame.size(), frame.size(), packet, counts, options);
    CHECK(counts.Total()
          == static_cast<std::uint64_t>(__builtin_popcountll(packet.anomalies.Bits())));
    return stop;
}

/** Checks the fields of each extended header present against the values HeadersFor wrote. */
void
CheckHeaderValues(const DecodedPacket& packet)
{
    const ExtendedHeaders& ext = packet.ext;
    if (ext.Has(ExtendedHeader::Reth))
    {
        CHECK(ext.reth.virtualAddress == kVa);
        CHECK(ext.reth.rkey == kRkey);
        CHECK(ext.reth.dmaLength == kDmaLength);
    }
    if (ext.Has(ExtendedHeader::AtomicEth))
    {
        CHECK(ext.atomicEth.virtualAddress == kVa);
        CHECK(ext.atomicEth.rkey == kRkey);
        CHECK(ext.atomicEth.swapOrAdd == kSwapAdd);
        CHECK(ext.atomicEth.compare == kCompare);
    }
    if (ext.Has(ExtendedHeader::Aeth))
    {
        CHECK(ext.aeth.msn == 0x321);
    }
    if (ext.Has(ExtendedHeader::AtomicAckEth))
    {
        CHECK(ext.atomicAckOriginalData == kOriginal);
    }
    if (ext.Has(ExtendedHeader::ImmDt))
    {
        CHECK(ext.immediate == kImmediate);
    }
    if (ext.Has(ExtendedHeader::Ieth))
    {
        CHECK(ext.invalidateRkey == kInvalidateRkey);
    }
    if (ext.Has(ExtendedHeader::Deth))
    {
        CHECK(ext.deth.qkey == kQkey);
        CHECK(ext.deth.sourceQp == kSourceQp);
    }
}

} // namespace

TEST_CASE("every RoCEv2 opcode family decodes", "[dpi][roce][bth]")
{
    struct Family
    {
        const char* name;
        std::uint8_t opcode;
        std::size_t payload;
        std::uint8_t pad;
    };
    auto family = GENERATE(values<Family>({
        {"RC SEND FIRST", 0x00, 1024, 0},
        {"RC SEND MIDDLE", 0x01, 1024, 0},
        {"RC SEND LAST", 0x02, 101, 3},
        {"RC SEND LAST with immediate", 0x03, 100, 0},
        {"RC SEND ONLY", 0x04, 7, 1},
        {"RC SEND ONLY with immediate", 0x05, 0, 0},
        {"RC SEND LAST with invalidate", 0x16, 64, 0},
        {"RC SEND ONLY with invalidate", 0x17, 62, 2},
        {"RC RDMA WRITE FIRST", 0x06, 4096, 0},
        {"RC RDMA WRITE MIDDLE", 0x07, 4096, 0},
        {"RC RDMA WRITE LAST", 0x08, 512, 0},
        {"RC RDMA WRITE LAST with immediate", 0x09, 512, 0},
        {"RC RDMA WRITE ONLY", 0x0A, 256, 0},
        {"RC RDMA WRITE ONLY with immediate", 0x0B, 255, 1},
        {"RC RDMA READ REQUEST", 0x0C, 0, 0},
        {"RC RDMA READ RESPONSE FIRST", 0x0D, 1024, 0},
        {"RC RDMA READ RESPONSE MIDDLE", 0x0E, 1024, 0},
        {"RC RDMA READ RESPONSE LAST", 0x0F, 10, 2},
        {"RC RDMA READ RESPONSE ONLY", 0x10, 8, 0},
        {"RC ACKNOWLEDGE", 0x11, 0, 0},
        {"RC ATOMIC ACKNOWLEDGE", 0x12, 0, 0},
        {"RC COMPARE SWAP", 0x13, 0, 0},
        {"RC FETCH ADD", 0x14, 0, 0},
        {"UC SEND ONLY", 0x24, 33, 3},
        {"UC RDMA WRITE ONLY with immediate", 0x2B, 64, 0},
        {"UD SEND ONLY", 0x64, 256, 0},
        {"UD SEND ONLY with immediate", 0x65, 256, 0},
        {"XRC SEND ONLY", 0xA4, 16, 0},
        {"CNP", 0x81, 0, 0},
    }));
    RoceSpec spec;
    spec.opcode = family.opcode;
    spec.headers = HeadersFor(family.opcode);
    spec.payload = family.payload;
    spec.pad = family.pad;
    spec.ackRequest = true;
    spec.psn = 0xFFFFFF;
    auto frame = BuildRoceFrame(spec);

    DecodedPacket packet;
    INFO(family.name);
    REQUIRE(Decode(frame, packet) == Anomaly::None);
    CHECK(packet.anomalies.Empty());
    CHECK(packet.Has(Layer::Ethernet));
    CHECK(packet.Has(Layer::Ipv4));
    CHECK(packet.Has(Layer::Udp));
    CHECK(packet.Has(Layer::Roce));
    CHECK(packet.Has(Layer::Bth));
    CHECK(packet.Has(Layer::Cnp) == (family.opcode == kOpcodeRoceCnp));
    CHECK(packet.bth.opcode == family.opcode);
    CHECK(packet.bth.psn == 0xFFFFFF);
    CHECK(packet.bth.ackRequest);
    CHECK(packet.bth.destinationQp == 0x123);
    CHECK(packet.bth.padCount == family.pad);
    CHECK(packet.ext.present == LookupOpcode(family.opcode).headers);
    CHECK(packet.payloadLength == family.payload);
    CHECK(packet.payloadOffset == 14 + 20 + 8 + 12 + spec.headers.size());
    CHECK(packet.bthOffset == 42);
    CHECK(packet.icrc == CrcStatus::Ok);
    CheckHeaderValues(packet);
}

TEST_CASE("ACKs carry every AETH syndrome", "[dpi][roce][aeth]")
{
    auto syndrome = GENERATE(range(0x00, 0x80));
    RoceSpec spec;
    spec.opcode = 0x11;
    spec.headers = HeadersFor(0x11, static_cast<std::uint8_t>(syndrome));
    auto frame = BuildRoceFrame(spec);
    DecodedPacket packet;
    INFO("syndrome 0x" << std::hex << syndrome);
    REQUIRE(Decode(frame, packet) == Anomaly::None);
    REQUIRE(packet.ext.Has(ExtendedHeader::Aeth));
    const AethFields& aeth = packet.ext.aeth;
    CHECK(aeth.syndrome == syndrome);
    CHECK(aeth.value == (syndrome & 0x1F));
    bool reserved = (syndrome >= 0x40 && syndrome < 0x60) || syndrome > 0x64;
    CHECK(packet.anomalies.Has(Anomaly::BadAethSyndrome) == reserved);
    if (syndrome < 0x20)
    {
        CHECK(aeth.kind == AethKind::Ack);
    }
    else if (syndrome < 0x40)
    {
        CHECK(aeth.kind == AethKind::RnrNak);
    }
    else if (syndrome >= 0x60)
    {
        CHECK(aeth.kind == AethKind::Nak);
    }
    CHECK(packet.icrc == CrcStatus::Ok);
}

TEST_CASE("RoCEv2 over IPv6 and under QinQ", "[dpi][roce][ipv6][vlan]")
{
    RoceSpec spec;
    spec.opcode = 0x0A;
    spec.headers = HeadersFor(0x0A);
    spec.payload = 1000;
    DecodedPacket packet;

    SECTION("IPv6")
    {
        spec.ipv6 = true;
        spec.tos = 0x6B; // DSCP 26, CE
        auto frame = BuildRoceFrame(spec);
        REQUIRE(Decode(frame, packet) == Anomaly::None);
        CHECK(packet.anomalies.Empty());
        CHECK(packet.Has(Layer::Ipv6));
        CHECK(!packet.Has(Layer::Ipv4));
        CHECK(packet.ip.version == 6);
        CHECK(packet.ip.dscp == 26);
        CHECK(packet.ip.ecn == Ecn::Ce);
        CHECK(packet.ip.flowLabel == 0x12345);
        CHECK(packet.ip.source[0] == 0xFD);
        CHECK(packet.ip.destination[15] == 2);
        CHECK(packet.udp.destinationPort == 4791);
        CHECK(packet.bth.opcode == 0x0A);
        CHECK(packet.ext.reth.dmaLength == kDmaLength);
        CHECK(packet.payloadLength == 1000);
        CHECK(packet.icrc == CrcStatus::Ok);
    }
    SECTION("QinQ keeps both tags and the inner PCP")
    {
        spec.vlans = {{0x88A8, 1, 100}, {0x8100, 3, 200}};
        auto frame = BuildRoceFrame(spec);
        REQUIRE(Decode(frame, packet) == Anomaly::None);
        CHECK(packet.Has(Layer::Vlan));
        CHECK(packet.ethernet.vlanCount == 2);
        CHECK(packet.ethernet.vlans[0].tpid == 0x88A8);
        CHECK(packet.ethernet.vlans[0].pcp == 1);
        CHECK(packet.ethernet.vlans[0].id == 100);
        CHECK(packet.ethernet.vlans[1].tpid == 0x8100);
        CHECK(packet.ethernet.vlans[1].pcp == 3);
        CHECK(packet.ethernet.vlans[1].id == 200);
        CHECK(packet.ethernet.Priority() == 3);
        CHECK(packet.ethernet.etherType == kEtherTypeIpv4);
        CHECK(packet.ipOffset == 22);
        CHECK(packet.icrc == CrcStatus::Ok);
    }
    SECTION("a third tag is one too many")
    {
        spec.vlans = {{0x88A8, 1, 100}, {0x8100, 3, 200}, {0x8100, 5, 300}};
        auto frame = BuildRoceFrame(spec);
        CHECK(Decode(frame, packet) == Anomaly::TooManyVlanTags);
        CHECK(packet.ethernet.vlanCount == 2);
    }
}

TEST_CASE("RoCEv1: GRH and BTH straight over Ethernet", "[dpi][roce]")
{
    Bytes frame;
    PutEthernet(frame, kEtherTypeRoceV1, {{0x8100, 3, 10}});
    std::size_t grhStart = frame.Size();
    frame.U32((6u << 28) | (0x68u << 20) | 1).U16(12 + 4 + 4).U8(0x1B).U8(1);
    frame.U64(0xFE80000000000000).U64(0x0211223344550001).U64(0xFE80000000000000).U64(2);
    frame.U8(0x11).U8(0).U16(0xFFFF).U8(0).U24(0x42).U8(0).U24(77).Append(Aeth(0x60, 5));
    std::uint32_t icrc
        = ComputeIcrc(IcrcScope::RoceV1, frame.data.data() + grhStart, 40, frame.Size() - grhStart);
    frame.U8(icrc).U8(icrc >> 8).U8(icrc >> 16).U8(icrc >> 24);
    DecodedPacket packet;
    REQUIRE(Decode(frame.data, packet) == Anomaly::None);
    CHECK(packet.anomalies.Empty());
    CHECK(packet.Has(Layer::RoceV1));
    CHECK(packet.Has(Layer::Grh));
    CHECK(!packet.Has(Layer::Roce));
    CHECK(packet.grh.trafficClass == 0x68);
    CHECK(packet.bth.psn == 77);
    CHECK(packet.ext.aeth.kind == AethKind::Nak);
    CHECK(packet.ext.aeth.Nak() == NakCode::PsnSequenceError);
    CHECK(packet.icrc == CrcStatus::Ok);
}

TEST_CASE("a cooked capture starts at the EtherType", "[dpi][roce]")
{
    RoceSpec spec;
    spec.opcode = 0x04;
    spec.payload = 40;
    auto frame = BuildRoceFrame(spec);
    DecodedPacket packet;
    AnomalyCounts counts;
    REQUIRE(
        DecodeFromEtherType(
            kEtherTypeIpv4, frame.data() + 14, frame.size() - 14, frame.size() - 14, packet, counts)
        == Anomaly::None);
    CHECK(!packet.Has(Layer::Ethernet));
    CHECK(packet.Has(Layer::Roce));
    CHECK(packet.ipOffset == 0);
    CHECK(packet.payloadLength == 40);
    CHECK(packet.icrc == CrcStatus::Ok);

    // SLL keeps a VLAN tag in the payload when the kernel did not strip it.
    Bytes tagged;
    tagged.U16((5u << 13) | 42).U16(kEtherTypeIpv4);
    tagged.data.insert(tagged.data.end(), frame.begin() + 14, frame.end());
    REQUIRE(DecodeFromEtherType(
                kEtherTypeVlan, tagged.data.data(), tagged.Size(), tagged.Size(), packet, counts)
            == Anomaly::None);
    CHECK(packet.ethernet.vlanCount == 1);
    CHECK(packet.ethernet.Priority() == 5);
    CHECK(packet.icrc == CrcStatus::Ok);
}

TEST_CASE("RoCE on another UDP port only when asked", "[dpi][roce]")
{
    RoceSpec spec;
    spec.udpPort = 9741;
    auto frame = BuildRoceFrame(spec);
    DecodedPacket packet;
    Decode(frame, packet);
    CHECK(packet.Has(Layer::Udp));
    CHECK(!packet.Has(Layer::Roce));
    DecodeOptions options;
    options.extraRoceUdpPort = 9741;
    Decode(frame, packet, options);
    CHECK(packet.Has(Layer::Roce));
    CHECK(packet.icrc == CrcStatus::Ok);
}

TEST_CASE("transport-level anomalies in whole frames", "[dpi][roce]")
{
    RoceSpec spec;
    DecodedPacket packet;
    SECTION("an unknown opcode: BTH kept, the rest is payload, ICRC still checked")
    {
        spec.opcode = 0x15;
        spec.payload = 20;
        auto frame = BuildRoceFrame(spec);
        CHECK(Decode(frame, packet) == Anomaly::None);
        CHECK(packet.anomalies.Has(Anomaly::UnknownOpcode));
        CHECK(packet.payloadLength == 20);
        CHECK(packet.icrc == CrcStatus::Ok);
    }
    SECTION("a pad count larger than the payload")
    {
        auto frame = BuildRoceFrame(spec);
        frame[42 + 1] = 0x30;
        Decode(frame, packet);
        CHECK(packet.anomalies.Has(Anomaly::BadPadCount));
        CHECK(packet.icrc == CrcStatus::Bad); // PadCnt is covered by the ICRC
    }
    SECTION("no room for the ICRC")
    {
        auto frame = BuildRoceFrame(spec);
        Bytes edit{frame};
        edit.Set16(14 + 2, 20 + 8 + 12 + 2);
        edit.Set16(14 + 20 + 4, 8 + 12 + 2);
        CHECK(Decode(edit.data, packet) == Anomaly::TruncatedIcrc);
        CHECK(packet.Has(Layer::Bth));
    }
    SECTION("a UDP length beyond the IP packet")
    {
        auto frame = BuildRoceFrame(spec);
        Bytes edit{frame};
        edit.Set16(14 + 20 + 4, 200);
        CHECK(Decode(edit.data, packet) == Anomaly::BadUdpLength);
        CHECK(!packet.Has(Layer::Roce));
    }
    SECTION("an IPv4 fragment is not decoded further")
    {
        auto frame = BuildRoceFrame(spec);
        Bytes edit{frame};
        edit.Set16(14 + 6, 0x2000);
        CHECK(Decode(edit.data, packet) == Anomaly::None);
        CHECK(packet.anomalies.Has(Anomaly::Ipv4Fragment));
        CHECK(!packet.Has(Layer::Udp));
    }
    SECTION("Ethernet padding after the IP packet is not payload")
    {
        spec.opcode = 0x11;
        spec.headers = HeadersFor(0x11, 0x00);
        auto frame = BuildRoceFrame(spec);
        frame.insert(frame.end(), 6, 0); // trailer a NIC or a capture may add
        CHECK(Decode(frame, packet) == Anomaly::None);
        CHECK(packet.icrc == CrcStatus::Ok);
        CHECK(packet.payloadLength == 0);
    }
}

TEST_CASE("TCP and other traffic are decoded as far as they go", "[dpi][tcp]")
{
    Bytes frame;
    PutEthernet(frame, kEtherTypeIpv4, {});
    frame.U8(0x45).U8(0).U16(20 + 20 + 5).U16(1).U16(0x4000).U8(64).U8(6).U16(0);
    frame.U32(0x0A000001).U32(0x0A000002);
    frame.U16(51000).U16(22).U32(1).U32(2).U16((5u << 12) | 0x018).U16(500).U32(0);
    frame.Fill(5, 0x41);
    DecodedPacket packet;
    REQUIRE(Decode(frame.data, packet) == Anomaly::None);
    CHECK(packet.Has(Layer::Tcp));
    CHECK(packet.tcp.destinationPort == 22);
    CHECK(packet.transportOffset == 34);
    CHECK(!packet.Has(Layer::Bth));

    Bytes arp;
    PutEthernet(arp, 0x0806, {});
    arp.Fill(28, 0);
    REQUIRE(Decode(arp.data, packet) == Anomaly::None);
    CHECK(packet.layers == static_cast<std::uint32_t>(Layer::Ethernet));
}

namespace
{

/** Where each header of a RoCEv2 frame ends, and the name its truncation goes by. */
std::vector<std::pair<std::size_t, Anomaly>>
Boundaries(const RoceSpec& spec)
{
    std::vector<std::pair<std::size_t, Anomaly>> ends;
    std::size_t at = 14;
    ends.emplace_back(at, Anomaly::TruncatedEthernet);
    for (std::size_t i = 0; i < spec.vlans.size(); ++i)
    {
        at += 4;
        ends.emplace_back(at, Anomaly::TruncatedVlan);
    }
    at += spec.ipv6 ? 40 : 20;
    ends.emplace_back(at, spec.ipv6 ? Anomaly::TruncatedIpv6 : Anomaly::TruncatedIpv4);
    at += 8;
    ends.emplace_back(at, Anomaly::TruncatedUdp);
    at += 12;
    ends.emplace_back(at, Anomaly::TruncatedBth);
    struct Header
    {
        ExtendedHeader header;
        std::size_t bytes;
        Anomaly truncated;
    };
    static const Header kOrder[] = {
        {ExtendedHeader::Deth, kDethBytes, Anomaly::TruncatedDeth},
        {ExtendedHeader::Reth, kRethBytes, Anomaly::TruncatedReth},
        {ExtendedHeader::AtomicEth, kAtomicEthBytes, Anomaly::TruncatedAtomicEth},
        {ExtendedHeader::Aeth, kAethBytes, Anomaly::TruncatedAeth},
        {ExtendedHeader::AtomicAckEth, kAtomicAckEthBytes, Anomaly::TruncatedAtomicAckEth},
        {ExtendedHeader::ImmDt, kImmDtBytes, Anomaly::TruncatedImmDt},
        {ExtendedHeader::Ieth, kIethBytes, Anomaly::TruncatedIeth},
        {ExtendedHeader::CnpReserved, kCnpReservedBytes, Anomaly::TruncatedCnp},
    };
    std::uint16_t mask = LookupOpcode(spec.opcode).headers;
    for (const Header& header : kOrder)
    {
        if ((mask & HeaderBit(header.header)) != 0)
        {
            at += header.bytes;
            ends.emplace_back(at, header.truncated);
        }
    }
    return ends;
}

} // namespace

TEST_CASE("every truncation length yields the truncation anomaly and no crash", "[dpi][roce]")
{
    struct Case
    {
        const char* name;
        std::uint8_t opcode;
        bool ipv6;
        std::size_t vlans;
    };
    auto c = GENERATE(values<Case>({
        {"RDMA WRITE FIRST over IPv4", 0x06, false, 0},
        {"RDMA WRITE ONLY with immediate under QinQ", 0x0B, false, 2},
        {"ACK over IPv6", 0x11, true, 0},
        {"ATOMIC ACK under a VLAN tag", 0x12, false, 1},
        {"COMPARE SWAP over IPv6", 0x13, true, 1},
        {"UD SEND ONLY with immediate", 0x65, false, 0},
        {"SEND ONLY with invalidate", 0x17, false, 0},
        {"CNP", 0x81, false, 1},
    }));
    RoceSpec spec;
    spec.opcode = c.opcode;
    spec.ipv6 = c.ipv6;
    spec.headers = HeadersFor(c.opcode);
    spec.payload = 9;
    spec.pad = 3;
    for (std::size_t i = 0; i < c.vlans; ++i)
    {
        spec.vlans.push_back(
            {i == 0 && c.vlans == 2 ? std::uint16_t{0x88A8} : std::uint16_t{0x8100}, 3, 7});
    }
    const std::vector<std::uint8_t> full = BuildRoceFrame(spec);
    const auto ends = Boundaries(spec);
    auto length = GENERATE_COPY(range<std::size_t>(0, full.size() + 1));
    bool snapped = GENERATE(true, false);

    // A copy of exactly `length` bytes, so AddressSanitizer sees any read past the end.
    std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(length));
    DecodedPacket packet;
    AnomalyCounts counts;
    Anomaly stop = DecodePacket(
        LinkKind::Ethernet, cut.data(), cut.size(), snapped ? full.size() : length, packet, counts);

    Anomaly expected = Anomaly::None;
    for (const auto& [end, anomaly] : ends)
    {
        if (length < end)
        {
            expected = anomaly;
            break;
        }
    }
    INFO(c.name << ", " << length << " of " << full.size() << " bytes"
                << (snapped ? " (snap length)" : " (runt)"));
    CHECK(stop == expected);
    CHECK(packet.stopReason == expected);
    if (expected == Anomaly::None)
    {
        bool whole = length == full.size();
        CHECK(packet.Has(Layer::Bth));
        CHECK(packet.icrc == (whole ? CrcStatus::Ok : CrcStatus::NotChecked));
        CHECK(counts.Get(Anomaly::IcrcNotChecked) == (whole ? 0 : 1));
        CHECK(packet.payloadLength == 9);
    }
    bool ipDecoded = length >= ends[c.vlans + 1].first;
    bool ipLonger = ipDecoded && !snapped && length < full.size();
    CHECK(packet.anomalies.Has(c.ipv6 ? Anomaly::Ipv6LengthExceedsFrame
                                      : Anomaly::Ipv4LengthExceedsFrame)
          == ipLonger);
}

TEST_CASE("decoding reuses one DecodedPacket without leftovers", "[dpi][roce]")
{
    RoceSpec spec;
    spec.opcode = 0x06;
    spec.headers = HeadersFor(0x06);
    spec.payload = 64;
    auto write = BuildRoceFrame(spec);
    Bytes pause;
    pause.U16(0x0180).U32(0xC2000001).U16(0x0211).U32(0x22334455).U16(0x8808).U16(1).U16(5);
    pause.Fill(42, 0);
    DecodedPacket packet;
    Decode(write, packet);
    CHECK(packet.ext.reth.dmaLength == kDmaLength);
    Decode(pause.data, packet);
    CHECK(packet.Has(Layer::Pause));
    CHECK(!packet.Has(Layer::Roce));
    CHECK(packet.ext.present == 0);
    CHECK(packet.ext.reth.dmaLength == 0);
    CHECK(packet.icrc == CrcStatus::Absent);
}
