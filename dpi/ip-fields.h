#ifndef FABRICSCOPE_DPI_IP_FIELDS_H
#define FABRICSCOPE_DPI_IP_FIELDS_H

#include <array>
#include <cstdint>

namespace fab::dpi
{

/**
 * An IPv4 or IPv6 address in one 16-byte form: IPv4 is stored IPv4-mapped (::ffff:a.b.c.d,
 * RFC 4291 2.5.5.2), so flow keys hash and compare one way for both families.
 */
using IpAddress = std::array<std::uint8_t, 16>;

IpAddress MakeIpv4Address(std::uint32_t address);
bool IsIpv4Mapped(const IpAddress& address);
/** The IPv4 address of an IPv4-mapped address (host order). */
std::uint32_t Ipv4Of(const IpAddress& address);

/** The two ECN bits of the IPv4 TOS / IPv6 traffic class byte (RFC 3168). */
enum class Ecn : std::uint8_t
{
    NotEct = 0,
    Ect1 = 1,
    Ect0 = 2,
    Ce = 3,
};

inline constexpr std::uint8_t kIpProtocolTcp = 6;
inline constexpr std::uint8_t kIpProtocolUdp = 17;

/** The fields of an IPv4 or IPv6 header that the analyzer reads. */
struct IpFields
{
    std::uint8_t version{0};
    std::uint8_t dscp{0};
    Ecn ecn{Ecn::NotEct};
    std::uint8_t ttl{0};      ///< IPv4 TTL or IPv6 hop limit
    std::uint8_t protocol{0}; ///< IPv4 protocol or the last IPv6 next header
    /** Bytes from the IP header to its payload, IPv4 options and IPv6 extension headers included.
     */
    std::uint16_t headerLength{0};
    /** Bytes the header says the packet has, header included (IPv6: 40 + payload length). */
    std::uint32_t totalLength{0};
    std::uint16_t identification{0}; ///< IPv4 only
    bool dontFragment{false};
    bool moreFragments{false};
    bool fragmented{false};          ///< a fragment header, a fragment offset or more-fragments
    std::uint16_t fragmentOffset{0}; ///< in 8-byte units
    std::uint32_t flowLabel{0};      ///< IPv6 only
    IpAddress source{};
    IpAddress destination{};
};

} // namespace fab::dpi

#endif
