#include "topologies/model/design-review.h"

#include "telemetry/model/text-format.h"

namespace fab::topo
{

using telemetry::FormatDecimal;
using telemetry::FormatRate;
using telemetry::FormatWatts;
using telemetry::GroupDigits;

namespace
{

/** The process before it expands anything: code, libraries and the design itself. */
constexpr std::uint64_t kReviewBaseBytes = 16ull << 20;

void
CheckGraphFits(const GraphSize& size, const std::optional<telemetry::MemoryLimit>& limit)
{
    std::uint64_t bytes = ReviewMemoryBytes(size);
    std::string shape = "the design would expand to " + GroupDigits(size.Nodes())
                        + " nodes (servers and switches) and " + GroupDigits(size.links)
                        + " links, about " + telemetry::FormatBytes(static_cast<double>(bytes))
                        + " in memory";
    if (limit && bytes > limit->bytes)
    {
        throw telemetry::OverLimitError(
            "/servers/count",
            shape + ", more than the limit of "
                + telemetry::FormatBytes(static_cast<double>(limit->bytes)) + " (" + limit->source
                + "); expected fewer servers");
    }
    if (!size.FitsIndices())
    {
        throw telemetry::OverLimitError(
            "/servers/count",
            shape
                + ", more nodes or link ends than its 32-bit ids can number; expected fewer "
                  "servers");
    }
}

} // namespace

std::uint64_t
ReviewMemoryBytes(const GraphSize& size)
{
    // Measured: a review's peak resident memory is about the base and the graph
    // (RSS 65 MB for the 52.7 MB graph of 524,288 GPUs at radix 128); the quarter on top covers
    // the rules' per-node counts and the report.
    return kReviewBaseBytes + size.MemoryBytes() + size.MemoryBytes() / 4;
}

DesignReview
ReviewDesign(const Design& design,
             const telemetry::RuleConfig& rules,
             const std::optional<telemetry::MemoryLimit>& limit)
{
    DesignReview review;
    review.design = design;
    review.plan = PlanFatTree(design);
    CheckGraphFits(SizeGraph(design, review.plan), limit);
    review.graph = FabricGraph::Build(design, review.plan);
    review.bom = ComputeBillOfMaterials(design, review.plan);
    review.findings = CheckDesign({review.design, review.plan, review.bom, &*review.graph}, rules);
    return review;
}

nlohmann::json
ReviewToJson(const DesignReview& review)
{
    const auto& bom = review.bom;
    const auto& plan = review.plan;
    nlohmann::json switches = nlohmann::json::object();
    nlohmann::json ports = nlohmann::json::object();
    for (const auto& line : bom.switches)
    {
        switches[TierName(line.tier)] = line.switches;
        ports[TierName(line.tier)] = {{"model", line.model},
                                      {"total", line.portsTotal},
                                      {"down", line.portsDown},
                                      {"up", line.portsUp},
                                      {"idle", line.portsTotal - line.portsDown - line.portsUp}};
    }
    nlohmann::json links = nlohmann::json::object();
    nlohmann::json linkDetails = nlohmann::json::array();
    for (const auto& line : bom.links)
    {
        links[LinkTierName(line.tier)] = line.links;
        linkDetails.push_back({{"tier", LinkTierName(line.tier)},
                               {"links", line.links},
                               {"speed", FormatRate(line.speedBps)},
                               {"length_m", line.lengthMetres},
                               {"media", MediaName(line.media)},
                               {"reachable", line.reachable}});
    }
    nlohmann::json transceivers = nlohmann::json::array();
    for (const auto& line : bom.transceivers)
    {
        nlohmann::json item = {{"location", line.location},
                               {"speed", FormatRate(line.speedBps)},
                               {"form_factor", line.Description()},
                               {"media", MediaName(line.media)},
                               {"count", line.count}};
        item["power_w_each"]
            = line.powerEachW ? nlohmann::json(*line.powerEachW) : nlohmann::json(nullptr);
        item["reach_m"] = MaxReachMetres(line.media, LaneRate(line.speedBps));
        transceivers.push_back(item);
    }
    nlohmann::json cables = nlohmann::json::array();
    for (const auto& line : bom.cables)
    {
        cables.push_back({{"tier", LinkTierName(line.tier)},
                          {"media", MediaName(line.media)},
                          {"count", line.count},
                          {"length_m", line.lengthMetres},
                          {"power_w_each", line.powerEachW}});
    }
    nlohmann::json pods = nlohmann::json::array();
    for (const auto& pod : plan.pods)
    {
        pods.push_back({{"leaves", pod.leaves},
                        {"spines", pod.spines},
                        {"links_per_leaf_spine", pod.linksPerLeafSpine}});
    }
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& group : plan.coreGroups)
    {
        groups.push_back({{"pods", group.pods},
                          {"cores", group.cores},
                          {"links_per_spine_core", group.linksPerSpineCore}});
    }
    nlohmann::json out = {
        {"design",
         {{"name", review.design.name}, {"fabric", FabricKindName(review.design.fabric)}}},
        {"gpus", bom.gpus},
        {"servers", bom.servers},
        {"endpoints", bom.endpoints},
        {"tiers", plan.tiers},
        {"planes", plan.planes},
        {"switches_by_tier", switches},
        {"links_by_tier", links},
        {"ports_by_tier", ports},
        {"links", linkDetails},
        {"transceivers", transceivers},
        {"cables", cables},
        {"modules_per_gpu", bom.ModulesPerGpu()},
        {"max_switch_hops", plan.MaxSwitchHops()},
        {"totals",
         {{"switches", bom.TotalSwitches()},
          {"transceivers", bom.TotalTransceivers()},
          {"cables", bom.TotalCables()},
          {"power_w", bom.TotalPowerW()},
          {"switch_power_w", bom.SwitchPowerW()},
          {"optics_power_w", bom.OpticsPowerW()}}},
        {"plan",
         {{"scalable_unit_servers", plan.suServers},
          {"scalable_units", plan.scalableUnits},
          {"leaves_per_scalable_unit", plan.leavesPerSu},
          {"leaf_ports", {{"down", plan.leafDown}, {"up", plan.leafUp}}},
          {"spine_ports", {{"down", plan.spineDown}, {"up", plan.spineUp}}},
          {"pods", pods},
          {"core_groups", groups}}},
    };
    if (review.graph)
    {
        out["graph"] = {{"nodes", review.graph->Nodes().size()},
                        {"links", review.graph->Links().size()},
                        {"memory_bytes", review.graph->MemoryBytes()}};
    }
    if (auto share = bom.NetworkCostShare())
    {
        out["cost"] = {{"network_usd", *bom.NetworkCostUsd()},
                       {"servers_usd", *bom.ServerCostUsd()},
                       {"network_share", *share}};
    }
    return out;
}

} // namespace fab::topo
