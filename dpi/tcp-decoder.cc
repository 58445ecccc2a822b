#include "dpi/tcp-decoder.h"

namespace fab::dpi
{

Anomaly
DecodeTcp(ByteReader& reader, TcpFields& out)
{
    if (!reader.CanRead(kTcpMinimumHeaderBytes))
    {
        return Anomaly::TruncatedTcp;
    }
    std::uint16_t offsetFlags = 0;
    std::uint16_t checksum = 0;
    std::uint16_t urgent = 0;
    reader.ReadU16(out.sourcePort);
    reader.ReadU16(out.destinationPort);
    reader.ReadU32(out.sequence);
    reader.ReadU32(out.acknowledgment);
    reader.ReadU16(offsetFlags);
    reader.ReadU16(out.window);
    reader.ReadU16(checksum);
    reader.ReadU16(urgent);
    std::size_t headerLength = std::size_t{static_cast<std::uint8_t>(offsetFlags >> 12)} * 4;
    if (headerLength < kTcpMinimumHeaderBytes)
    {
        return Anomaly::BadTcpDataOffset;
    }
    if (!reader.Skip(headerLength - kTcpMinimumHeaderBytes))
    {
        return Anomaly::TruncatedTcp;
    }
    out.headerLength = static_cast<std::uint8_t>(headerLength);
    out.flags = static_cast<std::uint16_t>(offsetFlags & 0x01FF);
    return Anomaly::None;
}

} // namespace fab::dpi
