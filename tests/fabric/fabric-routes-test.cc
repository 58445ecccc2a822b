#include "fabric/model/fabric-routes.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <map>

using namespace ns3::fabric;
using fab::tests::UniformDesign;

TEST_CASE("routes reach every endpoint, also through partly built pods", "[fabric][routes]")
{
    // 10 SUs of 64-port leaves: pods of 32, 32 and 16 leaves; the last pod has 16 spines, so core
    // groups 16..31 cannot reach it and must not be used towards it.
    auto design = UniformDesign(320, 8, 32, 2, 3);
    auto plan = fab::topo::PlanFatTree(design);
    REQUIRE(plan.pods.size() == 3);
    REQUIRE(plan.pods[2].spines == 16);
    auto graph = fab::topo::FabricGraph::Build(design, plan);
    FabricRoutes routes(graph);
    const auto& nodes = graph.Nodes();
    const auto& links = graph.Links();
    // The switch behind each (node, port).
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> peer;
    for (const auto& link : links)
    {
        peer[{link.lower, link.lowerPort}] = link.upper;
        peer[{link.upper, link.upperPort}] = link.lower;
    }
    std::uint64_t checked = 0;
    for (std::uint32_t s = graph.Servers(); s < nodes.size(); ++s)
    {
        const auto& table = routes.Of(s);
        for (std::uint32_t e = 0; e < routes.Endpoints(); e += 7)
        {
            auto group = table.groupOfEndpoint[e];
            if (group == SwitchRoutes::kNoRoute)
            {
                // Only a spine or core whose core group cannot reach the endpoint's pod; the
                // check below makes sure that nothing routes into it for that endpoint.
                REQUIRE(nodes[s].tier != fab::topo::Tier::Leaf);
                continue;
            }
            for (auto port : table.groups[group])
            {
                std::uint32_t next = peer.at({s, port});
                if (nodes[next].kind == fab::topo::GraphNode::Kind::Server)
                {
                    REQUIRE(next * 8 <= e);
                    REQUIRE(e < next * 8 + 8); // delivered to the right server
                }
                else
                {
                    REQUIRE(routes.Of(next).groupOfEndpoint[e] != SwitchRoutes::kNoRoute);
                }
                ++checked;
            }
        }
    }
    REQUIRE(checked > 100'000);
    // Leaves in the full pods reach the last pod through the 16 spines whose cores reach it.
    auto leaf0 = *graph.FindNode("leaf-0-0");
    std::uint32_t lastPodEndpoint = 319 * 8;
    REQUIRE(routes.Of(leaf0).groups[routes.Of(leaf0).groupOfEndpoint[lastPodEndpoint]].size()
            == 16);
    REQUIRE(routes.Of(leaf0).groups[routes.Of(leaf0).groupOfEndpoint[8 * 100]].size() == 32);
}
