#include "support/test-designs.h"
#include "topologies/model/design-rules.h"

#include <catch2/catch.hpp>

using namespace fab::topo;
using fab::telemetry::Finding;
using fab::telemetry::RuleConfig;
using fab::telemetry::Severity;
using fab::tests::UniformDesign;

namespace
{

std::vector<Finding>
Check(const Design& design, const RuleConfig& rules = DefaultDesignRules())
{
    auto plan = PlanFatTree(design);
    auto graph = FabricGraph::Build(design, plan);
    auto bom = ComputeBillOfMaterials(design, plan);
    return CheckDesign({design, plan, bom, &graph}, rules);
}

/** The findings of one rule at or above a severity. */
std::vector<Finding>
Of(const std::vector<Finding>& findings,
   const std::string& rule,
   Severity atLeast = Severity::Warning)
{
    std::vector<Finding> out;
    for (const auto& finding : findings)
    {
        if (finding.rule == rule && finding.severity >= atLeast)
        {
            out.push_back(finding);
        }
    }
    return out;
}

std::string
Evidence(const Finding& finding, const std::string& key)
{
    for (const auto& [k, v] : finding.evidence)
    {
        if (k == key)
        {
            return v;
        }
    }
    return "(none)";
}

/** A healthy 2-SU rail-optimized RoCE design with a known buffer. */
Design
Healthy()
{
    auto design = UniformDesign(64, 8, 32, 2, 0);
    design.switchModels["sw"].bufferBytes = 64'000'000;
    return design;
}

} // namespace

TEST_CASE("a healthy design raises no warning", "[topologies][rules]")
{
    auto findings = Check(Healthy());
    for (const auto& finding : findings)
    {
        INFO(finding.rule << ": " << finding.message);
        REQUIRE(finding.severity == Severity::Info);
    }
    REQUIRE_FALSE(findings.empty());
}

TEST_CASE("every finding carries evidence or a subject", "[topologies][rules]")
{
    for (const auto& finding : Check(Healthy()))
    {
        REQUIRE_FALSE(finding.subject.empty());
        REQUIRE_FALSE(finding.message.empty());
    }
}

TEST_CASE("oversubscription", "[topologies][rules]")
{
    auto design = Healthy();
    design.leaf.oversubscription = 3;
    auto found = Of(Check(design), "design.oversubscription");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].subject == "leaf tier");
    REQUIRE(Evidence(found[0], "ratio") == "3");
    RuleConfig lenient = DefaultDesignRules();
    lenient.ApplyOverrides(
        {{"schema", 1}, {"rules", {{"design.oversubscription", {{"max_leaf_ratio", 3}}}}}});
    REQUIRE(Of(Check(design, lenient), "design.oversubscription").empty());
}

TEST_CASE("a partly built last pod is oversubscribed for traffic from the other pods",
          "[topologies][rules]")
{
    // Pods of 32, 32 and 16 leaves: the last has 16 spines, reached by 16 of 32 core groups.
    auto design = UniformDesign(320, 8, 32, 2, 3);
    auto found = Of(Check(design), "design.oversubscription");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].subject == "pod 2");
    REQUIRE(Evidence(found[0], "ratio_into_pod") == "2");
    REQUIRE(Of(Check(UniformDesign(512, 8, 32, 2, 3)), "design.oversubscription")
                .empty()); // whole pods
}

TEST_CASE("port budget flags idle ports past the threshold", "[topologies][rules]")
{
    auto design = UniformDesign(95, 8, 32, 2, 0); // 3 SU: spines at 75%
    REQUIRE(Of(Check(design), "design.port-budget").empty());
    RuleConfig strict = DefaultDesignRules();
    strict.ApplyOverrides(
        {{"schema", 1}, {"rules", {{"design.port-budget", {{"min_port_use", 0.9}}}}}});
    auto found = Of(Check(design, strict), "design.port-budget");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].subject == "spine tier");
    REQUIRE(Evidence(found[0], "ports_used") == "768");
}

TEST_CASE("tier count", "[topologies][rules]")
{
    auto design = UniformDesign(256, 8, 32, 2, 3);
    auto found = Of(Check(design), "design.tier-count");
    REQUIRE(found.size() == 1);
    REQUIRE(Evidence(found[0], "two_tier_max") == "2,048");
    design.tiers = 0;
    REQUIRE(Of(Check(design), "design.tier-count").empty());
}

TEST_CASE("scalable units", "[topologies][rules]")
{
    auto design = UniformDesign(63, 8, 32, 2, 0);
    REQUIRE(Of(Check(design), "design.scalable-unit").empty());
    REQUIRE(Of(Check(design), "design.scalable-unit", Severity::Info).size() == 1);
    design.wholeScalableUnits = false;
    auto found = Of(Check(design), "design.scalable-unit");
    REQUIRE(found.size() == 1);
    REQUIRE(Evidence(found[0], "leaves_built") == "8");
    design = UniformDesign(60, 8, 32, 2, 0);
    design.scalableUnitServers = 20;
    found = Of(Check(design), "design.scalable-unit");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].message.find("12 downlinks idle") != std::string::npos);
}

TEST_CASE("rail alignment and blast radius of a top-of-rack design", "[topologies][rules]")
{
    auto design = Healthy();
    design.servers.railOptimized = false;
    auto findings = Check(design);
    REQUIRE(Of(findings, "design.rail-alignment").size() == 1);
    auto blast = Of(findings, "design.blast-radius");
    REQUIRE(blast.size() == 1);
    REQUIRE(Evidence(blast[0], "servers_isolated") == "4");
}

TEST_CASE("blast radius of thin spine layers", "[topologies][rules]")
{
    auto design = UniformDesign(16, 8, 32, 2, 2);
    design.servers.railOptimized = false; // 4 leaves → 2 spines: one failure halves the uplinks
    auto blast = Of(Check(design), "design.blast-radius");
    bool spine = false;
    for (const auto& finding : blast)
    {
        spine
            = spine
              || (finding.subject == "spine failure" && Evidence(finding, "spines_in_pod") == "2");
    }
    REQUIRE(spine);
}

TEST_CASE("hop count threshold", "[topologies][rules]")
{
    auto design = UniformDesign(512, 8, 32, 2, 3);
    REQUIRE(Of(Check(design), "design.hop-count").empty());
    RuleConfig strict = DefaultDesignRules();
    strict.ApplyOverrides(
        {{"schema", 1}, {"rules", {{"design.hop-count", {{"max_switch_hops", 3}}}}}});
    REQUIRE(Of(Check(design, strict), "design.hop-count").size() == 1);
}

TEST_CASE("ECMP fan-out beyond the platform limit is an error", "[topologies][rules]")
{
    auto design = Healthy();
    design.switchModels["sw"].ecmpMaxPaths = 16;
    auto found = Of(Check(design), "design.ecmp-fanout");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].severity == Severity::Error);
    REQUIRE(Evidence(found[0], "next_hops") == "32");
}

TEST_CASE("plane symmetry on an as-built inventory", "[topologies][rules]")
{
    auto design = UniformDesign(32, 8, 32, 2, 2);
    design.servers.nicPorts = 2;
    design.planes = 2;
    auto plan = PlanFatTree(design);
    auto bom = ComputeBillOfMaterials(design, plan);
    auto built = FabricGraph::Build(design, plan);
    auto rules = DefaultDesignRules();
    std::vector<Finding> findings;
    CheckPlaneSymmetry({design, plan, bom, &built}, rules, findings);
    REQUIRE(findings.empty());
    // The same fabric with one leaf-spine cable missing in plane 1.
    auto links = built.Links();
    for (auto it = links.begin(); it != links.end(); ++it)
    {
        if (it->plane == 1 && it->tier == LinkTier::LeafSpine)
        {
            links.erase(it);
            break;
        }
    }
    auto observed = FabricGraph::FromInventory(built.Nodes(), links, 2, 2);
    CheckPlaneSymmetry({design, plan, bom, &observed}, rules, findings);
    REQUIRE(findings.size() == 1);
    REQUIRE(findings[0].subject == "plane 1");
}

TEST_CASE("media reach", "[topologies][rules]")
{
    auto design = Healthy();
    design.leafSpine = {10, Media::Dac};
    auto found = Of(Check(design), "design.media-reach");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].subject == "leaf-spine links");
    REQUIRE(Evidence(found[0], "reach") == "3 m");
    design.leafSpine = {3000, Media::Auto};
    found = Of(Check(design), "design.media-reach");
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].message.find("no cable or optic reaches") != std::string::npos);
}

TEST_CASE("NIC slower than the leaf port", "[topologies][rules]")
{
    auto design = Healthy();
    design.servers.nicSpeedBps = 200'000'000'000ULL;
    auto found = Of(Check(design), "design.nic-speed");
    REQUIRE(found.size() == 1);
    REQUIRE(Evidence(found[0], "nic_speed") == "200G");
}

TEST_CASE("PFC headroom against the buffer", "[topologies][rules]")
{
    auto design = Healthy();
    design.switchModels["sw"].bufferBytes = 4'000'000;
    auto found = Of(Check(design), "design.pfc-headroom");
    REQUIRE_FALSE(found.empty());
    design.fabric = FabricKind::Infiniband;
    REQUIRE(Of(Check(design), "design.pfc-headroom", Severity::Info).empty());
}

TEST_CASE("MTU consistency", "[topologies][rules]")
{
    auto design = Healthy();
    design.nicMtuBytes = 4000;
    REQUIRE(Of(Check(design), "design.mtu").size() == 1);
    design.nicMtuBytes = 4096;
    design.switchMtuBytes = 4096;
    auto found = Of(Check(design), "design.mtu");
    REQUIRE(found.size() == 1);
    REQUIRE(Evidence(found[0], "needed") == "4174");
    design.fabric = FabricKind::Infiniband; // no Ethernet framing on IB
    REQUIRE(Of(Check(design), "design.mtu").empty());
}

TEST_CASE("module power above the cage class", "[topologies][rules]")
{
    auto design = Healthy();
    design.leafSpine = {100, Media::SmfDr};
    design.switchModels["sw"].cagePowerClassW = 15;
    auto found = Of(Check(design), "design.module-power");
    REQUIRE(found.size() == 2); // leaf-up and spine-down 17 W SMF modules
    REQUIRE(found[0].severity == Severity::Error);
}

TEST_CASE("cost share outside the band", "[topologies][rules]")
{
    auto design = Healthy();
    REQUIRE(Of(Check(design), "design.cost-share", Severity::Info).size() == 1);
    design.servers.priceUsd = 1000; // servers almost free: the network dominates
    design.switchModels["sw"].priceUsd = 20000;
    design.prices.transceiverUsd = {{400'000'000'000ULL, 500}, {800'000'000'000ULL, 1000}};
    design.prices.cableUsd = {{Media::Mmf, 50}, {Media::SmfDr, 100}};
    auto found = Of(Check(design), "design.cost-share");
    REQUIRE(found.size() == 1);
    REQUIRE(std::stod(Evidence(found[0], "share")) > 0.9);
}

TEST_CASE("odd radix", "[topologies][rules]")
{
    auto design = UniformDesign(60, 1, 63, 1, 2);
    REQUIRE(Of(Check(design), "design.radix").size() == 2);
}

TEST_CASE("disabled rules stay silent", "[topologies][rules]")
{
    auto design = Healthy();
    design.leaf.oversubscription = 3;
    RuleConfig rules = DefaultDesignRules();
    rules.ApplyOverrides(
        {{"schema", 1}, {"rules", {{"design.oversubscription", {{"enabled", false}}}}}});
    REQUIRE(Of(Check(design, rules), "design.oversubscription", Severity::Info).empty());
}
