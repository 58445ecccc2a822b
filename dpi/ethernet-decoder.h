#ifndef FABRICSCOPE_DPI_ETHERNET_DECODER_H
#define FABRICSCOPE_DPI_ETHERNET_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

using MacAddress = std::array<std::uint8_t, 6>;

inline constexpr std::size_t kEthernetHeaderBytes = 14;

inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
inline constexpr std::uint16_t kEtherTypeVlan = 0x8100;       ///< 802.1Q C-tag
inline constexpr std::uint16_t kEtherTypeQinQ = 0x88A8;       ///< 802.1ad S-tag
inline constexpr std::uint16_t kEtherTypeQinQLegacy = 0x9100; ///< pre-802.1ad S-tag
inline constexpr std::uint16_t kEtherTypeMacControl = 0x8808; ///< 802.3x PAUSE, 802.1Qbb PFC
inline constexpr std::uint16_t kEtherTypeLldp = 0x88CC;
inline constexpr std::uint16_t kEtherTypeRoceV1 = 0x8915; ///< GRH, then the IB transport
/** Values below this are an 802.3 length, not a type (LLC follows). */
inline constexpr std::uint16_t kEtherTypeMinimum = 0x0600;

struct VlanTag
{
    std::uint16_t tpid{0}; ///< the EtherType that announced the tag (0x8100, 0x88A8, 0x9100)
    std::uint8_t pcp{0};   ///< priority code point: the priority PFC pauses
    bool dei{false};
    std::uint16_t id{0};
};

inline constexpr std::size_t kMaxVlanTags = 2; ///< QinQ: one S-tag and one C-tag

struct EthernetFields
{
    MacAddress destination{};
    MacAddress source{};
    /** The type of what follows the header and its tags (the inner EtherType under QinQ). */
    std::uint16_t etherType{0};
    std::uint8_t vlanCount{0};
    std::array<VlanTag, kMaxVlanTags> vlans{}; ///< outermost first

    /** The innermost tag's priority: what a NIC and a PFC-enabled switch queue by. */
    std::uint8_t Priority() const { return vlanCount == 0 ? 0 : vlans[vlanCount - 1].pcp; }
};

/** The 14-byte Ethernet II header; etherType may name a VLAN tag that follows (no FCS kept). */
Anomaly DecodeEthernet(ByteReader& reader, EthernetFields& out);

} // namespace fab::dpi

#endif
