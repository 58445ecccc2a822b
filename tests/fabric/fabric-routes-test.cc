// Routing by destination leaf and pod: every kind of destination in 2-tier, 3-tier,
// rail-optimized, top-of-rack and multi-plane designs, shared tables, and the same ports as
// tables held per endpoint.
#include "fabric/helper/scenario-estimate.h"
#include "fabric/model/failover-table.h"
#include "support/per-endpoint-routes.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

using namespace ns3::fabric;
using fab::tests::UniformDesign;
namespace topo = fab::topo;

namespace
{

struct Built
{
    topo::Design design;
    topo::FabricGraph graph;
};

Built
Build(const topo::Design& design)
{
    return Built{design, topo::FabricGraph::Build(design, topo::PlanFatTree(design))};
}

/** The node at the far end of each (node, port). */
std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>
Peers(const topo::FabricGraph& graph)
{
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> peer;
    for (const auto& link : graph.Links())
    {
        peer[{link.lower, link.lowerPort}] = link.upper;
        peer[{link.upper, link.upperPort}] = link.lower;
    }
    return peer;
}

/** The first switch of a tier and plane whose name starts so ("leaf-1-", "spine-2-"). */
std::uint32_t
Named(const topo::FabricGraph& graph, const std::string& name)
{
    auto node = graph.FindNode(name);
    REQUIRE(node.has_value());
    return *node;
}

topo::Design
TopOfRack()
{
    auto design = UniformDesign(100, 8, 32, 2, 0);
    design.servers.railOptimized = false;
    topo::ValidateDesign(design);
    return design;
}

/** Two planes: port j of each twin-port NIC in plane j. */
topo::Design
TwoPlanes(std::uint32_t servers, std::uint32_t tiers, std::uint32_t cages = 32)
{
    auto design = UniformDesign(servers, cages == 32 ? 8 : 4, cages, 2, tiers);
    design.servers.nicPorts = 2;
    design.planes = 2;
    topo::ValidateDesign(design);
    return design;
}

} // namespace

TEST_CASE("routes reach every endpoint, also through partly built pods", "[fabric][routes]")
{
    // 10 SUs of 64-port leaves: pods of 32, 32 and 16 leaves; the last pod has 16 spines, so core
    // groups 16..31 cannot reach it and must not be used towards it.
    auto design = UniformDesign(320, 8, 32, 2, 3);
    auto plan = topo::PlanFatTree(design);
    REQUIRE(plan.pods.size() == 3);
    REQUIRE(plan.pods[2].spines == 16);
    auto graph = topo::FabricGraph::Build(design, plan);
    FabricRoutes routes(graph);
    const auto& nodes = graph.Nodes();
    auto peer = Peers(graph);
    std::uint64_t checked = 0;
    for (std::uint32_t s = graph.Servers(); s < nodes.size(); ++s)
    {
        auto table = routes.Of(s);
        for (std::uint32_t e = 0; e < routes.Endpoints(); e += 7)
        {
            auto ports = table.NextHops(e);
            if (ports.empty())
            {
                // Only a spine or core whose core group cannot reach the endpoint's pod; the
                // check below makes sure that nothing routes into it for that endpoint.
                REQUIRE(nodes[s].tier != topo::Tier::Leaf);
                continue;
            }
            for (auto port : ports)
            {
                std::uint32_t next = peer.at({s, port});
                if (nodes[next].kind == topo::GraphNode::Kind::Server)
                {
                    REQUIRE(next * 8 <= e);
                    REQUIRE(e < next * 8 + 8); // delivered to the right server
                }
                else
                {
                    REQUIRE_FALSE(routes.Of(next).NextHops(e).empty());
                }
                ++checked;
            }
        }
    }
    REQUIRE(checked > 100'000);
    // Leaves in the full pods reach the last pod through the 16 spines whose cores reach it.
    auto leaf0 = routes.Of(Named(graph, "leaf-0-0"));
    REQUIRE(leaf0.NextHops(319 * 8).size() == 16);
    REQUIRE(leaf0.NextHops(8 * 100).size() == 32);
}

TEST_CASE("every kind of destination in a 3-tier rail-optimized fabric", "[fabric][routes]")
{
    // 320 servers of 8 rails on 64-port switches (32 down, 32 up): pods of 32, 32 and 16 leaves;
    // the full pods have 32 spines, one link from each leaf to each, and 32 core groups.
    auto built = Build(UniformDesign(320, 8, 32, 2, 3));
    const auto& graph = built.graph;
    auto plan = topo::PlanFatTree(built.design);
    FabricRoutes routes(graph);
    auto peer = Peers(graph);
    const auto& nodes = graph.Nodes();
    auto tierOf = [&](std::uint32_t s, std::uint16_t port)
    {
        return nodes[peer.at({s, port})];
    };
    // Server 0 rail 3 hangs off leaf-0-3's port 0; server 1 rail 3 off its port 1.
    std::uint32_t leaf = Named(graph, "leaf-0-3");
    auto leafRoutes = routes.Of(leaf);

    SECTION("a leaf's own endpoint: its port")
    {
        REQUIRE(leafRoutes.NextHops(0 * 8 + 3) == RouteTable::Ports{0});
        REQUIRE(leafRoutes.NextHops(1 * 8 + 3) == RouteTable::Ports{1});
    }
    SECTION("a leaf to another leaf of its pod, and to another pod: all 32 uplinks")
    {
        for (std::uint32_t e : {0u * 8 + 4, 40u * 8 + 0, 150u * 8 + 7})
        {
            auto ports = leafRoutes.NextHops(e);
            REQUIRE(ports.size() == plan.leafUp);
            for (auto port : ports)
            {
                REQUIRE(port >= plan.leafDown);
                REQUIRE(tierOf(leaf, port).tier == topo::Tier::Spine);
                REQUIRE(tierOf(leaf, port).group == 0);
            }
        }
    }
    SECTION("a spine to its pod: the one link to the endpoint's leaf; to another pod: up")
    {
        std::uint32_t spine = Named(graph, "spine-0-5");
        auto spineRoutes = routes.Of(spine);
        auto down = spineRoutes.NextHops(0 * 8 + 3);
        REQUIRE(down.size() == 1);
        REQUIRE(peer.at({spine, down[0]}) == leaf);
        auto up = spineRoutes.NextHops(150 * 8 + 3);
        REQUIRE(up.size() == plan.spineUp);
        for (auto port : up)
        {
            REQUIRE(tierOf(spine, port).tier == topo::Tier::Core);
        }
    }
    SECTION("a core: down to the spine of the endpoint's pod")
    {
        std::uint32_t core = Named(graph, "core-5-0");
        auto coreRoutes = routes.Of(core);
        for (std::uint32_t server : {0u, 40u, 150u, 319u})
        {
            auto ports = coreRoutes.NextHops(server * 8 + 1);
            REQUIRE(ports.size() == plan.coreGroups[5].linksPerSpineCore);
            for (auto port : ports)
            {
                const auto& next = tierOf(core, port);
                REQUIRE(next.tier == topo::Tier::Spine);
                REQUIRE(next.group == plan.PodOfLeaf(plan.LeafOf(server, 1)));
            }
        }
    }
    SECTION("no route: an endpoint beyond the fabric, and a server's node")
    {
        REQUIRE(leafRoutes.NextHops(routes.Endpoints()).empty());
        REQUIRE(leafRoutes.NextHops(0xFFFFFFFFu).empty());
        REQUIRE(routes.Of(0).NextHops(5).empty());
        REQUIRE(FailoverTable(routes.Of(0), {}).Select(5, 1) == -1);
    }
}

TEST_CASE("every kind of destination in 2-tier, top-of-rack and multi-plane fabrics",
          "[fabric][routes]")
{
    SECTION("2 tiers: a spine reaches each leaf directly")
    {
        auto built = Build(UniformDesign(64, 8, 32, 2, 2));
        FabricRoutes routes(built.graph);
        auto peer = Peers(built.graph);
        std::uint32_t spine = Named(built.graph, "spine-0-0");
        for (std::uint32_t e = 0; e < routes.Endpoints(); ++e)
        {
            auto ports = routes.Of(spine).NextHops(e);
            REQUIRE_FALSE(ports.empty());
            for (auto port : ports)
            {
                REQUIRE(peer.at({spine, port}) == routes.LeafOf(e));
            }
        }
        REQUIRE(routes.Of(spine).table->HomePod() == 0);
    }
    SECTION("top of rack: a leaf holds every port of its servers")
    {
        auto built = Build(TopOfRack());
        FabricRoutes routes(built.graph);
        auto peer = Peers(built.graph);
        std::uint32_t leaf = routes.LeafOf(0);
        for (std::uint32_t e = 0; e < 8; ++e)
        {
            REQUIRE(routes.LeafOf(e) == leaf); // every rail of server 0 on one leaf
            auto ports = routes.Of(leaf).NextHops(e);
            REQUIRE(ports.size() == 1);
            REQUIRE(peer.at({leaf, ports[0]}) == 0);
        }
        REQUIRE(routes.Of(leaf).NextHops(8 * 99).size() > 1); // another leaf: up
    }
    SECTION("two planes: a switch routes only its own plane's endpoints")
    {
        for (std::uint32_t tiers : {2u, 3u})
        {
            auto built = Build(TwoPlanes(tiers == 2 ? 64 : 320, tiers));
            FabricRoutes routes(built.graph);
            const auto& nodes = built.graph.Nodes();
            for (std::uint32_t s = built.graph.Servers(); s < nodes.size(); s += 5)
            {
                for (std::uint32_t e = 0; e < routes.Endpoints(); e += 3)
                {
                    bool samePlane = nodes[routes.LeafOf(e)].plane == nodes[s].plane;
                    // Every leaf reaches every endpoint of its plane (some spines and cores do
                    // not reach the last pod of 320 servers).
                    INFO(built.graph.NodeName(s) << " to endpoint " << e);
                    bool none = routes.Of(s).NextHops(e).empty();
                    REQUIRE((samePlane || none));
                    REQUIRE((!samePlane || !none || nodes[s].tier != topo::Tier::Leaf));
                }
            }
        }
    }
}

TEST_CASE("identical switches share one table", "[fabric][routes]")
{
    // Pods of 32, 32 and 16 leaves, in two planes.
    auto built = Build(TwoPlanes(320, 3));
    const auto& graph = built.graph;
    auto plan = topo::PlanFatTree(built.design);
    FabricRoutes routes(graph);
    const auto& nodes = graph.Nodes();
    // Switches alike: the leaves of a pod; the spines of a pod whose core groups reach as many
    // pods (groups 16 to 31 miss the last pod); the cores of a group. In both planes.
    using Kind = std::tuple<topo::Tier, std::uint32_t, std::uint32_t>;
    std::map<Kind, std::set<const RouteTable*>> tablesOf;
    for (std::uint32_t s = graph.Servers(); s < nodes.size(); ++s)
    {
        const auto& node = nodes[s];
        Kind kind{node.tier, node.group, 0};
        if (node.tier == topo::Tier::Leaf)
        {
            std::get<1>(kind) = plan.PodOfLeaf(node.group * plan.leavesPerSu + node.index);
        }
        if (node.tier == topo::Tier::Spine)
        {
            std::get<2>(kind) = plan.coreGroups[node.index].pods;
        }
        tablesOf[kind].insert(routes.Of(s).table.get());
    }
    REQUIRE(tablesOf.size() == 3 + 5 + 32);
    for (const auto& [kind, tables] : tablesOf)
    {
        INFO("tier " << static_cast<int>(std::get<0>(kind)) << " group " << std::get<1>(kind)
                     << " reaching " << std::get<2>(kind) << " pods");
        REQUIRE(tables.size() == 1);
    }
    // Pods differ (the home pod's entries), so their leaves do not share.
    REQUIRE(*tablesOf[{topo::Tier::Leaf, 0, 0}].begin()
            != *tablesOf[{topo::Tier::Leaf, 1, 0}].begin());
    REQUIRE(*tablesOf[{topo::Tier::Spine, 0, 3}].begin()
            != *tablesOf[{topo::Tier::Spine, 0, 2}].begin());
    std::size_t switches = graph.Nodes().size() - graph.Servers();
    REQUIRE(routes.DistinctTables() <= tablesOf.size());
    REQUIRE(routes.DistinctTables() * 20 < switches);
    // Against a 16-bit group index per switch and endpoint, held once.
    REQUIRE(routes.MemoryBytes() * 10 < switches * routes.Endpoints() * sizeof(std::uint16_t));
    // A leaf or spine: an entry per leaf of its pod and per pod; a core: per pod.
    const auto& leafTable = *routes.Of(Named(graph, "p1-leaf-0-0")).table;
    REQUIRE(leafTable.Entries() == plan.pods[0].leaves + plan.pods.size());
    const auto& coreTable = *routes.Of(Named(graph, "p0-core-0-0")).table;
    REQUIRE(coreTable.Entries() == plan.pods.size());
    REQUIRE(coreTable.HomePod() == EndpointPlace::kNone);
}

TEST_CASE("the estimate counts the entries switches hold", "[fabric][routes][estimate]")
{
    for (std::uint32_t servers : {64u, 320u, 600u})
    {
        for (std::uint32_t planes : {1u, 2u})
        {
            auto design = planes == 1 ? UniformDesign(servers, 8, 32, 2, 0) : TwoPlanes(servers, 0);
            INFO(servers << " servers, " << planes << " planes");
            auto graph = topo::FabricGraph::Build(design, topo::PlanFatTree(design));
            Scenario scenario;
            scenario.design = design;
            REQUIRE(EstimateScenario(scenario).counts.routeEntries
                    == FabricRoutes(graph).SwitchEntries());
        }
    }
}

TEST_CASE("compact tables choose the ports tables per endpoint chose", "[fabric][routes]")
{
    auto tor = TopOfRack();
    auto design = GENERATE_COPY(UniformDesign(64, 8, 32, 2, 2),  // 2 tiers, rail-optimized
                                UniformDesign(320, 8, 32, 2, 3), // 3 tiers, partly built pods
                                UniformDesign(40, 4, 8, 2, 3),   // 16-port switches
                                fab::tests::KAryDesign(8, 3),
                                tor,
                                TwoPlanes(64, 2),
                                TwoPlanes(40, 3, 8));
    auto graph = topo::FabricGraph::Build(design, topo::PlanFatTree(design));
    FabricRoutes routes(graph);
    fab::tests::PerEndpointRoutes oracle(graph);
    REQUIRE(routes.Endpoints() == oracle.Endpoints());
    std::uint64_t compared = 0;
    for (std::uint32_t s = graph.Servers(); s < graph.Nodes().size(); ++s)
    {
        auto switchRoutes = routes.Of(s);
        FailoverTable table(switchRoutes, {});
        for (std::uint32_t e = 0; e < oracle.Endpoints(); ++e)
        {
            const auto& expected = oracle.Of(s, e);
            if (switchRoutes.NextHops(e) != expected)
            {
                FAIL_CHECK(graph.NodeName(s) << " to endpoint " << e);
            }
            ResilientEcmpGroup group(expected);
            for (std::uint32_t hash : {0u, 0x9E3779B1u, 0xDEADBEEFu})
            {
                int want = expected.empty() ? -1 : group.Select(hash);
                if (table.Select(e, hash) != want)
                {
                    FAIL_CHECK(graph.NodeName(s) << " to endpoint " << e << " hash " << hash);
                }
            }
            compared += expected.size();
        }
    }
    REQUIRE(compared > 10'000);
}
