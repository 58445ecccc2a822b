#ifndef FABRICSCOPE_FABRIC_LOSSLESS_SWITCH_H
#define FABRICSCOPE_FABRIC_LOSSLESS_SWITCH_H

#include "fabric/model/control-frames.h"
#include "fabric/model/ecmp-group.h"
#include "fabric/model/fabric-net-device.h"
#include "fabric/model/fabric-routes.h"
#include "fabric/model/failover-table.h"
#include "fabric/model/ib-wire.h"
#include "fabric/model/red-ecn-marker.h"
#include "fabric/model/shared-buffer-mmu.h"

#include <memory>
#include <ns3/node.h>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** What a switch does beyond forwarding. */
struct SwitchFeatures
{
    bool pfc{true}; ///< lossless priorities pause their senders; off: they drop like lossy ones
    bool ecn{true}; ///< RED marking of ECN-capable frames on egress
    std::uint16_t pauseQuanta{0xFFFF};
    LinkLayer linkLayer{
        LinkLayer::Ethernet}; ///< InfiniBand: credits instead of PFC, FECN instead of ECN
    std::uint32_t hashSeed{0};
};

/** How switches react to a port that loses its link. */
enum class RecoveryPolicy : std::uint8_t
{
    None,         ///< keep hashing into the dead port
    Dpfr,         ///< local and remote fast convergence in the data plane
    ControlPlane, ///< the same changes, after a routing protocol's (or subnet manager's) delay
};

const char* RecoveryPolicyName(RecoveryPolicy policy);
/** "none", "dpfr" or "control-plane"; false for anything else. */
bool ParseRecoveryPolicy(const std::string& name, RecoveryPolicy& policy);

struct RecoveryConfig
{
    RecoveryPolicy policy{RecoveryPolicy::Dpfr};
    std::int64_t detectionNs{5'000};               ///< loss of signal to the port noticing it
    std::int64_t controlPlaneDelayNs{200'000'000}; ///< fault to routes changed (control-plane)
    /** Link probes between switches (BFD-like) for faults the carrier does not show; 0: none. */
    std::int64_t probeIntervalNs{0};
    std::uint32_t probeMultiplier{3}; ///< probes missed before a link is declared down
};

/** What a switch did about a fault, for timelines. */
struct RecoveryEvent
{
    enum class Kind : std::uint8_t
    {
        Detected,        ///< a port's link change noticed (carrier or probes)
        LocalConverged,  ///< the switch's own groups changed
        NoticeSent,      ///< path-fault notices sent for `leaf`
        RemoteConverged, ///< a notice from `reporter` applied
    };
    Kind kind{Kind::Detected};
    std::uint32_t node{0}; ///< graph node of the switch
    std::uint16_t port{0};
    bool up{false};
    std::uint32_t leaf{0};
    std::uint32_t reporter{0};
    std::int64_t timeNs{0};
};

/**
 * A RoCE switch: shared buffer with dynamic thresholds, PFC per ingress port and priority with
 * headroom, RED/ECN on egress, ECMP by flow hash over resilient groups. The algorithms live in
 * SharedBufferMmu, RedEcnMarker and ResilientEcmpGroup; this node wires them to its ports.
 */
class LosslessSwitch
: public Node
, public PortOwner
{
public:
    static TypeId GetTypeId();
    LosslessSwitch();

    /** Adds the port with graph port number `number`. */
    void AddPort(Ptr<FabricNetDevice> port, std::uint16_t number);
    /** Sets up buffers and routes once all ports are added. */
    void Configure(const MmuConfig& mmu, const SwitchFeatures& features, SwitchRoutes routes);

    Ptr<FabricNetDevice> GetPort(std::uint16_t number) const;
    const std::vector<Ptr<FabricNetDevice>>& GetPorts() const { return m_ports; }
    const SharedBufferMmu& GetMmu() const { return *m_mmu; }
    /** InfiniBand: most bytes one ingress VL ever held (bounded by the credits it advertised). */
    std::uint64_t GetMaxIbHeldBytes() const { return m_maxIbHeld; }
    /** The egress port a frame to `endpoint` with `flowHash` takes. */
    int Route(std::uint32_t endpoint, std::uint32_t flowHash) const;
    /**
     * Fault handling: the switch's graph node, the graph node behind each port, which ports face
     * a lower tier of switches (where notices go), which face any switch (where probes go), and
     * the policy.
     */
    void ConfigureRecovery(std::uint32_t graphNode,
                           std::vector<std::uint32_t> peerOfPort,
                           std::vector<bool> downward,
                           std::vector<bool> facesSwitch,
                           const RecoveryConfig& config);
    void SetRecoveryObserver(Callback<void, const RecoveryEvent&> observer)
    {
        m_recoveryObserver = observer;
    }
    const FailoverTable& GetFailoverTable() const { return m_table; }
    void SetEcnMarker(std::uint16_t port, RedEcnMarker marker);

protected:
    void DoDispose() override;

private:
    // PortOwner
    void HandleFrame(Ptr<FabricNetDevice> in, Frame* frame) override;
    void HandleTransmitStart(Ptr<FabricNetDevice> out, Frame* frame) override;

    void ForwardInfiniband(Ptr<FabricNetDevice> in, Ptr<FabricNetDevice> out, Frame* frame);
    void RefreshPause(std::uint16_t port, std::uint8_t priority);
    /** The timer that renews a port's pause of a priority. */
    EventId& PauseRefresh(std::uint16_t port, std::uint8_t priority);
    void OnLinkChange(std::uint16_t port);
    void Detect(std::uint16_t port, bool up);
    void Converge(std::uint16_t port, bool up, std::int64_t detectedNs);
    void HandleNotice(Ptr<FabricNetDevice> in, const PathFaultNotice& notice);
    /** What the policy does once a port's change is known: converge now, later or never. */
    void ApplyPolicy(std::uint16_t port, bool up);
    void ProbeTick();
    void HandleProbe(Ptr<FabricNetDevice> in, const LinkProbe& probe);
    /** The probes of a port went silent (or came back): like a carrier change, at once. */
    void SetSessionUp(std::uint16_t port, bool up);
    void Report(RecoveryEvent event);
    double NextUniform();

    std::vector<Ptr<FabricNetDevice>> m_ports; ///< by port number; null where no cable is
    std::vector<RedEcnMarker> m_markers;
    std::vector<MacBytes> m_peerMacs; ///< next hop's MAC behind each port
    std::unique_ptr<SharedBufferMmu> m_mmu;
    FailoverTable m_table;
    std::uint32_t m_graphNode{0};
    std::vector<bool> m_downward;
    /** A probe session per port that faces a switch. */
    struct ProbeSession
    {
        bool probed{false};
        bool up{true};
        bool peerHears{true};
        std::int64_t lastHeardNs{0};
        std::uint32_t sequence{0};
    };
    std::vector<ProbeSession> m_sessions;
    EventId m_probeTimer;
    RecoveryConfig m_recovery;
    std::uint32_t m_noticeSequence{0};
    Callback<void, const RecoveryEvent&> m_recoveryObserver;
    std::vector<EventId> m_pauseRefresh; ///< per port and priority, from the first pause
    std::vector<std::uint64_t> m_ibHeld; ///< per ingress port and VL (InfiniBand only)
    std::uint64_t m_maxIbHeld{0};
    Crc16ZeroExtender m_vcrcZeros;
    SwitchFeatures m_features;
    std::uint64_t m_rngState{0x9E3779B97F4A7C15ull};
};

} // namespace ns3::fabric

#endif
