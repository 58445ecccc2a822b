#include "support/dag-makespan.h"
#include "traffic/model/collective.h"

#include <catch2/catch.hpp>
#include <set>

using namespace fab::traffic;
using fab::tests::Makespan;

TEST_CASE("nccl-tests bus bandwidth factors", "[traffic][collective]")
{
    REQUIRE(BusBandwidthFactor(CollectiveOp::AllReduce, 8) == Approx(1.75));
    REQUIRE(BusBandwidthFactor(CollectiveOp::AllGather, 8) == Approx(0.875));
    REQUIRE(BusBandwidthFactor(CollectiveOp::ReduceScatter, 16) == Approx(15.0 / 16));
    REQUIRE(BusBandwidthFactor(CollectiveOp::AllToAll, 4) == Approx(0.75));
    REQUIRE(BusBandwidthFactor(CollectiveOp::SendRecv, 2) == 1.0);
    for (auto op : {CollectiveOp::AllReduce,
                    CollectiveOp::AllGather,
                    CollectiveOp::ReduceScatter,
                    CollectiveOp::AllToAll,
                    CollectiveOp::SendRecv})
    {
        REQUIRE(ParseCollectiveOp(CollectiveOpName(op)) == op);
    }
    REQUIRE_FALSE(ParseCollectiveOp("broadcastx").has_value());
}

TEST_CASE("ring AllReduce: 2(n-1) steps, each rank sends 2(n-1)/n of the buffer",
          "[traffic][collective]")
{
    for (std::uint32_t n = 2; n <= 16; ++n)
    {
        for (std::uint32_t channels : {1u, 2u, 4u})
        {
            INFO(n << " ranks, " << channels << " channels");
            std::uint64_t bytes = std::uint64_t{n} * channels * 1024;
            auto dag = RingAllReduce(n, bytes, channels);
            REQUIRE(dag.Steps() == 2 * (n - 1));
            REQUIRE(dag.transfers.size() == std::size_t{n} * 2 * (n - 1) * channels);
            REQUIRE(dag.IsTopologicallyOrdered());
            REQUIRE(Makespan(dag) == 2 * (n - 1));
            for (std::uint32_t r = 0; r < n; ++r)
            {
                REQUIRE(static_cast<double>(dag.BytesSentBy(r))
                        == Approx(BusBandwidthFactor(CollectiveOp::AllReduce, n) * bytes));
            }
            for (const auto& t : dag.transfers)
            {
                REQUIRE(t.dst == (t.src + 1) % n);
            }
        }
    }
}

TEST_CASE("ring AllGather and ReduceScatter: n-1 steps, (n-1)/n of the buffer",
          "[traffic][collective]")
{
    for (std::uint32_t n : {2u, 3u, 8u, 16u})
    {
        std::uint64_t bytes = std::uint64_t{n} * 4096;
        for (const auto& dag : {RingAllGather(n, bytes), RingReduceScatter(n, bytes)})
        {
            REQUIRE(dag.Steps() == n - 1);
            REQUIRE(Makespan(dag) == n - 1);
            REQUIRE(static_cast<double>(dag.BytesSentBy(0))
                    == Approx(BusBandwidthFactor(CollectiveOp::AllGather, n) * bytes));
        }
    }
}

TEST_CASE("halving-doubling AllReduce: log2 n + log2 n steps, the ring's volume",
          "[traffic][collective]")
{
    for (std::uint32_t n : {2u, 4u, 8u, 16u, 64u})
    {
        INFO(n << " ranks");
        std::uint64_t bytes = std::uint64_t{n} * 1024;
        auto dag = HalvingDoublingAllReduce(n, bytes);
        std::uint32_t log2n = 0;
        while ((1u << log2n) < n)
        {
            ++log2n;
        }
        REQUIRE(dag.Steps() == 2 * log2n);
        REQUIRE(Makespan(dag) == 2 * log2n);
        REQUIRE(dag.IsTopologicallyOrdered());
        for (std::uint32_t r = 0; r < n; ++r)
        {
            REQUIRE(static_cast<double>(dag.BytesSentBy(r)) == Approx(2.0 * (n - 1) / n * bytes));
        }
        for (const auto& t : dag.transfers)
        {
            REQUIRE(__builtin_popcount(t.src ^ t.dst) == 1); // partners differ in one bit
        }
    }
}

TEST_CASE("pairwise All-to-All: every rank sends one block to every other rank",
          "[traffic][collective]")
{
    for (std::uint32_t n : {2u, 5u, 8u})
    {
        std::uint64_t bytes = std::uint64_t{n} * 1000;
        auto dag = PairwiseAllToAll(n, bytes);
        REQUIRE(dag.Steps() == n - 1);
        std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
        for (const auto& t : dag.transfers)
        {
            REQUIRE(t.src != t.dst);
            REQUIRE(pairs.insert({t.src, t.dst}).second);
        }
        REQUIRE(pairs.size() == std::size_t{n} * (n - 1));
        REQUIRE(static_cast<double>(dag.BytesSentBy(1))
                == Approx(BusBandwidthFactor(CollectiveOp::AllToAll, n) * bytes));
    }
}
