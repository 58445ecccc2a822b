#ifndef FABRICSCOPE_TRAFFIC_SATURATING_COUNT_H
#define FABRICSCOPE_TRAFFIC_SATURATING_COUNT_H

#include <cstdint>
#include <limits>

namespace fab::traffic
{

/**
 * Counts of what a run would build, from products of user-given sizes: absurd inputs must
 * give a huge count, never one wrapped round to a small one.
 */
inline constexpr std::uint64_t kCountMax = std::numeric_limits<std::uint64_t>::max();

inline constexpr std::uint64_t
SatMul(std::uint64_t a, std::uint64_t b)
{
    return b != 0 && a > kCountMax / b ? kCountMax : a * b;
}

inline constexpr std::uint64_t
SatAdd(std::uint64_t a, std::uint64_t b)
{
    return a > kCountMax - b ? kCountMax : a + b;
}

} // namespace fab::traffic

#endif
