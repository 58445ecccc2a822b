// LLDP: every TLV the analyzer reads, the port speed from the 802.3 MAU type, and the failures.
#include "dpi/lldp-decoder.h"
#include "dpi/mau-type.h"
#include "dpi/packet-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>
#include <string>

using namespace fab::dpi;
using namespace fab::dpi::test;

namespace
{

void
Tlv(Bytes& bytes, std::uint8_t type, const std::vector<std::uint8_t>& value)
{
    bytes.U16((std::uint32_t{type} << 9) | static_cast<std::uint32_t>(value.size()));
    bytes.Append(value);
}

std::vector<std::uint8_t>
Text(const std::string& text)
{
    return {text.begin(), text.end()};
}

std::vector<std::uint8_t>
Prefixed(std::initializer_list<std::uint8_t> prefix, const std::string& text)
{
    std::vector<std::uint8_t> value(prefix);
    value.insert(value.end(), text.begin(), text.end());
    return value;
}

/** An LLDPDU of a leaf switch port: every TLV type the decoder knows. */
Bytes
FullLldpdu(std::uint16_t mauType = 137)
{
    Bytes pdu;
    Tlv(pdu, kLldpChassisId, {4, 0x7C, 0xFE, 0x90, 0x00, 0x00, 0x01}); // MAC address
    Tlv(pdu, kLldpPortId, Prefixed({5}, "Ethernet1/1"));               // interface name
    Tlv(pdu, kLldpTtl, {0x00, 0x78});
    Tlv(pdu, kLldpPortDescription, Text("to spine-3 port 17"));
    Tlv(pdu, kLldpSystemName, Text("leaf-01.pod-a"));
    Tlv(pdu, kLldpSystemDescription, Text("SONiC 202311"));
    Tlv(pdu, kLldpSystemCapabilities, {0x00, 0x14, 0x00, 0x14}); // bridge, router
    Tlv(pdu, kLldpManagementAddress, {5, 1, 10, 0, 0, 7, 2, 0, 0, 0, 1, 0});
    Tlv(pdu,
        kLldpOrganizationSpecific,
        Bytes().U24(0x00120F).U8(1).U8(0x03).U16(0x6C01).U16(mauType).data);
    Tlv(pdu, kLldpOrganizationSpecific, Bytes().U24(0x00120F).U8(4).U16(9216).data);
    Tlv(pdu, kLldpOrganizationSpecific, Bytes().U24(0x0080C2).U8(0x0B).U8(0x88).U8(0x08).data);
    Tlv(pdu, kLldpOrganizationSpecific, Bytes().U24(0x0080C2).U8(0x01).U16(100).data); // PVID
    Tlv(pdu, kLldpEnd, {});
    return pdu;
}

} // namespace

TEST_CASE("LLDP with all TLVs", "[dpi][lldp]")
{
    Bytes frame;
    frame.U16(0x0180).U32(0xC200000E).U16(0x7CFE).U32(0x90000001).U16(0x88CC);
    frame.Append(FullLldpdu().data);
    frame.Fill(20, 0); // what follows the End TLV is ignored
    DecodedPacket packet;
    AnomalyCounts counts;
    REQUIRE(DecodePacket(
                LinkKind::Ethernet, frame.data.data(), frame.Size(), frame.Size(), packet, counts)
            == Anomaly::None);
    CHECK(counts.Total() == 0);
    REQUIRE(packet.Has(Layer::Lldp));
    const LldpFields& lldp = packet.lldp;
    CHECK(lldp.chassisIdSubtype == 4);
    CHECK(lldp.chassisId == std::string("\x7C\xFE\x90\x00\x00\x01", 6));
    CHECK(lldp.portIdSubtype == 5);
    CHECK(lldp.portId == "Ethernet1/1");
    CHECK(lldp.ttlSeconds == 120);
    CHECK(lldp.portDescription == "to spine-3 port 17");
    CHECK(lldp.systemName == "leaf-01.pod-a");
    CHECK(lldp.systemDescription == "SONiC 202311");
    CHECK(lldp.systemCapabilities == 0x14);
    CHECK(lldp.enabledCapabilities == 0x14);
    CHECK(lldp.managementAddressSubtype == 1);
    CHECK(lldp.managementAddress == std::string("\x0A\x00\x00\x07", 4));
    CHECK(lldp.hasMacPhy);
    CHECK(lldp.autonegotiation == 0x03);
    CHECK(lldp.pmdCapability == 0x6C01);
    CHECK(lldp.operationalMauType == 137);
    CHECK(lldp.portSpeedBitsPerSecond == 400'000'000'000);
    CHECK(lldp.maximumFrameSize == 9216);
    CHECK(lldp.hasPfcConfiguration);
    CHECK(lldp.pfcWilling);
    CHECK(lldp.pfcCapability == 8);
    CHECK(lldp.pfcEnable == 0x08);
    for (std::uint8_t type : {kLldpChassisId,
                              kLldpPortId,
                              kLldpTtl,
                              kLldpPortDescription,
                              kLldpSystemName,
                              kLldpSystemDescription,
                              kLldpSystemCapabilities,
                              kLldpManagementAddress,
                              kLldpOrganizationSpecific,
                              kLldpEnd})
    {
        CHECK(lldp.Has(type));
    }
    CHECK(!lldp.Has(9));
}

TEST_CASE("MAU types give the port speed", "[dpi][lldp][mau]")
{
    struct Case
    {
        std::uint16_t mau;
        std::uint64_t bitsPerSecond;
    };
    auto c = GENERATE(values<Case>({
        {30, 1'000'000'000},    // 1000BASE-T FD
        {36, 10'000'000'000},   // 10GBASE-SR
        {54, 10'000'000'000},   // 10GBASE-T
        {93, 25'000'000'000},   // 25GBASE-SR
        {72, 40'000'000'000},   // 40GBASE-SR4
        {119, 50'000'000'000},  // 50GBASE-SR
        {102, 100'000'000'000}, // 100GBASE-SR4
        {98, 100'000'000'000},  // 100GBASE-CR4
        {126, 100'000'000'000}, // 100GBASE-DR
        {133, 200'000'000'000}, // 200GBASE-SR4
        {135, 400'000'000'000}, // 400GBASE-R
        {149, 400'000'000'000}, // 400GBASE-SR8
        {147, 400'000'000'000}, // 400GBASE-FR4
        {0, 0},
        {1, 0},   // AUI
        {40, 0},  // 10GBASE-SW: WAN PHY
        {151, 0}, // beyond the table
        {65535, 0},
    }));
    INFO("MAU type " << c.mau);
    CHECK(MauTypeBitsPerSecond(c.mau) == c.bitsPerSecond);
}

TEST_CASE("LLDP failures", "[dpi][lldp]")
{
    LldpFields lldp;
    AnomalySet notes;
    SECTION("every truncation of the LLDPDU")
    {
        Bytes pdu = FullLldpdu();
        // Cut inside the mandatory TLVs (chassis 9, port 14, TTL 4 bytes): truncated.
        auto length = GENERATE(range<std::size_t>(0, 27));
        ByteReader cut(pdu.data.data(), length);
        INFO("length " << length);
        CHECK(DecodeLldp(cut, lldp, notes) == Anomaly::TruncatedLldp);
    }
    SECTION("a later TLV cut short")
    {
        Bytes pdu = FullLldpdu();
        ByteReader cut(pdu.data.data(), 30);
        CHECK(DecodeLldp(cut, lldp, notes) == Anomaly::TruncatedLldp);
    }
    SECTION("mandatory TLVs out of order")
    {
        Bytes pdu;
        Tlv(pdu, kLldpPortId, Prefixed({5}, "eth0"));
        Tlv(pdu, kLldpChassisId, {4, 1, 2, 3, 4, 5, 6});
        Tlv(pdu, kLldpTtl, {0, 120});
        ByteReader reader(pdu.data.data(), pdu.Size());
        CHECK(DecodeLldp(reader, lldp, notes) == Anomaly::BadLldpTlv);
    }
    SECTION("End before the TTL")
    {
        Bytes pdu;
        Tlv(pdu, kLldpChassisId, {4, 1, 2, 3, 4, 5, 6});
        Tlv(pdu, kLldpPortId, Prefixed({5}, "eth0"));
        Tlv(pdu, kLldpEnd, {});
        ByteReader reader(pdu.data.data(), pdu.Size());
        CHECK(DecodeLldp(reader, lldp, notes) == Anomaly::BadLldpTlv);
    }
    SECTION("a TLV of the wrong length is noted and skipped")
    {
        Bytes pdu;
        Tlv(pdu, kLldpChassisId, {4, 1, 2, 3, 4, 5, 6});
        Tlv(pdu, kLldpPortId, Prefixed({5}, "eth0"));
        Tlv(pdu, kLldpTtl, {0, 120});
        Tlv(pdu, kLldpSystemCapabilities, {0, 4}); // needs 4 bytes
        Tlv(pdu, kLldpOrganizationSpecific, Bytes().U24(0x00120F).U8(1).U8(3).data); // short
        Tlv(pdu, kLldpSystemName, Text("after"));
        Tlv(pdu, kLldpEnd, {});
        ByteReader reader(pdu.data.data(), pdu.Size());
        CHECK(DecodeLldp(reader, lldp, notes) == Anomaly::None);
        CHECK(notes.Has(Anomaly::BadLldpTlv));
        CHECK(!lldp.hasMacPhy);
        CHECK(lldp.systemName == "after");
    }
    SECTION("no End TLV after the mandatory ones is accepted")
    {
        Bytes pdu;
        Tlv(pdu, kLldpChassisId, {4, 1, 2, 3, 4, 5, 6});
        Tlv(pdu, kLldpPortId, Prefixed({5}, "eth0"));
        Tlv(pdu, kLldpTtl, {0, 120});
        ByteReader reader(pdu.data.data(), pdu.Size());
        CHECK(DecodeLldp(reader, lldp, notes) == Anomaly::None);
        CHECK(lldp.portId == "eth0");
    }
}
