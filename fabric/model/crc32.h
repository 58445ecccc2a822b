#ifndef FABRICSCOPE_FABRIC_CRC32_H
#define FABRICSCOPE_FABRIC_CRC32_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>

namespace ns3::fabric
{

/**
 * CRC-32 as zlib and the RoCEv2 ICRC compute it (reflected polynomial 0xEDB88320). The register
 * form lets a computation continue: start from kCrc32Init, Update over each piece, Finish.
 */
inline constexpr std::uint32_t kCrc32Init = 0xFFFFFFFFu;

std::uint32_t Crc32Update(std::uint32_t reg, const std::uint8_t* data, std::size_t size);

inline std::uint32_t
Crc32Finish(std::uint32_t reg)
{
    return ~reg;
}

/** CRC-32 of a whole buffer. */
std::uint32_t Crc32(const std::uint8_t* data, std::size_t size);

/**
 * Advances a CRC register over n zero bytes in 8 table lookups instead of n steps: feeding zeros
 * is linear in the register, so the operator for each length is cached once, as the image of
 * each value of each of the register's eight nibbles (512 bytes). Simulated payloads are zeros,
 * so a 4 KiB packet's ICRC costs its headers, not its payload.
 */
class Crc32ZeroExtender
{
public:
    Crc32ZeroExtender() = default;
    Crc32ZeroExtender(const Crc32ZeroExtender& other)
    : m_operators(other.m_operators)
    {
    }
    Crc32ZeroExtender& operator=(const Crc32ZeroExtender& other)
    {
        m_operators = other.m_operators;
        m_last = nullptr; // it pointed into the old map
        return *this;
    }

    std::uint32_t Extend(std::uint32_t reg, std::uint32_t zeros);

private:
    using Operator = std::array<std::array<std::uint32_t, 16>, 8>;
    const Operator& OperatorFor(std::uint32_t zeros);

    std::map<std::uint32_t, Operator> m_operators; ///< map nodes do not move: m_last stays valid
    std::uint32_t m_lastZeros{0};
    const Operator* m_last{nullptr};
};

/**
 * CRC-16 of InfiniBand's VCRC: polynomial 0x100B, reflected (0xD008), register starting at 0xFFFF,
 * result inverted and written little-endian.
 */
inline constexpr std::uint16_t kCrc16Init = 0xFFFF;

std::uint16_t Crc16Update(std::uint16_t reg, const std::uint8_t* data, std::size_t size);

inline std::uint16_t
Crc16Finish(std::uint16_t reg)
{
    return static_cast<std::uint16_t>(~reg);
}

/** The CRC-16 counterpart of Crc32ZeroExtender. */
class Crc16ZeroExtender
{
public:
    std::uint16_t Extend(std::uint16_t reg, std::uint32_t zeros);

private:
    using Operator = std::array<std::uint16_t, 16>;
    std::map<std::uint32_t, Operator> m_operators;
};

} // namespace ns3::fabric

#endif
