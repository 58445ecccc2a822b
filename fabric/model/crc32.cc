#include "fabric/model/crc32.h"

namespace ns3::fabric
{
namespace
{

constexpr std::array<std::uint32_t, 256>
MakeTable()
{
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i)
    {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        table[i] = c;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> kTable = MakeTable();

/** Slicing by 8: kSlices[k][b] is the register after byte b followed by k zero bytes, so eight
 *  bytes take eight independent lookups instead of eight dependent ones. */
constexpr std::array<std::array<std::uint32_t, 256>, 8>
MakeSlices()
{
    std::array<std::array<std::uint32_t, 256>, 8> slices{};
    slices[0] = MakeTable();
    for (std::size_t k = 1; k < 8; ++k)
    {
        for (std::uint32_t b = 0; b < 256; ++b)
        {
            std::uint32_t previous = slices[k - 1][b];
            slices[k][b] = slices[0][previous & 0xFF] ^ (previous >> 8);
        }
    }
    return slices;
}

constexpr std::array<std::array<std::uint32_t, 256>, 8> kSlices = MakeSlices();

constexpr std::array<std::uint16_t, 256>
MakeTable16()
{
    std::array<std::uint16_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i)
    {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
        {
            c = (c & 1) != 0 ? 0xD008u ^ (c >> 1) : c >> 1;
        }
        table[i] = static_cast<std::uint16_t>(c);
    }
    return table;
}

constexpr std::array<std::uint16_t, 256> kTable16 = MakeTable16();

} // namespace

std::uint32_t
Crc32Update(std::uint32_t reg, const std::uint8_t* data, std::size_t size)
{
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8)
    {
        // Byte by byte (no alignment or byte-order assumption): the low four bytes mix with the
        // register, the high four go in as they are.
        std::uint32_t low
            = reg
              ^ (static_cast<std::uint32_t>(data[i]) | static_cast<std::uint32_t>(data[i + 1]) << 8
                 | static_cast<std::uint32_t>(data[i + 2]) << 16
                 | static_cast<std::uint32_t>(data[i + 3]) << 24);
        reg = kSlices[7][low & 0xFF] ^ kSlices[6][(low >> 8) & 0xFF]
              ^ kSlices[5][(low >> 16) & 0xFF] ^ kSlices[4][low >> 24] ^ kSlices[3][data[i + 4]]
              ^ kSlices[2][data[i + 5]] ^ kSlices[1][data[i + 6]] ^ kSlices[0][data[i + 7]];
    }
    for (; i < size; ++i)
    {
        reg = kTable[(reg ^ data[i]) & 0xFF] ^ (reg >> 8);
    }
    return reg;
}

std::uint32_t
Crc32(const std::uint8_t* data, std::size_t size)
{
    return Crc32Finish(Crc32Update(kCrc32Init, data, size));
}

const Crc32ZeroExtender::Operator&
Crc32ZeroExtender::OperatorFor(std::uint32_t zeros)
{
    if (m_last != nullptr && m_lastZeros == zeros)
    {
        return *m_last; // a host's frames mostly carry one payload size
    }
    auto it = m_operators.find(zeros);
    if (it == m_operators.end())
    {
        // The image of each bit of the register, then of each value of each nibble (XORs of
        // the images of its bits).
        std::array<std::uint32_t, 32> columns{};
        for (int bit = 0; bit < 32; ++bit)
        {
            std::uint32_t reg = 1u << bit;
            for (std::uint32_t i = 0; i < zeros; ++i)
            {
                reg = kTable[reg & 0xFF] ^ (reg >> 8);
            }
            columns[bit] = reg;
        }
        Operator op{};
        for (std::size_t nibble = 0; nibble < 8; ++nibble)
        {
            for (std::uint32_t value = 0; value < 16; ++value)
            {
                for (std::size_t bit = 0; bit < 4; ++bit)
                {
                    op[nibble][value] ^= (value >> bit & 1u) != 0 ? columns[4 * nibble + bit] : 0;
                }
            }
        }
        it = m_operators.emplace(zeros, op).first;
    }
    m_lastZeros = zeros;
    m_last = &it->second;
    return it->second;
}

std::uint32_t
Crc32ZeroExtender::Extend(std::uint32_t reg, std::uint32_t zeros)
{
    if (zeros == 0)
    {
        return reg;
    }
    const Operator& op = OperatorFor(zeros);
    std::uint32_t out = 0;
    for (std::size_t nibble = 0; nibble < 8; ++nibble)
    {
        out ^= op[nibble][(reg >> (4 * nibble)) & 0xF];
    }
    return out;
}

std::uint16_t
Crc16Update(std::uint16_t reg, const std::uint8_t* data, std::size_t size)
{
    for (std::size_t i = 0; i < size; ++i)
    {
        reg = static_cast<std::uint16_t>(kTable16[(reg ^ data[i]) & 0xFF] ^ (reg >> 8));
    }
    return reg;
}

std::uint16_t
Crc16ZeroExtender::Extend(std::uint16_t reg, std::uint32_t zeros)
{
    if (zeros == 0)
    {
        return reg;
    }
    auto it = m_operators.find(zeros);
    if (it == m_operators.end())
    {
        Operator op{};
        for (int bit = 0; bit < 16; ++bit)
        {
            std::uint16_t r = static_cast<std::uint16_t>(1u << bit);
            for (std::uint32_t i = 0; i < zeros; ++i)
            {
                r = static_cast<std::uint16_t>(kTable16[r & 0xFF] ^ (r >> 8));
            }
            op[bit] = r;
        }
        it = m_operators.emplace(zeros, op).first;
    }
    std::uint16_t out = 0;
    for (int bit = 0; bit < 16; ++bit)
    {
        if ((reg >> bit) & 1u)
        {
            out = static_cast<std::uint16_t>(out ^ it->second[bit]);
        }
    }
    return out;
}

} // namespace ns3::fabric
