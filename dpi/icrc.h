#ifndef FABRICSCOPE_DPI_ICRC_H
#define FABRICSCOPE_DPI_ICRC_H

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

inline constexpr std::size_t kIcrcBytes = 4;
inline constexpr std::size_t kVcrcBytes = 2;

/** Whether a packet's CRC was checked and what came of it. */
enum class CrcStatus : std::uint8_t
{
    Absent, ///< the packet has no such CRC (not IB transport, or a capture without VCRC)
    Ok,
    Bad,
    NotChecked, ///< the capture cut the packet, or checking was switched off
};

/** Where the ICRC computation starts and which header sits there. */
enum class IcrcScope : std::uint8_t
{
    RoceV2Ipv4, ///< from the IPv4 header: 8 bytes of 0xFF stand in for the LRH
    RoceV2Ipv6, ///< from the IPv6 header, likewise
    RoceV1,     ///< from the GRH, likewise
    IbLocal,    ///< from the LRH, no GRH
    IbGlobal,   ///< from the LRH, GRH follows
};

/**
 * The invariant CRC of an IB transport packet as the sender computes it: Ethernet's CRC-32 over
 * the packet with its variant fields set to ones (IPv4 TOS, TTL, checksum; IPv6/GRH traffic class,
 * flow label, hop limit; UDP checksum; the LRH VL, or the whole LRH when a GRH follows; BTH byte
 * 4), from `start` up to the ICRC. `headerLength` is the IP header's length with its options or
 * extension headers (RoCEv2 only). The caller guarantees the headers through the BTH lie within
 * `lengthToIcrc`. Compare with ReadIcrc: the ICRC is sent least significant byte first.
 */
std::uint32_t ComputeIcrc(IcrcScope scope,
                          const std::uint8_t* start,
                          std::size_t headerLength,
                          std::size_t lengthToIcrc);

/** The 4 ICRC bytes as sent (little-endian). */
std::uint32_t ReadIcrc(const std::uint8_t* at);

/**
 * The variant CRC of a native IB packet: CRC-16 (polynomial 0x100B, reflected, initial 0xFFFF,
 * inverted) over the packet from the LRH through the ICRC. Sent least significant byte first.
 */
std::uint16_t ComputeVcrc(const std::uint8_t* lrh, std::size_t length);
std::uint16_t ReadVcrc(const std::uint8_t* at);

} // namespace fab::dpi

#endif
