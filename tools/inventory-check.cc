#include "tools/inventory-check.h"

#include "telemetry/model/text-format.h"
#include "topologies/model/bill-of-materials.h"
#include "topologies/model/fabric-graph.h"
#include "topologies/model/media.h"

#include <map>
#include <set>
#include <unordered_map>

namespace fab::tools
{

using telemetry::Finding;
using telemetry::Severity;

namespace
{

struct DesignPort
{
    std::string peer;
    topo::LinkTier tier{topo::LinkTier::ServerLeaf};
    std::uint64_t speedBps{0};
};

std::string
CaptureName(const dpi::AnalysisResult& result, std::uint32_t file)
{
    return file < result.files.size() ? result.files[file].path : "?";
}

} // namespace

void
RegisterInventoryRules(telemetry::RuleConfig& config)
{
    config.Register({"inventory.unknown-device",
                     "Every LLDP speaker is in the design",
                     Severity::Error,
                     {},
                     "a chassis or port the design does not have: extra or misnamed"});
    config.Register({"inventory.miswired",
                     "Every link seen is a link of the design",
                     Severity::Error,
                     {},
                     "the two LLDP speakers of one capture are not the ends the design joins"});
    config.Register({"inventory.speed",
                     "Advertised speeds are the design's",
                     Severity::Warning,
                     {},
                     "the IEEE 802.3 MAC/PHY TLV's operational MAU type against the link speed"});
}

InventoryCheck
CheckInventory(const dpi::AnalysisResult& result,
               const topo::Design& design,
               const telemetry::RuleConfig& rules)
{
    InventoryCheck check;
    check.section.title = "Inventory against " + design.name;
    auto plan = topo::PlanFatTree(design);
    auto graph = topo::FabricGraph::Build(design, plan);
    auto bom = topo::ComputeBillOfMaterials(design, plan);

    // Ports of the design that LLDP could show: only those of the nodes seen.
    std::set<std::string> seenNodes;
    for (const auto& l : result.lldp)
    {
        seenNodes.insert(l.chassisId);
    }
    std::unordered_map<std::string, DesignPort> ports;
    for (const auto& link : graph.Links())
    {
        std::string lower = graph.NodeName(link.lower);
        std::string upper = graph.NodeName(link.upper);
        if (seenNodes.count(lower) == 0 && seenNodes.count(upper) == 0)
        {
            continue;
        }
        const topo::LinkLine* line = bom.Links(link.tier);
        std::uint64_t speed = line != nullptr ? line->speedBps : 0;
        std::string a = graph.PortName(link.lower, link.lowerPort);
        std::string b = graph.PortName(link.upper, link.upperPort);
        ports[a] = {b, link.tier, speed};
        ports[b] = {a, link.tier, speed};
    }

    // Each LLDP speaker on its own; then the pairs heard in one capture as links.
    std::map<std::uint32_t, std::vector<const dpi::LldpSighting*>> byFile;
    for (const auto& l : result.lldp)
    {
        byFile[l.file].push_back(&l);
        std::string subject = l.portId + " (" + CaptureName(result, l.file) + ")";
        if (!graph.FindNode(l.chassisId) || ports.count(l.portId) == 0)
        {
            if (rules.Enabled("inventory.unknown-device"))
            {
                check.findings.push_back(
                    rules
                        .MakeFinding(
                            "inventory.unknown-device",
                            subject,
                            !graph.FindNode(l.chassisId)
                                ? "\"" + l.chassisId + "\" is not a switch or server of the design"
                                : "\"" + l.portId + "\" is not a cabled port of the design")
                        .With("first LLDP packet", std::to_string(l.firstPacket)));
            }
            continue;
        }
        const DesignPort& port = ports.at(l.portId);
        if (l.speedBps != 0 && port.speedBps != 0 && l.speedBps != port.speedBps
            && rules.Enabled("inventory.speed"))
        {
            check.findings.push_back(
                rules.MakeFinding("inventory.speed",
                                  subject,
                                  "advertises " + telemetry::FormatRate(l.speedBps)
                                      + "; the design's " + topo::LinkTierName(port.tier)
                                      + " links run at " + telemetry::FormatRate(port.speedBps)));
        }
    }
    telemetry::Table links{"Links seen in LLDP",
                           {"capture", "one end", "other end", "design", "tier"},
                           {},
                           {false, false, false, false, false}};
    std::map<topo::LinkTier, std::uint64_t> seenByTier;
    std::set<std::string> counted;
    for (const auto& [file, speakers] : byFile)
    {
        if (speakers.size() != 2)
        {
            continue; // one end only, or a shared segment: no single link to judge
        }
        const auto* a = speakers[0];
        const auto* b = speakers[1];
        auto it = ports.find(a->portId);
        std::string verdict = "not in the design";
        std::string tier;
        if (it != ports.end() && it->second.peer == b->portId)
        {
            verdict = "as designed";
            tier = topo::LinkTierName(it->second.tier);
            if (counted.insert(std::min(a->portId, b->portId)).second)
            {
                seenByTier[it->second.tier]++;
            }
        }
        else if (it != ports.end())
        {
            verdict = "miswired: the design joins " + a->portId + " to " + it->second.peer;
            if (rules.Enabled("inventory.miswired"))
            {
                check.findings.push_back(rules
                                             .MakeFinding("inventory.miswired",
                                                          a->portId + " ↔ " + b->portId,
                                                          "seen joined in "
                                                              + CaptureName(result, file)
                                                              + "; the design joins " + a->portId
                                                              + " to " + it->second.peer)
                                             .With("LLDP packets",
                                                   std::to_string(a->firstPacket) + ", "
                                                       + std::to_string(b->firstPacket)));
            }
        }
        links.rows.push_back({CaptureName(result, file), a->portId, b->portId, verdict, tier});
    }
    telemetry::Table tiers{"Links by tier: seen against the design's bill of materials",
                           {"tier",
                            "links seen",
                            "links in the design",
                            "medium",
                            "optical modules on the links seen"},
                           {},
                           {false, true, true, false, true}};
    for (const auto& line : bom.links)
    {
        std::uint64_t seen = seenByTier.count(line.tier) ? seenByTier.at(line.tier) : 0;
        tiers.rows.push_back(
            {topo::LinkTierName(line.tier),
             telemetry::GroupDigits(seen),
             telemetry::GroupDigits(line.links),
             topo::MediaName(line.media),
             telemetry::GroupDigits(topo::UsesTransceivers(line.media) ? 2 * seen : 0)});
    }
    check.section.blocks.emplace_back(telemetry::Paragraph{
        telemetry::GroupDigits(result.lldp.size()) + " LLDP speakers in "
        + telemetry::GroupDigits(byFile.size()) + " captures, checked against the design's "
        + telemetry::GroupDigits(graph.Links().size()) + " links."});
    if (!links.rows.empty())
    {
        check.section.blocks.emplace_back(std::move(links));
    }
    check.section.blocks.emplace_back(std::move(tiers));
    return check;
}

} // namespace fab::tools
