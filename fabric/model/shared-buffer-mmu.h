#ifndef FABRICSCOPE_FABRIC_SHARED_BUFFER_MMU_H
#define FABRICSCOPE_FABRIC_SHARED_BUFFER_MMU_H

#include <cstdint>
#include <vector>

namespace ns3::fabric
{

/** Why a switch dropped a frame; each reason has its own counter. */
enum class DropReason : std::uint8_t
{
    EgressThreshold,  ///< lossy priority over its dynamic egress threshold
    BufferFull,       ///< no shared buffer left
    HeadroomOverflow, ///< lossless priority past XOFF + headroom: PFC failed to stop the sender
    LinkDown,
    NoRoute,
    Injected,  ///< removed by a fault-injection filter
    FcsError,  ///< corrupted on a degraded link: the receiver's FCS check fails
    Blackhole, ///< lost on a link that carries nothing while its carrier stays up (silent fault)
    Count,
};

const char* DropReasonName(DropReason reason);

/** Buffer settings of one switch (defaults: REFERENCE.md, HPCC's switch MMU). */
struct MmuConfig
{
    std::uint64_t bufferBytes{32ull << 20};
    std::uint32_t ports{0};
    std::uint8_t losslessMask{1u << 3}; ///< priorities with PFC (RoCE data on 3)
    std::uint32_t reservePerQueueBytes{4096};
    std::uint32_t resumeOffsetBytes{3072};
    std::vector<std::uint32_t> headroomBytes; ///< per ingress port, per lossless priority
    double dynamicThresholdAlpha{1.0 / 8}; ///< XOFF (and lossy drop) at alpha × free shared buffer
};

/**
 * Shared-buffer accounting of a switch: every frame is charged to its ingress (port, priority) for
 * PFC and to its egress (port, priority) for lossy drops until it leaves. Ingress bytes fill the
 * queue's reserve, then the shared pool up to a dynamic threshold (alpha × free shared bytes), then
 * - lossless priorities only - the port's headroom, which absorbs what is in flight after XOFF.
 * The threshold holds a lossless frame's ingress queue and a lossy frame's egress queue. Nothing
 * beyond bufferBytes is held, even when the reserves and headroom configured promise more.
 */
class SharedBufferMmu
{
public:
    explicit SharedBufferMmu(MmuConfig config);

    struct Admission
    {
        bool accepted{false};
        DropReason reason{DropReason::BufferFull};
        /** The ingress queue just crossed XOFF: pause the upstream sender (also when refused). */
        bool sendPause{false};
    };

    Admission Admit(std::uint32_t inPort,
                    std::uint32_t outPort,
                    std::uint8_t priority,
                    std::uint32_t bytes);

    /** The frame left; true when a paused ingress queue fell below XON and may resume. */
    bool Release(std::uint32_t inPort,
                 std::uint32_t outPort,
                 std::uint8_t priority,
                 std::uint32_t bytes);

    bool IsLossless(std::uint8_t priority) const
    {
        return (m_config.losslessMask >> priority) & 1u;
    }
    bool IsPaused(std::uint32_t inPort, std::uint8_t priority) const
    {
        return Queue(inPort, priority).paused;
    }

    std::uint64_t SharedUsed() const { return m_sharedUsed; }
    std::uint64_t SharedCapacity() const { return m_sharedCapacity; }
    /** XOFF threshold of an ingress queue right now (bytes of shared buffer it may hold). */
    std::uint64_t PauseThreshold() const;
    std::uint64_t IngressBytes(std::uint32_t inPort, std::uint8_t priority) const;
    std::uint64_t HeadroomUsed(std::uint32_t inPort, std::uint8_t priority) const;
    std::uint64_t EgressBytes(std::uint32_t outPort, std::uint8_t priority) const;
    std::uint64_t MaxHeadroomUsed() const { return m_maxHeadroomUsed; }
    const MmuConfig& Config() const { return m_config; }

private:
    struct IngressQueue
    {
        std::uint64_t reserve{0};
        std::uint64_t shared{0};
        std::uint64_t headroom{0};
        bool paused{false};
    };

    IngressQueue& Queue(std::uint32_t port, std::uint8_t priority)
    {
        return m_ingress[port * 8 + priority];
    }
    const IngressQueue& Queue(std::uint32_t port, std::uint8_t priority) const
    {
        return m_ingress[port * 8 + priority];
    }

    MmuConfig m_config;
    std::uint64_t m_sharedCapacity{0};
    std::uint64_t m_sharedUsed{0};
    /** Everything admitted and not yet released: reserve, pool and headroom bytes. */
    std::uint64_t m_heldBytes{0};
    std::uint64_t m_maxHeadroomUsed{0};
    std::vector<IngressQueue> m_ingress;
    std::vector<std::uint64_t> m_egress;
};

} // namespace ns3::fabric

#endif
