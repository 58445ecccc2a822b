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

/**
 * A fast-recovery notice (DPFR-style remote convergence): a switch that lost its last path to a
 * switch below it tells its other neighbours below, which stop sending traffic for the
 * endpoints behind that switch through it: a spine that lost a leaf tells the other leaves
 * (that leaf's endpoints), a core that lost a spine tells the other pods' spines (that spine's
 * pod). A second notice says the path is back. Unicast to the neighbour, EtherType 0x88B5 (IEEE
 * 802 local experimental), padded to 60 bytes. Payload, big-endian:
 *
 *   0  4  magic "DPFR"          12  4  node id it cannot reach
 *   4  1  version (1)           16  4  sequence number (per reporter)
 *   5  1  1 = path fault,       20  8  when the reporter detected it (ns)
 *         2 = path restored
 *   6  2  reserved (0)
 *   8  4  reporter node id
 */
struct PathFaultNotice
{
    bool restored{false};
    std::uint32_t reporter{0};
    std::uint32_t leaf{0}; ///< the switch it cannot reach: a leaf, or a spine (from a core)
    std::uint32_t sequence{0};
    std::int64_t detectedNs{0};
};

inline constexpr std::uint16_t kEtherTypePathFault = 0x88B5;

void WritePathFaultFrame(Frame& frame,
                         const MacBytes& dstMac,
                         const MacBytes& srcMac,
                         const PathFaultNotice& notice);

/** The notice in a frame; nothing when the bytes are not one (wrong EtherType, magic, length). */
std::optional<PathFaultNotice> ReadPathFaultFrame(const Frame& frame);

/**
 * A link probe (BFD-like): neighbouring switches send one over each link between them every
 * probe interval, so that a link which stops carrying frames while its carrier stays up (a
 * silent fault) is found by the probes that stop arriving. Each probe says whether its sender
 * hears the other end, so a link dead in one direction is found at both ends. Same EtherType
 * and header as the notices, padded to 60 bytes:
 *
 *   0  4  magic "DPFR"          12  4  sender's port number
 *   4  1  version (1)           16  4  sequence number (per port)
 *   5  1  3 = link probe        20  8  when it was sent (ns)
 *   6  1  1 = the sender hears this link's other end, 0 = it does not
 *   7  1  reserved (0)
 *   8  4  sender node id
 */
struct LinkProbe
{
    std::uint32_t sender{0};
    std::uint32_t port{0};
    std::uint32_t sequence{0};
    std::int64_t sentNs{0};
    bool hearing{true};
};

void WriteLinkProbeFrame(Frame& frame,
                         const MacBytes& dstMac,
                         const MacBytes& srcMac,
                         const LinkProbe& probe);

/** The probe in a frame; nothing when the bytes are not one. */
std::optional<LinkProbe> ReadLinkProbeFrame(const Frame& frame);

} // namespace ns3::fabric

#endif
