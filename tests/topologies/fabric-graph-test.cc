#include "support/test-designs.h"
#include "topologies/model/fabric-graph.h"

#include <catch2/catch.hpp>
#include <set>

using namespace fab::topo;
using fab::tests::KAryDesign;
using fab::tests::UniformDesign;

namespace
{

/** Checks the graph independently of the closed forms: counts, ports, degrees. */
void
RequireGraphMatchesPlan(const Design& design)
{
    auto plan = PlanFatTree(design);
    auto graph = FabricGraph::Build(design, plan);
    // Counting nodes and links of the graph is a second way to the closed-form numbers.
    REQUIRE(graph.CountSwitches(Tier::Leaf) == std::uint64_t{plan.leaves} * plan.planes);
    REQUIRE(graph.CountSwitches(Tier::Spine) == std::uint64_t{plan.spines} * plan.planes);
    REQUIRE(graph.CountSwitches(Tier::Core) == std::uint64_t{plan.cores} * plan.planes);
    for (auto tier : {LinkTier::ServerLeaf, LinkTier::LeafSpine, LinkTier::SpineCore})
    {
        REQUIRE(graph.CountLinks(tier) == plan.LinksPerPlane(tier) * plan.planes);
    }
    // Every (node, port) is used at most once and is within the node's ports.
    std::set<std::pair<std::uint32_t, std::uint32_t>> used;
    for (const auto& link : graph.Links())
    {
        REQUIRE(link.lowerPort < graph.Nodes()[link.lower].ports);
        REQUIRE(link.upperPort < graph.Nodes()[link.upper].ports);
        REQUIRE(used.insert({link.lower, link.lowerPort}).second);
        REQUIRE(used.insert({link.upper, link.upperPort}).second);
    }
    // Non-blocking: each leaf and spine has as many links up as it has ports down in use.
    for (std::uint32_t n = graph.Servers(); n < graph.Nodes().size(); ++n)
    {
        const auto& node = graph.Nodes()[n];
        if (node.tier == Tier::Leaf)
        {
            REQUIRE(graph.UpLinks(n).size() == plan.leafUp);
        }
        if (node.tier == Tier::Spine && plan.tiers == 3)
        {
            REQUIRE(graph.UpLinks(n).size() == plan.spineUp);
        }
        if (node.tier == Tier::Core)
        {
            REQUIRE(graph.UpLinks(n).empty());
        }
    }
}

} // namespace

TEST_CASE("the expanded graph agrees with the closed forms", "[topologies][graph]")
{
    for (std::uint32_t k : {4u, 6u, 8u, 16u})
    {
        INFO("k = " << k);
        RequireGraphMatchesPlan(KAryDesign(k, 2));
        RequireGraphMatchesPlan(KAryDesign(k, 3));
    }
    RequireGraphMatchesPlan(UniformDesign(127, 8, 32, 2, 0)); // DGX H100 4 SU less one node
    RequireGraphMatchesPlan(UniformDesign(95, 8, 32, 2, 0));  // 3 SU: 16 spines
    RequireGraphMatchesPlan(UniformDesign(600, 8, 32, 2, 0)); // partial pods, 3 tiers
    auto tor = UniformDesign(100, 8, 32, 2, 0);
    tor.servers.railOptimized = false;
    RequireGraphMatchesPlan(tor);
    auto planes = UniformDesign(256, 8, 32, 2, 0);
    planes.servers.nicPorts = 2;
    planes.planes = 2;
    RequireGraphMatchesPlan(planes);
    auto partial = UniformDesign(70, 8, 32, 2, 0);
    partial.wholeScalableUnits = false;
    RequireGraphMatchesPlan(partial);
}

TEST_CASE("node names round-trip", "[topologies][graph]")
{
    auto design = UniformDesign(600, 8, 32, 2, 3);
    auto plan = PlanFatTree(design);
    auto graph = FabricGraph::Build(design, plan);
    for (std::uint32_t n = 0; n < graph.Nodes().size(); ++n)
    {
        REQUIRE(graph.FindNode(graph.NodeName(n)) == n);
    }
    REQUIRE(graph.NodeName(0) == "srv-0");
    REQUIRE(graph.NodeName(graph.Servers()) == "leaf-0-0");
    REQUIRE(graph.FindNode("leaf-3-2").has_value());
    REQUIRE(graph.FindNode("spine-1-7").has_value());
    REQUIRE(graph.FindNode("core-0-0").has_value());
    for (const char* bad :
         {"", "leaf", "leaf-0", "leaf-0-99", "spine-99-0", "core-0-x", "srv-999999", "leaf-0-0x"})
    {
        INFO(bad);
        REQUIRE_FALSE(graph.FindNode(bad).has_value());
    }
    REQUIRE(graph.PortName(0, 3) == "srv-0:nic3");
    REQUIRE(graph.PortName(graph.Servers(), 17) == "leaf-0-0:17");
}

TEST_CASE("multi-plane names and NIC ports", "[topologies][graph]")
{
    auto design = UniformDesign(32, 8, 32, 2, 2);
    design.servers.nicPorts = 2;
    design.planes = 2;
    auto plan = PlanFatTree(design);
    auto graph = FabricGraph::Build(design, plan);
    REQUIRE(graph.NodeName(graph.Servers()) == "p0-leaf-0-0");
    REQUIRE(graph.FindNode("p1-spine-0-0").has_value());
    REQUIRE(graph.PortName(0, 3) == "srv-0:nic1p1");
    // Port j of each NIC is in plane j.
    for (auto id : graph.LinksOf(0))
    {
        const auto& link = graph.Links()[id];
        REQUIRE(link.plane == link.lowerPort % 2);
    }
}

TEST_CASE("ECMP next hops of a leaf are the spines of its pod", "[topologies][graph]")
{
    auto design = UniformDesign(95, 8, 32, 2, 0); // 3 SU: 24 leaves, 16 spines, 2 links each
    auto plan = PlanFatTree(design);
    auto graph = FabricGraph::Build(design, plan);
    auto leaf = *graph.FindNode("leaf-2-5");
    REQUIRE(graph.UpLinks(leaf).size() == 32);
    auto spines = graph.UpNeighbours(leaf);
    REQUIRE(spines.size() == 16);
    for (auto spine : spines)
    {
        REQUIRE(graph.Nodes()[spine].tier == Tier::Spine);
    }
}

TEST_CASE("rail-optimized wiring: NIC i of each server of an SU on rail leaf i",
          "[topologies][graph]")
{
    auto design = UniformDesign(64, 8, 32, 2, 2);
    auto plan = PlanFatTree(design);
    auto graph = FabricGraph::Build(design, plan);
    for (std::uint32_t s = 0; s < 64; ++s)
    {
        auto links = graph.LinksOf(s);
        REQUIRE(links.size() == 8);
        for (std::uint32_t nic = 0; nic < 8; ++nic)
        {
            const auto& link = graph.Links()[links[nic]];
            REQUIRE(link.lowerPort == nic);
            REQUIRE(graph.NodeName(link.upper)
                    == "leaf-" + std::to_string(s / 32) + "-" + std::to_string(nic));
        }
    }
}
