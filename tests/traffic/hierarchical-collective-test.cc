#include "support/dag-makespan.h"
#include "traffic/model/collective.h"
#include "traffic/model/hierarchical-collective.h"

#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>
#include <vector>

using namespace fab::traffic;
using fab::tests::Makespan;

namespace
{

enum Phase
{
    IntraReduceScatter,
    InterAllReduce,
    IntraAllGather,
};

/** The phase of a step, from the phase lengths L − 1 and 2(N − 1). */
Phase
PhaseOf(std::uint32_t step, std::uint32_t local, std::uint32_t servers)
{
    if (step < local - 1)
    {
        return IntraReduceScatter;
    }
    return step < local - 1 + 2 * (servers - 1) ? InterAllReduce : IntraAllGather;
}

/** Every transfer each transfer waits for, directly or not. */
std::vector<std::vector<bool>>
Ancestors(const TransferDag& dag)
{
    std::vector<std::vector<bool>> ancestors(dag.transfers.size(),
                                             std::vector<bool>(dag.transfers.size(), false));
    for (const auto& t : dag.transfers)
    {
        for (auto d : t.dependsOn)
        {
            ancestors[t.id][d] = true;
            for (std::size_t a = 0; a < d; ++a)
            {
                ancestors[t.id][a] = ancestors[t.id][a] || ancestors[d][a];
            }
        }
    }
    return ancestors;
}

void
RequireSameTransfers(const TransferDag& a, const TransferDag& b)
{
    REQUIRE(a.ranks == b.ranks);
    REQUIRE(a.transfers.size() == b.transfers.size());
    for (std::size_t i = 0; i < a.transfers.size(); ++i)
    {
        const auto& x = a.transfers[i];
        const auto& y = b.transfers[i];
        REQUIRE(x.src == y.src);
        REQUIRE(x.dst == y.dst);
        REQUIRE(x.bytes == y.bytes);
        REQUIRE(x.channel == y.channel);
        REQUIRE(x.step == y.step);
        REQUIRE(x.dependsOn == y.dependsOn);
    }
}

} // namespace

TEST_CASE("hierarchical AllReduce: per-phase volumes, steps and ring membership",
          "[traffic][hierarchical]")
{
    // (servers N, ranks per server L)
    auto [servers, local] = GENERATE(
        table<std::uint32_t, std::uint32_t>({{2, 2}, {2, 4}, {3, 4}, {4, 8}, {5, 3}, {16, 8}}));
    auto channels = GENERATE(1u, 2u);
    INFO(servers << " servers of " << local << " ranks, " << channels << " channels");
    std::uint32_t ranks = servers * local;
    std::uint64_t bytes = std::uint64_t{channels} * local * servers * 1024;
    auto dag = HierarchicalAllReduce(ranks, local, bytes, channels);

    REQUIRE(dag.ranks == ranks);
    REQUIRE(dag.IsTopologicallyOrdered());
    REQUIRE(dag.Steps() == 2 * (local - 1) + 2 * (servers - 1));
    REQUIRE(Makespan(dag) == dag.Steps());

    std::vector<std::vector<std::uint64_t>> sent(3, std::vector<std::uint64_t>(ranks, 0));
    std::vector<std::set<std::uint32_t>> steps(3);
    for (const auto& t : dag.transfers)
    {
        auto phase = PhaseOf(t.step, local, servers);
        sent[phase][t.src] += t.bytes;
        steps[phase].insert(t.step);
        std::uint32_t server = t.src / local;
        std::uint32_t index = t.src % local;
        if (phase == InterAllReduce)
        {
            // Rail-aligned: same local index, next server.
            REQUIRE(t.dst % local == index);
            REQUIRE(t.dst / local == (server + 1) % servers);
        }
        else
        {
            // Never leaves the server.
            REQUIRE(t.dst / local == server);
            REQUIRE(t.dst % local == (index + 1) % local);
        }
    }
    REQUIRE(steps[IntraReduceScatter].size() == local - 1);
    REQUIRE(steps[InterAllReduce].size() == 2 * (servers - 1));
    REQUIRE(steps[IntraAllGather].size() == local - 1);
    for (std::uint32_t r = 0; r < ranks; ++r)
    {
        REQUIRE(sent[IntraReduceScatter][r] == (local - 1) * bytes / local);
        REQUIRE(sent[InterAllReduce][r] == 2 * (servers - 1) * bytes / local / servers);
        REQUIRE(sent[IntraAllGather][r] == (local - 1) * bytes / local);
    }
}

TEST_CASE("hierarchical AllReduce: concrete makespans", "[traffic][hierarchical]")
{
    // (L − 1) + 2(N − 1) + (L − 1)
    REQUIRE(Makespan(HierarchicalAllReduce(32, 8, 1 << 20)) == 7 + 6 + 7);
    REQUIRE(Makespan(HierarchicalAllReduce(128, 8, 1 << 20)) == 7 + 30 + 7);
    REQUIRE(Makespan(HierarchicalAllReduce(8, 4, 1 << 20, 4)) == 3 + 2 + 3);
    // The flat ring over the same 32 ranks takes 62 steps.
    REQUIRE(Makespan(RingAllReduce(32, 1 << 20)) == 62);
}

TEST_CASE("hierarchical AllReduce: a rank moves on once its own previous phase is done",
          "[traffic][hierarchical]")
{
    std::uint32_t servers = 3;
    std::uint32_t local = 4;
    std::uint32_t ranks = servers * local;
    auto dag = HierarchicalAllReduce(ranks, local, 2 * 12 * 1000, 2);
    auto ancestors = Ancestors(dag);
    for (const auto& t : dag.transfers)
    {
        auto phase = PhaseOf(t.step, local, servers);
        if (phase == IntraReduceScatter)
        {
            continue;
        }
        auto before = static_cast<Phase>(phase - 1);
        for (const auto& u : dag.transfers)
        {
            if (PhaseOf(u.step, local, servers) != before || u.channel != t.channel)
            {
                continue;
            }
            if (u.src == t.src || u.dst == t.src)
            {
                // Everything the rank sent and received in the previous phase.
                REQUIRE(ancestors[t.id][u.id]);
            }
        }
        if (phase == InterAllReduce && t.step == local - 1)
        {
            // No barrier: a rank's first inter-server send waits for its own server only.
            for (const auto& u : dag.transfers)
            {
                if (ancestors[t.id][u.id])
                {
                    REQUIRE(u.channel == t.channel);
                    REQUIRE(u.src / local == t.src / local);
                }
            }
        }
    }
}

TEST_CASE("hierarchical AllReduce: one rank per server or one server is the ring AllReduce",
          "[traffic][hierarchical]")
{
    auto ranks = GENERATE(2u, 5u, 8u);
    auto channels = GENERATE(1u, 3u);
    INFO(ranks << " ranks, " << channels << " channels");
    std::uint64_t bytes = std::uint64_t{ranks} * channels * 4096;
    auto ring = RingAllReduce(ranks, bytes, channels);
    RequireSameTransfers(HierarchicalAllReduce(ranks, 1, bytes, channels), ring);
    RequireSameTransfers(HierarchicalAllReduce(ranks, ranks, bytes, channels), ring);
}

TEST_CASE("hierarchical AllReduce: one rank, bad arguments", "[traffic][hierarchical]")
{
    REQUIRE(HierarchicalAllReduce(1, 1, 4096).transfers.empty());
    REQUIRE_THROWS_AS(HierarchicalAllReduce(0, 1, 4096), std::invalid_argument);
    REQUIRE_THROWS_AS(HierarchicalAllReduce(8, 0, 4096), std::invalid_argument);
    REQUIRE_THROWS_AS(HierarchicalAllReduce(10, 4, 4096), std::invalid_argument);
    REQUIRE_THROWS_AS(HierarchicalAllReduce(8, 4, 4096, 0), std::invalid_argument);
    REQUIRE_THROWS_WITH(HierarchicalAllReduce(10, 4, 4096),
                        Catch::Contains("ranks (10) must be a multiple of ranksPerServer (4)"));
}
