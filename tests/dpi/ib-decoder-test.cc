// Native InfiniBand: LRH and GRH fields, VCRC, and whole packets with and without a GRH.
#include "dpi/grh-decoder.h"
#include "dpi/lrh-decoder.h"
#include "dpi/packet-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using namespace fab::dpi::test;

TEST_CASE("LRH fields", "[dpi][ib][lrh]")
{
    Bytes lrh;
    lrh.U8(0x70).U8(0xB2).U16(0xC001).U16(0xF800 | 0x0123).U16(0x0042);
    ByteReader reader(lrh.data.data(), lrh.Size());
    LrhFields fields;
    REQUIRE(DecodeLrh(reader, fields) == Anomaly::None);
    CHECK(fields.virtualLane == 7);
    CHECK(fields.linkVersion == 0);
    CHECK(fields.serviceLevel == 0xB);
    CHECK(fields.nextHeader == LinkNextHeader::IbaLocal);
    CHECK(fields.destinationLid == 0xC001);
    CHECK(fields.packetLengthWords == 0x0123); // the reserved high bits are not length
    CHECK(fields.PacketBytes() == 0x0123 * 4);
    CHECK(fields.sourceLid == 0x0042);

    lrh.data[0] = 0x71;
    ByteReader badVersion(lrh.data.data(), lrh.Size());
    CHECK(DecodeLrh(badVersion, fields) == Anomaly::BadLrhLinkVersion);

    auto length = GENERATE(range<std::size_t>(0, kLrhBytes));
    ByteReader cut(lrh.data.data(), length);
    CHECK(DecodeLrh(cut, fields) == Anomaly::TruncatedLrh);
}

TEST_CASE("GRH fields", "[dpi][ib][grh]")
{
    Bytes grh;
    grh.U32((6u << 28) | (0xA4u << 20) | 0x54321).U16(256).U8(0x1B).U8(9);
    grh.U64(0xFE80000000000000).U64(0x1111).U64(0xFE80000000000000).U64(0x2222);
    ByteReader reader(grh.data.data(), grh.Size());
    GrhFields fields;
    REQUIRE(DecodeGrh(reader, fields) == Anomaly::None);
    CHECK(fields.ipVersion == 6);
    CHECK(fields.trafficClass == 0xA4);
    CHECK(fields.flowLabel == 0x54321);
    CHECK(fields.payloadLength == 256);
    CHECK(fields.nextHeader == kGrhNextHeaderBth);
    CHECK(fields.hopLimit == 9);
    CHECK(fields.sourceGid[0] == 0xFE);
    CHECK(fields.destinationGid[15] == 0x22);

    grh.data[0] = 0x40;
    ByteReader badVersion(grh.data.data(), grh.Size());
    CHECK(DecodeGrh(badVersion, fields) == Anomaly::BadGrhVersion);

    auto length = GENERATE(range<std::size_t>(0, kGrhBytes));
    ByteReader cut(grh.data.data(), length);
    CHECK(DecodeGrh(cut, fields) == Anomaly::TruncatedGrh);
}

TEST_CASE("native IB packets decode with ICRC and VCRC", "[dpi][ib]")
{
    AnomalyCounts counts;
    DecodedPacket packet;
    SECTION("local: RC RDMA WRITE FIRST")
    {
        IbSpec spec;
        spec.vl = 2;
        spec.sl = 3;
        spec.opcode = 0x06;
        spec.headers = Reth(0x10000, 0x77, 8192);
        spec.payload = 255;
        spec.pad = 1;
        spec.fecn = true;
        auto bytes = BuildIbPacket(spec);
        REQUIRE(DecodePacket(
                    LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts)
                == Anomaly::None);
        CHECK(packet.anomalies.Empty());
        CHECK(packet.Has(Layer::Ib));
        CHECK(packet.Has(Layer::Bth));
        CHECK(!packet.Has(Layer::Grh));
        CHECK(!packet.Has(Layer::Ethernet));
        CHECK(packet.lrh.virtualLane == 2);
        CHECK(packet.lrh.serviceLevel == 3);
        CHECK(packet.lrh.destinationLid == 5);
        CHECK(packet.lrh.sourceLid == 7);
        CHECK(packet.bth.opcode == 0x06);
        CHECK(packet.bth.fecn);
        CHECK(packet.bth.psn == 0x100);
        CHECK(packet.ext.reth.dmaLength == 8192);
        CHECK(packet.payloadLength == 255);
        CHECK(packet.payloadOffset == 8 + 12 + 16);
        CHECK(packet.icrc == CrcStatus::Ok);
        CHECK(packet.vcrc == CrcStatus::Ok);

        bytes[0] ^= 0x10; // VL: variant
        DecodePacket(
            LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts);
        CHECK(packet.icrc == CrcStatus::Ok);
        CHECK(packet.vcrc == CrcStatus::Bad);
        bytes[1] ^= 0x10; // SL: invariant
        DecodePacket(
            LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts);
        CHECK(packet.icrc == CrcStatus::Bad);
    }
    SECTION("global: UD SEND ONLY to a multicast GID")
    {
        IbSpec spec;
        spec.global = true;
        spec.opcode = 0x64;
        spec.destQp = 0xFFFFFF;
        spec.headers = Deth(0x80010000, 0x48);
        spec.payload = 64;
        auto bytes = BuildIbPacket(spec);
        REQUIRE(DecodePacket(
                    LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts)
                == Anomaly::None);
        CHECK(packet.anomalies.Empty());
        CHECK(packet.Has(Layer::Grh));
        CHECK(packet.grh.nextHeader == kGrhNextHeaderBth);
        CHECK(packet.grh.destinationGid[0] == 0xFF);
        CHECK(packet.bth.destinationQp == 0xFFFFFF);
        CHECK(packet.ext.deth.qkey == 0x80010000);
        CHECK(packet.ext.deth.sourceQp == 0x48);
        CHECK(packet.payloadLength == 64);
        CHECK(packet.icrc == CrcStatus::Ok);
        CHECK(packet.vcrc == CrcStatus::Ok);

        SECTION("with a GRH the whole LRH is outside the ICRC")
        {
            bytes[0] ^= 0x30;
            DecodePacket(
                LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts);
            CHECK(packet.icrc == CrcStatus::Ok);
            CHECK(packet.vcrc == CrcStatus::Bad);
            CHECK(packet.anomalies.Has(Anomaly::BadVcrc));
        }
    }
    SECTION("without a VCRC")
    {
        IbSpec spec;
        spec.withVcrc = false;
        spec.opcode = 0x11;
        spec.headers = Aeth(0x00, 3);
        auto bytes = BuildIbPacket(spec);
        DecodePacket(
            LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts);
        CHECK(packet.vcrc == CrcStatus::Absent);
        CHECK(packet.icrc == CrcStatus::Ok);
        CHECK(packet.ext.aeth.msn == 3);
    }
    SECTION("a packet length beyond the frame")
    {
        IbSpec spec;
        auto bytes = BuildIbPacket(spec);
        bytes[5] = 0x40;
        CHECK(DecodePacket(
                  LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts)
              == Anomaly::BadLrhPacketLength);
    }
    SECTION("a raw packet has no BTH")
    {
        IbSpec spec;
        auto bytes = BuildIbPacket(spec);
        bytes[1] = 0x00;
        CHECK(DecodePacket(
                  LinkKind::InfiniBand, bytes.data(), bytes.size(), bytes.size(), packet, counts)
              == Anomaly::None);
        CHECK(packet.Has(Layer::Ib));
        CHECK(!packet.Has(Layer::Bth));
    }
}

TEST_CASE("every truncation of a native IB packet", "[dpi][ib]")
{
    IbSpec spec;
    spec.global = true;
    spec.opcode = 0x0C; // READ REQUEST: RETH
    spec.headers = Reth(1, 2, 3);
    auto bytes = BuildIbPacket(spec);
    REQUIRE(bytes.size() == 8 + 40 + 12 + 16 + 4 + 2);
    auto length = GENERATE_COPY(range<std::size_t>(0, bytes.size()));
    bool snapped = GENERATE(true, false); // cut by the snap length, or a runt on the wire
    DecodedPacket packet;
    AnomalyCounts counts;
    Anomaly stop = DecodePacket(LinkKind::InfiniBand,
                                bytes.data(),
                                length,
                                snapped ? bytes.size() : length,
                                packet,
                                counts);
    INFO("length " << length << (snapped ? " snapped" : " runt"));
    if (length < 8)
    {
        CHECK(stop == Anomaly::TruncatedLrh);
    }
    else if (!snapped && length < 80)
    {
        CHECK(stop == Anomaly::BadLrhPacketLength); // the LRH says more than the frame holds
    }
    else if (!snapped)
    {
        CHECK(stop == Anomaly::None); // a whole packet, its VCRC cut off or half there
        CHECK(packet.icrc == CrcStatus::Ok);
        CHECK(packet.vcrc == CrcStatus::Absent);
    }
    else if (length < 48)
    {
        CHECK(stop == Anomaly::TruncatedGrh);
    }
    else if (length < 60)
    {
        CHECK(stop == Anomaly::TruncatedBth);
    }
    else if (length < 76)
    {
        CHECK(stop == Anomaly::TruncatedReth);
    }
    else
    {
        CHECK(stop == Anomaly::None);
        CHECK(packet.vcrc == CrcStatus::NotChecked);
        CHECK(packet.icrc == (length < 80 ? CrcStatus::NotChecked : CrcStatus::Ok));
    }
    if (snapped && length >= 8)
    {
        CHECK(counts.Get(Anomaly::VcrcNotChecked) == 1);
    }
}
