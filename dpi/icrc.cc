#include "dpi/icrc.h"

#include "dpi/bth-decoder.h"
#include "dpi/grh-decoder.h"
#include "dpi/ipv4-decoder.h"
#include "dpi/ipv6-decoder.h"
#include "dpi/lrh-decoder.h"
#include "dpi/udp-decoder.h"

#include <array>
#include <cstring>
#include <isa-l/crc.h>

namespace fab::dpi
{
namespace
{

constexpr std::size_t kPseudoLrhBytes = 8;
constexpr std::size_t kBthVariantByte = 4;

/** Continues the reflected CRC-32 of IEEE 802.3 (zlib's and gzip's) over `size` bytes. ISA-L
 *  picks a carry-less-multiply implementation at run time: several times zlib's table speed,
 *  which is most of what verifying the ICRC of every packet costs. */
std::uint32_t
Crc32(std::uint32_t crc, const std::uint8_t* data, std::size_t size)
{
    return ::crc32_gzip_refl(crc, data, size);
}

/** IPv6 and the GRH share their first 8 bytes' layout; the variant fields are the same. */
void
MaskIpv6Style(std::uint8_t* header)
{
    header[0] |= 0x0F; // traffic class (high nibble); the version stays
    header[1] = 0xFF;  // traffic class (low nibble), flow label
    header[2] = 0xFF;
    header[3] = 0xFF;
    header[7] = 0xFF; // hop limit
}

// The masked copies of the headers never exceed the longest case: pseudo LRH, IPv4 with
// options, UDP, BTH.
constexpr std::size_t kMaskedBytes
    = kPseudoLrhBytes + kIpv4MaximumHeaderBytes + kUdpHeaderBytes + kBthBytes;

} // namespace

std::uint32_t
ComputeIcrc(IcrcScope scope,
            const std::uint8_t* start,
            std::size_t headerLength,
            std::size_t lengthToIcrc)
{
    std::array<std::uint8_t, kMaskedBytes> masked;
    std::size_t maskedLength = 0;
    std::size_t consumed = 0; // bytes of `start` covered so far
    std::uint32_t crc = 0;

    switch (scope)
    {
        case IcrcScope::RoceV2Ipv4:
        {
            std::memset(masked.data(), 0xFF, kPseudoLrhBytes);
            std::memcpy(masked.data() + kPseudoLrhBytes, start, headerLength);
            std::uint8_t* ip = masked.data() + kPseudoLrhBytes;
            ip[1] = 0xFF;  // TOS
            ip[8] = 0xFF;  // TTL
            ip[10] = 0xFF; // header checksum
            ip[11] = 0xFF;
            maskedLength = kPseudoLrhBytes + headerLength;
            consumed = headerLength;
            break;
        }
        case IcrcScope::RoceV2Ipv6:
        case IcrcScope::RoceV1:
        {
            std::memset(masked.data(), 0xFF, kPseudoLrhBytes);
            std::memcpy(masked.data() + kPseudoLrhBytes, start, kIpv6HeaderBytes);
            MaskIpv6Style(masked.data() + kPseudoLrhBytes);
            crc = Crc32(crc, masked.data(), kPseudoLrhBytes + kIpv6HeaderBytes);
            consumed = kIpv6HeaderBytes;
            if (scope == IcrcScope::RoceV2Ipv6 && headerLength > kIpv6HeaderBytes)
            {
                // Extension headers are not variant: covered as they are.
                crc = Crc32(crc, start + consumed, headerLength - kIpv6HeaderBytes);
                consumed = headerLength;
            }
            break;
        }
        case IcrcScope::IbLocal:
        case IcrcScope::IbGlobal:
        {
            // Verified on ibdump captures: with a GRH the whole LRH is variant (routers rewrite
            // it), without one only the VL is.
            std::memcpy(masked.data(), start, kLrhBytes);
            if (scope == IcrcScope::IbGlobal)
            {
                std::memset(masked.data(), 0xFF, kLrhBytes);
                std::memcpy(masked.data() + kLrhBytes, start + kLrhBytes, kGrhBytes);
                MaskIpv6Style(masked.data() + kLrhBytes);
                maskedLength = kLrhBytes + kGrhBytes;
            }
            else
            {
                masked[0] |= 0xF0;
                maskedLength = kLrhBytes;
            }
            crc = Crc32(crc, masked.data(), maskedLength);
            maskedLength = 0;
            consumed = scope == IcrcScope::IbGlobal ? kLrhBytes + kGrhBytes : kLrhBytes;
            break;
        }
    }

    // Then the UDP header (RoCEv2) and the BTH, with their variant fields masked.
    if (scope == IcrcScope::RoceV2Ipv4 || scope == IcrcScope::RoceV2Ipv6)
    {
        std::memcpy(masked.data() + maskedLength, start + consumed, kUdpHeaderBytes);
        masked[maskedLength + 6] = 0xFF; // UDP checksum
        masked[maskedLength + 7] = 0xFF;
        maskedLength += kUdpHeaderBytes;
        consumed += kUdpHeaderBytes;
    }
    std::memcpy(masked.data() + maskedLength, start + consumed, kBthBytes);
    masked[maskedLength + kBthVariantByte] = 0xFF; // FECN, BECN, reserved
    maskedLength += kBthBytes;
    consumed += kBthBytes;
    crc = Crc32(crc, masked.data(), maskedLength);

    return Crc32(crc, start + consumed, lengthToIcrc - consumed);
}

std::uint32_t
ReadIcrc(const std::uint8_t* at)
{
    return std::uint32_t{at[0]} | (std::uint32_t{at[1]} << 8) | (std::uint32_t{at[2]} << 16)
           | (std::uint32_t{at[3]} << 24);
}

namespace
{

constexpr std::uint16_t kVcrcReflectedPolynomial = 0xD008; // 0x100B with its bits reversed
constexpr std::size_t kVcrcSlices = 8;

using VcrcTables = std::array<std::array<std::uint16_t, 256>, kVcrcSlices>;

/**
 * Slicing-by-8 tables: slice k holds the CRC of a byte followed by k zero bytes, so eight bytes
 * fold into the register with eight independent lookups instead of a chain of eight. A byte at a
 * time, the VCRC cost several times the ICRC on a 4 KiB packet.
 */
constexpr VcrcTables
BuildVcrcTables()
{
    VcrcTables tables{};
    for (unsigned byte = 0; byte < 256; ++byte)
    {
        auto reg = static_cast<std::uint16_t>(byte);
        for (int bit = 0; bit < 8; ++bit)
        {
            reg = (reg & 1) ? static_cast<std::uint16_t>((reg >> 1) ^ kVcrcReflectedPolynomial)
                            : static_cast<std::uint16_t>(reg >> 1);
        }
        tables[0][byte] = reg;
    }
    for (std::size_t slice = 1; slice < kVcrcSlices; ++slice)
    {
        for (unsigned byte = 0; byte < 256; ++byte)
        {
            std::uint16_t previous = tables[slice - 1][byte];
            tables[slice][byte]
                = static_cast<std::uint16_t>((previous >> 8) ^ tables[0][previous & 0xFF]);
        }
    }
    return tables;
}

constexpr VcrcTables kVcrcTables = BuildVcrcTables();

} // namespace

std::uint16_t
ComputeVcrc(const std::uint8_t* lrh, std::size_t length)
{
    const auto& t = kVcrcTables;
    std::uint16_t reg = 0xFFFF;
    const std::uint8_t* p = lrh;
    for (; length >= kVcrcSlices; length -= kVcrcSlices, p += kVcrcSlices)
    {
        unsigned low = (reg ^ p[0]) & 0xFF;
        unsigned high = ((reg >> 8) ^ p[1]) & 0xFF;
        reg = static_cast<std::uint16_t>(t[7][low] ^ t[6][high] ^ t[5][p[2]] ^ t[4][p[3]]
                                         ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]);
    }
    for (; length > 0; --length, ++p)
    {
        reg = static_cast<std::uint16_t>((reg >> 8) ^ t[0][(reg ^ *p) & 0xFF]);
    }
    return static_cast<std::uint16_t>(~reg);
}

std::uint16_t
ReadVcrc(const std::uint8_t* at)
{
    return static_cast<std::uint16_t>(at[0] | (at[1] << 8));
}

} // namespace fab::dpi
