// 802.1Qbb PFC and 802.3x PAUSE frames, alone and through the packet decoder.
#include "dpi/packet-decoder.h"
#include "dpi/pfc-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using namespace fab::dpi::test;

namespace
{

Bytes
PfcFrame(std::uint16_t classEnable, std::uint16_t priority3Quanta, bool toControlAddress = true)
{
    Bytes frame;
    if (toControlAddress)
    {
        frame.U16(0x0180).U32(0xC2000001);
    }
    else
    {
        frame.U16(0x0202).U32(0x03040506);
    }
    frame.U16(0x0211).U32(0x22334455).U16(0x8808);
    frame.U16(0x0101).U16(classEnable);
    for (int priority = 0; priority < 8; ++priority)
    {
        frame.U16(priority == 3 ? priority3Quanta : (priority == 6 ? 0x1234 : 0));
    }
    frame.Fill(26, 0); // pad to the 60-byte minimum
    return frame;
}

} // namespace

TEST_CASE("a PFC XOFF on priority 3", "[dpi][pfc]")
{
    Bytes frame = PfcFrame(0x0048, 0xFFFF);
    REQUIRE(frame.Size() == 60);
    DecodedPacket packet;
    AnomalyCounts counts;
    REQUIRE(DecodePacket(
                LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts)
            == Anomaly::None);
    CHECK(counts.Total() == 0);
    CHECK(packet.Has(Layer::Pfc));
    CHECK(!packet.Has(Layer::Pause));
    const MacControlFields& pfc = packet.macControl;
    CHECK(pfc.IsPfc());
    CHECK(pfc.classEnableVector == 0x0048);
    CHECK(pfc.Enabled(3));
    CHECK(pfc.Enabled(6));
    CHECK(!pfc.Enabled(0));
    CHECK(!pfc.Enabled(8));
    CHECK(pfc.quanta[3] == 0xFFFF);
    CHECK(pfc.quanta[6] == 0x1234);
    CHECK(pfc.quanta[0] == 0);
}

TEST_CASE("a PFC XON (zero time) and PFC notes", "[dpi][pfc]")
{
    DecodedPacket packet;
    AnomalyCounts counts;
    SECTION("XON")
    {
        Bytes frame = PfcFrame(0x0008, 0);
        DecodePacket(
            LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts);
        CHECK(packet.macControl.Enabled(3));
        CHECK(packet.macControl.quanta[3] == 0);
        CHECK(counts.Total() == 0);
    }
    SECTION("class-enable bits above 7")
    {
        Bytes frame = PfcFrame(0x0108, 10);
        CHECK(DecodePacket(
                  LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts)
              == Anomaly::None);
        CHECK(packet.anomalies.Has(Anomaly::BadPfcClassEnable));
        CHECK(packet.macControl.quanta[3] == 10);
    }
    SECTION("not to 01-80-C2-00-00-01")
    {
        Bytes frame = PfcFrame(0x0008, 10, false);
        DecodePacket(
            LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts);
        CHECK(packet.Has(Layer::Pfc));
        CHECK(counts.Get(Anomaly::BadPfcDestination) == 1);
    }
    SECTION("an unknown MAC Control opcode")
    {
        Bytes frame = PfcFrame(0x0008, 10);
        frame.Set16(14, 0x0002);
        CHECK(DecodePacket(
                  LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts)
              == Anomaly::BadPfcOpcode);
        CHECK(!packet.Has(Layer::Pfc));
    }
}

TEST_CASE("an 802.3x PAUSE", "[dpi][pfc][pause]")
{
    Bytes frame;
    frame.U16(0x0180).U32(0xC2000001).U16(0x0211).U32(0x22334455).U16(0x8808);
    frame.U16(0x0001).U16(0x0200).Fill(42, 0);
    DecodedPacket packet;
    AnomalyCounts counts;
    REQUIRE(DecodePacket(
                LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts)
            == Anomaly::None);
    CHECK(packet.Has(Layer::Pause));
    CHECK(!packet.Has(Layer::Pfc));
    CHECK(packet.macControl.IsPause());
    CHECK(packet.macControl.pauseQuanta == 0x0200);

    auto length = GENERATE(range<std::size_t>(16, 18));
    ByteReader cut(frame.data.data() + 14, length - 14);
    MacControlFields fields;
    AnomalySet notes;
    CHECK(DecodeMacControl(cut, fields, notes) == Anomaly::TruncatedPause);
}

TEST_CASE("every truncation of a PFC frame is truncated_pfc", "[dpi][pfc]")
{
    Bytes frame = PfcFrame(0x0008, 0xFFFF);
    auto length = GENERATE(range<std::size_t>(0, kPfcBytes));
    ByteReader cut(frame.data.data() + 14, length);
    MacControlFields fields;
    AnomalySet notes;
    CHECK(DecodeMacControl(cut, fields, notes) == Anomaly::TruncatedPfc);
}
