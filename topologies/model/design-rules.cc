#include "topologies/model/design-rules.h"

namespace fab::topo
{

using telemetry::RuleSpec;
using telemetry::Severity;

void
RegisterDesignRules(telemetry::RuleConfig& config)
{
    // Thresholds and sources: REFERENCE.md and research/design-review.md §4 (rule numbers R1…).
    config.Register(
        {"design.oversubscription",
         "Non-blocking inside the training domain (R1)",
         Severity::Warning,
         {{"max_leaf_ratio", 1.0, "down:up", "largest leaf downlink ÷ uplink bandwidth"},
          {"max_spine_ratio", 1.0, "down:up", "largest spine downlink ÷ uplink bandwidth"}},
         "NVIDIA SuperPOD RAs: full non-blocking fat tree; MegaScale 1:1 at every layer"});
    config.Register({"design.port-budget",
                     "Ports used per switch within the radix (R2)",
                     Severity::Warning,
                     {{"min_port_use", 0.5, "share", "lowest share of a tier's ports in use"}},
                     "down + up + reserved ≤ radix; idle ports are stranded capital"});
    config.Register({"design.tier-count",
                     "Tier count matches the size (R4)",
                     Severity::Warning,
                     {},
                     "2 tiers iff N ≤ k²/2, else 3 (≤ k³/4); SuperPOD 8 SU 2-tier, 16 SU 3-tier"});
    config.Register(
        {"design.scalable-unit",
         "Whole scalable units (R5)",
         Severity::Warning,
         {},
         "NVIDIA H100 RA: a partial SU still gets all its leaves and leaf–spine cables"});
    config.Register({"design.rail-alignment",
                     "Rail-optimized attachment (R6)",
                     Severity::Warning,
                     {},
                     "NVIDIA cluster bring-up: NIC i of every server to the leaf of rail i"});
    config.Register(
        {"design.blast-radius",
         "Failure domain of one switch (R7, R22)",
         Severity::Warning,
         {{"max_servers_isolated_per_leaf", 0, "servers", "servers cut off by one leaf failure"},
          {"max_uplink_loss_per_switch",
           0.25,
           "share",
           "share of a switch's uplink bandwidth lost when one switch above it fails"}},
         "rail leaf failure: one NIC on each of up to k/2 servers; ToR failure: the rack"});
    config.Register({"design.hop-count",
                     "Switch hops between GPUs (R8)",
                     Severity::Warning,
                     {{"max_switch_hops", 5, "hops", "largest number of switches on a path"}},
                     "2 tiers ≤ 3 hops, 3 tiers ≤ 5; same rail in an SU = 1 hop"});
    config.Register({"design.ecmp-fanout",
                     "ECMP group size within the platform limit (R9)",
                     Severity::Error,
                     {},
                     "uplinks per destination ≤ the switch's maximum ECMP paths"});
    config.Register({"design.plane-symmetry",
                     "Identical, independent planes (R19)",
                     Severity::Error,
                     {},
                     "NVIDIA Spectrum-X multiplane; Alibaba HPN dual-plane"});
    config.Register({"design.media-reach",
                     "Cable and optics reach (R11, R12)",
                     Severity::Error,
                     {},
                     "NVIDIA LinkX: DAC ≤ 3 m, ACC ≤ 5 m at 100G lanes; MMF ≤ 50 m; SMF DR ≤ 500 "
                     "m; FR ≤ 2 km"});
    config.Register({"design.nic-speed",
                     "NIC and leaf port speeds match",
                     Severity::Warning,
                     {},
                     "a slower NIC runs the leaf port at its own speed"});
    config.Register({"design.pfc-headroom",
                     "PFC headroom fits the switch buffer (R15, RoCE)",
                     Severity::Warning,
                     {{"max_buffer_share",
                       0.5,
                       "share",
                       "largest share of the shared buffer reserved as PFC headroom"}},
                     "IEEE 802.1Qbb delay terms; NVIDIA ≈128 KB for 400G over 100 m SMF"});
    config.Register({"design.mtu",
                     "MTU consistent end to end (R16)",
                     Severity::Error,
                     {},
                     "IB MTU ≤ 4,096 B; Ethernet switch MTU ≥ RoCE MTU + headers"});
    config.Register({"design.module-power",
                     "Module power within the cage class (R13, R14)",
                     Severity::Error,
                     {},
                     "QM97xx supports class 8 (17 W) OSFP; 800G twin-port SMF modules draw 17 W"});
    config.Register({"design.cost-share",
                     "Network share of cluster cost (R21)",
                     Severity::Warning,
                     {{"min_share", 0.08, "share", "lowest plausible network share of capex"},
                      {"max_share", 0.25, "share", "highest plausible network share of capex"}},
                     "published estimates 5–25%; 15–20% for a medium cluster",
                     {{"min_share", "max_share"}}});
    config.Register({"design.radix",
                     "Even, uniform radix per tier (R3)",
                     Severity::Warning,
                     {},
                     "Al-Fares fat-tree: k even, one model and speed per tier"});
}

telemetry::RuleConfig
DefaultDesignRules()
{
    telemetry::RuleConfig config;
    RegisterDesignRules(config);
    return config;
}

std::vector<telemetry::Finding>
CheckDesign(const DesignReviewInput& input, const telemetry::RuleConfig& config)
{
    using Check = void (*)(
        const DesignReviewInput&, const telemetry::RuleConfig&, std::vector<telemetry::Finding>&);
    static const std::pair<const char*, Check> kChecks[] = {
        {"design.oversubscription", CheckOversubscription},
        {"design.port-budget", CheckPortBudget},
        {"design.tier-count", CheckTierCount},
        {"design.scalable-unit", CheckScalableUnits},
        {"design.rail-alignment", CheckRailAlignment},
        {"design.blast-radius", CheckBlastRadius},
        {"design.hop-count", CheckHopCount},
        {"design.ecmp-fanout", CheckEcmpFanout},
        {"design.plane-symmetry", CheckPlaneSymmetry},
        {"design.media-reach", CheckMediaReach},
        {"design.nic-speed", CheckNicSpeed},
        {"design.pfc-headroom", CheckPfcHeadroom},
        {"design.mtu", CheckMtu},
        {"design.module-power", CheckModulePower},
        {"design.cost-share", CheckCostShare},
        {"design.radix", CheckRadix},
    };
    std::vector<telemetry::Finding> findings;
    for (const auto& [id, check] : kChecks)
    {
        if (config.Enabled(id))
        {
            check(input, config, findings);
        }
    }
    return findings;
}

} // namespace fab::topo
