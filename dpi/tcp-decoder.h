#ifndef FABRICSCOPE_DPI_TCP_DECODER_H
#define FABRICSCOPE_DPI_TCP_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

inline constexpr std::size_t kTcpMinimumHeaderBytes = 20;

/** TCP flag bits as they sit in the low 9 bits of the data-offset word. */
inline constexpr std::uint16_t kTcpFin = 0x001;
inline constexpr std::uint16_t kTcpSyn = 0x002;
inline constexpr std::uint16_t kTcpRst = 0x004;
inline constexpr std::uint16_t kTcpPsh = 0x008;
inline constexpr std::uint16_t kTcpAck = 0x010;
inline constexpr std::uint16_t kTcpUrg = 0x020;
inline constexpr std::uint16_t kTcpEce = 0x040;
inline constexpr std::uint16_t kTcpCwr = 0x080;

struct TcpFields
{
    std::uint16_t sourcePort{0};
    std::uint16_t destinationPort{0};
    std::uint32_t sequence{0};
    std::uint32_t acknowledgment{0};
    std::uint8_t headerLength{0}; ///< bytes, options included
    std::uint16_t flags{0};
    std::uint16_t window{0};
};

/** Decodes the TCP header and skips its options; the reader ends at the segment's data. */
Anomaly DecodeTcp(ByteReader& reader, TcpFields& out);

} // namespace fab::dpi

#endif
