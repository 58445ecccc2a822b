#ifndef FABRICSCOPE_DPI_LINK_TYPE_H
#define FABRICSCOPE_DPI_LINK_TYPE_H

#include <cstdint>
#include <string>

namespace fab::dpi
{

/** The pcap link types (DLT_ values, pcap/dlt.h) whose records the capture reader can open. */
namespace link_type
{
constexpr int kEthernet = 1;        ///< DLT_EN10MB
constexpr int kLinuxCooked = 113;   ///< DLT_LINUX_SLL: 16-byte header, protocol at bytes 14-15
constexpr int kErf = 197;           ///< DLT_ERF: Endace ERF records (ibdump writes these)
constexpr int kInfiniBand = 247;    ///< DLT_INFINIBAND: raw IB packets, LRH first
constexpr int kLinuxCookedV2 = 276; ///< DLT_LINUX_SLL2: 20-byte header, protocol at bytes 0-1
} // namespace link_type

/** Header sizes of the link layers the reader strips. */
constexpr std::uint32_t kLinuxCookedHeaderBytes = 16;
constexpr std::uint32_t kLinuxCookedV2HeaderBytes = 20;
constexpr std::uint32_t kErfHeaderBytes = 16;
constexpr std::uint32_t kErfExtensionHeaderBytes = 8;
constexpr std::uint32_t kErfEthernetPadBytes = 2;

/** ERF record types (low 7 bits of the type byte) that the reader decodes. */
constexpr std::uint8_t kErfTypeEthernet = 2;
constexpr std::uint8_t kErfTypeInfiniBand = 21;

/**
 * What the frame inside a capture record is. Maps onto the decoders: Ethernet and InfiniBand
 * go to DecodePacket (LinkKind), EtherTypePayload to DecodeFromEtherType.
 */
enum class FrameKind : std::uint8_t
{
    Ethernet,         ///< an Ethernet frame, destination MAC first
    EtherTypePayload, ///< the payload of an Ethernet frame; LinkFrame::etherType says what it is
    InfiniBand,       ///< a native InfiniBand packet, LRH first (ends with ICRC and VCRC)
    Unsupported,      ///< a record of a kind that is not decoded (ERF types other than 2 and 21)
    BadLinkHeader,    ///< the link header is cut short or inconsistent; nothing to decode
};

const char* FrameKindName(FrameKind kind);

/**
 * Where the frame to decode sits inside one capture record. Offsets and lengths count bytes of
 * the record as libpcap returns it; Frame bytes are record[offset, offset + length).
 */
struct LinkFrame
{
    FrameKind kind{FrameKind::BadLinkHeader};
    /**
     * For EtherTypePayload: the protocol field of the Linux cooked header. Values of 0x0600 and
     * up are EtherTypes (0x8100 means a VLAN tag follows, as libpcap re-inserts it); smaller
     * values are Linux ETH_P_ numbers (e.g. 4 = 802.2 LLC), not EtherTypes.
     */
    std::uint16_t etherType{0};
    std::uint32_t offset{0};     ///< first byte of the frame in the record
    std::uint32_t length{0};     ///< captured bytes of the frame
    std::uint32_t wireLength{0}; ///< length of the frame on the wire (ERF: wlen, counts the FCS)
    /** ERF only: the record's own timestamp, which is finer than the pcap record's. */
    bool hasOwnTimestamp{false};
    std::int64_t ownTimestampNs{0};

    /** Snap-truncated: fewer bytes were captured than were on the wire. */
    bool Truncated() const { return length < wireLength; }
};

/** Whether LocateFrame understands records of this pcap link type. */
bool IsSupportedLinkType(int linkType);

/** "EN10MB (Ethernet)"-style name of a link type, from libpcap; "unknown" when it has none. */
std::string LinkTypeName(int linkType);

/** LocateFrame for the link types with a header to strip (cooked, ERF) and unknown ones. */
LinkFrame LocateFrameBehindHeader(int linkType,
                                  const std::uint8_t* record,
                                  std::uint32_t capturedLength,
                                  std::uint32_t wireLength);

/**
 * Finds the frame inside one record of a capture of the given link type and writes it to
 * `frame`. `capturedLength` bytes are at `record`; `wireLength` is the record's original length.
 * Never reads past the captured bytes; a header that does not fit yields BadLinkHeader. Inline,
 * writing in place, for the per-packet loop: the common link types need no parsing at all.
 */
inline void
LocateFrame(int linkType,
            const std::uint8_t* record,
            std::uint32_t capturedLength,
            std::uint32_t wireLength,
            LinkFrame& frame)
{
    if (linkType == link_type::kEthernet || linkType == link_type::kInfiniBand)
    {
        frame.kind = linkType == link_type::kEthernet ? FrameKind::Ethernet : FrameKind::InfiniBand;
        frame.etherType = 0;
        frame.offset = 0;
        frame.length = capturedLength;
        frame.wireLength = wireLength;
        frame.hasOwnTimestamp = false;
        return;
    }
    frame = LocateFrameBehindHeader(linkType, record, capturedLength, wireLength);
}

/** The ERF 64-bit little-endian 32.32 fixed-point timestamp in nanoseconds, rounded. */
std::int64_t ErfTimestampToNs(std::uint64_t erfTimestamp);

} // namespace fab::dpi

#endif
