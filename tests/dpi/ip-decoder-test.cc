// IPv4, IPv6 (with extension headers), UDP and TCP headers: fields, bounds and named failures.
#include "dpi/ipv4-decoder.h"
#include "dpi/ipv6-decoder.h"
#include "dpi/tcp-decoder.h"
#include "dpi/udp-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using fab::dpi::test::Bytes;

namespace
{

Bytes
Ipv4Header(std::uint8_t versionIhl = 0x45, std::uint16_t totalLength = 60)
{
    Bytes header;
    header.U8(versionIhl).U8(0xC3).U16(totalLength).U16(0xBEEF).U16(0x4000).U8(63).U8(17).U16(0);
    header.U32(0xC0A84606).U32(0xC0A84604); // 192.168.70.6 -> 192.168.70.4
    return header;
}

Bytes
Ipv6Header(std::uint8_t nextHeader, std::uint16_t payloadLength)
{
    Bytes header;
    header.U32((6u << 28) | (0x69u << 20) | 0xABCDE).U16(payloadLength).U8(nextHeader).U8(7);
    header.U64(0x20010DB800000000).U64(1).U64(0x20010DB800000000).U64(2);
    return header;
}

} // namespace

TEST_CASE("IPv4 header", "[dpi][ipv4]")
{
    Bytes header = Ipv4Header();
    ByteReader reader(header.data.data(), header.Size());
    IpFields ip;
    REQUIRE(DecodeIpv4(reader, ip) == Anomaly::None);
    CHECK(ip.version == 4);
    CHECK(ip.dscp == 48);
    CHECK(ip.ecn == Ecn::Ce);
    CHECK(ip.totalLength == 60);
    CHECK(ip.headerLength == 20);
    CHECK(ip.identification == 0xBEEF);
    CHECK(ip.dontFragment);
    CHECK(!ip.fragmented);
    CHECK(ip.ttl == 63);
    CHECK(ip.protocol == kIpProtocolUdp);
    CHECK(IsIpv4Mapped(ip.source));
    CHECK(Ipv4Of(ip.source) == 0xC0A84606);
    CHECK(Ipv4Of(ip.destination) == 0xC0A84604);
    CHECK(ip.source == MakeIpv4Address(0xC0A84606));

    SECTION("options are skipped")
    {
        Bytes withOptions = Ipv4Header(0x46, 60);
        withOptions.U32(0x01010101);
        ByteReader optionsReader(withOptions.data.data(), withOptions.Size());
        REQUIRE(DecodeIpv4(optionsReader, ip) == Anomaly::None);
        CHECK(ip.headerLength == 24);
        CHECK(optionsReader.Offset() == 24);
    }
    SECTION("fragments are marked")
    {
        Bytes fragment = Ipv4Header();
        fragment.Set16(6, 0x2000 | 0x0010);
        ByteReader fragmentReader(fragment.data.data(), fragment.Size());
        REQUIRE(DecodeIpv4(fragmentReader, ip) == Anomaly::None);
        CHECK(ip.fragmented);
        CHECK(ip.moreFragments);
        CHECK(ip.fragmentOffset == 0x10);
    }
    SECTION("bad version, IHL, total length")
    {
        Bytes v6 = Ipv4Header(0x65);
        ByteReader r1(v6.data.data(), v6.Size());
        CHECK(DecodeIpv4(r1, ip) == Anomaly::BadIpv4Version);
        Bytes shortIhl = Ipv4Header(0x44);
        ByteReader r2(shortIhl.data.data(), shortIhl.Size());
        CHECK(DecodeIpv4(r2, ip) == Anomaly::BadIpv4Ihl);
        Bytes longIhl = Ipv4Header(0x4F);
        ByteReader r3(longIhl.data.data(), longIhl.Size());
        CHECK(DecodeIpv4(r3, ip) == Anomaly::TruncatedIpv4);
        Bytes shortTotal = Ipv4Header(0x45, 19);
        ByteReader r4(shortTotal.data.data(), shortTotal.Size());
        CHECK(DecodeIpv4(r4, ip) == Anomaly::BadIpv4TotalLength);
    }
    SECTION("every truncation")
    {
        auto length = GENERATE(range<std::size_t>(0, kIpv4MinimumHeaderBytes));
        ByteReader cut(header.data.data(), length);
        CHECK(DecodeIpv4(cut, ip) == Anomaly::TruncatedIpv4);
    }
}

TEST_CASE("IPv6 header and extension headers", "[dpi][ipv6]")
{
    IpFields ip;
    SECTION("plain")
    {
        Bytes header = Ipv6Header(17, 100);
        ByteReader reader(header.data.data(), header.Size());
        REQUIRE(DecodeIpv6(reader, ip) == Anomaly::None);
        CHECK(ip.version == 6);
        CHECK(ip.dscp == 26);
        CHECK(ip.ecn == Ecn::Ect1);
        CHECK(ip.flowLabel == 0xABCDE);
        CHECK(ip.ttl == 7);
        CHECK(ip.protocol == kIpProtocolUdp);
        CHECK(ip.headerLength == 40);
        CHECK(ip.totalLength == 140);
        CHECK(!IsIpv4Mapped(ip.source));
        CHECK(ip.destination[15] == 2);
    }
    SECTION("hop-by-hop and destination options are walked")
    {
        Bytes header = Ipv6Header(0, 100);
        header.U8(60).U8(0).Fill(6, 0);  // hop-by-hop, 8 bytes, next: destination options
        header.U8(17).U8(1).Fill(14, 0); // destination options, 16 bytes, next: UDP
        ByteReader reader(header.data.data(), header.Size());
        REQUIRE(DecodeIpv6(reader, ip) == Anomaly::None);
        CHECK(ip.protocol == kIpProtocolUdp);
        CHECK(ip.headerLength == 64);
        CHECK(reader.Offset() == 64);

        auto length = GENERATE(range<std::size_t>(40, 64));
        ByteReader cut(header.data.data(), length);
        CHECK(DecodeIpv6(cut, ip) == Anomaly::TruncatedIpv6ExtensionHeader);
    }
    SECTION("a fragment header marks a fragment")
    {
        Bytes header = Ipv6Header(44, 100);
        header.U8(17).U8(0).U16((5u << 3) | 1).U32(0x12345678);
        ByteReader reader(header.data.data(), header.Size());
        REQUIRE(DecodeIpv6(reader, ip) == Anomaly::None);
        CHECK(ip.fragmented);
        CHECK(ip.moreFragments);
        CHECK(ip.fragmentOffset == 5);
    }
    SECTION("too many extension headers")
    {
        Bytes header = Ipv6Header(60, 200);
        for (int i = 0; i < kMaxIpv6ExtensionHeaders + 1; ++i)
        {
            header.U8(60).U8(0).Fill(6, 0);
        }
        ByteReader reader(header.data.data(), header.Size());
        CHECK(DecodeIpv6(reader, ip) == Anomaly::TooManyIpv6ExtensionHeaders);
    }
    SECTION("bad version and truncation")
    {
        Bytes header = Ipv6Header(17, 0);
        header.data[0] = 0x45;
        ByteReader reader(header.data.data(), header.Size());
        CHECK(DecodeIpv6(reader, ip) == Anomaly::BadIpv6Version);
        auto length = GENERATE(range<std::size_t>(0, kIpv6HeaderBytes));
        ByteReader cut(header.data.data(), length);
        CHECK(DecodeIpv6(cut, ip) == Anomaly::TruncatedIpv6);
    }
}

TEST_CASE("UDP header", "[dpi][udp]")
{
    Bytes header;
    header.U16(0xC000).U16(4791).U16(40).U16(0);
    ByteReader reader(header.data.data(), header.Size());
    UdpFields udp;
    REQUIRE(DecodeUdp(reader, udp) == Anomaly::None);
    CHECK(udp.sourcePort == 0xC000);
    CHECK(udp.destinationPort == kRoceV2UdpPort);
    CHECK(udp.length == 40);

    header.Set16(4, 7);
    ByteReader shortLength(header.data.data(), header.Size());
    CHECK(DecodeUdp(shortLength, udp) == Anomaly::BadUdpLength);

    auto length = GENERATE(range<std::size_t>(0, kUdpHeaderBytes));
    ByteReader cut(header.data.data(), length);
    CHECK(DecodeUdp(cut, udp) == Anomaly::TruncatedUdp);
}

TEST_CASE("TCP header", "[dpi][tcp]")
{
    Bytes header;
    header.U16(22).U16(51000).U32(0x01020304).U32(0x05060708);
    header.U16((6u << 12) | kTcpSyn | kTcpAck).U16(65535).U16(0).U16(0).U32(0x02040218);
    ByteReader reader(header.data.data(), header.Size());
    TcpFields tcp;
    REQUIRE(DecodeTcp(reader, tcp) == Anomaly::None);
    CHECK(tcp.sourcePort == 22);
    CHECK(tcp.destinationPort == 51000);
    CHECK(tcp.sequence == 0x01020304);
    CHECK(tcp.acknowledgment == 0x05060708);
    CHECK(tcp.headerLength == 24);
    CHECK(tcp.flags == (kTcpSyn | kTcpAck));
    CHECK(tcp.window == 65535);
    CHECK(reader.Offset() == 24);

    SECTION("bad data offset")
    {
        header.Set16(12, (4u << 12) | kTcpAck);
        ByteReader bad(header.data.data(), header.Size());
        CHECK(DecodeTcp(bad, tcp) == Anomaly::BadTcpDataOffset);
    }
    SECTION("every truncation")
    {
        auto length = GENERATE(range<std::size_t>(0, 24));
        ByteReader cut(header.data.data(), length);
        CHECK(DecodeTcp(cut, tcp) == Anomaly::TruncatedTcp);
    }
}
