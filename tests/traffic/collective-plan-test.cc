#include "traffic/model/collective-algorithm.h"
#include "traffic/model/rail-aligned-ring.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace fab::traffic;

namespace
{

std::vector<std::uint64_t>
SortedUnique(std::vector<std::uint64_t> ids)
{
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

/** Every question a plan answers, asked of every transfer and rank, against the expanded DAG. */
void
RequirePlanMatchesDag(const CollectivePlan& plan, const TransferDag& dag)
{
    REQUIRE(plan.Ranks() == dag.ranks);
    REQUIRE(plan.Transfers() == dag.transfers.size());
    REQUIRE(plan.Steps() == dag.Steps());
    std::vector<std::vector<std::uint64_t>> dependents(dag.transfers.size());
    std::vector<std::vector<std::uint64_t>> roots(dag.ranks);
    std::vector<std::uint64_t> touching(dag.ranks, 0);
    std::vector<std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>>> sends(dag.ranks);
    for (const auto& t : dag.transfers)
    {
        INFO("transfer " << t.id);
        PlannedTransfer p = plan.At(t.id);
        REQUIRE(p.src == t.src);
        REQUIRE(p.dst == t.dst);
        REQUIRE(p.bytes == t.bytes);
        REQUIRE(p.channel == t.channel);
        REQUIRE(p.step == t.step);
        std::vector<std::uint64_t> expected(t.dependsOn.begin(), t.dependsOn.end());
        expected = SortedUnique(expected);
        std::vector<std::uint64_t> deps;
        plan.DependsOn(t.id, deps);
        REQUIRE(deps == expected);
        REQUIRE(plan.DependencyCount(t.id) == expected.size());
        for (auto d : expected)
        {
            dependents[d].push_back(t.id);
        }
        if (expected.empty())
        {
            roots[t.src].push_back(t.id);
            roots[t.dst].push_back(t.id);
        }
        ++touching[t.src];
        ++touching[t.dst];
        auto& peer = sends[t.src][t.dst];
        ++peer.first;
        peer.second += t.bytes;
    }
    for (const auto& t : dag.transfers)
    {
        INFO("dependents of transfer " << t.id);
        std::vector<std::uint64_t> got;
        plan.Dependents(t.id, got);
        REQUIRE(got == dependents[t.id]);
    }
    for (std::uint32_t r = 0; r < dag.ranks; ++r)
    {
        INFO("rank " << r);
        std::vector<std::uint64_t> got;
        plan.RootsOf(r, got);
        REQUIRE(got == SortedUnique(roots[r]));
        REQUIRE(plan.TransfersOf(r) == touching[r]);
        REQUIRE(plan.BytesSentBy(r) == dag.BytesSentBy(r));
        std::vector<PeerSends> peers;
        plan.SendsOf(r, peers);
        std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> byPeer;
        for (const auto& s : peers)
        {
            byPeer[s.peer].first += s.transfers;
            byPeer[s.peer].second += s.bytes;
        }
        REQUIRE(byPeer == sends[r]);
    }
}

/** Phases tile the transfers in order, and say their steps, sizes and patterns truly. */
void
RequirePhasesDescribe(const CollectivePlan& plan)
{
    std::uint64_t next = 0;
    std::map<std::uint32_t, std::set<std::pair<std::uint32_t, std::uint32_t>>> pairsOfShape;
    for (const auto& phase : plan.Phases())
    {
        REQUIRE(phase.firstTransfer == next);
        REQUIRE(phase.transfers > 0);
        next += phase.transfers;
        std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
        std::map<std::uint32_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>> byStep;
        for (std::uint64_t i = phase.firstTransfer; i < next; ++i)
        {
            PlannedTransfer t = plan.At(i);
            REQUIRE(t.channel == phase.channel);
            REQUIRE(t.bytes == phase.bytes);
            REQUIRE(t.step >= phase.firstStep);
            REQUIRE(t.step < phase.firstStep + phase.steps);
            pairs.insert({t.src, t.dst});
            byStep[t.step].emplace_back(t.src, t.dst);
        }
        if (phase.sameEveryStep)
        {
            REQUIRE(byStep.size() == phase.steps);
            for (const auto& [step, list] : byStep)
            {
                REQUIRE(list == byStep.begin()->second);
            }
        }
        auto [known, fresh] = pairsOfShape.emplace(phase.shape, pairs);
        if (!fresh)
        {
            REQUIRE(known->second == pairs);
        }
    }
    REQUIRE(next == plan.Transfers());
}

struct Case
{
    CollectiveOp op;
    CollectiveAlgorithm algorithm;
    std::uint32_t ranks;
    AlgorithmOptions options;
};

std::vector<Case>
Cases()
{
    using A = CollectiveAlgorithm;
    using Op = CollectiveOp;
    std::vector<Case> cases;
    for (std::uint32_t n : {2u, 3u, 4u, 5u, 6u, 7u, 8u, 12u, 13u, 16u, 24u})
    {
        for (std::uint32_t channels : {1u, 2u, 3u, 4u})
        {
            for (std::uint32_t perServer : {1u, 2u, 3u, 4u, 8u})
            {
                AlgorithmOptions o{channels, 1, perServer};
                for (auto op : {Op::AllReduce, Op::AllGather, Op::ReduceScatter})
                {
                    cases.push_back({op, A::Ring, n, o});
                }
                if (n % perServer == 0)
                {
                    cases.push_back({Op::AllReduce, A::Hierarchical, n, o});
                }
            }
        }
        for (std::uint32_t chunks : {1u, 2u, 3u, 5u})
        {
            cases.push_back({Op::AllReduce, A::Tree, n, {1, chunks, 1}});
        }
        if ((n & (n - 1)) == 0)
        {
            cases.push_back({Op::AllReduce, A::HalvingDoubling, n, {}});
        }
        cases.push_back({Op::AllToAll, A::Pairwise, n, {}});
        cases.push_back({Op::AllToAll, A::Direct, n, {}});
    }
    cases.push_back({Op::SendRecv, A::Direct, 2, {}});
    for (std::uint32_t n : {0u, 1u})
    {
        cases.push_back({Op::AllReduce, A::Ring, n, {}});
        cases.push_back({Op::AllReduce, A::Tree, n, {}});
        cases.push_back({Op::AllToAll, A::Direct, n, {}});
    }
    return cases;
}

} // namespace

TEST_CASE("a collective's plan answers as its expanded DAG, transfer for transfer",
          "[traffic][plan]")
{
    auto bytes = GENERATE(as<std::uint64_t>{}, 0, 3, 1000, 1 << 20, (64ull << 20) + 7);
    for (const auto& c : Cases())
    {
        INFO(CollectiveOpName(c.op)
             << " " << CollectiveAlgorithmName(c.algorithm) << " over " << c.ranks << " ranks, "
             << c.options.channels << " channels, " << c.options.treeChunks << " chunks, "
             << c.options.ranksPerServer << " per server, " << bytes << " bytes");
        auto dag = ExpandCollective(c.op, c.algorithm, c.ranks, bytes, c.options);
        auto plan = PlanCollective(c.op, c.algorithm, c.ranks, bytes, c.options);
        RequirePlanMatchesDag(*plan, dag);
        RequirePhasesDescribe(*plan);
    }
}

TEST_CASE("plans refuse what the DAGs refuse", "[traffic][plan]")
{
    using A = CollectiveAlgorithm;
    using Op = CollectiveOp;
    struct Bad
    {
        Op op;
        A algorithm;
        std::uint32_t ranks;
        AlgorithmOptions options;
    };
    auto bad = GENERATE(values<Bad>({{Op::AllToAll, A::Tree, 4, {}},
                                     {Op::AllReduce, A::HalvingDoubling, 12, {}},
                                     {Op::AllReduce, A::Hierarchical, 10, {1, 1, 4}},
                                     {Op::SendRecv, A::Direct, 3, {}},
                                     {Op::AllGather, A::Pairwise, 4, {}},
                                     {Op::AllReduce, A::Ring, 4, {0, 1, 1}},
                                     {Op::AllReduce, A::Tree, 4, {1, 0, 1}}}));
    REQUIRE_THROWS_AS(PlanCollective(bad.op, bad.algorithm, bad.ranks, 1024, bad.options),
                      std::invalid_argument);
    REQUIRE_THROWS_AS(ExpandCollective(bad.op, bad.algorithm, bad.ranks, 1024, bad.options),
                      std::invalid_argument);
}

TEST_CASE("a ring over 10,240 ranks is answered from its rules", "[traffic][plan]")
{
    // 84 million transfers on 4 channels: the last one and its dependencies, without a list.
    AlgorithmOptions options{4, 1, 8};
    auto plan = PlanCollective(
        CollectiveOp::AllReduce, CollectiveAlgorithm::Ring, 10240, 64 << 20, options);
    REQUIRE(plan->Transfers() == 4ull * 2 * 10239 * 10240);
    std::uint64_t last = plan->Transfers() - 1;
    PlannedTransfer t = plan->At(last);
    REQUIRE(t.channel == 3);
    REQUIRE(t.step == 2 * 10239 - 1);
    RailAlignedRing ring{10240, 8, 3};
    REQUIRE(t.src == ring.RankAt(10239));
    REQUIRE(t.dst == ring.RankAt(0));
    std::vector<std::uint64_t> deps;
    plan->DependsOn(last, deps);
    REQUIRE(deps == std::vector<std::uint64_t>{last - 10240 - 1, last - 10240});
}

TEST_CASE("the rail-aligned ring order both ways", "[traffic][plan]")
{
    for (std::uint32_t n : {1u, 5u, 8u, 16u, 24u, 64u})
    {
        for (std::uint32_t perServer : {1u, 3u, 8u})
        {
            for (std::uint32_t channel = 0; channel < 9; ++channel)
            {
                auto order = RailAlignedRingOrder(n, perServer, channel);
                RailAlignedRing ring{n, perServer, channel};
                std::set<std::uint32_t> seen(order.begin(), order.end());
                REQUIRE(seen.size() == n);
                for (std::uint32_t p = 0; p < n; ++p)
                {
                    REQUIRE(ring.RankAt(p) == order[p]);
                    REQUIRE(ring.PositionOf(order[p]) == p);
                }
            }
        }
    }
}
