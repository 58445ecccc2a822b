// CRC-32 (the RoCEv2 ICRC's): the sliced update and the table-driven zero extension against the
// definition, one bit at a time.
#include "fabric/model/crc32.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

using namespace ns3::fabric;

namespace
{

std::uint32_t
BitByBit(std::uint32_t reg, const std::uint8_t* data, std::size_t size)
{
    for (std::size_t i = 0; i < size; ++i)
    {
        reg ^= data[i];
        for (int k = 0; k < 8; ++k)
        {
            reg = (reg & 1) != 0 ? 0xEDB88320u ^ (reg >> 1) : reg >> 1;
        }
    }
    return reg;
}

} // namespace

TEST_CASE("CRC-32 updates match the bitwise definition at every length and offset", "[fabric][crc]")
{
    std::mt19937 random(3);
    std::vector<std::uint8_t> data(80);
    for (auto& byte : data)
    {
        byte = static_cast<std::uint8_t>(random());
    }
    for (std::size_t offset = 0; offset < 8; ++offset) // unaligned starts
    {
        for (std::size_t size = 0; size + offset <= data.size(); ++size)
        {
            std::uint32_t start = random();
            INFO("offset " << offset << " size " << size);
            REQUIRE(Crc32Update(start, data.data() + offset, size)
                    == BitByBit(start, data.data() + offset, size));
        }
    }
}

TEST_CASE("zero extension matches feeding the zeros, as lengths repeat and change", "[fabric][crc]")
{
    std::mt19937 random(4);
    Crc32ZeroExtender zeros;
    std::vector<std::uint8_t> none(5000, 0);
    for (std::uint32_t n : {4096u, 4096u, 1u, 4096u, 16u, 1638u, 1638u, 3u, 4999u, 16u})
    {
        std::uint32_t reg = random();
        INFO("zeros " << n);
        REQUIRE(zeros.Extend(reg, n) == BitByBit(reg, none.data(), n));
    }
    REQUIRE(zeros.Extend(0x1234, 0) == 0x1234);
    Crc32ZeroExtender copy = zeros; // its cache must not point into the original
    zeros = Crc32ZeroExtender();
    REQUIRE(copy.Extend(0xDEADBEEF, 16) == BitByBit(0xDEADBEEF, none.data(), 16));
}
