#include "topologies/model/bill-of-materials.h"

#include "telemetry/model/text-format.h"
#include "topologies/model/units.h"

#include <algorithm>

namespace fab::topo
{
namespace
{

/** Cages in use at the two ends of one link tier, over all planes. */
struct CageCount
{
    std::uint64_t lower{0};
    std::uint64_t lowerSpeedBps{0};
    std::uint32_t lowerPortsPerCage{1};
    std::string lowerFormFactor;
    std::uint64_t upper{0};
    std::uint64_t upperSpeedBps{0};
    std::uint32_t upperPortsPerCage{1};
    std::string upperFormFactor;
};

/** Leaf cages holding downlinks in one plane: a cage serves `breakout` server ports. */
std::uint64_t
LeafDownCages(const FatTreePlan& plan, std::uint32_t breakout)
{
    // Ports in use on each leaf of an SU holding `servers` servers, summed as cages.
    auto cagesOfSu = [&](std::uint32_t servers, std::uint32_t leavesPerRail)
    {
        std::uint64_t cages = 0;
        if (plan.railOptimized)
        {
            for (std::uint32_t j = 0; j < leavesPerRail; ++j)
            {
                std::uint64_t first = static_cast<std::uint64_t>(j) * plan.leafDown;
                std::uint64_t used
                    = servers > first ? std::min<std::uint64_t>(plan.leafDown, servers - first) : 0;
                cages += CeilDiv(used, breakout);
            }
            return cages * plan.railsPerPlane;
        }
        for (std::uint32_t j = 0; j < leavesPerRail; ++j)
        {
            std::uint64_t first = static_cast<std::uint64_t>(j) * plan.serversPerLeaf;
            std::uint64_t onLeaf
                = servers > first ? std::min<std::uint64_t>(plan.serversPerLeaf, servers - first)
                                  : 0;
            cages += CeilDiv(onLeaf * plan.railsPerPlane, breakout);
        }
        return cages;
    };
    std::uint32_t perRail = plan.railOptimized ? plan.leavesPerRailPerSu : plan.leavesPerSu;
    std::uint32_t lastPerRail
        = plan.railOptimized ? plan.lastSuLeaves / plan.railsPerPlane : plan.lastSuLeaves;
    return (plan.scalableUnits - 1) * cagesOfSu(plan.suServers, perRail)
           + cagesOfSu(plan.lastSuServers, lastPerRail);
}

CageCount
CountCages(const Design& design, const FatTreePlan& plan, LinkTier tier)
{
    const auto& leaf = design.ModelOf(design.leaf);
    const auto& spine = design.ModelOf(design.spine);
    const auto& core = design.ModelOf(design.core);
    CageCount cages;
    std::uint64_t planes = plan.planes;
    switch (tier)
    {
        case LinkTier::ServerLeaf:
            cages.lower = static_cast<std::uint64_t>(plan.servers) * design.servers.PortsPerServer()
                          / design.servers.nicCagePorts;
            cages.lowerSpeedBps = design.servers.nicSpeedBps * design.servers.nicCagePorts;
            cages.lowerPortsPerCage = design.servers.nicCagePorts;
            cages.lowerFormFactor = design.servers.nicFormFactor;
            cages.upper = LeafDownCages(plan, leaf.breakout) * planes;
            cages.upperSpeedBps = leaf.portSpeedBps;
            cages.upperPortsPerCage = leaf.breakout;
            cages.upperFormFactor = leaf.formFactor;
            break;
        case LinkTier::LeafSpine:
            cages.lower = plan.leaves * CeilDiv(plan.leafUp, leaf.breakout) * planes;
            cages.lowerSpeedBps = leaf.portSpeedBps;
            cages.lowerPortsPerCage = leaf.breakout;
            cages.lowerFormFactor = leaf.formFactor;
            for (const auto& pod : plan.pods)
            {
                cages.upper
                    += pod.spines
                       * CeilDiv(static_cast<std::uint64_t>(pod.leaves) * pod.linksPerLeafSpine,
                                 spine.breakout)
                       * planes;
            }
            cages.upperSpeedBps = spine.portSpeedBps;
            cages.upperPortsPerCage = spine.breakout;
            cages.upperFormFactor = spine.formFactor;
            break;
        case LinkTier::SpineCore:
            cages.lower = plan.spines * CeilDiv(plan.spineUp, spine.breakout) * planes;
            cages.lowerSpeedBps = spine.portSpeedBps;
            cages.lowerPortsPerCage = spine.breakout;
            cages.lowerFormFactor = spine.formFactor;
            for (const auto& group : plan.coreGroups)
            {
                cages.upper
                    += group.cores
                       * CeilDiv(static_cast<std::uint64_t>(group.pods) * group.linksPerSpineCore,
                                 core.breakout)
                       * planes;
            }
            cages.upperSpeedBps = core.portSpeedBps;
            cages.upperPortsPerCage = core.breakout;
            cages.upperFormFactor = core.formFactor;
            break;
    }
    return cages;
}

std::optional<double>
ModulePower(const Design& design, Media media, std::uint64_t moduleBps)
{
    auto it = design.modulePowerW.find(ModulePowerKey(moduleBps, media));
    if (it != design.modulePowerW.end())
    {
        return it->second;
    }
    return DefaultModulePowerWatts(media, moduleBps);
}

std::optional<double>
Price(const std::map<std::uint64_t, double>& prices, std::uint64_t key)
{
    auto it = prices.find(key);
    return it == prices.end() ? std::nullopt : std::optional<double>(it->second);
}

} // namespace

std::string
ModulePowerKey(std::uint64_t moduleBps, Media media)
{
    return telemetry::FormatRate(moduleBps) + "-" + MediaName(media);
}

std::string
TransceiverLine::Description() const
{
    if (lanesOut > 1)
    {
        return formFactor + " " + std::to_string(lanesOut) + "x"
               + telemetry::FormatRate(speedBps / lanesOut);
    }
    return formFactor;
}

BillOfMaterials
ComputeBillOfMaterials(const Design& design, const FatTreePlan& plan)
{
    BillOfMaterials bom;
    bom.plan = plan;
    bom.servers = design.servers.count;
    bom.gpus = design.Gpus();
    bom.endpoints = design.Endpoints();
    bom.serverPriceUsd = design.servers.priceUsd;

    std::vector<Tier> tiers = {Tier::Leaf, Tier::Spine};
    std::vector<LinkTier> linkTiers = {LinkTier::ServerLeaf, LinkTier::LeafSpine};
    if (plan.tiers == 3)
    {
        tiers.push_back(Tier::Core);
        linkTiers.push_back(LinkTier::SpineCore);
    }
    const TierSpec* specs[] = {&design.leaf, &design.spine, &design.core};
    for (Tier tier : tiers)
    {
        const auto& model = design.ModelOf(*specs[static_cast<int>(tier)]);
        SwitchLine line;
        line.tier = tier;
        line.model = model.name;
        line.switches = static_cast<std::uint64_t>(plan.SwitchesPerPlane(tier)) * plan.planes;
        line.portsTotal = line.switches * model.Radix();
        line.portsDown = plan.DownPortsUsed(tier) * plan.planes;
        line.portsUp = plan.UpPortsUsed(tier) * plan.planes;
        line.chassisPowerW = static_cast<double>(line.switches) * model.powerW;
        line.priceEachUsd = model.priceUsd;
        if (!model.priceUsd)
        {
            bom.unpricedItems.push_back("switch model " + model.name);
        }
        bom.switches.push_back(line);
    }

    const LinkSpec* linkSpecs[] = {&design.serverLeaf, &design.leafSpine, &design.spineCore};
    const char* lowerNames[] = {"nic", "leaf-up", "spine-up"};
    const char* upperNames[] = {"leaf-down", "spine-down", "core-down"};
    for (LinkTier tier : linkTiers)
    {
        int t = static_cast<int>(tier);
        const auto& spec = *linkSpecs[t];
        CageCount cages = CountCages(design, plan, tier);
        LinkLine line;
        line.tier = tier;
        line.links = plan.LinksPerPlane(tier) * plan.planes;
        line.speedBps = tier == LinkTier::ServerLeaf ? design.servers.nicSpeedBps
                                                     : design.ModelOf(design.leaf).LinkSpeedBps();
        line.lengthMetres = spec.lengthMetres;
        std::uint64_t laneBps = LaneRate(std::max(cages.lowerSpeedBps, cages.upperSpeedBps));
        line.laneBps = laneBps;
        if (spec.media == Media::Auto)
        {
            auto chosen = ChooseMedia(spec.lengthMetres, laneBps);
            line.media = chosen.value_or(Media::SmfFr);
            line.reachable = chosen.has_value();
        }
        else
        {
            line.media = spec.media;
            line.reachable = spec.lengthMetres <= MaxReachMetres(spec.media, laneBps);
        }
        bom.links.push_back(line);

        CableLine cable;
        cable.tier = tier;
        cable.media = line.media;
        cable.lengthMetres = spec.lengthMetres;
        if (UsesTransceivers(line.media))
        {
            // One fibre run per logical link: a twin-port module takes two MPO cables.
            cable.count = line.links;
            for (int end = 0; end < 2; ++end)
            {
                TransceiverLine module;
                module.location = end == 0 ? lowerNames[t] : upperNames[t];
                module.count = end == 0 ? cages.lower : cages.upper;
                module.speedBps = end == 0 ? cages.lowerSpeedBps : cages.upperSpeedBps;
                module.lanesOut = end == 0 ? cages.lowerPortsPerCage : cages.upperPortsPerCage;
                module.formFactor = end == 0 ? cages.lowerFormFactor : cages.upperFormFactor;
                module.media = line.media;
                module.powerEachW = ModulePower(design, line.media, module.speedBps);
                module.priceEachUsd = Price(design.prices.transceiverUsd, module.speedBps);
                if (!module.priceEachUsd)
                {
                    bom.unpricedItems.push_back(telemetry::FormatRate(module.speedBps)
                                                + " transceivers");
                }
                bom.transceivers.push_back(module);
            }
        }
        else
        {
            // Copper and AOC: one cable per cage on the side with fewer cages (a splitter fans
            // an 800G cage out to two 400G ends).
            cable.count = std::min(cages.lower, cages.upper);
            double power = 0;
            if (line.media == Media::Acc)
            {
                power = cages.lower * ActiveCopperEndWatts(cages.lowerSpeedBps)
                        + cages.upper * ActiveCopperEndWatts(cages.upperSpeedBps);
            }
            else if (line.media == Media::Aoc)
            {
                power
                    = cages.lower * ModulePower(design, Media::Aoc, cages.lowerSpeedBps).value_or(0)
                      + cages.upper
                            * ModulePower(design, Media::Aoc, cages.upperSpeedBps).value_or(0);
            }
            cable.powerEachW = cable.count > 0 ? power / cable.count : 0;
        }
        auto price = design.prices.cableUsd.find(line.media);
        if (price != design.prices.cableUsd.end())
        {
            cable.priceEachUsd = price->second;
        }
        else if (cable.count > 0)
        {
            bom.unpricedItems.push_back(std::string(MediaName(line.media)) + " cables");
        }
        bom.cables.push_back(cable);
    }
    return bom;
}

std::uint64_t
BillOfMaterials::TotalSwitches() const
{
    std::uint64_t total = 0;
    for (const auto& line : switches)
    {
        total += line.switches;
    }
    return total;
}

std::uint64_t
BillOfMaterials::TotalTransceivers() const
{
    std::uint64_t total = 0;
    for (const auto& line : transceivers)
    {
        total += line.count;
    }
    return total;
}

std::uint64_t
BillOfMaterials::TotalCables() const
{
    std::uint64_t total = 0;
    for (const auto& line : cables)
    {
        total += line.count;
    }
    return total;
}

double
BillOfMaterials::SwitchPowerW() const
{
    double total = 0;
    for (const auto& line : switches)
    {
        total += line.chassisPowerW;
    }
    return total;
}

double
BillOfMaterials::OpticsPowerW() const
{
    double total = 0;
    for (const auto& line : transceivers)
    {
        total += static_cast<double>(line.count) * line.powerEachW.value_or(0);
    }
    for (const auto& line : cables)
    {
        total += static_cast<double>(line.count) * line.powerEachW;
    }
    return total;
}

double
BillOfMaterials::ModulesPerGpu() const
{
    return gpus == 0 ? 0 : static_cast<double>(TotalTransceivers()) / static_cast<double>(gpus);
}

std::vector<std::string>
BillOfMaterials::UnknownPower() const
{
    std::vector<std::string> unknown;
    for (const auto& line : transceivers)
    {
        if (!line.powerEachW)
        {
            auto key = ModulePowerKey(line.speedBps, line.media);
            if (std::find(unknown.begin(), unknown.end(), key) == unknown.end())
            {
                unknown.push_back(key);
            }
        }
    }
    return unknown;
}

std::optional<double>
BillOfMaterials::NetworkCostUsd() const
{
    if (!unpricedItems.empty())
    {
        return std::nullopt;
    }
    double total = 0;
    for (const auto& line : switches)
    {
        total += static_cast<double>(line.switches) * line.priceEachUsd.value_or(0);
    }
    for (const auto& line : transceivers)
    {
        total += static_cast<double>(line.count) * line.priceEachUsd.value_or(0);
    }
    for (const auto& line : cables)
    {
        total += static_cast<double>(line.count) * line.priceEachUsd.value_or(0);
    }
    return total;
}

std::optional<double>
BillOfMaterials::ServerCostUsd() const
{
    if (!serverPriceUsd)
    {
        return std::nullopt;
    }
    return *serverPriceUsd * static_cast<double>(servers);
}

std::optional<double>
BillOfMaterials::NetworkCostShare() const
{
    auto network = NetworkCostUsd();
    auto serversCost = ServerCostUsd();
    if (!network || !serversCost || *network + *serversCost <= 0)
    {
        return std::nullopt;
    }
    return *network / (*network + *serversCost);
}

const SwitchLine*
BillOfMaterials::Switches(Tier tier) const
{
    for (const auto& line : switches)
    {
        if (line.tier == tier)
        {
            return &line;
        }
    }
    return nullptr;
}

const LinkLine*
BillOfMaterials::Links(LinkTier tier) const
{
    for (const auto& line : links)
    {
        if (line.tier == tier)
        {
            return &line;
        }
    }
    return nullptr;
}

} // namespace fab::topo
