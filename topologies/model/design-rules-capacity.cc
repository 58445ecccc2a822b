// Design rules about capacity and structure: oversubscription, ports, tiers, scalable units,
// rails, failure domains, hops, ECMP and planes.
#include "telemetry/model/text-format.h"
#include "topologies/model/design-rules.h"

#include <algorithm>
#include <map>

namespace fab::topo
{

using telemetry::Finding;
using telemetry::FormatDecimal;
using telemetry::GroupDigits;
using telemetry::RuleConfig;
using telemetry::Severity;

namespace
{

std::string
Ratio(std::uint32_t down, std::uint32_t up)
{
    return up == 0 ? "∞" : FormatDecimal(static_cast<double>(down) / up, 3) + ":1";
}

std::string
Share(double share)
{
    return FormatDecimal(share * 100, 1) + "%";
}

} // namespace

namespace
{

/**
 * In a 3-tier fabric whose last pod has fewer spines than the others, core group j only reaches
 * the pods that have a spine j: traffic from the full pods into the small one can use only that
 * pod's spine count of core groups, so it runs oversubscribed.
 */
void
CheckPartialPods(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const auto& plan = in.plan;
    if (plan.tiers != 3 || plan.pods.size() < 2)
    {
        return;
    }
    std::uint32_t full = plan.pods.front().spines;
    for (std::uint32_t p = 0; p < plan.pods.size(); ++p)
    {
        std::uint32_t spines = plan.pods[p].spines;
        if (spines >= full)
        {
            continue;
        }
        double ratio = static_cast<double>(full) / spines;
        double limit = config.Threshold("design.oversubscription", "max_spine_ratio");
        Finding finding = config.MakeFinding(
            "design.oversubscription",
            "pod " + std::to_string(p),
            "pod " + std::to_string(p) + " has " + std::to_string(spines)
                + " spines where the others have " + std::to_string(full) + ": only "
                + std::to_string(spines)
                + " core groups reach it, so traffic from other pods into it runs "
                + FormatDecimal(ratio, 3) + ":1 oversubscribed");
        if (ratio <= limit + 1e-9)
        {
            finding.severity = Severity::Info;
        }
        out.push_back(finding.With("spines", std::to_string(spines))
                          .With("spines_in_full_pods", std::to_string(full))
                          .With("ratio_into_pod", FormatDecimal(ratio, 3)));
    }
}

} // namespace

void
CheckOversubscription(const DesignReviewInput& in,
                      const RuleConfig& config,
                      std::vector<Finding>& out)
{
    const auto& plan = in.plan;
    struct Item
    {
        Tier tier;
        std::uint32_t down;
        std::uint32_t up;
        const char* threshold;
    };
    std::vector<Item> items = {{Tier::Leaf, plan.leafDown, plan.leafUp, "max_leaf_ratio"}};
    if (plan.tiers == 3)
    {
        items.push_back({Tier::Spine, plan.spineDown, plan.spineUp, "max_spine_ratio"});
    }
    CheckPartialPods(in, config, out);
    for (const auto& item : items)
    {
        double ratio = static_cast<double>(item.down) / item.up;
        double limit = config.Threshold("design.oversubscription", item.threshold);
        if (ratio > limit + 1e-9)
        {
            out.push_back(
                config
                    .MakeFinding("design.oversubscription",
                                 std::string(TierName(item.tier)) + " tier",
                                 std::string(TierName(item.tier)) + " switches are oversubscribed "
                                     + Ratio(item.down, item.up) + " (" + std::to_string(item.down)
                                     + " down, " + std::to_string(item.up) + " up); the limit is "
                                     + FormatDecimal(limit, 3) + ":1")
                    .With("down_ports", std::to_string(item.down))
                    .With("up_ports", std::to_string(item.up))
                    .With("ratio", FormatDecimal(ratio, 3))
                    .With("limit", FormatDecimal(limit, 3)));
        }
    }
}

void
CheckPortBudget(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.port-budget";
    double minUse = config.Threshold(id, "min_port_use");
    for (const auto& line : in.bom.switches)
    {
        std::uint32_t radix = in.plan.Radix(line.tier);
        std::uint32_t perSwitch = in.plan.DownPorts(line.tier) + in.plan.UpPorts(line.tier);
        if (perSwitch > radix)
        {
            Finding finding = config.MakeFinding(id,
                                                 std::string(TierName(line.tier)) + " tier",
                                                 "a switch needs " + std::to_string(perSwitch)
                                                     + " ports but has " + std::to_string(radix));
            finding.severity = Severity::Error;
            out.push_back(finding.With("needed", std::to_string(perSwitch))
                              .With("radix", std::to_string(radix)));
        }
        double used = static_cast<double>(line.portsDown + line.portsUp)
                      / static_cast<double>(line.portsTotal);
        if (used < minUse)
        {
            out.push_back(
                config
                    .MakeFinding(id,
                                 std::string(TierName(line.tier)) + " tier",
                                 std::string(TierName(line.tier)) + " switches use " + Share(used)
                                     + " of their ports; "
                                     + GroupDigits(line.portsTotal - line.portsDown - line.portsUp)
                                     + " ports stay idle")
                    .With("ports_total", GroupDigits(line.portsTotal))
                    .With("ports_used", GroupDigits(line.portsDown + line.portsUp))
                    .With("min_port_use", Share(minUse)));
        }
    }
    // The expanded graph must agree: no switch has more links than ports.
    if (in.graph != nullptr)
    {
        std::vector<std::uint32_t> linksPerNode(in.graph->Nodes().size(), 0);
        for (const auto& link : in.graph->Links())
        {
            linksPerNode[link.lower]++;
            linksPerNode[link.upper]++;
        }
        for (std::uint32_t n = 0; n < linksPerNode.size(); ++n)
        {
            if (linksPerNode[n] > in.graph->Nodes()[n].ports)
            {
                Finding finding = config.MakeFinding(
                    id,
                    in.graph->NodeName(n),
                    "has " + std::to_string(linksPerNode[n]) + " links on "
                        + std::to_string(in.graph->Nodes()[n].ports) + " ports");
                finding.severity = Severity::Error;
                out.push_back(finding);
                break;
            }
        }
    }
}

void
CheckTierCount(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.tier-count";
    const auto& plan = in.plan;
    std::uint64_t twoTierMax = static_cast<std::uint64_t>(plan.spineRadix) * plan.leafDown;
    if (plan.tiers == 3 && plan.leaves <= plan.spineRadix)
    {
        out.push_back(
            config
                .MakeFinding(id,
                             "fabric",
                             "3 tiers where 2 suffice: " + GroupDigits(plan.endpointsPerPlane)
                                 + " endpoints per plane fit a 2-tier fabric of up to "
                                 + GroupDigits(twoTierMax) + "; the core tier adds "
                                 + GroupDigits(static_cast<std::uint64_t>(plan.cores) * plan.planes)
                                 + " switches and two hops")
                .With("endpoints_per_plane", GroupDigits(plan.endpointsPerPlane))
                .With("two_tier_max", GroupDigits(twoTierMax)));
        return;
    }
    out.push_back(config
                      .MakeNote(id,
                                "fabric",
                                std::to_string(plan.tiers) + " tiers for "
                                    + GroupDigits(plan.endpointsPerPlane)
                                    + " endpoints per plane (2 tiers reach "
                                    + GroupDigits(twoTierMax) + ")")
                      .With("tiers", std::to_string(plan.tiers))
                      .With("two_tier_max", GroupDigits(twoTierMax)));
}

void
CheckScalableUnits(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.scalable-unit";
    const auto& plan = in.plan;
    if (plan.lastSuServers != plan.suServers)
    {
        std::string subject = "scalable unit " + std::to_string(plan.scalableUnits - 1);
        std::string counts = std::to_string(plan.lastSuServers) + " of "
                             + std::to_string(plan.suServers) + " servers";
        if (in.design.wholeScalableUnits)
        {
            out.push_back(
                config
                    .MakeNote(id,
                              subject,
                              "partial scalable unit (" + counts + "): its "
                                  + std::to_string(plan.leavesPerSu)
                                  + " leaves and all their uplinks are still built, so it can be "
                                    "filled without recabling")
                    .With("servers", std::to_string(plan.lastSuServers))
                    .With("su_servers", std::to_string(plan.suServers)));
        }
        else
        {
            out.push_back(
                config
                    .MakeFinding(
                        id,
                        subject,
                        "partial scalable unit (" + counts + ") built with "
                            + std::to_string(plan.lastSuLeaves) + " of "
                            + std::to_string(plan.leavesPerSu)
                            + " leaves; filling it later means new leaves and recabling the spines")
                    .With("leaves_built", std::to_string(plan.lastSuLeaves))
                    .With("leaves_per_su", std::to_string(plan.leavesPerSu)));
        }
    }
    if (plan.railOptimized && plan.suServers % plan.leafDown != 0)
    {
        std::uint32_t idle = plan.leavesPerRailPerSu * plan.leafDown - plan.suServers;
        out.push_back(config
                          .MakeFinding(id,
                                       "scalable unit",
                                       "an SU of " + std::to_string(plan.suServers)
                                           + " servers leaves " + std::to_string(idle)
                                           + " downlinks idle on each rail (leaves have "
                                           + std::to_string(plan.leafDown) + ")")
                          .With("su_servers", std::to_string(plan.suServers))
                          .With("leaf_down_ports", std::to_string(plan.leafDown)));
    }
}

void
CheckRailAlignment(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.rail-alignment";
    const auto& plan = in.plan;
    if (plan.railsPerPlane > 1 && !plan.railOptimized)
    {
        out.push_back(
            config
                .MakeFinding(
                    id,
                    "servers",
                    "not rail-optimized: all " + std::to_string(plan.railsPerPlane)
                        + " NIC ports of a server share one leaf, so same-rail traffic between "
                          "racks crosses the spines and a leaf failure cuts off whole servers")
                .With("ports_per_server_per_plane", std::to_string(plan.railsPerPlane)));
        return;
    }
    if (in.graph == nullptr || !plan.railOptimized)
    {
        return;
    }
    // Every server's rail ports must land on distinct leaves, and rail r of all servers of an
    // SU on the same leaf group.
    const auto& graph = *in.graph;
    std::vector<std::uint32_t> leaves;
    for (std::uint32_t s = 0; s < graph.Servers(); ++s)
    {
        for (std::uint32_t p = 0; p < plan.planes; ++p)
        {
            leaves.clear();
            for (auto link : graph.LinksOf(s))
            {
                if (graph.Links()[link].plane == p)
                {
                    leaves.push_back(graph.Links()[link].upper);
                }
            }
            std::sort(leaves.begin(), leaves.end());
            auto distinct = std::unique(leaves.begin(), leaves.end()) - leaves.begin();
            if (distinct != static_cast<long>(plan.railsPerPlane))
            {
                out.push_back(config
                                  .MakeFinding(id,
                                               graph.NodeName(s),
                                               "NIC ports land on " + std::to_string(distinct)
                                                   + " leaves, not one per rail ("
                                                   + std::to_string(plan.railsPerPlane) + ")")
                                  .With("leaves", std::to_string(distinct))
                                  .With("rails", std::to_string(plan.railsPerPlane)));
                return;
            }
        }
    }
}

void
CheckBlastRadius(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.blast-radius";
    const auto& plan = in.plan;
    const auto& servers = in.design.servers;
    double gpusPerPort = static_cast<double>(servers.gpus) / servers.PortsPerServer();
    // Leaf: every port on it is a NIC port whose GPU loses (part of) its fabric bandwidth.
    std::uint32_t portsPerLeaf = plan.leafDown;
    std::uint32_t isolated = 0;
    if (!plan.railOptimized && plan.planes == 1)
    {
        isolated = plan.serversPerLeaf; // all of a server's ports are on this leaf
    }
    double gpusImpacted = portsPerLeaf * gpusPerPort;
    out.push_back(
        config
            .MakeNote(id,
                      "leaf failure",
                      "one leaf failure impacts " + FormatDecimal(gpusImpacted, 1) + " GPUs on "
                          + std::to_string(plan.railOptimized ? portsPerLeaf : plan.serversPerLeaf)
                          + " servers; " + std::to_string(isolated)
                          + " servers lose all fabric access")
            .With("gpus_impacted", FormatDecimal(gpusImpacted, 1))
            .With("servers_isolated", std::to_string(isolated))
            .With(
                "fabric_bandwidth_lost",
                Share(static_cast<double>(portsPerLeaf) / (plan.endpointsPerPlane * plan.planes))));
    double maxIsolated = config.Threshold(id, "max_servers_isolated_per_leaf");
    if (isolated > maxIsolated)
    {
        out.push_back(
            config
                .MakeFinding(
                    id,
                    "leaf failure",
                    "a single leaf failure cuts " + std::to_string(isolated)
                        + " servers off the fabric (" + FormatDecimal(isolated * servers.gpus, 0)
                        + " GPUs); rail-optimized or multi-plane attachment keeps them reachable")
                .With("servers_isolated", std::to_string(isolated))
                .With("limit", FormatDecimal(maxIsolated, 0)));
    }
    // Spine: a leaf loses the links to that spine; the smallest pod has the fewest spines.
    std::uint32_t fewest = plan.leafUp;
    for (const auto& pod : plan.pods)
    {
        fewest = std::min(fewest, pod.spines);
    }
    double spineLoss = 1.0 / fewest;
    std::uint32_t remaining = plan.leafUp - plan.leafUp / fewest;
    out.push_back(config
                      .MakeNote(id,
                                "spine failure",
                                "one spine failure removes " + Share(spineLoss)
                                    + " of the uplink bandwidth of "
                                    + std::to_string(plan.pods.front().leaves)
                                    + " leaves; they run " + Ratio(plan.leafDown, remaining)
                                    + " until it is back")
                      .With("uplink_loss", Share(spineLoss))
                      .With("leaf_ratio_after", Ratio(plan.leafDown, remaining)));
    double maxLoss = config.Threshold(id, "max_uplink_loss_per_switch");
    if (spineLoss > maxLoss + 1e-9)
    {
        out.push_back(
            config
                .MakeFinding(id,
                             "spine failure",
                             "pods with " + std::to_string(fewest) + " spines lose "
                                 + Share(spineLoss)
                                 + " of their uplink bandwidth when one spine fails (limit "
                                 + Share(maxLoss) + ")")
                .With("spines_in_pod", std::to_string(fewest))
                .With("limit", Share(maxLoss)));
    }
    if (plan.tiers == 3 && !plan.coreGroups.empty())
    {
        // The group with the fewest cores loses the most when one of them fails.
        const CoreGroupPlan* weakest = &plan.coreGroups.front();
        std::uint32_t weakestIndex = 0;
        for (std::uint32_t g = 0; g < plan.coreGroups.size(); ++g)
        {
            if (plan.coreGroups[g].cores < weakest->cores)
            {
                weakest = &plan.coreGroups[g];
                weakestIndex = g;
            }
        }
        double coreLoss = 1.0 / weakest->cores;
        std::string text = "one core failure in group " + std::to_string(weakestIndex) + " removes "
                           + Share(coreLoss) + " of the core uplinks of its "
                           + std::to_string(weakest->pods) + " spines (spine "
                           + std::to_string(weakestIndex) + " of each pod)";
        if (coreLoss > maxLoss + 1e-9)
        {
            out.push_back(
                config.MakeFinding(id, "core failure", text + " (limit " + Share(maxLoss) + ")")
                    .With("cores_in_group", std::to_string(weakest->cores))
                    .With("uplink_loss", Share(coreLoss))
                    .With("limit", Share(maxLoss)));
        }
        else
        {
            out.push_back(
                config.MakeNote(id, "core failure", text).With("uplink_loss", Share(coreLoss)));
        }
    }
}

void
CheckHopCount(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.hop-count";
    const auto& plan = in.plan;
    std::uint32_t hops = plan.MaxSwitchHops();
    double limit = config.Threshold(id, "max_switch_hops");
    std::string sameLeaf = plan.railOptimized ? "same rail within a scalable unit: 1 switch hop"
                                              : "same leaf: 1 switch hop";
    Finding finding
        = config
              .MakeNote(id,
                        "fabric",
                        sameLeaf + "; within a pod: 3; "
                            + (plan.tiers == 3 ? "between pods: 5" : "no pods beyond the spines"))
              .With("max_switch_hops", std::to_string(hops));
    out.push_back(finding);
    if (hops > limit)
    {
        out.push_back(config
                          .MakeFinding(id,
                                       "fabric",
                                       "paths cross up to " + std::to_string(hops)
                                           + " switches (limit " + FormatDecimal(limit, 0) + ")")
                          .With("max_switch_hops", std::to_string(hops))
                          .With("limit", FormatDecimal(limit, 0)));
    }
}

void
CheckEcmpFanout(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.ecmp-fanout";
    const auto& plan = in.plan;
    // Every uplink is a next hop of the ECMP group towards other leaves (or pods).
    std::map<Tier, std::uint32_t> groupSize = {{Tier::Leaf, plan.leafUp}};
    if (plan.tiers == 3)
    {
        groupSize[Tier::Spine] = plan.spineUp;
    }
    if (in.graph != nullptr)
    {
        // Measure on the graph: the largest up-link set of any switch of each tier.
        for (auto& [tier, size] : groupSize)
        {
            size = 0;
        }
        const auto& nodes = in.graph->Nodes();
        std::vector<std::uint32_t> up(nodes.size(), 0);
        for (const auto& link : in.graph->Links())
        {
            up[link.lower]++;
        }
        for (std::uint32_t n = 0; n < nodes.size(); ++n)
        {
            if (nodes[n].kind == GraphNode::Kind::Switch && groupSize.count(nodes[n].tier) != 0)
            {
                groupSize[nodes[n].tier] = std::max(groupSize[nodes[n].tier], up[n]);
            }
        }
    }
    const TierSpec* specs[] = {&in.design.leaf, &in.design.spine, &in.design.core};
    for (const auto& [tier, size] : groupSize)
    {
        const auto& model = in.design.ModelOf(*specs[static_cast<int>(tier)]);
        if (size > model.ecmpMaxPaths)
        {
            out.push_back(config
                              .MakeFinding(id,
                                           std::string(TierName(tier)) + " tier",
                                           std::string(TierName(tier)) + " ECMP groups need "
                                               + std::to_string(size) + " next hops but "
                                               + model.name + " supports "
                                               + std::to_string(model.ecmpMaxPaths))
                              .With("next_hops", std::to_string(size))
                              .With("ecmp_max_paths", std::to_string(model.ecmpMaxPaths)));
        }
    }
}

void
CheckPlaneSymmetry(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.plane-symmetry";
    if (in.plan.planes < 2 || in.graph == nullptr)
    {
        return;
    }
    const auto& graph = *in.graph;
    // Per plane: switches by tier and links by tier must be equal; every server must have the
    // same number of ports in each plane.
    std::map<std::uint32_t, std::map<int, std::uint64_t>> switches;
    std::map<std::uint32_t, std::map<int, std::uint64_t>> links;
    for (const auto& node : graph.Nodes())
    {
        if (node.kind == GraphNode::Kind::Switch)
        {
            switches[node.plane][static_cast<int>(node.tier)]++;
        }
    }
    std::vector<std::uint32_t> serverPorts(
        static_cast<std::size_t>(graph.Servers()) * in.plan.planes, 0);
    for (const auto& link : graph.Links())
    {
        links[link.plane][static_cast<int>(link.tier)]++;
        if (link.tier == LinkTier::ServerLeaf)
        {
            serverPorts[static_cast<std::size_t>(link.lower) * in.plan.planes + link.plane]++;
        }
    }
    for (std::uint32_t p = 1; p < in.plan.planes; ++p)
    {
        if (switches[p] != switches[0] || links[p] != links[0])
        {
            out.push_back(config
                              .MakeFinding(id,
                                           "plane " + std::to_string(p),
                                           "plane " + std::to_string(p)
                                               + " differs from plane 0 in its switches or links")
                              .With("switches_plane_0", std::to_string(switches[0].size()))
                              .With("switches_plane_" + std::to_string(p),
                                    std::to_string(switches[p].size())));
            return;
        }
    }
    for (std::uint32_t s = 0; s < graph.Servers(); ++s)
    {
        for (std::uint32_t p = 1; p < in.plan.planes; ++p)
        {
            if (serverPorts[static_cast<std::size_t>(s) * in.plan.planes + p]
                != serverPorts[static_cast<std::size_t>(s) * in.plan.planes])
            {
                out.push_back(config.MakeFinding(
                    id, graph.NodeName(s), "has different port counts in different planes"));
                return;
            }
        }
    }
}

} // namespace fab::topo
