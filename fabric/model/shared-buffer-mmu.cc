#include "fabric/model/shared-buffer-mmu.h"

#include <algorithm>
#include <numeric>

namespace ns3::fabric
{

const char*
DropReasonName(DropReason reason)
{
    switch (reason)
    {
        case DropReason::EgressThreshold:
            return "egress_threshold";
        case DropReason::BufferFull:
            return "buffer_full";
        case DropReason::HeadroomOverflow:
            return "headroom_overflow";
        case DropReason::LinkDown:
            return "link_down";
        case DropReason::NoRoute:
            return "no_route";
        case DropReason::Injected:
            return "injected";
        case DropReason::FcsError:
            return "fcs_error";
        case DropReason::Blackhole:
            return "blackhole";
        case DropReason::Count:
            break;
    }
    return "unknown";
}

SharedBufferMmu::SharedBufferMmu(MmuConfig config)
: m_config(std::move(config))
, m_ingress(static_cast<std::size_t>(m_config.ports) * 8)
, m_egress(static_cast<std::size_t>(m_config.ports) * 8, 0)
{
    m_config.headroomBytes.resize(m_config.ports, 0);
    std::uint64_t lossless = static_cast<std::uint64_t>(__builtin_popcount(m_config.losslessMask));
    std::uint64_t reserved
        = static_cast<std::uint64_t>(m_config.ports) * 8 * m_config.reservePerQueueBytes;
    std::uint64_t headroom = lossless
                             * std::accumulate(m_config.headroomBytes.begin(),
                                               m_config.headroomBytes.end(),
                                               std::uint64_t{0});
    m_sharedCapacity = m_config.bufferBytes > reserved + headroom
                           ? m_config.bufferBytes - reserved - headroom
                           : 0;
}

std::uint64_t
SharedBufferMmu::PauseThreshold() const
{
    std::uint64_t free = m_sharedCapacity - std::min(m_sharedUsed, m_sharedCapacity);
    return static_cast<std::uint64_t>(m_config.dynamicThresholdAlpha * static_cast<double>(free));
}

SharedBufferMmu::Admission
SharedBufferMmu::Admit(std::uint32_t inPort,
                       std::uint32_t outPort,
                       std::uint8_t priority,
                       std::uint32_t bytes)
{
    Admission result;
    IngressQueue& q = Queue(inPort, priority);
    bool lossless = IsLossless(priority);
    std::uint64_t& egress = m_egress[outPort * 8 + priority];
    std::uint64_t threshold = PauseThreshold();
    // Reserves and headroom are promises made out of the buffer: one configured smaller than its
    // promises keeps them only as far as its size goes.
    bool fitsBuffer = m_heldBytes + bytes <= m_config.bufferBytes;
    bool fitsPool = fitsBuffer && m_sharedUsed + bytes <= m_sharedCapacity;
    // Lossless frames are held at their ingress queue (that is what PFC pauses), lossy ones where
    // they wait, at their egress queue.
    std::uint64_t queued = lossless ? q.shared : egress;

    if (fitsBuffer && q.reserve + bytes <= m_config.reservePerQueueBytes)
    {
        q.reserve += bytes;
    }
    else if (fitsPool && !q.paused && queued + bytes <= threshold)
    {
        q.shared += bytes;
        m_sharedUsed += bytes;
    }
    else if (!lossless)
    {
        result.reason = fitsPool ? DropReason::EgressThreshold : DropReason::BufferFull;
        return result;
    }
    else
    {
        // Over XOFF: pause the sender (once) and absorb what is in flight in the headroom. The
        // pause goes out even when this frame cannot wait there, but not for a queue that would
        // hold nothing: no frame of its own would leave to resume it.
        bool fitsHeadroom = fitsBuffer && q.headroom + bytes <= m_config.headroomBytes[inPort];
        if (!q.paused && (fitsHeadroom || q.reserve + q.shared + q.headroom > 0))
        {
            q.paused = true;
            result.sendPause = true;
        }
        if (!fitsHeadroom)
        {
            result.reason = fitsBuffer ? DropReason::HeadroomOverflow : DropReason::BufferFull;
            return result;
        }
        q.headroom += bytes;
        m_maxHeadroomUsed = std::max(m_maxHeadroomUsed, q.headroom);
    }
    egress += bytes;
    m_heldBytes += bytes;
    result.accepted = true;
    return result;
}

bool
SharedBufferMmu::Release(std::uint32_t inPort,
                         std::uint32_t outPort,
                         std::uint8_t priority,
                         std::uint32_t bytes)
{
    IngressQueue& q = Queue(inPort, priority);
    m_egress[outPort * 8 + priority] -= bytes;
    m_heldBytes -= bytes;
    // Headroom drains first, then shared, then the reserve.
    std::uint64_t left = bytes;
    std::uint64_t fromHeadroom = std::min<std::uint64_t>(q.headroom, left);
    q.headroom -= fromHeadroom;
    left -= fromHeadroom;
    std::uint64_t fromShared = std::min<std::uint64_t>(q.shared, left);
    q.shared -= fromShared;
    m_sharedUsed -= fromShared;
    left -= fromShared;
    q.reserve -= std::min<std::uint64_t>(q.reserve, left);
    // XON once the headroom has drained and the shared use is back under XOFF by the resume
    // offset - or empty, so that a pool too small for the offset cannot pause a port for ever.
    if (q.paused && q.headroom == 0
        && (q.shared == 0 || q.shared + m_config.resumeOffsetBytes <= PauseThreshold()))
    {
        q.paused = false;
        return true;
    }
    return false;
}

std::uint64_t
SharedBufferMmu::IngressBytes(std::uint32_t inPort, std::uint8_t priority) const
{
    const IngressQueue& q = Queue(inPort, priority);
    return q.reserve + q.shared + q.headroom;
}

std::uint64_t
SharedBufferMmu::HeadroomUsed(std::uint32_t inPort, std::uint8_t priority) const
{
    return Queue(inPort, priority).headroom;
}

std::uint64_t
SharedBufferMmu::EgressBytes(std::uint32_t outPort, std::uint8_t priority) const
{
    return m_egress[outPort * 8 + priority];
}

} // namespace ns3::fabric
