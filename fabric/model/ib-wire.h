#ifndef FABRICSCOPE_FABRIC_IB_WIRE_H
#define FABRICSCOPE_FABRIC_IB_WIRE_H

#include "fabric/model/crc32.h"
#include "fabric/model/frame.h"
#include "fabric/model/roce-wire.h"

#include <cstdint>
#include <optional>

namespace ns3::fabric
{

inline constexpr std::size_t kLrhBytes = 8;
inline constexpr std::size_t kVcrcBytes = 2;
/** Link type of native InfiniBand captures: the packet starts with its LRH. */
inline constexpr std::uint32_t kDltInfiniband = 247;

/** A native InfiniBand packet inside one subnet (LRH, LNH = BTH, no GRH). */
struct IbPacketSpec
{
    std::uint8_t vl{0};
    std::uint8_t sl{0};
    std::uint16_t dlid{0};
    std::uint16_t slid{0};
    BthOpcode opcode{BthOpcode::RcWriteOnly};
    bool fecn{false};
    bool becn{false};
    bool ackRequest{false};
    std::uint16_t pkey{0xFFFF};
    std::uint32_t destQp{0};
    std::uint32_t psn{0};
    bool reth{false};
    std::uint64_t rethVirtualAddress{0};
    std::uint32_t rethRkey{0};
    std::uint32_t rethDmaLength{0};
    std::optional<std::uint32_t> aeth; ///< syndrome << 24 | MSN
    std::uint32_t payloadBytes{0};
};

/** Writes LRH, BTH [, RETH], the payload as zeros, the ICRC and the VCRC. */
void WriteIbFrame(Frame& frame,
                  const IbPacketSpec& spec,
                  Crc32ZeroExtender& zeros32,
                  Crc16ZeroExtender& zeros16);

/**
 * ICRC of a local (LRH + BTH) IB packet: CRC-32 over the LRH with its VL set to ones, the BTH
 * with byte 4 set to ones, and the rest up to the ICRC (`trailingZeros` zeros after `bytes`).
 */
std::uint32_t ComputeIbIcrc(const std::uint8_t* bytes,
                            std::size_t size,
                            std::uint32_t trailingZeros,
                            Crc32ZeroExtender& zeros);

/** VCRC: CRC-16 over the packet from the LRH through the ICRC. */
std::uint16_t ComputeVcrc(const Frame& frame, Crc16ZeroExtender& zeros);

/** Sets the BTH FECN bit of an IB frame (switch congestion marking) and fixes its VCRC; the ICRC
 *  masks that byte. Returns false if it was set already. */
bool MarkIbFecn(Frame& frame, Crc16ZeroExtender& zeros);

/** 16-bit LID of an endpoint: endpoint + 1 (LID 0 is reserved). */
inline std::uint16_t
EndpointLid(std::uint32_t endpoint)
{
    return static_cast<std::uint16_t>(endpoint + 1);
}

} // namespace ns3::fabric

#endif
