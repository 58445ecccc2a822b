#ifndef FABRICSCOPE_DPI_PACKET_DECODER_H
#define FABRICSCOPE_DPI_PACKET_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/bth-decoder.h"
#include "dpi/ethernet-decoder.h"
#include "dpi/extended-header-decoder.h"
#include "dpi/grh-decoder.h"
#include "dpi/icrc.h"
#include "dpi/ip-fields.h"
#include "dpi/lldp-decoder.h"
#include "dpi/lrh-decoder.h"
#include "dpi/pfc-decoder.h"
#include "dpi/tcp-decoder.h"
#include "dpi/udp-decoder.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

/** What the first byte of a captured packet is; the capture reader maps link types to these. */
enum class LinkKind : std::uint8_t
{
    Ethernet,   ///< DLT_EN10MB; also a Linux cooked capture's payload (see DecodeFromEtherType)
    InfiniBand, ///< DLT_INFINIBAND (247), and ERF type 21 after the ERF header: the LRH
};

/** One bit per layer a packet was found to carry. */
enum class Layer : std::uint32_t
{
    Ethernet = 1u << 0,
    Vlan = 1u << 1,
    Ipv4 = 1u << 2,
    Ipv6 = 1u << 3,
    Udp = 1u << 4,
    Tcp = 1u << 5,
    Roce = 1u << 6,   ///< RoCEv2: UDP to the RoCE port
    RoceV1 = 1u << 7, ///< EtherType 0x8915: GRH and IB transport straight over Ethernet
    Ib = 1u << 8,     ///< native InfiniBand: an LRH
    Grh = 1u << 9,
    Bth = 1u << 10, ///< an IB transport header was decoded (RoCEv2, RoCEv1 or native)
    Cnp = 1u << 11,
    Pfc = 1u << 12,
    Pause = 1u << 13,
    Lldp = 1u << 14,
};

struct DecodeOptions
{
    /** Check ICRC and VCRC. They cost a CRC over every payload byte: the one per-byte cost. */
    bool verifyCrcs{true};
    /** A second UDP destination port carrying RoCEv2 (mirrors that rewrite 4791); 0 = none. */
    std::uint16_t extraRoceUdpPort{0};
};

/**
 * Everything decoded from one packet, flat and fixed-size so a packet loop reuses one instance
 * and never allocates. Only the fields of layers in `layers` are meaningful; the rest are zero.
 * Offsets count bytes from the start of the packet given to the decoder. LLDP text fields view
 * the packet's bytes.
 */
struct DecodedPacket
{
    LinkKind link{LinkKind::Ethernet};
    std::uint32_t layers{0};
    /** The anomaly that ended the walk early; None when every layer found was decoded. */
    Anomaly stopReason{Anomaly::None};
    /** Every anomaly of the packet: the stop reason and the notes taken on the way. */
    AnomalySet anomalies;
    std::uint32_t capturedLength{0};
    std::uint32_t wireLength{0};

    EthernetFields ethernet;
    std::uint32_t ipOffset{0};
    IpFields ip;
    std::uint32_t transportOffset{0}; ///< the UDP or TCP header
    UdpFields udp;
    TcpFields tcp;

    LrhFields lrh;
    GrhFields grh;
    std::uint32_t bthOffset{0};
    BthFields bth;
    ExtendedHeaders ext;
    /** The IB message payload: after the extended headers, before pad and ICRC. */
    std::uint32_t payloadOffset{0};
    std::uint32_t payloadLength{0};
    CrcStatus icrc{CrcStatus::Absent};
    CrcStatus vcrc{CrcStatus::Absent};

    MacControlFields macControl;
    LldpFields lldp;

    bool Has(Layer layer) const { return (layers & static_cast<std::uint32_t>(layer)) != 0; }
};

/**
 * Decodes one packet layer by layer. `capturedLength` bytes are readable; `wireLength` is how
 * long the packet was on the wire (a snap length makes it longer than what was captured).
 * Resets `out`, fills it, adds the packet's anomalies to `counts` and returns the anomaly that
 * ended the walk (None if none did). Never throws, never allocates, never reads past
 * `capturedLength`.
 */
Anomaly DecodePacket(LinkKind link,
                     const std::uint8_t* bytes,
                     std::size_t capturedLength,
                     std::size_t wireLength,
                     DecodedPacket& out,
                     AnomalyCounts& counts,
                     const DecodeOptions& options = {});

/**
 * The same for a packet whose link header is gone and whose EtherType is known, such as the
 * payload of a Linux cooked (SLL/SLL2) capture with the protocol field given.
 */
Anomaly DecodeFromEtherType(std::uint16_t etherType,
                            const std::uint8_t* bytes,
                            std::size_t capturedLength,
                            std::size_t wireLength,
                            DecodedPacket& out,
                            AnomalyCounts& counts,
                            const DecodeOptions& options = {});

} // namespace fab::dpi

#endif
