#include "dpi/ip-fields.h"

#include <cstring>

namespace fab::dpi
{

static_assert(sizeof(IpAddress) == 16, "one 16-byte form for IPv4 and IPv6");

IpAddress
MakeIpv4Address(std::uint32_t address)
{
    IpAddress mapped{};
    mapped[10] = 0xFF;
    mapped[11] = 0xFF;
    mapped[12] = static_cast<std::uint8_t>(address >> 24);
    mapped[13] = static_cast<std::uint8_t>(address >> 16);
    mapped[14] = static_cast<std::uint8_t>(address >> 8);
    mapped[15] = static_cast<std::uint8_t>(address);
    return mapped;
}

bool
IsIpv4Mapped(const IpAddress& address)
{
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(address.data(), kPrefix, sizeof kPrefix) == 0;
}

std::uint32_t
Ipv4Of(const IpAddress& address)
{
    return (std::uint32_t{address[12]} << 24) | (std::uint32_t{address[13]} << 16)
           | (std::uint32_t{address[14]} << 8) | address[15];
}

} // namespace fab::dpi
