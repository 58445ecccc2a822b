#include "dpi/packet-decoder.h"

#include "dpi/ipv4-decoder.h"
#include "dpi/ipv6-decoder.h"
#include "dpi/opcode-table.h"
#include "dpi/vlan-decoder.h"

#include <algorithm>

namespace fab::dpi
{
namespace
{

/**
 * The state of one walk down the layers. `offset` is where the next layer starts; `end` is where
 * the enclosing layer says it ends (IP total length, UDP length, LRH packet length), which may
 * lie past what was captured and, in a malformed frame, past the wire length. Readers stop at
 * whichever of `end` and the captured length comes first.
 */
struct Walk
{
    const std::uint8_t* bytes;
    std::size_t captured;
    std::size_t wire;
    const DecodeOptions& options;
    DecodedPacket& out;
    std::size_t offset;
    std::size_t end;
    std::uint16_t etherType;
    std::uint8_t vlanDepth;

    ByteReader Reader() const
    {
        std::size_t limit = std::min(captured, end);
        return ByteReader(bytes + offset, limit > offset ? limit - offset : 0);
    }

    void Note(Anomaly anomaly) { out.anomalies.Add(anomaly); }

    void Stop(Anomaly anomaly)
    {
        out.stopReason = anomaly;
        out.anomalies.Add(anomaly);
    }

    void Add(Layer layer) { out.layers |= static_cast<std::uint32_t>(layer); }
};

using Walker = void (*)(Walk&);

void WalkVlan(Walk& walk);
void WalkIpv4(Walk& walk);
void WalkIpv6(Walk& walk);
void WalkMacControl(Walk& walk);
void WalkLldp(Walk& walk);
void WalkRoceV1(Walk& walk);
void WalkUdp(Walk& walk);
void WalkTcp(Walk& walk);
void WalkRoceV2(Walk& walk);

// Dispatch tables: a new protocol is a row, not another branch. Most frequent first.
struct EtherTypeRoute
{
    std::uint16_t etherType;
    Walker walk;
};

constexpr EtherTypeRoute kEtherTypeRoutes[] = {
    {kEtherTypeIpv4, &WalkIpv4},
    {kEtherTypeIpv6, &WalkIpv6},
    {kEtherTypeVlan, &WalkVlan},
    {kEtherTypeQinQ, &WalkVlan},
    {kEtherTypeQinQLegacy, &WalkVlan},
    {kEtherTypeMacControl, &WalkMacControl},
    {kEtherTypeLldp, &WalkLldp},
    {kEtherTypeRoceV1, &WalkRoceV1},
};

struct IpProtocolRoute
{
    std::uint8_t protocol;
    Walker walk;
};

constexpr IpProtocolRoute kIpProtocolRoutes[] = {
    {kIpProtocolUdp, &WalkUdp},
    {kIpProtocolTcp, &WalkTcp},
};

/** UDP routes go by destination port: RoCEv2 senders pick the source port for ECMP entropy. */
struct UdpPortRoute
{
    std::uint16_t destinationPort;
    Walker walk;
};

constexpr UdpPortRoute kUdpPortRoutes[] = {
    {kRoceV2UdpPort, &WalkRoceV2},
};

void
DispatchEtherType(Walk& walk, std::uint16_t etherType)
{
    walk.etherType = etherType;
    for (const EtherTypeRoute& route : kEtherTypeRoutes)
    {
        if (route.etherType == etherType)
        {
            route.walk(walk);
            return;
        }
    }
}

void
DispatchIpProtocol(Walk& walk, std::uint8_t protocol)
{
    for (const IpProtocolRoute& route : kIpProtocolRoutes)
    {
        if (route.protocol == protocol)
        {
            route.walk(walk);
            return;
        }
    }
}

void
WalkEthernet(Walk& walk)
{
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeEthernet(reader, walk.out.ethernet);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Ethernet);
    walk.offset += reader.Offset();
    DispatchEtherType(walk, walk.out.ethernet.etherType);
}

void
WalkVlan(Walk& walk)
{
    EthernetFields& ethernet = walk.out.ethernet;
    if (walk.vlanDepth == kMaxVlanTags)
    {
        walk.Stop(Anomaly::TooManyVlanTags);
        return;
    }
    ByteReader reader = walk.Reader();
    std::uint16_t next = 0;
    Anomaly status = DecodeVlanTag(reader, walk.etherType, ethernet.vlans[walk.vlanDepth], next);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Vlan);
    ethernet.vlanCount = ++walk.vlanDepth;
    ethernet.etherType = next;
    walk.offset += reader.Offset();
    DispatchEtherType(walk, next);
}

/** What IPv4 and IPv6 share once the header is decoded: bounds, fragments, the next protocol. */
void
ContinueAfterIp(Walk& walk, std::size_t start, Anomaly lengthExceedsFrame, Anomaly fragment)
{
    const IpFields& ip = walk.out.ip;
    walk.out.ipOffset = static_cast<std::uint32_t>(start);
    std::size_t ipEnd = start + ip.totalLength;
    if (ipEnd > walk.wire)
    {
        // Kept as claimed: the ICRC then falls outside the capture and is reported unchecked.
        walk.Note(lengthExceedsFrame);
    }
    if (ip.fragmented)
    {
        walk.Note(fragment);
        return; // a fragment's transport header and payload are not whole
    }
    walk.offset = start + ip.headerLength;
    walk.end = ipEnd;
    DispatchIpProtocol(walk, ip.protocol);
}

void
WalkIpv4(Walk& walk)
{
    std::size_t start = walk.offset;
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeIpv4(reader, walk.out.ip);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Ipv4);
    ContinueAfterIp(walk, start, Anomaly::Ipv4LengthExceedsFrame, Anomaly::Ipv4Fragment);
}

void
WalkIpv6(Walk& walk)
{
    std::size_t start = walk.offset;
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeIpv6(reader, walk.out.ip);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Ipv6);
    if (walk.out.ip.headerLength > walk.out.ip.totalLength)
    {
        walk.Stop(Anomaly::TruncatedIpv6ExtensionHeader); // longer than the payload length allows
        return;
    }
    ContinueAfterIp(walk, start, Anomaly::Ipv6LengthExceedsFrame, Anomaly::Ipv6Fragment);
}

void
WalkUdp(Walk& walk)
{
    std::size_t start = walk.offset;
    ByteReader reader = walk.Reader();
    UdpFields& udp = walk.out.udp;
    Anomaly status = DecodeUdp(reader, udp);
    if (status == Anomaly::TruncatedUdp)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Udp);
    walk.out.transportOffset = static_cast<std::uint32_t>(start);
    if (status != Anomaly::None || start + udp.length > walk.end)
    {
        walk.Stop(Anomaly::BadUdpLength);
        return;
    }
    walk.offset = start + kUdpHeaderBytes;
    walk.end = start + udp.length;
    for (const UdpPortRoute& route : kUdpPortRoutes)
    {
        if (route.destinationPort == udp.destinationPort)
        {
            route.walk(walk);
            return;
        }
    }
    if (walk.options.extraRoceUdpPort != 0 && udp.destinationPort == walk.options.extraRoceUdpPort)
    {
        WalkRoceV2(walk);
    }
}

void
WalkTcp(Walk& walk)
{
    std::size_t start = walk.offset;
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeTcp(reader, walk.out.tcp);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Tcp);
    walk.out.transportOffset = static_cast<std::uint32_t>(start);
}

/**
 * Checks the ICRC at `icrcAt` (offset in the packet) against the CRC computed from `crcStart`.
 * A packet the capture cut short cannot be checked, and says so.
 */
void
CheckIcrc(
    Walk& walk, IcrcScope scope, std::size_t crcStart, std::size_t headerLength, std::size_t icrcAt)
{
    DecodedPacket& out = walk.out;
    if (icrcAt + kIcrcBytes > walk.captured)
    {
        out.icrc = CrcStatus::NotChecked;
        walk.Note(Anomaly::IcrcNotChecked);
        return;
    }
    if (!walk.options.verifyCrcs)
    {
        out.icrc = CrcStatus::NotChecked;
        return;
    }
    std::uint32_t computed
        = ComputeIcrc(scope, walk.bytes + crcStart, headerLength, icrcAt - crcStart);
    if (computed == ReadIcrc(walk.bytes + icrcAt))
    {
        out.icrc = CrcStatus::Ok;
    }
    else
    {
        out.icrc = CrcStatus::Bad;
        walk.Note(Anomaly::BadIcrc);
    }
}

/**
 * The IB transport, wherever it travels: BTH, the extended headers its opcode calls for, then
 * payload, pad and ICRC up to `walk.end`. `crcStart` and `headerLength` locate the headers the
 * ICRC starts with.
 */
void
WalkIbTransport(Walk& walk, IcrcScope scope, std::size_t crcStart, std::size_t headerLength)
{
    DecodedPacket& out = walk.out;
    std::size_t start = walk.offset;
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeBth(reader, out.bth, out.anomalies);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Bth);
    out.bthOffset = static_cast<std::uint32_t>(start);
    const OpcodeInfo& opcode = LookupOpcode(out.bth.opcode);
    if (!opcode.known)
    {
        walk.Note(Anomaly::UnknownOpcode); // its headers are unknown: all after the BTH is payload
    }
    else if (TransportOf(out.bth.opcode) == Transport::Cnp)
    {
        walk.Add(Layer::Cnp);
    }
    status = DecodeExtendedHeaders(reader, opcode.headers, out.ext, out.anomalies);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    std::size_t headersEnd = start + reader.Offset();
    if (walk.end < headersEnd + kIcrcBytes)
    {
        walk.Stop(Anomaly::TruncatedIcrc);
        return;
    }
    std::size_t icrcAt = walk.end - kIcrcBytes;
    std::size_t padded = icrcAt - headersEnd;
    out.payloadOffset = static_cast<std::uint32_t>(headersEnd);
    if (out.bth.padCount > padded)
    {
        walk.Note(Anomaly::BadPadCount);
    }
    else
    {
        out.payloadLength = static_cast<std::uint32_t>(padded - out.bth.padCount);
    }
    CheckIcrc(walk, scope, crcStart, headerLength, icrcAt);
}

void
WalkRoceV2(Walk& walk)
{
    walk.Add(Layer::Roce);
    const IpFields& ip = walk.out.ip;
    IcrcScope scope = ip.version == 4 ? IcrcScope::RoceV2Ipv4 : IcrcScope::RoceV2Ipv6;
    WalkIbTransport(walk, scope, walk.out.ipOffset, ip.headerLength);
}

void
WalkRoceV1(Walk& walk)
{
    std::size_t start = walk.offset;
    ByteReader reader = walk.Reader();
    GrhFields& grh = walk.out.grh;
    Anomaly status = DecodeGrh(reader, grh);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::RoceV1);
    walk.Add(Layer::Grh);
    if (grh.nextHeader != kGrhNextHeaderBth)
    {
        return; // raw IPv6 or another non-IBA payload: nothing of ours follows
    }
    std::size_t grhEnd = start + kGrhBytes + grh.payloadLength;
    if (grhEnd > walk.wire)
    {
        walk.Note(Anomaly::BadGrhPayloadLength);
    }
    walk.offset = start + kGrhBytes;
    walk.end = grhEnd;
    WalkIbTransport(walk, IcrcScope::RoceV1, start, kGrhBytes);
}

void
WalkMacControl(Walk& walk)
{
    ByteReader reader = walk.Reader();
    MacControlFields& control = walk.out.macControl;
    Anomaly status = DecodeMacControl(reader, control, walk.out.anomalies);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    if (control.IsPfc())
    {
        walk.Add(Layer::Pfc);
        if (walk.out.Has(Layer::Ethernet)
            && walk.out.ethernet.destination != kMacControlDestination)
        {
            walk.Note(Anomaly::BadPfcDestination);
        }
    }
    else
    {
        walk.Add(Layer::Pause);
    }
}

void
WalkLldp(Walk& walk)
{
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeLldp(reader, walk.out.lldp, walk.out.anomalies);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Lldp);
}

/** The VCRC closes a native IB packet after the LRH's PktLen; some captures leave it out. */
void
CheckVcrc(Walk& walk, std::size_t packetBytes)
{
    DecodedPacket& out = walk.out;
    if (walk.wire < packetBytes + kVcrcBytes)
    {
        out.vcrc = CrcStatus::Absent;
    }
    else if (walk.captured < packetBytes + kVcrcBytes)
    {
        out.vcrc = CrcStatus::NotChecked;
        walk.Note(Anomaly::VcrcNotChecked);
    }
    else if (!walk.options.verifyCrcs)
    {
        out.vcrc = CrcStatus::NotChecked;
    }
    else if (ComputeVcrc(walk.bytes, packetBytes) == ReadVcrc(walk.bytes + packetBytes))
    {
        out.vcrc = CrcStatus::Ok;
    }
    else
    {
        out.vcrc = CrcStatus::Bad;
        walk.Note(Anomaly::BadVcrc);
    }
}

void
WalkInfiniBand(Walk& walk)
{
    DecodedPacket& out = walk.out;
    ByteReader reader = walk.Reader();
    Anomaly status = DecodeLrh(reader, out.lrh);
    if (status != Anomaly::None)
    {
        walk.Stop(status);
        return;
    }
    walk.Add(Layer::Ib);
    std::size_t packetBytes = out.lrh.PacketBytes();
    if (packetBytes < kLrhBytes || packetBytes > walk.wire)
    {
        walk.Stop(Anomaly::BadLrhPacketLength);
        return;
    }
    CheckVcrc(walk, packetBytes);
    walk.offset = kLrhBytes;
    walk.end = packetBytes;
    IcrcScope scope = IcrcScope::IbLocal;
    if (out.lrh.nextHeader == LinkNextHeader::IbaGlobal)
    {
        reader = walk.Reader();
        status = DecodeGrh(reader, out.grh);
        if (status != Anomaly::None)
        {
            walk.Stop(status);
            return;
        }
        walk.Add(Layer::Grh);
        if (kLrhBytes + kGrhBytes + out.grh.payloadLength != packetBytes)
        {
            walk.Note(Anomaly::BadGrhPayloadLength);
        }
        if (out.grh.nextHeader != kGrhNextHeaderBth)
        {
            return;
        }
        walk.offset += kGrhBytes;
        scope = IcrcScope::IbGlobal;
    }
    else if (out.lrh.nextHeader != LinkNextHeader::IbaLocal)
    {
        return; // raw packets carry no BTH
    }
    WalkIbTransport(walk, scope, 0, 0);
}

Walk
StartWalk(LinkKind link,
          const std::uint8_t* bytes,
          std::size_t capturedLength,
          std::size_t wireLength,
          DecodedPacket& out,
          const DecodeOptions& options)
{
    out = DecodedPacket{};
    out.link = link;
    // A wire length below the captured one is a broken record header; trust the bytes.
    std::size_t wire = std::max(wireLength, capturedLength);
    out.capturedLength = static_cast<std::uint32_t>(capturedLength);
    out.wireLength = static_cast<std::uint32_t>(wire);
    return Walk{bytes, capturedLength, wire, options, out, 0, wire, 0, 0};
}

} // namespace

Anomaly
DecodePacket(LinkKind link,
             const std::uint8_t* bytes,
             std::size_t capturedLength,
             std::size_t wireLength,
             DecodedPacket& out,
             AnomalyCounts& counts,
             const DecodeOptions& options)
{
    Walk walk = StartWalk(link, bytes, capturedLength, wireLength, out, options);
    if (link == LinkKind::InfiniBand)
    {
        WalkInfiniBand(walk);
    }
    else
    {
        WalkEthernet(walk);
    }
    counts.Add(out.anomalies);
    return out.stopReason;
}

Anomaly
DecodeFromEtherType(std::uint16_t etherType,
                    const std::uint8_t* bytes,
                    std::size_t capturedLength,
                    std::size_t wireLength,
                    DecodedPacket& out,
                    AnomalyCounts& counts,
                    const DecodeOptions& options)
{
    Walk walk = StartWalk(LinkKind::Ethernet, bytes, capturedLength, wireLength, out, options);
    out.ethernet.etherType = etherType;
    DispatchEtherType(walk, etherType);
    counts.Add(out.anomalies);
    return out.stopReason;
}

} // namespace fab::dpi
