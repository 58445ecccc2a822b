#include "dpi/ipv4-decoder.h"

namespace fab::dpi
{

Anomaly
DecodeIpv4(ByteReader& reader, IpFields& out)
{
    if (!reader.CanRead(kIpv4MinimumHeaderBytes))
    {
        return Anomaly::TruncatedIpv4;
    }
    std::uint8_t versionIhl = 0;
    std::uint8_t tos = 0;
    std::uint16_t totalLength = 0;
    std::uint16_t flagsOffset = 0;
    std::uint16_t checksum = 0;
    std::uint32_t source = 0;
    std::uint32_t destination = 0;
    reader.ReadU8(versionIhl);
    if ((versionIhl >> 4) != 4)
    {
        return Anomaly::BadIpv4Version;
    }
    std::size_t headerLength = std::size_t{versionIhl & 0x0Fu} * 4;
    if (headerLength < kIpv4MinimumHeaderBytes)
    {
        return Anomaly::BadIpv4Ihl;
    }
    reader.ReadU8(tos);
    reader.ReadU16(totalLength);
    reader.ReadU16(out.identification);
    reader.ReadU16(flagsOffset);
    reader.ReadU8(out.ttl);
    reader.ReadU8(out.protocol);
    reader.ReadU16(checksum);
    reader.ReadU32(source);
    reader.ReadU32(destination);
    // Options are not decoded, but the header must be all there before the payload is looked at.
    if (!reader.Skip(headerLength - kIpv4MinimumHeaderBytes))
    {
        return Anomaly::TruncatedIpv4;
    }
    if (totalLength < headerLength)
    {
        return Anomaly::BadIpv4TotalLength;
    }
    out.version = 4;
    out.dscp = static_cast<std::uint8_t>(tos >> 2);
    out.ecn = static_cast<Ecn>(tos & 0x03);
    out.headerLength = static_cast<std::uint16_t>(headerLength);
    out.totalLength = totalLength;
    out.dontFragment = (flagsOffset & 0x4000) != 0;
    out.moreFragments = (flagsOffset & 0x2000) != 0;
    out.fragmentOffset = static_cast<std::uint16_t>(flagsOffset & 0x1FFF);
    out.fragmented = out.moreFragments || out.fragmentOffset != 0;
    out.source = MakeIpv4Address(source);
    out.destination = MakeIpv4Address(destination);
    return Anomaly::None;
}

} // namespace fab::dpi
