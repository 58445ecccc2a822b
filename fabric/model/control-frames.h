#ifndef FABRICSCOPE_FABRIC_CONTROL_FRAMES_H
#define FABRICSCOPE_FABRIC_CONTROL_FRAMES_H

#include "fabric/model/frame.h"
#include "fabric/model/roce-wire.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace ns3::fabric
{

/** 802.1Qbb priority flow control: which classes, and for how long (in quanta of 512 bit times). */
struct PfcPause
{
    std::uint8_t classEnable{0};           ///< bit i: the time for priority i is valid
    std::array<std::uint16_t, 8> quanta{}; ///< 0 resumes, 0xFFFF is the longest pause
};

inline constexpr std::uint16_t kEtherTypeMacControl = 0x8808;
inline constexpr std::uint16_t kMacControlPfc = 0x0101;
inline constexpr std::uint16_t kEtherTypeLldp = 0x88CC;

/** Writes a PFC frame (MAC control, dst 01-80-C2-00-00-01, padded to 60 bytes). */
void WritePfcFrame(Frame& frame, const MacBytes& srcMac, const PfcPause& pause);

/** Reads a PFC frame's class-enable vector and times; nothing if the bytes are not one. */
std::optional<PfcPause> ReadPfcFrame(const Frame& frame);

/** How long `quanta` pause a port of `bitsPerSecond`, in nanoseconds (512 bit times each). */
std::int64_t PauseQuantaToNs(std::uint16_t quanta, std::uint64_t bitsPerSecond);

/**
 * Writes an LLDP frame (dst 01-80-C2-00-00-0E): chassis id = the switch or host name (locally
 * assigned), port id = the port name (interface name), TTL, system name, end.
 */
void WriteLldpFrame(Frame& frame,
                    const MacBytes& srcMac,
                    const std::string& chassis,
                    const std::string& port,
                    std::uint16_t ttlSeconds);

} // namespace ns3::fabric

#endif
