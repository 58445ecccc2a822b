// A switch's failover state as deltas over its shared table: local and remote faults, recovery,
// and the same choices as failover rebuilt endpoint by endpoint.
#include "fabric/model/failover-table.h"
#include "support/per-endpoint-routes.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>

using namespace ns3::fabric;
using fab::tests::UniformDesign;
namespace topo = fab::topo;

namespace
{

/** The graph node behind each port of `node`. */
std::vector<std::uint32_t>
PeersOf(const topo::FabricGraph& graph, std::uint32_t node)
{
    std::vector<std::uint32_t> peers(graph.Nodes()[node].ports, FailoverTable::kNoPeer);
    for (auto id : graph.LinksOf(node))
    {
        const auto& link = graph.Links()[id];
        if (link.lower == node)
        {
            peers[link.lowerPort] = link.upper;
        }
        else
        {
            peers[link.upperPort] = link.lower;
        }
    }
    return peers;
}

struct Fixture
{
    explicit Fixture(const topo::Design& design)
    : graph(topo::FabricGraph::Build(design, topo::PlanFatTree(design)))
    , routes(graph)
    {
    }

    FailoverTable TableOf(const std::string& name) const
    {
        auto node = *graph.FindNode(name);
        return FailoverTable(routes.Of(node), PeersOf(graph, node));
    }
    /** Endpoints hanging off leaf `leaf`. */
    std::vector<std::uint32_t> EndpointsOn(std::uint32_t leaf) const
    {
        std::vector<std::uint32_t> out;
        for (std::uint32_t e = 0; e < routes.Endpoints(); ++e)
        {
            if (routes.LeafOf(e) == leaf)
            {
                out.push_back(e);
            }
        }
        return out;
    }

    topo::FabricGraph graph;
    FabricRoutes routes;
};

/** Whether any of 256 flows to `endpoint` leave through a port facing `peer`. */
bool
AnyFlowVia(const FailoverTable& table, std::uint32_t endpoint, std::uint32_t peer)
{
    for (std::uint32_t h = 0; h < 256; ++h)
    {
        int port = table.Select(endpoint, h * 0x9E3779B1u);
        REQUIRE(port >= 0);
        if (table.PeerOf(static_cast<std::uint16_t>(port)) == peer)
        {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("a port down: deltas for the leaves that used it, none after recovery",
          "[fabric][routes][failover]")
{
    // 64 servers of 8 rails: 16 leaves of 32 down and 32 up ports, 8 spines, 4 links each.
    Fixture f(UniformDesign(64, 8, 32, 2, 2));
    auto table = f.TableOf("leaf-0-0");
    const FailoverTable healthy = table;
    std::uint32_t leaves = static_cast<std::uint32_t>(f.routes.Places().LeavesOf(0).size());
    REQUIRE(leaves == 16);
    REQUIRE(table.Deltas() == 0);
    std::uint16_t uplink = 32;
    std::uint32_t spine = table.PeerOf(uplink);
    std::vector<std::uint16_t> toSpine;
    for (std::uint16_t p = 0; p < 64; ++p)
    {
        if (table.PeerOf(p) == spine)
        {
            toSpine.push_back(p);
        }
    }
    REQUIRE(toSpine.size() == 4);
    // The other links to the same spine still reach it: no neighbour lost.
    REQUIRE(table.SetPortUp(uplink, false).empty());
    REQUIRE(table.Deltas() == leaves - 1); // every other leaf is reached through the uplinks
    std::uint32_t kept = 0;
    for (std::uint32_t e = 8; e < f.routes.Endpoints(); e += 5)
    {
        for (std::uint32_t h = 0; h < 64; ++h)
        {
            std::uint32_t hash = h * 0x9E3779B1u;
            int before = healthy.Select(e, hash);
            int after = table.Select(e, hash);
            REQUIRE(after != uplink);
            // Resilient groups: flows on the surviving ports keep them.
            if (before != uplink)
            {
                REQUIRE(after == before);
                ++kept;
            }
        }
    }
    REQUIRE(kept > 0);
    // The last link to the spine going down loses it; the first coming back regains it.
    REQUIRE(table.SetPortUp(toSpine[1], false).empty());
    REQUIRE(table.SetPortUp(toSpine[2], false).empty());
    REQUIRE(table.SetPortUp(toSpine[3], false) == std::vector<std::uint32_t>{spine});
    REQUIRE(table.Deltas() == leaves - 1);
    for (std::uint32_t e = 8; e < f.routes.Endpoints(); e += 5)
    {
        REQUIRE_FALSE(AnyFlowVia(table, e, spine));
    }
    REQUIRE(table.SetPortUp(toSpine[3], true) == std::vector<std::uint32_t>{spine});
    for (std::size_t i = 0; i < 3; ++i)
    {
        REQUIRE(table.SetPortUp(toSpine[i], true).empty());
    }
    REQUIRE(table.Deltas() == 0);
    for (std::uint32_t e = 0; e < f.routes.Endpoints(); e += 3)
    {
        REQUIRE(table.Select(e, e * 7919u) == healthy.Select(e, e * 7919u));
    }
}

TEST_CASE("a leaf's own endpoint has no route while its port is down, and keeps no delta",
          "[fabric][routes][failover]")
{
    Fixture f(UniformDesign(64, 8, 32, 2, 2));
    auto table = f.TableOf("leaf-0-0");
    // Server 0's rail 0 hangs off port 0 of leaf-0-0.
    REQUIRE(table.Select(0, 12345) == 0);
    table.SetPortUp(0, false);
    REQUIRE(table.Select(0, 12345) == -1);
    REQUIRE(table.Select(8, 12345) == 1); // server 1, port 1
    REQUIRE(table.Deltas() == 0);
    table.SetPortUp(0, true);
    REQUIRE(table.Select(0, 12345) == 0);
}

TEST_CASE("a remote fault changes the leaf or pod it hides, and nothing else",
          "[fabric][routes][failover]")
{
    SECTION("2 tiers: a spine lost a leaf")
    {
        Fixture f(UniformDesign(64, 8, 32, 2, 2));
        auto table = f.TableOf("leaf-0-0");
        std::uint32_t spine = *f.graph.FindNode("spine-0-3");
        std::uint32_t lostLeaf = *f.graph.FindNode("leaf-1-2");
        std::uint32_t otherLeaf = *f.graph.FindNode("leaf-1-3");
        auto lostEndpoints = f.EndpointsOn(lostLeaf);
        REQUIRE(lostEndpoints.size() == 32);
        REQUIRE(AnyFlowVia(table, lostEndpoints[0], spine));
        table.SetRemoteFault(spine, lostLeaf, true);
        REQUIRE(table.Deltas() == 1);
        for (auto e : lostEndpoints)
        {
            REQUIRE_FALSE(AnyFlowVia(table, e, spine));
        }
        REQUIRE(AnyFlowVia(table, f.EndpointsOn(otherLeaf)[0], spine));
        table.SetRemoteFault(spine, lostLeaf, false);
        REQUIRE(table.Deltas() == 0);
        REQUIRE(AnyFlowVia(table, lostEndpoints[0], spine));
    }
    SECTION("2 tiers: advice from every spine leaves the group as it was")
    {
        Fixture f(UniformDesign(64, 8, 32, 2, 2));
        auto table = f.TableOf("leaf-0-0");
        const FailoverTable healthy = table;
        std::uint32_t lostLeaf = *f.graph.FindNode("leaf-1-2");
        for (std::uint16_t p = 32; p < 64; ++p)
        {
            table.SetRemoteFault(table.PeerOf(p), lostLeaf, true);
        }
        REQUIRE(table.Deltas() == 0);
        auto e = f.EndpointsOn(lostLeaf)[5];
        REQUIRE(table.Select(e, 99) == healthy.Select(e, 99));
    }
    SECTION("3 tiers: a core lost the spine of a pod")
    {
        // Pods of 32, 32 and 16 leaves; spine-0-3 reaches core group 3, which reaches every pod
        // through its spine 3.
        Fixture f(UniformDesign(320, 8, 32, 2, 3));
        auto table = f.TableOf("spine-0-3");
        std::uint32_t core = *f.graph.FindNode("core-3-0");
        std::uint32_t lostSpine = *f.graph.FindNode("spine-1-3");
        std::uint32_t podOneLeaf = *f.graph.FindNode("leaf-4-0"); // SU 4 is in pod 1
        std::uint32_t podTwoLeaf = *f.graph.FindNode("leaf-8-0");
        REQUIRE(f.routes.Places().OfLeaf(podOneLeaf).pod == 1);
        REQUIRE(f.routes.Places().OfLeaf(podTwoLeaf).pod == 2);
        table.SetRemoteFault(core, lostSpine, true);
        REQUIRE(table.Deltas() == 32); // the leaves of pod 1
        REQUIRE_FALSE(AnyFlowVia(table, f.EndpointsOn(podOneLeaf)[0], core));
        REQUIRE(AnyFlowVia(table, f.EndpointsOn(podTwoLeaf)[0], core));
        table.SetRemoteFault(core, lostSpine, false);
        REQUIRE(table.Deltas() == 0);
    }
}

TEST_CASE("deltas choose what failover rebuilt per endpoint chose", "[fabric][routes][failover]")
{
    auto design = GENERATE(UniformDesign(64, 8, 32, 2, 2),
                           UniformDesign(320, 8, 32, 2, 3),
                           UniformDesign(40, 4, 8, 2, 3));
    auto graph = topo::FabricGraph::Build(design, topo::PlanFatTree(design));
    FabricRoutes routes(graph);
    fab::tests::PerEndpointRoutes oracleRoutes(graph);
    const auto& nodes = graph.Nodes();
    std::mt19937 random(20240611);
    // About a dozen switches of every tier.
    auto count = static_cast<std::uint32_t>(nodes.size() - graph.Servers());
    std::uint32_t stride = std::max(1u, count / 12);
    std::uint32_t switches = 0;
    for (std::uint32_t s = graph.Servers(); s < nodes.size(); s += stride)
    {
        ++switches;
        auto peers = PeersOf(graph, s);
        FailoverTable table(routes.Of(s), peers);
        fab::tests::PerEndpointFailover oracle(graph, oracleRoutes, s);
        std::set<std::uint16_t> down;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> faults;
        for (int step = 0; step < 10; ++step)
        {
            auto port = static_cast<std::uint16_t>(random() % peers.size());
            std::uint32_t choice = random() % 4;
            if (choice == 0 && !down.empty())
            {
                port = *down.begin();
                down.erase(port);
                table.SetPortUp(port, true);
                oracle.SetPortUp(port, true);
            }
            else if (choice == 1)
            {
                down.insert(port);
                table.SetPortUp(port, false);
                oracle.SetPortUp(port, false);
            }
            else if (choice == 2 || faults.empty())
            {
                // A neighbour reports a leaf or a spine lost.
                std::uint32_t reporter = peers[random() % peers.size()];
                std::uint32_t lost = graph.Servers() + random() % (nodes.size() - graph.Servers());
                faults.emplace_back(reporter, lost);
                table.SetRemoteFault(reporter, lost, true);
                oracle.SetRemoteFault(reporter, lost, true);
            }
            else
            {
                auto [reporter, lost] = faults[random() % faults.size()];
                table.SetRemoteFault(reporter, lost, false);
                oracle.SetRemoteFault(reporter, lost, false);
            }
            for (std::uint32_t e = 0; e < routes.Endpoints(); ++e)
            {
                for (std::uint32_t hash : {e * 2654435761u, e ^ 0x5bd1e995u})
                {
                    if (table.Select(e, hash) != oracle.Select(e, hash))
                    {
                        FAIL(graph.NodeName(s) << " step " << step << " endpoint " << e);
                    }
                }
            }
        }
    }
    REQUIRE(switches >= std::min(count, 12u));
}
