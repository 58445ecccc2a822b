// BTH fields bit by bit, 24-bit PSN arithmetic, and the opcode table's header layout per family.
#include "dpi/bth-decoder.h"
#include "dpi/opcode-table.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using fab::dpi::test::Bytes;

TEST_CASE("BTH fields", "[dpi][bth]")
{
    Bytes bth;
    // SE, MigReq, PadCnt 2, TVer 0; P_Key 0x8001; FECN+BECN; QP 0xABCDEF; AckReq; PSN 0xFFFFFF
    bth.U8(0x0A).U8(0x80 | 0x40 | 0x20).U16(0x8001).U8(0xC0).U24(0xABCDEF).U8(0x80).U24(0xFFFFFF);
    ByteReader reader(bth.data.data(), bth.Size());
    BthFields fields;
    AnomalySet notes;
    REQUIRE(DecodeBth(reader, fields, notes) == Anomaly::None);
    CHECK(notes.Empty());
    CHECK(fields.opcode == 0x0A);
    CHECK(fields.solicitedEvent);
    CHECK(fields.migrationRequest);
    CHECK(fields.padCount == 2);
    CHECK(fields.transportVersion == 0);
    CHECK(fields.partitionKey == 0x8001);
    CHECK(fields.fecn);
    CHECK(fields.becn);
    CHECK(fields.destinationQp == 0xABCDEF);
    CHECK(fields.ackRequest);
    CHECK(fields.psn == 0xFFFFFF);
    CHECK(reader.Offset() == kBthBytes);

    SECTION("flags clear")
    {
        Bytes plain;
        plain.U8(0x11).U8(0).U16(0xFFFF).U8(0x3F).U24(1).U8(0x7F).U24(0);
        ByteReader plainReader(plain.data.data(), plain.Size());
        REQUIRE(DecodeBth(plainReader, fields, notes) == Anomaly::None);
        CHECK(!fields.solicitedEvent);
        CHECK(!fields.migrationRequest);
        CHECK(fields.padCount == 0);
        CHECK(!fields.fecn);
        CHECK(!fields.becn); // reserved bits of byte 4 are not BECN
        CHECK(!fields.ackRequest);
        CHECK(fields.psn == 0);
    }
    SECTION("a nonzero TVer is noted, the fields still decoded")
    {
        bth.data[1] = 0x01;
        ByteReader tver(bth.data.data(), bth.Size());
        REQUIRE(DecodeBth(tver, fields, notes) == Anomaly::None);
        CHECK(notes.Has(Anomaly::BadBthTver));
        CHECK(fields.transportVersion == 1);
        CHECK(fields.psn == 0xFFFFFF);
    }
    SECTION("every truncation")
    {
        auto length = GENERATE(range<std::size_t>(0, kBthBytes));
        ByteReader cut(bth.data.data(), length);
        CHECK(DecodeBth(cut, fields, notes) == Anomaly::TruncatedBth);
    }
}

TEST_CASE("PSN distance wraps at 24 bits", "[dpi][bth]")
{
    CHECK(PsnDistance(0xFFFFFF, 0) == 1);
    CHECK(PsnDistance(0, 0xFFFFFF) == -1);
    CHECK(PsnDistance(100, 164) == 64);
    CHECK(PsnDistance(164, 100) == -64);
    CHECK(PsnDistance(0xFFFFF0, 0x00000F) == 31);
    CHECK(PsnDistance(5, 5) == 0);
    CHECK(PsnDistance(0, 0x7FFFFF) == 0x7FFFFF);
    CHECK(PsnDistance(0, 0x800000) == -0x800000);
}

TEST_CASE("opcode table: transports, names and headers", "[dpi][bth][opcode]")
{
    constexpr auto Reth = HeaderBit(ExtendedHeader::Reth);
    constexpr auto Aeth = HeaderBit(ExtendedHeader::Aeth);
    constexpr auto Imm = HeaderBit(ExtendedHeader::ImmDt);
    constexpr auto Deth = HeaderBit(ExtendedHeader::Deth);
    constexpr auto Rdeth = HeaderBit(ExtendedHeader::Rdeth);
    constexpr auto Xrceth = HeaderBit(ExtendedHeader::Xrceth);

    CHECK(TransportOf(0x04) == Transport::Rc);
    CHECK(TransportOf(0x24) == Transport::Uc);
    CHECK(TransportOf(0x44) == Transport::Rd);
    CHECK(TransportOf(0x64) == Transport::Ud);
    CHECK(TransportOf(0x81) == Transport::Cnp);
    CHECK(TransportOf(0xA4) == Transport::Xrc);
    CHECK(TransportOf(0xE0) == Transport::Manufacturer);
    CHECK(OperationOf(0x2B) == Operation::RdmaWriteOnlyWithImmediate);
    CHECK(MakeOpcode(Transport::Ud, Operation::SendOnlyWithImmediate) == 0x65);
    CHECK(TransportName(Transport::Xrc) == "XRC");
    CHECK(OperationName(0x11) == "ACKNOWLEDGE");
    CHECK(OperationName(0x81) == "CNP");
    CHECK(OperationName(0x15) == "unknown");
    CHECK(OperationName(0x55) == "RESYNC");

    struct Row
    {
        std::uint8_t opcode;
        bool known;
        std::uint16_t headers;
    };
    auto row = GENERATE_COPY(values<Row>({
        {0x00, true, 0},
        {0x01, true, 0},
        {0x02, true, 0},
        {0x03, true, Imm},
        {0x04, true, 0},
        {0x05, true, Imm},
        {0x06, true, Reth},
        {0x07, true, 0},
        {0x08, true, 0},
        {0x09, true, Imm},
        {0x0A, true, Reth},
        {0x0B, true, static_cast<std::uint16_t>(Reth | Imm)},
        {0x0C, true, Reth},
        {0x0D, true, Aeth},
        {0x0E, true, 0},
        {0x0F, true, Aeth},
        {0x10, true, Aeth},
        {0x11, true, Aeth},
        {0x12, true, static_cast<std::uint16_t>(Aeth | HeaderBit(ExtendedHeader::AtomicAckEth))},
        {0x13, true, HeaderBit(ExtendedHeader::AtomicEth)},
        {0x14, true, HeaderBit(ExtendedHeader::AtomicEth)},
        {0x15, false, 0},
        {0x16, true, HeaderBit(ExtendedHeader::Ieth)},
        {0x17, true, HeaderBit(ExtendedHeader::Ieth)},
        {0x18, false, 0},
        {0x1C, true, static_cast<std::uint16_t>(HeaderBit(ExtendedHeader::Feth) | Reth)},
        {0x1D, true, Reth},
        {0x1F, false, 0},
        {0x20, true, 0},
        {0x2A, true, Reth},
        {0x2C, false, 0}, // UC has no READ
        {0x31, false, 0}, // nor ACK
        {0x40, true, static_cast<std::uint16_t>(Rdeth | Deth)},
        {0x4C, true, static_cast<std::uint16_t>(Rdeth | Deth | Reth)},
        {0x51, true, static_cast<std::uint16_t>(Rdeth | Aeth)},
        {0x55, true, static_cast<std::uint16_t>(Rdeth | Deth)},
        {0x60, false, 0},
        {0x64, true, Deth},
        {0x65, true, static_cast<std::uint16_t>(Deth | Imm)},
        {0x66, false, 0},
        {0x80, true, 0},
        {0x81, true, HeaderBit(ExtendedHeader::CnpReserved)},
        {0x82, false, 0},
        {0xA0, true, Xrceth},
        {0xA6, true, static_cast<std::uint16_t>(Xrceth | Reth)},
        {0xB1, true, Aeth},
        {0xC0, false, 0},
        {0xFF, false, 0},
    }));
    INFO("opcode 0x" << std::hex << int(row.opcode));
    const OpcodeInfo& info = LookupOpcode(row.opcode);
    CHECK(info.known == row.known);
    if (row.known)
    {
        CHECK(info.headers == row.headers);
    }
}
