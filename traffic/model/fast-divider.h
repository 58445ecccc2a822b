#ifndef FABRICSCOPE_TRAFFIC_FAST_DIVIDER_H
#define FABRICSCOPE_TRAFFIC_FAST_DIVIDER_H

#include <cstdint>

namespace fab::traffic
{

/**
 * Division by a number fixed at construction. A dividend that fits in 32 bits, by a divisor that
 * does too, is divided with one 64 × 64 → 128-bit multiplication by ceil(2^64 / divisor), which is
 * exact for every such pair (Lemire, Kaser and Kurz, "Faster remainder by direct computation",
 * 2019); anything larger falls back to the hardware division. Ring plans locate a transfer by
 * dividing its index by ring sizes several times per transfer, and a 64-bit division costs tens
 * of cycles.
 */
class FastDivider
{
public:
    explicit FastDivider(std::uint64_t divisor = 1)
    : m_divisor(divisor == 0 ? 1 : divisor)
    , m_magic(m_divisor >= 2 && m_divisor <= kMax32 ? ~std::uint64_t{0} / m_divisor + 1 : 0)
    {
    }

    std::uint64_t Divisor() const { return m_divisor; }

    std::uint64_t Quotient(std::uint64_t n) const
    {
        if (m_magic != 0 && n <= kMax32)
        {
            return static_cast<std::uint64_t>((static_cast<Wide>(m_magic) * n) >> 64);
        }
        return m_divisor == 1 ? n : n / m_divisor;
    }

    std::uint64_t Remainder(std::uint64_t n) const { return n - Quotient(n) * m_divisor; }

private:
    __extension__ typedef unsigned __int128 Wide; // GCC's and Clang's, as x86-64 multiplies
    static constexpr std::uint64_t kMax32 = 0xFFFFFFFFull;

    std::uint64_t m_divisor;
    std::uint64_t m_magic; ///< ceil(2^64 / divisor) when the fast path applies, else 0
};

} // namespace fab::traffic

#endif
