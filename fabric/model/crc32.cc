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
    for (std::size_t i = 0; i < size; ++i)
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
    auto it = m_operators.find(zeros);
    if (it != m_operators.end())
    {
        return it->second;
    }
    Operator op{};
    for (int bit = 0; bit < 32; ++bit)
    {
        std::uint32_t reg = 1u << bit;
        for (std::uint32_t i = 0; i < zeros; ++i)
        {
            reg = kTable[reg & 0xFF] ^ (reg >> 8);
        }
        op[bit] = reg;
    }
    return m_operators.emplace(zeros, op).first->second;
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
    for (int bit = 0; bit < 32; ++bit)
    {
        if ((reg >> bit) & 1u)
        {
            out ^= op[bit];
        }
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
