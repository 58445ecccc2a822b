#include "traffic/model/tree-collective.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace fab::traffic
{
namespace
{

/** Fills children and depth from root and parent. */
RankTree
FromParents(std::uint32_t root, std::vector<std::uint32_t> parent)
{
    RankTree tree;
    auto n = static_cast<std::uint32_t>(parent.size());
    tree.root = root;
    tree.parent = std::move(parent);
    tree.children.resize(n);
    tree.depth.assign(n, 0);
    for (std::uint32_t r = 0; r < n; ++r)
    {
        if (r != root)
        {
            tree.children[tree.parent[r]].push_back(r);
        }
    }
    // Breadth-first from the root: a parent's depth is known before its children's.
    std::vector<std::uint32_t> queue{root};
    for (std::size_t i = 0; i < queue.size(); ++i)
    {
        for (auto child : tree.children[queue[i]])
        {
            tree.depth[child] = tree.depth[queue[i]] + 1;
            queue.push_back(child);
        }
    }
    return tree;
}

/**
 * Rank 0 above an in-order binary tree of ranks 1..n − 1. A rank whose lowest set bit is b sits
 * log2 b levels above the leaves; its parent is the neighbour at the next level, r − b or r + b
 * (whichever has bit 2b set), and when r + b is past the last rank the subtree is cut short and
 * r hangs under r − b. The top of the binary tree (the largest power of two below n) gets rank 0.
 */
RankTree
InOrderBinaryTree(std::uint32_t ranks)
{
    std::vector<std::uint32_t> parent(ranks, 0);
    for (std::uint32_t r = 1; r < ranks; ++r)
    {
        std::uint64_t lowBit = r & (~std::uint64_t{r} + 1);
        std::uint64_t up = (r ^ lowBit) | (lowBit << 1);
        parent[r] = static_cast<std::uint32_t>(up < ranks ? up : r ^ lowBit);
    }
    return FromParents(0, std::move(parent));
}

/** The tree with every rank r renamed label[r]. */
RankTree
Relabel(const RankTree& tree, const std::vector<std::uint32_t>& label)
{
    std::vector<std::uint32_t> parent(tree.parent.size(), 0);
    for (std::uint32_t r = 0; r < parent.size(); ++r)
    {
        parent[label[r]] = label[tree.parent[r]];
    }
    return FromParents(label[tree.root], std::move(parent));
}

/** Appends one tree's reduce and broadcast of `chunks` chunks on channel `channel`. */
void
AppendTreeAllReduce(TransferDag& dag,
                    const RankTree& tree,
                    std::uint64_t chunkBytes,
                    std::uint32_t chunks,
                    std::uint32_t channel)
{
    auto n = static_cast<std::uint32_t>(tree.parent.size());
    std::uint32_t height = tree.Height();
    // Shallowest first; reduce walks it backwards so children are added before their parent.
    std::vector<std::uint32_t> byDepth(n, 0);
    std::iota(byDepth.begin(), byDepth.end(), 0u);
    std::stable_sort(byDepth.begin(),
                     byDepth.end(),
                     [&tree](auto a, auto b) { return tree.depth[a] < tree.depth[b]; });
    // up[r]: r's send to its parent; down[r]: its parent's send to r; both for the last chunk.
    std::vector<std::uint32_t> up(n, 0);
    std::vector<std::uint32_t> down(n, 0);
    for (std::uint32_t c = 0; c < chunks; ++c)
    {
        std::vector<std::uint32_t> upNow(n, 0);
        std::vector<std::uint32_t> downNow(n, 0);
        for (auto it = byDepth.rbegin(); it != byDepth.rend(); ++it)
        {
            auto r = *it;
            if (r == tree.root)
            {
                continue;
            }
            std::vector<std::uint32_t> deps;
            for (auto child : tree.children[r])
            {
                deps.push_back(upNow[child]);
            }
            if (c > 0)
            {
                deps.push_back(up[r]);
            }
            upNow[r] = dag.Add(r,
                               tree.parent[r],
                               chunkBytes,
                               channel,
                               height - tree.depth[r] + c,
                               std::move(deps));
        }
        for (auto r : byDepth)
        {
            for (auto child : tree.children[r])
            {
                std::vector<std::uint32_t> deps;
                if (r == tree.root)
                {
                    // The chunk is fully reduced once every child's contribution is in.
                    for (auto contributor : tree.children[r])
                    {
                        deps.push_back(upNow[contributor]);
                    }
                }
                else
                {
                    deps.push_back(downNow[r]);
                }
                if (c > 0)
                {
                    deps.push_back(down[child]);
                }
                downNow[child] = dag.Add(
                    r, child, chunkBytes, channel, height + tree.depth[r] + c, std::move(deps));
            }
        }
        up = std::move(upNow);
        down = std::move(downNow);
    }
}

} // namespace

std::uint32_t
RankTree::Height() const
{
    return depth.empty() ? 0 : *std::max_element(depth.begin(), depth.end());
}

std::array<RankTree, 2>
DoubleBinaryTree(std::uint32_t ranks)
{
    if (ranks == 0)
    {
        throw std::invalid_argument("double binary tree: ranks must be at least 1");
    }
    RankTree first = InOrderBinaryTree(ranks);
    // The first tree's leaves are the odd ranks. Mirroring turns them even only when n is even;
    // for odd n a shift by one does it, and rank n − 1 (even, internal) lands on rank 0.
    std::vector<std::uint32_t> label(ranks, 0);
    for (std::uint32_t r = 0; r < ranks; ++r)
    {
        label[r] = ranks % 2 == 0 ? ranks - 1 - r : (r + 1) % ranks;
    }
    return {first, Relabel(first, label)};
}

TransferDag
DoubleBinaryTreeAllReduce(std::uint32_t ranks, std::uint64_t bytes, std::uint32_t chunks)
{
    if (ranks == 0)
    {
        throw std::invalid_argument("DoubleBinaryTreeAllReduce: ranks must be at least 1");
    }
    if (chunks == 0)
    {
        throw std::invalid_argument("DoubleBinaryTreeAllReduce: chunks must be at least 1");
    }
    TransferDag dag;
    dag.ranks = ranks;
    if (ranks == 1)
    {
        return dag;
    }
    auto trees = DoubleBinaryTree(ranks);
    for (std::uint32_t t = 0; t < trees.size(); ++t)
    {
        AppendTreeAllReduce(dag, trees[t], bytes / 2 / chunks, chunks, t);
    }
    return dag;
}

} // namespace fab::traffic
