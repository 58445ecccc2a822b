#include "support/test-designs.h"
#include "topologies/model/design-review.h"
#include "topologies/model/fabric-graph.h"
#include "topologies/model/graph-size.h"
#include "topologies/model/reference-designs.h"

#include <catch2/catch.hpp>

using namespace fab;
using namespace fab::topo;
using fab::tests::UniformDesign;

namespace
{

void
RequireSizeMatchesGraph(const Design& design)
{
    auto plan = PlanFatTree(design);
    auto size = SizeGraph(design, plan);
    auto graph = FabricGraph::Build(design, plan);
    REQUIRE(size.Nodes() == graph.Nodes().size());
    REQUIRE(size.servers == graph.Servers());
    REQUIRE(size.links == graph.Links().size());
    REQUIRE(size.MemoryBytes() == graph.MemoryBytes());
    REQUIRE(size.FitsIndices());
    std::uint64_t endpoints = 0;
    std::uint64_t switchPorts = 0;
    for (const auto& link : graph.Links())
    {
        bool serverLink = link.tier == LinkTier::ServerLeaf;
        endpoints += serverLink ? 1 : 0;
        switchPorts += serverLink ? 1 : 2;
    }
    REQUIRE(size.endpoints == endpoints);
    REQUIRE(size.SwitchPorts() == switchPorts);
    REQUIRE(size.Ports() == 2 * graph.Links().size());
}

} // namespace

TEST_CASE("a graph's size is counted without expanding it", "[topologies][estimate]")
{
    SECTION("every built-in design")
    {
        for (const auto& name : ReferenceDesignNames())
        {
            INFO(name);
            RequireSizeMatchesGraph(LoadReferenceDesign(name));
        }
    }
    SECTION("planes, two-port NICs, top-of-rack leaves, partial scalable units and pods")
    {
        auto planes = UniformDesign(256, 8, 32, 2, 0);
        planes.servers.nicPorts = 2;
        planes.planes = 2;
        RequireSizeMatchesGraph(planes);
        RequireSizeMatchesGraph(UniformDesign(37, 8, 32, 2, 2));
        RequireSizeMatchesGraph(UniformDesign(600, 8, 32, 2, 0));
        auto tor = UniformDesign(100, 8, 32, 2, 0);
        tor.servers.railOptimized = false;
        RequireSizeMatchesGraph(tor);
        auto partial = UniformDesign(70, 8, 32, 2, 0);
        partial.wholeScalableUnits = false;
        RequireSizeMatchesGraph(partial);
    }
}

TEST_CASE("a review refuses a design whose graph would not fit, before expanding it",
          "[topologies][estimate]")
{
    auto rules = DefaultDesignRules();
    // 100 million servers of 8 ports: billions of links, about 100 GiB expanded; built, the
    // test would fail on memory instead of the check.
    auto huge = UniformDesign(100'000'000, 8, 2048, 2, 3);
    auto size = SizeGraph(huge, PlanFatTree(huge));
    REQUIRE(size.MemoryBytes() > 50ull << 30);
    telemetry::MemoryLimit limit{8ull << 30, "test limit"};
    try
    {
        ReviewDesign(huge, rules, limit);
        FAIL("expected an OverLimitError");
    }
    catch (const telemetry::OverLimitError& error)
    {
        REQUIRE(error.Place() == "/servers/count");
        std::string message = error.what();
        REQUIRE(message.find("links") != std::string::npos);
        REQUIRE(message.find("GiB in memory") != std::string::npos);
        REQUIRE(message.find("limit of 8 GiB (test limit)") != std::string::npos);
    }
    SECTION("without a limit, ids that would not fit 32 bits are refused all the same")
    {
        REQUIRE_FALSE(size.FitsIndices());
        REQUIRE_THROWS_AS(ReviewDesign(huge, rules), telemetry::OverLimitError);
    }
    SECTION("a design that fits is reviewed as without a limit")
    {
        auto design = LoadReferenceDesign("roce-10k-rail");
        auto bytes = ReviewMemoryBytes(SizeGraph(design, PlanFatTree(design)));
        auto limited = ReviewDesign(design, rules, telemetry::MemoryLimit{bytes, "exact"});
        auto free = ReviewDesign(design, rules);
        REQUIRE(ReviewToJson(limited) == ReviewToJson(free));
        REQUIRE_THROWS_AS(ReviewDesign(design, rules, telemetry::MemoryLimit{bytes - 1, "less"}),
                          telemetry::OverLimitError);
    }
}
