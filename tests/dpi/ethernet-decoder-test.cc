// Ethernet II and 802.1Q / QinQ tags: addresses, EtherType, PCP kept for PFC priority.
#include "dpi/ethernet-decoder.h"
#include "dpi/vlan-decoder.h"
#include "frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
using fab::dpi::test::Bytes;

TEST_CASE("Ethernet header", "[dpi][ethernet]")
{
    Bytes frame;
    frame.U16(0x0180).U32(0xC2000001).U16(0x7CFE).U32(0x90643B32).U16(0x8808);
    ByteReader reader(frame.data.data(), frame.Size());
    EthernetFields ethernet;
    REQUIRE(DecodeEthernet(reader, ethernet) == Anomaly::None);
    CHECK(ethernet.destination == MacAddress{0x01, 0x80, 0xC2, 0x00, 0x00, 0x01});
    CHECK(ethernet.source == MacAddress{0x7C, 0xFE, 0x90, 0x64, 0x3B, 0x32});
    CHECK(ethernet.etherType == kEtherTypeMacControl);
    CHECK(reader.Offset() == kEthernetHeaderBytes);

    auto length = GENERATE(range<std::size_t>(0, kEthernetHeaderBytes));
    ByteReader cut(frame.data.data(), length);
    EthernetFields partial;
    CHECK(DecodeEthernet(cut, partial) == Anomaly::TruncatedEthernet);
}

TEST_CASE("802.1Q tag keeps PCP, DEI and VLAN id", "[dpi][vlan]")
{
    Bytes tag;
    tag.U16((3u << 13) | 0x1000 | 0x0ABC).U16(0x0800);
    ByteReader reader(tag.data.data(), tag.Size());
    VlanTag vlan;
    std::uint16_t next = 0;
    REQUIRE(DecodeVlanTag(reader, kEtherTypeVlan, vlan, next) == Anomaly::None);
    CHECK(vlan.tpid == kEtherTypeVlan);
    CHECK(vlan.pcp == 3);
    CHECK(vlan.dei);
    CHECK(vlan.id == 0x0ABC);
    CHECK(next == kEtherTypeIpv4);

    CHECK(IsVlanTpid(0x8100));
    CHECK(IsVlanTpid(0x88A8));
    CHECK(IsVlanTpid(0x9100));
    CHECK(!IsVlanTpid(0x0800));

    auto length = GENERATE(range<std::size_t>(0, kVlanTagBytes));
    ByteReader cut(tag.data.data(), length);
    CHECK(DecodeVlanTag(cut, kEtherTypeVlan, vlan, next) == Anomaly::TruncatedVlan);
}

TEST_CASE("the innermost tag gives the priority", "[dpi][vlan]")
{
    EthernetFields ethernet;
    CHECK(ethernet.Priority() == 0);
    ethernet.vlanCount = 2;
    ethernet.vlans[0] = {kEtherTypeQinQ, 1, false, 100};
    ethernet.vlans[1] = {kEtherTypeVlan, 3, false, 200};
    CHECK(ethernet.Priority() == 3);
}
