#ifndef FABRICSCOPE_FABRIC_FAULT_INJECTOR_H
#define FABRICSCOPE_FABRIC_FAULT_INJECTOR_H

#include "fabric/helper/fabric-builder.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3::fabric
{

enum class FaultKind : std::uint8_t
{
    LinkDown,   ///< a cable (both directions) loses its signal
    SwitchDown, ///< every port of a switch goes dark
    Flap,       ///< an optical module that goes down and up, `cycles` times
    Degraded,   ///< bit errors (a fraction of frames fails the FCS check) or a lower rate
    Blackhole,  ///< a silent fault: frames vanish while the carrier stays up (one way or both)
};

const char* FaultKindName(FaultKind kind);
/** "link-down", "switch-down", "flap", "degraded", "blackhole". */
std::optional<FaultKind> ParseFaultKind(const std::string& name);

struct FaultSpec
{
    FaultKind kind{FaultKind::LinkDown};
    std::string target; ///< a port of the link ("leaf-0-0:32") or a switch ("spine-0-1")
    std::int64_t atNs{0};
    std::int64_t durationNs{0}; ///< 0: never restored; a flap's down time per cycle
    std::uint32_t cycles{1};    ///< flap: down/up cycles
    std::int64_t upNs{0};       ///< flap: up time between cycles
    double loss{0};             ///< degraded: fraction of frames corrupted
    std::uint64_t rateBps{0};   ///< degraded: the rate the link falls back to; 0: unchanged
    bool oneWay{false};         ///< blackhole: only what the target port sends vanishes
};

/** What one fault did, as the user sees it. */
struct FailureRecord
{
    FaultSpec spec;
    std::string policy;
    std::int64_t detectedNs{-1};  ///< first switch to notice it
    std::int64_t convergedNs{-1}; ///< last switch to change its routes for it (local or remote)
    std::int64_t restoredNs{-1};  ///< the fault ended (last cycle for a flap)
    std::uint64_t packetsLost{0}; ///< traffic frames (RDMA, PFC) lost to the fault: link down,
                                  ///< no route, FCS errors, blackhole
    std::int64_t lastLossNs{-1};  ///< when the last of them was dropped
    std::uint32_t noticesSent{0}; ///< leaves a switch sent path-fault notices about
    std::uint32_t switchesConverged{0};
    /** Throughput delivered to the servers around the fault, from the run's samples, while
     *  the collectives it struck run: the mean over the 5 intervals before it; the dip, from the
     *  first interval under half of that (-1: none) to the first back over it (-1: never); and
     *  the lowest interval of the dip. */
    double throughputBeforeGbps{0};
    double throughputLowestGbps{0};
    std::int64_t throughputDipNs{-1};
    std::int64_t throughputRecoveredNs{-1};
};

/**
 * Faults drawn at random from mean times between failures: each class of component fails as a
 * Poisson process (exponential gaps, mean MTBF ÷ components), the failed one chosen uniformly.
 * A simulation lasts milliseconds while MTBFs are thousands of hours, so `acceleration` says how
 * much fleet time a simulated second stands for, as in accelerated life tests.
 */
struct RandomFaultSpec
{
    double linkMtbfHours{0};   ///< per cable, optics included; 0: links never fail
    double switchMtbfHours{0}; ///< per switch; 0: switches never fail
    std::int64_t repairNs{0};  ///< how long each fault lasts; 0: for the rest of the run
    double acceleration{1};
    std::int64_t startNs{0}; ///< faults are drawn in [startNs, endNs)
    std::int64_t endNs{0};
    /** Fault-free first-order estimate of the faults drawn: Σ components × window ÷ MTBF. */
    double ExpectedFaults(std::uint64_t links, std::uint64_t switches) const;
};

/** Which component of a class fails when: index into the caller's list of components. */
struct DrawnFault
{
    std::int64_t atNs{0};
    std::uint32_t component{0};
};

/** Draws one class's faults (plain C++, seeded: the same seed draws the same faults). */
std::vector<DrawnFault> DrawFaults(std::uint64_t components,
                                   double mtbfHours,
                                   double acceleration,
                                   std::int64_t startNs,
                                   std::int64_t endNs,
                                   std::uint64_t seed);

/** The faults a RandomFaultSpec draws on a built fabric: link-down on cables between
 *  switches (named by their lower end) and switch-down, in time order. */
std::vector<FaultSpec> DrawRandomFaults(const RandomFaultSpec& spec,
                                        const FabricBuilder& fabric,
                                        std::uint64_t seed);

/**
 * Injects faults into a built fabric at their times and keeps a record of each: detection and
 * convergence from the switches' recovery events, losses from the ports' drop traces. A fault's
 * window runs from its time to the next fault's; losses and events in it are its own.
 */
class FaultInjector
{
public:
    /** Throws std::invalid_argument naming a target that is not a port or switch. */
    FaultInjector(FabricBuilder& fabric, std::vector<FaultSpec> faults, std::uint64_t seed);
    FaultInjector(const FaultInjector&) = delete;
    FaultInjector& operator=(const FaultInjector&) = delete;

    void Start();
    const std::vector<FailureRecord>& Records() const { return m_records; }

private:
    /** The ports a fault acts on: both ends of each link it takes down. */
    std::vector<Ptr<FabricNetDevice>> PortsOf(const FaultSpec& fault) const;
    void SetLinks(std::uint32_t fault, bool up);
    /** A flap's cycle: down now, up after its down time, then the next cycle after its up
     *  time. Each schedules the next, so a flap holds one pending event whatever its cycles. */
    void FlapDown(std::uint32_t fault, std::uint32_t cycle);
    void FlapUp(std::uint32_t fault, std::uint32_t cycle);
    void Degrade(std::uint32_t fault, bool on);
    void SlowDown(std::uint32_t fault, bool on);
    void Blackhole(std::uint32_t fault, bool on);
    void OnRecovery(const RecoveryEvent& event);
    void OnDrop(const Frame& frame, DropReason reason);
    /** The fault whose window contains now, or -1. */
    int Current() const;

    FabricBuilder& m_fabric;
    std::vector<FailureRecord> m_records;
    std::vector<std::vector<Ptr<FabricNetDevice>>> m_ports; ///< per fault
    std::vector<std::vector<DataRate>> m_rates; ///< per fault: the rates a slow-down replaced
    std::uint64_t m_rngState;
};

} // namespace ns3::fabric

#endif
