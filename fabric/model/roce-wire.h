#ifndef FABRICSCOPE_FABRIC_ROCE_WIRE_H
#define FABRICSCOPE_FABRIC_ROCE_WIRE_H

#include "fabric/model/crc32.h"
#include "fabric/model/frame.h"

#include <array>
#include <cstdint>
#include <optional>

namespace ns3::fabric
{

using MacBytes = std::array<std::uint8_t, 6>;

/** Layout constants of the RoCEv2 frames we write (REFERENCE.md). */
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeVlan = 0x8100;
inline constexpr std::uint16_t kRoceUdpPort = 4791;
inline constexpr std::size_t kEthernetBytes = 14;
inline constexpr std::size_t kVlanBytes = 4;
inline constexpr std::size_t kIpv4Bytes = 20;
inline constexpr std::size_t kUdpBytes = 8;
inline constexpr std::size_t kBthBytes = 12;
inline constexpr std::size_t kRethBytes = 16;
inline constexpr std::size_t kAethBytes = 4;
inline constexpr std::size_t kIcrcBytes = 4;
inline constexpr std::size_t kCnpReservedBytes = 16;

/** BTH opcodes used here (IBA 9.2: RC 0x00–0x1F, UD 0x60–0x7F, CNP 0x81). */
enum class BthOpcode : std::uint8_t
{
    RcSendFirst = 0x00,
    RcSendMiddle = 0x01,
    RcSendLast = 0x02,
    RcSendOnly = 0x04,
    RcWriteFirst = 0x06,
    RcWriteMiddle = 0x07,
    RcWriteLast = 0x08,
    RcWriteOnly = 0x0A,
    RcAcknowledge = 0x11,
    UdSendOnly = 0x64,
    Cnp = 0x81,
};

/** The fields of one RoCEv2 packet; what is absent is not written. */
struct RocePacketSpec
{
    MacBytes srcMac{};
    MacBytes dstMac{};
    std::optional<std::uint16_t> vlanId; ///< 802.1Q tag carrying `priority` as PCP
    std::uint8_t priority{3};
    std::uint32_t srcIp{0};
    std::uint32_t dstIp{0};
    std::uint8_t dscp{26};
    std::uint8_t ecn{0b10}; ///< ECT(0)
    std::uint8_t ttl{64};
    std::uint16_t ipId{0};
    std::uint16_t udpSrcPort{0xC000};
    BthOpcode opcode{BthOpcode::RcWriteOnly};
    bool solicitedEvent{false};
    bool fecn{false};
    bool becn{false};
    std::uint16_t pkey{0xFFFF};
    std::uint32_t destQp{0};
    bool ackRequest{false};
    std::uint32_t psn{0};
    bool reth{false}; ///< RDMA extended header (WRITE FIRST / ONLY)
    std::uint64_t rethVirtualAddress{0};
    std::uint32_t rethRkey{0};
    std::uint32_t rethDmaLength{0};
    std::optional<std::uint32_t> aeth; ///< syndrome << 24 | MSN
    std::uint32_t payloadBytes{0};     ///< zeros, padded to 4 bytes
};

/**
 * Writes a RoCEv2 frame: headers into `frame.header`, the payload as zeros, and the ICRC. Sets the
 * frame's kind, priority and IP offset. CNPs carry their 16 reserved bytes as payload.
 */
void WriteRoceFrame(Frame& frame, const RocePacketSpec& spec, Crc32ZeroExtender& zeros);

/**
 * The ICRC of a RoCEv2-over-IPv4 frame: CRC-32 over 8 × 0xFF, the IPv4 header with TOS, TTL and
 * checksum set to ones, the UDP header with its checksum set to ones, the BTH with byte 4 set to
 * ones, and everything after it up to the ICRC; `bytes` holds the frame through the last byte
 * before the ICRC except `trailingZeros` zero bytes that follow it.
 */
std::uint32_t ComputeIcrc(const std::uint8_t* bytes,
                          std::size_t size,
                          std::size_t ipOffset,
                          std::uint32_t trailingZeros,
                          Crc32ZeroExtender& zeros);

/** The IPv4 header checksum of `bytes[0..20)` with its checksum field taken as zero. */
std::uint16_t Ipv4HeaderChecksum(const std::uint8_t* header);

/** 10.0.0.0/8 address of an endpoint: 10.a.b.c with a.b.c = endpoint + 1. */
std::uint32_t EndpointIpv4(std::uint32_t endpoint);
/** Locally administered unicast MAC: 02:fa:<kind>:<24-bit id>. */
MacBytes MakeMac(std::uint8_t kind, std::uint32_t id);

} // namespace ns3::fabric

#endif
