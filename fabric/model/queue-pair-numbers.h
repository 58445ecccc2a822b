#ifndef FABRICSCOPE_FABRIC_QUEUE_PAIR_NUMBERS_H
#define FABRICSCOPE_FABRIC_QUEUE_PAIR_NUMBERS_H

#include <cstdint>

namespace ns3::fabric
{

/** The first QP number a server hands out to scheduled transfers: clear of the small ones tests
 *  and examples use by hand. Each server counts up from it as its queue pairs open. */
inline constexpr std::uint32_t kFirstScheduledQp = 0x100;

/** Each queue pair gets its own UDP source port, the ECMP entropy NCCL relies on. */
inline std::uint16_t
QueuePairUdpSourcePort(std::uint32_t qp)
{
    return static_cast<std::uint16_t>(0xC000 | (qp * 0x9E37u & 0x3FFF));
}

/** One key for a queue pair of a peer: the peer's endpoint and the QP number there. */
inline constexpr std::uint64_t
PeerKey(std::uint32_t endpoint, std::uint32_t qp)
{
    return static_cast<std::uint64_t>(endpoint) << 32 | qp;
}

} // namespace ns3::fabric

#endif
