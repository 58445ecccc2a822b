#include "fabric/model/ib-wire.h"

#include "fabric/model/big-endian.h"

#include <cstring>

namespace ns3::fabric
{

std::uint32_t
ComputeIbIcrc(const std::uint8_t* bytes,
              std::size_t size,
              std::uint32_t trailingZeros,
              Crc32ZeroExtender& zeros)
{
    std::uint8_t masked[kLrhBytes + kBthBytes];
    std::memcpy(masked, bytes, sizeof masked);
    masked[0] |= 0xF0;            // VL
    masked[kLrhBytes + 4] = 0xFF; // BTH FECN, BECN, reserved
    std::uint32_t reg = Crc32Update(kCrc32Init, masked, sizeof masked);
    reg = Crc32Update(reg, bytes + sizeof masked, size - sizeof masked);
    return Crc32Finish(zeros.Extend(reg, trailingZeros));
}

std::uint16_t
ComputeVcrc(const Frame& frame, Crc16ZeroExtender& zeros)
{
    std::uint16_t reg = Crc16Update(kCrc16Init, frame.header.data(), frame.headerBytes);
    reg = zeros.Extend(reg, frame.zeroBytes);
    reg = Crc16Update(reg, frame.trailer.data(), kIcrcBytes);
    return Crc16Finish(reg);
}

void
WriteIbFrame(Frame& frame,
             const IbPacketSpec& spec,
             Crc32ZeroExtender& zeros32,
             Crc16ZeroExtender& zeros16)
{
    std::uint32_t payload = (spec.payloadBytes + 3) & ~3u;
    std::uint8_t pad = static_cast<std::uint8_t>(payload - spec.payloadBytes);
    std::size_t header
        = kLrhBytes + kBthBytes + (spec.reth ? kRethBytes : 0) + (spec.aeth ? kAethBytes : 0);
    auto words = static_cast<std::uint16_t>((header + payload + kIcrcBytes) / 4);
    std::uint8_t* h = frame.header.data();
    h[0] = static_cast<std::uint8_t>((spec.vl & 0xF) << 4);       // LVer 0
    h[1] = static_cast<std::uint8_t>((spec.sl & 0xF) << 4 | 0x2); // LNH: IBA local, BTH next
    Put16(h + 2, spec.dlid);
    Put16(h + 4, static_cast<std::uint16_t>(words & 0x7FF));
    Put16(h + 6, spec.slid);
    std::uint8_t* b = h + kLrhBytes;
    b[0] = static_cast<std::uint8_t>(spec.opcode);
    b[1] = static_cast<std::uint8_t>((pad & 0x3) << 4);
    Put16(b + 2, spec.pkey);
    Put32(b + 4,
          (spec.fecn ? 0x80000000u : 0) | (spec.becn ? 0x40000000u : 0) | (spec.destQp & 0xFFFFFF));
    Put32(b + 8, (spec.ackRequest ? 0x80000000u : 0) | (spec.psn & 0xFFFFFF));
    if (spec.reth)
    {
        Put32(b + 12, static_cast<std::uint32_t>(spec.rethVirtualAddress >> 32));
        Put32(b + 16, static_cast<std::uint32_t>(spec.rethVirtualAddress));
        Put32(b + 20, spec.rethRkey);
        Put32(b + 24, spec.rethDmaLength);
    }
    if (spec.aeth)
    {
        Put32(b + 12 + (spec.reth ? kRethBytes : 0), *spec.aeth);
    }
    frame.headerBytes = static_cast<std::uint16_t>(header);
    frame.zeroBytes = payload;
    frame.SetIcrc(ComputeIbIcrc(h, header, payload, zeros32));
    frame.trailerBytes = kIcrcBytes + kVcrcBytes;
    std::uint16_t vcrc = ComputeVcrc(frame, zeros16);
    frame.trailer[4] = static_cast<std::uint8_t>(vcrc);
    frame.trailer[5] = static_cast<std::uint8_t>(vcrc >> 8);
    frame.kind = FrameKind::Infiniband;
    SetBthMetadata(frame, spec);
    frame.priority = spec.sl & 7;
    frame.ipOffset = 0;
}

bool
MarkIbFecn(Frame& frame, Crc16ZeroExtender& zeros)
{
    std::uint8_t& flags = frame.header[kLrhBytes + 4];
    if ((flags & 0x80) != 0)
    {
        return false;
    }
    flags |= 0x80;
    std::uint16_t vcrc = ComputeVcrc(frame, zeros);
    frame.trailer[4] = static_cast<std::uint8_t>(vcrc);
    frame.trailer[5] = static_cast<std::uint8_t>(vcrc >> 8);
    return true;
}

} // namespace ns3::fabric
