#include "support/dag-makespan.h"
#include "traffic/model/tree-collective.h"

#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>
#include <vector>

using namespace fab::traffic;
using fab::tests::Makespan;

namespace
{

using Ranks = std::vector<std::uint32_t>;

/** Tree height of NCCL's shape, ⌈log2 n⌉: rank 0 sits above a binary tree of the others. */
const std::map<std::uint32_t, std::uint32_t> kHeight{
    {1, 0},
    {2, 1},
    {3, 2},
    {4, 2},
    {7, 3},
    {8, 3},
    {12, 4},
    {13, 4},
    {16, 4},
    {64, 6},
    {128, 7},
};

} // namespace

TEST_CASE("double binary tree: NCCL's first tree, mirrored for even n, shifted for odd n",
          "[traffic][tree]")
{
    SECTION("12 ranks: mirror")
    {
        auto trees = DoubleBinaryTree(12);
        const auto& first = trees[0];
        REQUIRE(first.root == 0);
        REQUIRE(first.children[0] == Ranks{8});
        REQUIRE(first.children[8] == Ranks{4, 10});
        REQUIRE(first.children[4] == Ranks{2, 6});
        REQUIRE(first.children[10] == Ranks{9, 11});
        REQUIRE(first.children[2] == Ranks{1, 3});
        const auto& second = trees[1];
        REQUIRE(second.root == 11);
        REQUIRE(second.children[11] == Ranks{3});
        REQUIRE(second.children[3] == Ranks{1, 7});
        REQUIRE(second.children[7] == Ranks{5, 9});
        REQUIRE(second.children[1] == Ranks{0, 2});
        REQUIRE(second.children[9] == Ranks{8, 10});
    }
    SECTION("13 ranks: shift by one")
    {
        auto trees = DoubleBinaryTree(13);
        REQUIRE(trees[0].children[8] == Ranks{4, 12});
        REQUIRE(trees[0].children[12] == Ranks{10});
        const auto& second = trees[1];
        REQUIRE(second.root == 1);
        REQUIRE(second.children[1] == Ranks{9});
        REQUIRE(second.children[9] == Ranks{0, 5});
        REQUIRE(second.children[0] == Ranks{11});
        REQUIRE(second.children[11] == Ranks{10, 12});
    }
    SECTION("2 ranks: each is the other's root")
    {
        auto trees = DoubleBinaryTree(2);
        REQUIRE(trees[0].root == 0);
        REQUIRE(trees[0].parent[1] == 0);
        REQUIRE(trees[1].root == 1);
        REQUIRE(trees[1].parent[0] == 1);
    }
    SECTION("heights: ceil(log2 n), the same for both trees")
    {
        for (const auto& [n, height] : kHeight)
        {
            INFO(n << " ranks");
            auto trees = DoubleBinaryTree(n);
            REQUIRE(trees[0].Height() == height);
            REQUIRE(trees[1].Height() == height);
        }
    }
    SECTION("a rank is internal in one tree only (but rank 0 for odd n)")
    {
        for (std::uint32_t n = 2; n <= 130; ++n)
        {
            INFO(n << " ranks");
            auto trees = DoubleBinaryTree(n);
            for (std::uint32_t r = 0; r < n; ++r)
            {
                bool both = trees[0].IsInternal(r) && trees[1].IsInternal(r);
                bool neither = !trees[0].IsInternal(r) && !trees[1].IsInternal(r);
                REQUIRE(both == (n % 2 == 1 && r == 0));
                REQUIRE_FALSE(neither);
            }
        }
    }
    REQUIRE_THROWS_AS(DoubleBinaryTree(0), std::invalid_argument);
}

TEST_CASE("double binary tree AllReduce: half the buffer up and down each tree, 2H + chunks - 1 "
          "steps",
          "[traffic][tree]")
{
    auto n = GENERATE(2u, 3u, 4u, 7u, 8u, 16u, 64u, 128u);
    auto chunks = GENERATE(1u, 2u, 4u);
    INFO(n << " ranks, " << chunks << " chunks");
    std::uint64_t bytes = 2 * std::uint64_t{chunks} * 1024;
    auto dag = DoubleBinaryTreeAllReduce(n, bytes, chunks);
    auto trees = DoubleBinaryTree(n);
    std::uint32_t height = kHeight.at(n);

    REQUIRE(dag.ranks == n);
    REQUIRE(dag.IsTopologicallyOrdered());
    // Two trees, n − 1 edges each, every chunk once up and once down each edge.
    REQUIRE(dag.transfers.size() == std::size_t{4} * (n - 1) * chunks);
    REQUIRE(dag.TotalBytes() == 2 * std::uint64_t{n - 1} * bytes);
    REQUIRE(Makespan(dag) == 2 * height + chunks - 1);
    REQUIRE(dag.Steps() == Makespan(dag));

    // Per tree and rank: transfers sent up to the parent and received down from it.
    std::vector<std::vector<std::uint32_t>> upCount(2, std::vector<std::uint32_t>(n, 0));
    std::vector<std::vector<std::uint64_t>> upBytes(2, std::vector<std::uint64_t>(n, 0));
    std::vector<std::vector<std::uint64_t>> downBytes(2, std::vector<std::uint64_t>(n, 0));
    for (const auto& t : dag.transfers)
    {
        REQUIRE(t.channel < 2);
        const auto& tree = trees[t.channel];
        bool up = t.src != tree.root && tree.parent[t.src] == t.dst;
        bool down = t.dst != tree.root && tree.parent[t.dst] == t.src;
        REQUIRE(up != down); // along a tree edge, one way or the other
        if (up)
        {
            ++upCount[t.channel][t.src];
            upBytes[t.channel][t.src] += t.bytes;
        }
        else
        {
            downBytes[t.channel][t.dst] += t.bytes;
        }
        for (auto d : t.dependsOn)
        {
            REQUIRE(dag.transfers[d].step + 1 == t.step);
        }
    }
    for (std::uint32_t k = 0; k < 2; ++k)
    {
        for (std::uint32_t r = 0; r < n; ++r)
        {
            bool root = r == trees[k].root;
            REQUIRE(upCount[k][r] == (root ? 0 : chunks));
            REQUIRE(upBytes[k][r] == (root ? 0 : bytes / 2));
            REQUIRE(downBytes[k][r] == (root ? 0 : bytes / 2));
        }
    }
}

TEST_CASE("double binary tree AllReduce: concrete makespans and the root's wait", "[traffic][tree]")
{
    REQUIRE(Makespan(DoubleBinaryTreeAllReduce(8, 1 << 20)) == 6);
    REQUIRE(Makespan(DoubleBinaryTreeAllReduce(128, 1 << 20)) == 14);
    REQUIRE(Makespan(DoubleBinaryTreeAllReduce(7, 1 << 20)) == 6);
    // Chunks pipeline one step apart: the last enters 3 steps after the first.
    REQUIRE(Makespan(DoubleBinaryTreeAllReduce(8, 1 << 20, 4)) == 9);

    SECTION("2 ranks: one exchange up, one down, per tree")
    {
        auto dag = DoubleBinaryTreeAllReduce(2, 1000);
        REQUIRE(dag.transfers.size() == 4);
        REQUIRE(Makespan(dag) == 2);
        REQUIRE(dag.BytesSentBy(0) == 1000);
        REQUIRE(dag.BytesSentBy(1) == 1000);
    }
    SECTION("the root sends chunk c down once every child sent chunk c up")
    {
        auto dag = DoubleBinaryTreeAllReduce(12, 6000, 3);
        auto trees = DoubleBinaryTree(12);
        std::uint32_t rootSends = 0;
        for (const auto& t : dag.transfers)
        {
            const auto& tree = trees[t.channel];
            if (t.src != tree.root)
            {
                continue;
            }
            ++rootSends;
            for (auto child : tree.children[tree.root])
            {
                bool waited = false;
                for (auto d : t.dependsOn)
                {
                    const auto& dep = dag.transfers[d];
                    waited = waited || (dep.src == child && dep.dst == tree.root);
                }
                REQUIRE(waited);
            }
        }
        REQUIRE(rootSends == 2 * 3); // one child per root, three chunks, two trees
    }
}

TEST_CASE("double binary tree AllReduce: one rank, bad arguments", "[traffic][tree]")
{
    auto single = DoubleBinaryTreeAllReduce(1, 4096, 2);
    REQUIRE(single.ranks == 1);
    REQUIRE(single.transfers.empty());
    REQUIRE_THROWS_AS(DoubleBinaryTreeAllReduce(0, 4096), std::invalid_argument);
    REQUIRE_THROWS_AS(DoubleBinaryTreeAllReduce(8, 4096, 0), std::invalid_argument);
}
