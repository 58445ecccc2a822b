// The extended transport headers: RETH, AtomicETH, AETH (every syndrome), AtomicAckETH, DETH,
// ImmDt, IETH, RDETH, XRCETH, FETH and the CNP's reserved bytes, each with its truncation name.
#include "dpi/extended-header-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using namespace fab::dpi::test;

TEST_CASE("every AETH syndrome is classified", "[dpi][aeth]")
{
    auto syndrome = GENERATE(range(0, 256));
    AethFields aeth;
    bool valid = DecodeAethSyndrome(static_cast<std::uint8_t>(syndrome), aeth);
    INFO("syndrome 0x" << std::hex << syndrome);
    CHECK(aeth.syndrome == syndrome);
    CHECK(aeth.value == (syndrome & 0x1F));
    if (syndrome >= 0x80)
    {
        CHECK(!valid); // bit 7 is reserved
    }
    else if (syndrome < 0x20)
    {
        CHECK(valid);
        CHECK(aeth.kind == AethKind::Ack); // value = credit count, 0x1F = invalid credits
    }
    else if (syndrome < 0x40)
    {
        CHECK(valid);
        CHECK(aeth.kind == AethKind::RnrNak); // value = RNR timer code
    }
    else if (syndrome < 0x60)
    {
        CHECK(!valid);
        CHECK(aeth.kind == AethKind::Reserved);
    }
    else
    {
        CHECK(aeth.kind == AethKind::Nak);
        CHECK(valid == (syndrome <= 0x64));
    }
}

TEST_CASE("NAK codes and RNR timers by name", "[dpi][aeth]")
{
    AethFields aeth;
    REQUIRE(DecodeAethSyndrome(0x60, aeth));
    CHECK(aeth.Nak() == NakCode::PsnSequenceError);
    REQUIRE(DecodeAethSyndrome(0x61, aeth));
    CHECK(aeth.Nak() == NakCode::InvalidRequest);
    REQUIRE(DecodeAethSyndrome(0x62, aeth));
    CHECK(aeth.Nak() == NakCode::RemoteAccessError);
    REQUIRE(DecodeAethSyndrome(0x63, aeth));
    CHECK(aeth.Nak() == NakCode::RemoteOperationalError);
    REQUIRE(DecodeAethSyndrome(0x64, aeth));
    CHECK(aeth.Nak() == NakCode::InvalidRdRequest);
    REQUIRE(DecodeAethSyndrome(0x1F, aeth));
    CHECK(aeth.value == kAethInvalidCredits);
    REQUIRE(DecodeAethSyndrome(0x2E, aeth));
    CHECK(aeth.kind == AethKind::RnrNak);
    CHECK(aeth.value == 14);

    CHECK(RnrTimerNs(0) == 655'360'000);
    CHECK(RnrTimerNs(1) == 10'000);
    CHECK(RnrTimerNs(14) == 1'280'000);
    CHECK(RnrTimerNs(31) == 491'520'000);
}

TEST_CASE("AETH with MSN; a reserved syndrome is noted", "[dpi][aeth]")
{
    auto bytes = Aeth(0x62, 0xFEDCBA);
    ByteReader reader(bytes.data(), bytes.size());
    AethFields aeth;
    AnomalySet notes;
    REQUIRE(DecodeAeth(reader, aeth, notes) == Anomaly::None);
    CHECK(notes.Empty());
    CHECK(aeth.kind == AethKind::Nak);
    CHECK(aeth.Nak() == NakCode::RemoteAccessError);
    CHECK(aeth.msn == 0xFEDCBA);

    auto reserved = Aeth(0x45, 1);
    ByteReader reservedReader(reserved.data(), reserved.size());
    REQUIRE(DecodeAeth(reservedReader, aeth, notes) == Anomaly::None);
    CHECK(notes.Has(Anomaly::BadAethSyndrome));
}

TEST_CASE("RETH, AtomicETH, DETH", "[dpi][reth]")
{
    auto reth = Reth(0x00007F0012345678, 0xCAFEF00D, 65536);
    ByteReader rethReader(reth.data(), reth.size());
    RethFields rethFields;
    REQUIRE(DecodeReth(rethReader, rethFields) == Anomaly::None);
    CHECK(rethFields.virtualAddress == 0x00007F0012345678);
    CHECK(rethFields.rkey == 0xCAFEF00D);
    CHECK(rethFields.dmaLength == 65536);

    auto atomic = AtomicEth(0x1000, 0x42, 7, 0xFFFFFFFFFFFFFFFF);
    ByteReader atomicReader(atomic.data(), atomic.size());
    AtomicEthFields atomicFields;
    REQUIRE(DecodeAtomicEth(atomicReader, atomicFields) == Anomaly::None);
    CHECK(atomicFields.virtualAddress == 0x1000);
    CHECK(atomicFields.rkey == 0x42);
    CHECK(atomicFields.swapOrAdd == 7);
    CHECK(atomicFields.compare == 0xFFFFFFFFFFFFFFFF);

    auto deth = Deth(0x80010000, 0x000001);
    ByteReader dethReader(deth.data(), deth.size());
    DethFields dethFields;
    REQUIRE(DecodeDeth(dethReader, dethFields) == Anomaly::None);
    CHECK(dethFields.qkey == 0x80010000);
    CHECK(dethFields.sourceQp == 1);
}

TEST_CASE("the extended headers of an opcode, in wire order", "[dpi][bth]")
{
    AnomalySet notes;
    SECTION("RD: RDETH, DETH, RETH, ImmDt")
    {
        auto bytes = Join({Word(0x00123456),
                           Deth(0x11111111, 0x222222),
                           Reth(0x33, 0x44, 0x55),
                           Word(0x66666666)});
        ByteReader reader(bytes.data(), bytes.size());
        ExtendedHeaders ext;
        REQUIRE(DecodeExtendedHeaders(reader, LookupOpcode(0x4B).headers, ext, notes)
                == Anomaly::None);
        CHECK(ext.Has(ExtendedHeader::Rdeth));
        CHECK(ext.Has(ExtendedHeader::Deth));
        CHECK(ext.Has(ExtendedHeader::Reth));
        CHECK(ext.Has(ExtendedHeader::ImmDt));
        CHECK(!ext.Has(ExtendedHeader::Aeth));
        CHECK(ext.rdethEeContext == 0x123456);
        CHECK(ext.deth.qkey == 0x11111111);
        CHECK(ext.deth.sourceQp == 0x222222);
        CHECK(ext.reth.dmaLength == 0x55);
        CHECK(ext.immediate == 0x66666666);
        CHECK(reader.Offset() == bytes.size());
    }
    SECTION("XRC: XRCETH, then IETH")
    {
        auto bytes = Join({Word(0x00000777), Word(0xABCD0123)});
        ByteReader reader(bytes.data(), bytes.size());
        ExtendedHeaders ext;
        REQUIRE(DecodeExtendedHeaders(reader, LookupOpcode(0xB7).headers, ext, notes)
                == Anomaly::None);
        CHECK(ext.xrcSrq == 0x777);
        CHECK(ext.invalidateRkey == 0xABCD0123);
    }
    SECTION("FLUSH: FETH, RETH")
    {
        auto bytes = Join({Word(0x00000021), Reth(0x8000, 9, 4096)});
        ByteReader reader(bytes.data(), bytes.size());
        ExtendedHeaders ext;
        REQUIRE(DecodeExtendedHeaders(reader, LookupOpcode(0x1C).headers, ext, notes)
                == Anomaly::None);
        CHECK(ext.feth.selectivity == 2);
        CHECK(ext.feth.placementType == 1);
        CHECK(ext.reth.virtualAddress == 0x8000);
    }
    SECTION("ATOMIC_ACKNOWLEDGE: AETH, AtomicAckETH")
    {
        auto bytes = Join({Aeth(0x00, 12), Bytes().U64(0x0123456789ABCDEF).data});
        ByteReader reader(bytes.data(), bytes.size());
        ExtendedHeaders ext;
        REQUIRE(DecodeExtendedHeaders(reader, LookupOpcode(0x12).headers, ext, notes)
                == Anomaly::None);
        CHECK(ext.aeth.msn == 12);
        CHECK(ext.atomicAckOriginalData == 0x0123456789ABCDEF);
    }
}

TEST_CASE("each truncated extended header has its own name", "[dpi][bth]")
{
    struct Case
    {
        std::uint8_t opcode;
        std::size_t firstBytes; ///< bytes of the headers before the one cut
        std::size_t bytes;      ///< size of the header cut
        Anomaly expected;
    };
    auto c = GENERATE(values<Case>({
        {0x06, 0, kRethBytes, Anomaly::TruncatedReth},
        {0x11, 0, kAethBytes, Anomaly::TruncatedAeth},
        {0x13, 0, kAtomicEthBytes, Anomaly::TruncatedAtomicEth},
        {0x12, kAethBytes, kAtomicAckEthBytes, Anomaly::TruncatedAtomicAckEth},
        {0x64, 0, kDethBytes, Anomaly::TruncatedDeth},
        {0x65, kDethBytes, kImmDtBytes, Anomaly::TruncatedImmDt},
        {0x17, 0, kIethBytes, Anomaly::TruncatedIeth},
        {0x40, 0, kRdethBytes, Anomaly::TruncatedRdeth},
        {0xA0, 0, kXrcethBytes, Anomaly::TruncatedXrceth},
        {0x1C, 0, kFethBytes, Anomaly::TruncatedFeth},
        {0x81, 0, kCnpReservedBytes, Anomaly::TruncatedCnp},
    }));
    std::vector<std::uint8_t> bytes(c.firstBytes + c.bytes, 0);
    auto cut = GENERATE_COPY(range<std::size_t>(0, c.bytes));
    ByteReader reader(bytes.data(), c.firstBytes + cut);
    ExtendedHeaders ext;
    AnomalySet notes;
    INFO("opcode 0x" << std::hex << int(c.opcode) << std::dec << " cut at " << cut);
    CHECK(DecodeExtendedHeaders(reader, LookupOpcode(c.opcode).headers, ext, notes) == c.expected);
}
