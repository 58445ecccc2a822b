#include "dpi/link-type.h"

#include "dpi/byte-reader.h"

#include <algorithm>
#include <pcap/pcap.h>

namespace fab::dpi
{

namespace
{

constexpr std::uint8_t kErfTypeMask = 0x7f;
constexpr std::uint8_t kErfExtensionFollows = 0x80;

LinkFrame
WholeRecord(FrameKind kind, std::uint32_t capturedLength, std::uint32_t wireLength)
{
    LinkFrame frame;
    frame.kind = kind;
    frame.length = capturedLength;
    frame.wireLength = wireLength;
    return frame;
}

/** A Linux cooked header of `headerBytes` whose protocol field sits at `protocolAt`. */
LinkFrame
LocateCooked(const std::uint8_t* record,
             std::uint32_t capturedLength,
             std::uint32_t wireLength,
             std::uint32_t headerBytes,
             std::uint32_t protocolAt)
{
    LinkFrame frame;
    ByteReader reader(record, capturedLength);
    if (!reader.CanRead(headerBytes) || !reader.Skip(protocolAt)
        || !reader.ReadU16(frame.etherType))
    {
        return frame;
    }
    frame.kind = FrameKind::EtherTypePayload;
    frame.offset = headerBytes;
    frame.length = capturedLength - headerBytes;
    frame.wireLength = wireLength > headerBytes ? wireLength - headerBytes : 0;
    return frame;
}

/**
 * ERF record (big-endian except the timestamp): ts(8, little-endian 32.32) type(1) flags(1)
 * rlen(2) lctr(2) wlen(2), then 8-byte extension headers while the previous type byte has its
 * top bit set, then (Ethernet types) 2 bytes of padding before the frame.
 */
LinkFrame
LocateErf(const std::uint8_t* record, std::uint32_t capturedLength)
{
    LinkFrame frame;
    ByteReader reader(record, capturedLength);
    std::uint8_t timestampBytes[8];
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::uint16_t recordLength = 0;
    std::uint16_t lossCounter = 0;
    std::uint16_t wireLength = 0;
    if (!reader.ReadBytes(timestampBytes, sizeof timestampBytes) || !reader.ReadU8(type)
        || !reader.ReadU8(flags) || !reader.ReadU16(recordLength) || !reader.ReadU16(lossCounter)
        || !reader.ReadU16(wireLength))
    {
        return frame;
    }
    std::uint64_t timestamp = 0;
    for (int i = 7; i >= 0; --i)
    {
        timestamp = (timestamp << 8) | timestampBytes[i];
    }
    frame.hasOwnTimestamp = true;
    frame.ownTimestampNs = ErfTimestampToNs(timestamp);

    bool extensionFollows = (type & kErfExtensionFollows) != 0;
    while (extensionFollows)
    {
        std::uint8_t extensionType = 0;
        if (!reader.ReadU8(extensionType) || !reader.Skip(kErfExtensionHeaderBytes - 1))
        {
            return frame;
        }
        extensionFollows = (extensionType & kErfExtensionFollows) != 0;
    }

    const std::uint8_t recordType = type & kErfTypeMask;
    if (recordType == kErfTypeEthernet)
    {
        if (!reader.Skip(kErfEthernetPadBytes))
        {
            return frame;
        }
        frame.kind = FrameKind::Ethernet;
    }
    else if (recordType == kErfTypeInfiniBand)
    {
        frame.kind = FrameKind::InfiniBand;
    }
    else
    {
        frame.kind = FrameKind::Unsupported;
    }
    // rlen counts the header and any padding after the frame; a record cut by the snap length
    // has fewer captured bytes than rlen says.
    const std::uint32_t headerBytes = static_cast<std::uint32_t>(reader.Offset());
    if (recordLength < headerBytes)
    {
        frame.kind = FrameKind::BadLinkHeader;
        return frame;
    }
    const std::uint32_t available = std::min<std::uint32_t>(capturedLength, recordLength);
    frame.offset = headerBytes;
    frame.wireLength = wireLength;
    frame.length = std::min<std::uint32_t>(available - headerBytes, wireLength);
    return frame;
}

} // namespace

const char*
FrameKindName(FrameKind kind)
{
    switch (kind)
    {
        case FrameKind::Ethernet:
            return "ethernet";
        case FrameKind::EtherTypePayload:
            return "ethertype-payload";
        case FrameKind::InfiniBand:
            return "infiniband";
        case FrameKind::Unsupported:
            return "unsupported";
        case FrameKind::BadLinkHeader:
            return "bad-link-header";
    }
    return "unknown";
}

bool
IsSupportedLinkType(int linkType)
{
    switch (linkType)
    {
        case link_type::kEthernet:
        case link_type::kLinuxCooked:
        case link_type::kLinuxCookedV2:
        case link_type::kErf:
        case link_type::kInfiniBand:
            return true;
        default:
            return false;
    }
}

std::string
LinkTypeName(int linkType)
{
    const char* name = pcap_datalink_val_to_name(linkType);
    const char* description = pcap_datalink_val_to_description(linkType);
    if (name == nullptr)
    {
        return "unknown";
    }
    std::string out = name;
    if (description != nullptr)
    {
        out += std::string(" (") + description + ")";
    }
    return out;
}

LinkFrame
LocateFrameBehindHeader(int linkType,
                        const std::uint8_t* record,
                        std::uint32_t capturedLength,
                        std::uint32_t wireLength)
{
    switch (linkType)
    {
        case link_type::kEthernet:
            return WholeRecord(FrameKind::Ethernet, capturedLength, wireLength);
        case link_type::kInfiniBand:
            return WholeRecord(FrameKind::InfiniBand, capturedLength, wireLength);
        case link_type::kLinuxCooked:
            return LocateCooked(record, capturedLength, wireLength, kLinuxCookedHeaderBytes, 14);
        case link_type::kLinuxCookedV2:
            return LocateCooked(record, capturedLength, wireLength, kLinuxCookedV2HeaderBytes, 0);
        case link_type::kErf:
            return LocateErf(record, capturedLength);
        default:
            return WholeRecord(FrameKind::Unsupported, capturedLength, wireLength);
    }
}

std::int64_t
ErfTimestampToNs(std::uint64_t erfTimestamp)
{
    // The low 32 bits are a binary fraction of a second: ns = fraction * 1e9 / 2^32, rounded
    // half up as Wireshark does (the product fits: 2^32 * 1e9 < 2^63).
    constexpr std::uint64_t kNsPerSecond = 1000000000;
    const std::uint64_t seconds = erfTimestamp >> 32;
    const std::uint64_t scaled = (erfTimestamp & 0xffffffffu) * kNsPerSecond;
    const std::uint64_t nanoseconds = (scaled + (std::uint64_t{1} << 31)) >> 32;
    return static_cast<std::int64_t>(seconds * kNsPerSecond + nanoseconds);
}

} // namespace fab::dpi
