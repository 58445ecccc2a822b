#include "topologies/model/fat-tree-plan.h"

#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/text-format.h"
#include "topologies/model/units.h"

#include <algorithm>
#include <cmath>

namespace fab::topo
{

using telemetry::GroupDigits;
using telemetry::InputError;

namespace
{

/** CeilDiv for the plan's counts, which are 32-bit. */
std::uint32_t
CeilDivCount(std::uint64_t count, std::uint64_t size)
{
    return static_cast<std::uint32_t>(CeilDiv(count, size));
}

/** Fills the pods of a plane: pods of `leavesPerPod` leaves, spines sized per pod. */
void
PlanPods(FatTreePlan& plan, std::uint32_t leavesPerPod)
{
    plan.pods.clear();
    plan.spines = 0;
    for (std::uint32_t first = 0; first < plan.leaves; first += leavesPerPod)
    {
        PodPlan pod;
        pod.firstLeaf = first;
        pod.leaves = std::min(leavesPerPod, plan.leaves - first);
        pod.firstSpine = plan.spines;
        pod.spines = SmallestDivisorAtLeast(
            plan.leafUp,
            CeilDivCount(static_cast<std::uint64_t>(pod.leaves) * plan.leafUp, plan.spineDown));
        pod.linksPerLeafSpine = plan.leafUp / pod.spines;
        plan.spines += pod.spines;
        plan.pods.push_back(pod);
    }
}

void
PlanCores(FatTreePlan& plan)
{
    plan.coreGroups.clear();
    plan.cores = 0;
    std::uint32_t groups = 0;
    for (const auto& pod : plan.pods)
    {
        groups = std::max(groups, pod.spines);
    }
    for (std::uint32_t j = 0; j < groups; ++j)
    {
        CoreGroupPlan group;
        group.firstCore = plan.cores;
        // Pods are filled in order, so the pods with a spine j are a prefix.
        for (const auto& pod : plan.pods)
        {
            group.pods += pod.spines > j ? 1 : 0;
        }
        group.cores = SmallestDivisorAtLeast(
            plan.spineUp,
            CeilDivCount(static_cast<std::uint64_t>(group.pods) * plan.spineUp, plan.coreRadix));
        group.linksPerSpineCore = plan.spineUp / group.cores;
        plan.cores += group.cores;
        plan.coreGroups.push_back(group);
    }
}

} // namespace

const char*
TierName(Tier tier)
{
    switch (tier)
    {
        case Tier::Leaf:
            return "leaf";
        case Tier::Spine:
            return "spine";
        case Tier::Core:
            return "core";
    }
    return "leaf";
}

const char*
LinkTierName(LinkTier tier)
{
    switch (tier)
    {
        case LinkTier::ServerLeaf:
            return "server-leaf";
        case LinkTier::LeafSpine:
            return "leaf-spine";
        case LinkTier::SpineCore:
            return "spine-core";
    }
    return "server-leaf";
}

std::uint32_t
SmallestDivisorAtLeast(std::uint32_t n, std::uint32_t atLeast)
{
    for (std::uint32_t d = std::max<std::uint32_t>(atLeast, 1); d <= n; ++d)
    {
        if (n % d == 0)
        {
            return d;
        }
    }
    return 0;
}

void
SplitPorts(std::uint32_t radix, double oversubscription, std::uint32_t& down, std::uint32_t& up)
{
    down = static_cast<std::uint32_t>(
        std::floor(radix * oversubscription / (1 + oversubscription) + 1e-9));
    up = static_cast<std::uint32_t>(std::ceil(down / oversubscription - 1e-9));
}

std::uint64_t
FatTreePlan::LinksPerPlane(LinkTier tier) const
{
    switch (tier)
    {
        case LinkTier::ServerLeaf:
            return endpointsPerPlane;
        case LinkTier::LeafSpine:
            return static_cast<std::uint64_t>(leaves) * leafUp;
        case LinkTier::SpineCore:
            return tiers == 3 ? static_cast<std::uint64_t>(spines) * spineUp : 0;
    }
    return 0;
}

std::uint32_t
FatTreePlan::SwitchesPerPlane(Tier tier) const
{
    return tier == Tier::Leaf ? leaves : tier == Tier::Spine ? spines : cores;
}

std::uint32_t
FatTreePlan::DownPorts(Tier tier) const
{
    return tier == Tier::Leaf ? leafDown : tier == Tier::Spine ? spineDown : coreRadix;
}

std::uint32_t
FatTreePlan::UpPorts(Tier tier) const
{
    return tier == Tier::Leaf ? leafUp : tier == Tier::Spine ? spineUp : 0;
}

std::uint32_t
FatTreePlan::Radix(Tier tier) const
{
    return tier == Tier::Leaf ? leafRadix : tier == Tier::Spine ? spineRadix : coreRadix;
}

std::uint64_t
FatTreePlan::DownPortsUsed(Tier tier) const
{
    switch (tier)
    {
        case Tier::Leaf:
            return LinksPerPlane(LinkTier::ServerLeaf);
        case Tier::Spine:
            return LinksPerPlane(LinkTier::LeafSpine);
        case Tier::Core:
            return LinksPerPlane(LinkTier::SpineCore);
    }
    return 0;
}

std::uint64_t
FatTreePlan::UpPortsUsed(Tier tier) const
{
    switch (tier)
    {
        case Tier::Leaf:
            return LinksPerPlane(LinkTier::LeafSpine);
        case Tier::Spine:
            return LinksPerPlane(LinkTier::SpineCore);
        case Tier::Core:
            return 0;
    }
    return 0;
}

std::uint32_t
FatTreePlan::LeafOf(std::uint32_t server, std::uint32_t rail) const
{
    std::uint32_t su = server / suServers;
    std::uint32_t slot = server % suServers;
    std::uint32_t base = su * leavesPerSu;
    if (railOptimized)
    {
        bool last = su + 1 == scalableUnits;
        std::uint32_t perRail = last ? lastSuLeaves / railsPerPlane : leavesPerRailPerSu;
        return base + rail * perRail + slot / leafDown;
    }
    return base + slot / serversPerLeaf;
}

std::uint32_t
FatTreePlan::LeafDownPortOf(std::uint32_t server, std::uint32_t rail) const
{
    std::uint32_t slot = server % suServers;
    if (railOptimized)
    {
        return slot % leafDown;
    }
    return (slot % serversPerLeaf) * railsPerPlane + rail;
}

std::uint32_t
FatTreePlan::PodOfLeaf(std::uint32_t leaf) const
{
    std::uint32_t perPod = pods.empty() ? 1 : pods.front().leaves;
    return leaf / perPod;
}

FatTreePlan
PlanFatTree(const Design& design)
{
    FatTreePlan plan;
    const auto& leafModel = design.ModelOf(design.leaf);
    const auto& spineModel = design.ModelOf(design.spine);
    const auto& coreModel = design.ModelOf(design.core);
    plan.planes = design.planes;
    plan.servers = design.servers.count;
    plan.railsPerPlane = design.servers.PortsPerServer() / design.planes;
    plan.railOptimized = design.servers.railOptimized && plan.railsPerPlane > 1;
    plan.endpointsPerPlane = static_cast<std::uint64_t>(plan.servers) * plan.railsPerPlane;
    plan.leafRadix = leafModel.Radix();
    plan.spineRadix = spineModel.Radix();
    plan.coreRadix = coreModel.Radix();
    SplitPorts(plan.leafRadix, design.leaf.oversubscription, plan.leafDown, plan.leafUp);

    // Scalable units: by default one leaf's worth of servers on each rail (32 servers on
    // 64-port leaves, as in NVIDIA's SuperPODs).
    if (plan.railOptimized)
    {
        plan.suServers
            = design.scalableUnitServers > 0 ? design.scalableUnitServers : plan.leafDown;
        plan.leavesPerRailPerSu = CeilDivCount(plan.suServers, plan.leafDown);
        plan.leavesPerSu = plan.railsPerPlane * plan.leavesPerRailPerSu;
    }
    else
    {
        plan.serversPerLeaf = plan.leafDown / plan.railsPerPlane;
        if (plan.serversPerLeaf == 0)
        {
            throw InputError("/servers/nics",
                             "radix too small: a top-of-rack leaf with "
                                 + std::to_string(plan.leafDown)
                                 + " downlinks cannot take a server with "
                                 + std::to_string(plan.railsPerPlane) + " ports in one plane");
        }
        plan.suServers
            = design.scalableUnitServers > 0 ? design.scalableUnitServers : plan.serversPerLeaf;
        plan.leavesPerSu = CeilDivCount(plan.suServers, plan.serversPerLeaf);
    }
    plan.scalableUnits = CeilDivCount(plan.servers, plan.suServers);
    plan.lastSuServers = plan.servers - (plan.scalableUnits - 1) * plan.suServers;
    plan.lastSuLeaves = plan.leavesPerSu;
    if (!design.wholeScalableUnits)
    {
        plan.lastSuLeaves
            = plan.railOptimized
                  ? plan.railsPerPlane * CeilDivCount(plan.lastSuServers, plan.leafDown)
                  : CeilDivCount(plan.lastSuServers, plan.serversPerLeaf);
    }
    plan.leaves = (plan.scalableUnits - 1) * plan.leavesPerSu + plan.lastSuLeaves;

    // Two tiers while every leaf can reach every spine directly: at most one leaf per spine port.
    bool twoTiersFit = plan.leaves <= plan.spineRadix;
    std::uint32_t spineDown3 = 0;
    std::uint32_t spineUp3 = 0;
    SplitPorts(plan.spineRadix, design.spine.oversubscription, spineDown3, spineUp3);
    std::uint32_t pods3 = CeilDivCount(plan.leaves, spineDown3);
    bool threeTiersFit = pods3 <= plan.coreRadix;
    std::string sizeText = GroupDigits(plan.endpointsPerPlane) + " endpoints per plane need "
                           + GroupDigits(plan.leaves) + " leaves";
    if (design.tiers == 2 && !twoTiersFit)
    {
        throw InputError(
            "/tiers/count",
            "radix too small for 2 tiers: " + sizeText + ", but a "
                + std::to_string(plan.spineRadix) + "-port spine reaches at most "
                + std::to_string(plan.spineRadix) + " leaves ("
                + GroupDigits(static_cast<std::uint64_t>(plan.spineRadix) * plan.leafDown)
                + " endpoints); use 3 tiers, more planes or a larger radix");
    }
    if (design.tiers != 2 && !twoTiersFit && !threeTiersFit)
    {
        throw InputError(design.tiers == 3 ? "/tiers/count" : "/servers/count",
                         "radix too small: " + sizeText + " in " + GroupDigits(pods3)
                             + " pods, but a " + std::to_string(plan.coreRadix)
                             + "-port core reaches at most " + std::to_string(plan.coreRadix)
                             + " pods; more than 3 tiers would be needed");
    }
    plan.tiers = design.tiers != 0 ? design.tiers : (twoTiersFit ? 2 : 3);

    if (plan.tiers == 2)
    {
        plan.spineDown = plan.spineRadix;
        plan.spineUp = 0;
        PlanPods(plan, plan.leaves);
    }
    else
    {
        plan.spineDown = spineDown3;
        plan.spineUp = spineUp3;
        PlanPods(plan, plan.spineDown);
        PlanCores(plan);
    }
    return plan;
}

} // namespace fab::topo
