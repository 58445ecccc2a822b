// FastDivider against the hardware division: every dividend and divisor class it treats apart
// (32-bit fast path, wider fallbacks, 1, powers of two, the largest 32-bit values).
#include "traffic/model/fast-divider.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

using fab::traffic::FastDivider;

TEST_CASE("FastDivider gives the quotient and remainder of plain division", "[traffic][divider]")
{
    std::vector<std::uint64_t> divisors = {1,           2,           3,           7,
                                           8,           10,          641,         8191,
                                           20478,       65536,       209704960,   0x7FFFFFFF,
                                           0xFFFFFFFE,  0xFFFFFFFF,  0x100000000, 0x100000001,
                                           0x123456789};
    std::vector<std::uint64_t> dividends = {0,
                                            1,
                                            2,
                                            7,
                                            8,
                                            0xFFFF,
                                            838860800,
                                            0x7FFFFFFF,
                                            0xFFFFFFFE,
                                            0xFFFFFFFF,
                                            0x100000000,
                                            0xFFFFFFFFFFFFFFFFull};
    std::mt19937_64 random(7);
    for (int i = 0; i < 400; ++i)
    {
        dividends.push_back(random() >> (random() % 64));
        divisors.push_back(1 + (random() >> (32 + random() % 32)));
    }
    for (auto d : divisors)
    {
        FastDivider divider(d);
        REQUIRE(divider.Divisor() == d);
        for (auto n : dividends)
        {
            INFO(n << " / " << d);
            REQUIRE(divider.Quotient(n) == n / d);
            REQUIRE(divider.Remainder(n) == n % d);
        }
    }
}

TEST_CASE("FastDivider treats a zero divisor as one", "[traffic][divider]")
{
    FastDivider divider(0);
    REQUIRE(divider.Divisor() == 1);
    REQUIRE(divider.Quotient(12345) == 12345);
    REQUIRE(divider.Remainder(12345) == 0);
}
