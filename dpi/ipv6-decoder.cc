#include "dpi/ipv6-decoder.h"

namespace fab::dpi
{

static_assert(kIpv6HeaderBytes == 4 + 2 + 1 + 1 + 16 + 16,
              "IPv6: version/class/flow, length, next header, hop limit, addresses");

namespace
{

constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kAuthentication = 51;
constexpr std::uint8_t kDestinationOptions = 60;
constexpr std::size_t kFragmentHeaderBytes = 8;

bool
IsExtensionHeader(std::uint8_t nextHeader)
{
    return nextHeader == kHopByHop || nextHeader == kRouting || nextHeader == kFragment
           || nextHeader == kAuthentication || nextHeader == kDestinationOptions;
}

} // namespace

Anomaly
DecodeIpv6(ByteReader& reader, IpFields& out)
{
    if (!reader.CanRead(kIpv6HeaderBytes))
    {
        return Anomaly::TruncatedIpv6;
    }
    std::uint32_t word = 0;
    std::uint16_t payloadLength = 0;
    std::uint8_t nextHeader = 0;
    reader.ReadU32(word);
    if ((word >> 28) != 6)
    {
        return Anomaly::BadIpv6Version;
    }
    reader.ReadU16(payloadLength);
    reader.ReadU8(nextHeader);
    reader.ReadU8(out.ttl);
    reader.ReadBytes(out.source.data(), out.source.size());
    reader.ReadBytes(out.destination.data(), out.destination.size());
    auto trafficClass = static_cast<std::uint8_t>(word >> 20);
    out.version = 6;
    out.dscp = static_cast<std::uint8_t>(trafficClass >> 2);
    out.ecn = static_cast<Ecn>(trafficClass & 0x03);
    out.flowLabel = word & 0x000FFFFF;
    out.totalLength = kIpv6HeaderBytes + payloadLength;

    std::size_t headerLength = kIpv6HeaderBytes;
    for (int count = 0; IsExtensionHeader(nextHeader); ++count)
    {
        if (count == kMaxIpv6ExtensionHeaders)
        {
            return Anomaly::TooManyIpv6ExtensionHeaders;
        }
        std::uint8_t following = 0;
        std::uint8_t lengthField = 0;
        if (!reader.ReadU8(following) || !reader.ReadU8(lengthField))
        {
            return Anomaly::TruncatedIpv6ExtensionHeader;
        }
        std::size_t length = 0;
        if (nextHeader == kFragment)
        {
            length = kFragmentHeaderBytes;
        }
        else if (nextHeader == kAuthentication)
        {
            length = (std::size_t{lengthField} + 2) * 4; // RFC 4302: in 32-bit words, minus 2
        }
        else
        {
            length = (std::size_t{lengthField} + 1) * 8; // RFC 8200: in 8-octet units, minus 1
        }
        if (nextHeader == kFragment)
        {
            std::uint16_t offsetFlags = 0;
            if (!reader.ReadU16(offsetFlags) || !reader.Skip(4))
            {
                return Anomaly::TruncatedIpv6ExtensionHeader;
            }
            out.fragmentOffset = static_cast<std::uint16_t>(offsetFlags >> 3);
            out.moreFragments = (offsetFlags & 0x1) != 0;
            out.fragmented = true;
        }
        else if (!reader.Skip(length - 2))
        {
            return Anomaly::TruncatedIpv6ExtensionHeader;
        }
        headerLength += length;
        nextHeader = following;
        if (out.fragmented)
        {
            break; // what follows a fragment header is a piece of a payload, not a header
        }
    }
    out.protocol = nextHeader;
    out.headerLength = static_cast<std::uint16_t>(headerLength);
    return Anomaly::None;
}

} // namespace fab::dpi
