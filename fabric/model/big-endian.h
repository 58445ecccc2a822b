#ifndef FABRICSCOPE_FABRIC_BIG_ENDIAN_H
#define FABRICSCOPE_FABRIC_BIG_ENDIAN_H

#include <cstdint>

namespace ns3::fabric
{

/** Stores `v` at `at` in network byte order (the caller owns two bytes there). */
inline void
Put16(std::uint8_t* at, std::uint16_t v)
{
    at[0] = static_cast<std::uint8_t>(v >> 8);
    at[1] = static_cast<std::uint8_t>(v);
}

/** Stores `v` at `at` in network byte order (the caller owns four bytes there). */
inline void
Put32(std::uint8_t* at, std::uint32_t v)
{
    Put16(at, static_cast<std::uint16_t>(v >> 16));
    Put16(at + 2, static_cast<std::uint16_t>(v));
}

} // namespace ns3::fabric

#endif
