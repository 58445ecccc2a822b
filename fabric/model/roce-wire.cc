#include "fabric/model/roce-wire.h"

#include <algorithm>
#include <cstring>

namespace ns3::fabric
{
namespace
{

/** Big-endian writer over a fixed buffer; the caller sized the buffer for the whole header. */
class ByteWriter
{
public:
    explicit ByteWriter(std::uint8_t* out)
    : m_out(out)
    {
    }

    void U8(std::uint8_t v) { m_out[m_pos++] = v; }

    void U16(std::uint16_t v)
    {
        U8(static_cast<std::uint8_t>(v >> 8));
        U8(static_cast<std::uint8_t>(v));
    }

    void U24(std::uint32_t v)
    {
        U8(static_cast<std::uint8_t>(v >> 16));
        U16(static_cast<std::uint16_t>(v));
    }

    void U32(std::uint32_t v)
    {
        U16(static_cast<std::uint16_t>(v >> 16));
        U16(static_cast<std::uint16_t>(v));
    }

    void U64(std::uint64_t v)
    {
        U32(static_cast<std::uint32_t>(v >> 32));
        U32(static_cast<std::uint32_t>(v));
    }

    void Bytes(const std::uint8_t* data, std::size_t size)
    {
        std::memcpy(m_out + m_pos, data, size);
        m_pos += size;
    }

    std::size_t Position() const { return m_pos; }

private:
    std::uint8_t* m_out;
    std::size_t m_pos{0};
};

} // namespace

std::uint16_t
Ipv4HeaderChecksum(const std::uint8_t* header)
{
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < kIpv4Bytes; i += 2)
    {
        if (i == 10)
        {
            continue;
        }
        sum += static_cast<std::uint32_t>((header[i] << 8) | header[i + 1]);
    }
    while (sum >> 16)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(~sum);
}

std::uint32_t
ComputeIcrc(const std::uint8_t* bytes,
            std::size_t size,
            std::size_t ipOffset,
            std::uint32_t trailingZeros,
            Crc32ZeroExtender& zeros)
{
    static const std::uint8_t kOnes[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    std::uint8_t masked[kIpv4Bytes + kUdpBytes + kBthBytes];
    std::memcpy(masked, bytes + ipOffset, sizeof masked);
    masked[1] = 0xFF;                                       // TOS
    masked[8] = 0xFF;                                       // TTL
    masked[10] = masked[11] = 0xFF;                         // header checksum
    masked[kIpv4Bytes + 6] = masked[kIpv4Bytes + 7] = 0xFF; // UDP checksum
    masked[kIpv4Bytes + kUdpBytes + 4] = 0xFF;              // BTH FECN, BECN, reserved
    std::uint32_t reg = Crc32Update(kCrc32Init, kOnes, sizeof kOnes);
    reg = Crc32Update(reg, masked, sizeof masked);
    std::size_t rest = ipOffset + sizeof masked;
    reg = Crc32Update(reg, bytes + rest, size - rest);
    reg = zeros.Extend(reg, trailingZeros);
    return Crc32Finish(reg);
}

void
WriteRoceFrame(Frame& frame, const RocePacketSpec& spec, Crc32ZeroExtender& zeros)
{
    std::uint32_t payload = (spec.payloadBytes + 3) & ~3u;
    std::uint8_t pad = static_cast<std::uint8_t>(payload - spec.payloadBytes);
    std::size_t extension = (spec.reth ? kRethBytes : 0) + (spec.aeth ? kAethBytes : 0);
    bool cnp = spec.opcode == BthOpcode::Cnp;
    std::uint32_t zeroBytes = payload + (cnp ? kCnpReservedBytes : 0);
    std::uint16_t udpLength
        = static_cast<std::uint16_t>(kUdpBytes + kBthBytes + extension + zeroBytes + kIcrcBytes);

    ByteWriter w(frame.header.data());
    w.Bytes(spec.dstMac.data(), 6);
    w.Bytes(spec.srcMac.data(), 6);
    if (spec.vlanId)
    {
        w.U16(kEtherTypeVlan);
        w.U16(static_cast<std::uint16_t>((spec.priority & 0x7) << 13 | (*spec.vlanId & 0x0FFF)));
    }
    w.U16(kEtherTypeIpv4);
    std::size_t ip = w.Position();
    w.U8(0x45);
    w.U8(static_cast<std::uint8_t>((spec.dscp << 2) | (spec.ecn & 0x3)));
    w.U16(static_cast<std::uint16_t>(kIpv4Bytes + udpLength));
    w.U16(spec.ipId);
    w.U16(0x4000); // don't fragment
    w.U8(spec.ttl);
    w.U8(17); // UDP
    w.U16(0); // checksum, below
    w.U32(spec.srcIp);
    w.U32(spec.dstIp);
    std::uint16_t checksum = Ipv4HeaderChecksum(&frame.header[ip]);
    frame.header[ip + 10] = static_cast<std::uint8_t>(checksum >> 8);
    frame.header[ip + 11] = static_cast<std::uint8_t>(checksum);
    w.U16(spec.udpSrcPort);
    w.U16(kRoceUdpPort);
    w.U16(udpLength);
    w.U16(0); // UDP checksum unused, as RoCEv2 NICs send it
    w.U8(static_cast<std::uint8_t>(spec.opcode));
    w.U8(static_cast<std::uint8_t>((spec.solicitedEvent ? 0x80 : 0)
                                   | (pad & 0x3) << 4)); // M = 0, TVer = 0
    w.U16(spec.pkey);
    w.U8(static_cast<std::uint8_t>((spec.fecn ? 0x80 : 0) | (spec.becn ? 0x40 : 0)));
    w.U24(spec.destQp);
    w.U8(spec.ackRequest ? 0x80 : 0);
    w.U24(spec.psn);
    if (spec.reth)
    {
        w.U64(spec.rethVirtualAddress);
        w.U32(spec.rethRkey);
        w.U32(spec.rethDmaLength);
    }
    if (spec.aeth)
    {
        w.U32(*spec.aeth);
    }
    frame.headerBytes = static_cast<std::uint16_t>(w.Position());
    frame.zeroBytes = zeroBytes;
    frame.SetIcrc(ComputeIcrc(frame.header.data(), frame.headerBytes, ip, zeroBytes, zeros));
    frame.trailerBytes = kIcrcBytes;
    frame.kind = FrameKind::Roce;
    SetBthMetadata(frame, spec);
    frame.priority = spec.priority;
    frame.ipOffset = static_cast<std::uint8_t>(ip);
}

std::uint32_t
EndpointIpv4(std::uint32_t endpoint)
{
    return (10u << 24) | ((endpoint + 1) & 0x00FFFFFF);
}

MacBytes
MakeMac(std::uint8_t kind, std::uint32_t id)
{
    return {0x02,
            0xFA,
            kind,
            static_cast<std::uint8_t>(id >> 16),
            static_cast<std::uint8_t>(id >> 8),
            static_cast<std::uint8_t>(id)};
}

} // namespace ns3::fabric
