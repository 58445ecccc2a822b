#include "dpi/mau-type.h"

#include <array>
#include <cstddef>

namespace fab::dpi
{
namespace
{

constexpr std::uint64_t kG = 1'000'000'000;

struct MauRate
{
    std::uint16_t mauType;
    std::uint64_t bitsPerSecond;
};

// dot3MauType numbers from the IANA registry (last arc of 1.3.6.1.2.1.26.4.N).
constexpr MauRate kRates[] = {
    // 1000BASE-X/LX/SX/CX/T full duplex, KX
    {22, 1 * kG},
    {24, 1 * kG},
    {26, 1 * kG},
    {28, 1 * kG},
    {30, 1 * kG},
    {56, 1 * kG},
    // 2.5G and 5G
    {103, 2'500'000'000},
    {109, 2'500'000'000},
    {110, 2'500'000'000},
    {104, 5 * kG},
    {111, 5 * kG},
    // 10GBASE-X, LX4, R, ER, LR, SR, CX4, T, LRM, KX4, KR (the W types are WAN PHY: left out)
    {31, 10 * kG},
    {32, 10 * kG},
    {33, 10 * kG},
    {34, 10 * kG},
    {35, 10 * kG},
    {36, 10 * kG},
    {41, 10 * kG},
    {54, 10 * kG},
    {55, 10 * kG},
    {57, 10 * kG},
    {58, 10 * kG},
    // 25GBASE-CR, CR-S, KR, KR-S, R, SR, T, LR, ER
    {88, 25 * kG},
    {89, 25 * kG},
    {90, 25 * kG},
    {91, 25 * kG},
    {92, 25 * kG},
    {93, 25 * kG},
    {94, 25 * kG},
    {114, 25 * kG},
    {115, 25 * kG},
    // 40GBASE-KR4, CR4, SR4, FR, LR4, ER4, R, T
    {70, 40 * kG},
    {71, 40 * kG},
    {72, 40 * kG},
    {73, 40 * kG},
    {74, 40 * kG},
    {95, 40 * kG},
    {96, 40 * kG},
    {97, 40 * kG},
    // 50GBASE-R, CR, KR, SR, FR, LR, ER
    {116, 50 * kG},
    {117, 50 * kG},
    {118, 50 * kG},
    {119, 50 * kG},
    {120, 50 * kG},
    {121, 50 * kG},
    {122, 50 * kG},
    // 100GBASE-CR10, SR10, LR4, ER4, CR4, KR4, KP4, R, SR4, CR2, KR2, SR2, DR, FR1, LR1
    {75, 100 * kG},
    {76, 100 * kG},
    {77, 100 * kG},
    {78, 100 * kG},
    {98, 100 * kG},
    {99, 100 * kG},
    {100, 100 * kG},
    {101, 100 * kG},
    {102, 100 * kG},
    {123, 100 * kG},
    {124, 100 * kG},
    {125, 100 * kG},
    {126, 100 * kG},
    {145, 100 * kG},
    {146, 100 * kG},
    // 200GBASE-R, DR4, FR4, LR4, CR4, KR4, SR4, ER4
    {127, 200 * kG},
    {128, 200 * kG},
    {129, 200 * kG},
    {130, 200 * kG},
    {131, 200 * kG},
    {132, 200 * kG},
    {133, 200 * kG},
    {134, 200 * kG},
    // 400GBASE-R, SR16, DR4, FR8, LR8, ER8, FR4, LR4-6, SR8, SR4.2
    {135, 400 * kG},
    {136, 400 * kG},
    {137, 400 * kG},
    {138, 400 * kG},
    {139, 400 * kG},
    {140, 400 * kG},
    {147, 400 * kG},
    {148, 400 * kG},
    {149, 400 * kG},
    {150, 400 * kG},
};

constexpr std::size_t kTableSize = 151;

// A direct-indexed table: one load per lookup, built once at compile time.
constexpr std::array<std::uint64_t, kTableSize>
BuildRateTable()
{
    std::array<std::uint64_t, kTableSize> table{};
    for (const MauRate& rate : kRates)
    {
        table[rate.mauType] = rate.bitsPerSecond;
    }
    return table;
}

constexpr std::array<std::uint64_t, kTableSize> kTable = BuildRateTable();

static_assert(kTable[36] == 10 * kG && kTable[102] == 100 * kG && kTable[137] == 400 * kG,
              "10GBASE-SR, 100GBASE-SR4, 400GBASE-DR4");

} // namespace

std::uint64_t
MauTypeBitsPerSecond(std::uint16_t mauType)
{
    return mauType < kTable.size() ? kTable[mauType] : 0;
}

} // namespace fab::dpi
