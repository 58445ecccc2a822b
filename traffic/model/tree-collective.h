#ifndef FABRICSCOPE_TRAFFIC_TREE_COLLECTIVE_H
#define FABRICSCOPE_TRAFFIC_TREE_COLLECTIVE_H

#include "traffic/model/transfer-dag.h"

#include <array>
#include <cstdint>
#include <vector>

namespace fab::traffic
{

/** A spanning tree over ranks 0..n − 1. */
struct RankTree
{
    std::uint32_t root{0};
    std::vector<std::uint32_t> parent;                ///< parent[root] == root
    std::vector<std::vector<std::uint32_t>> children; ///< in increasing rank order
    std::vector<std::uint32_t> depth;                 ///< edges from the root

    /** Edges on the longest root-to-leaf path. */
    std::uint32_t Height() const;
    bool IsInternal(std::uint32_t rank) const { return !children[rank].empty(); }
};

/**
 * NCCL's double binary tree (ncclGetDtree). The first tree puts rank 0 on top of an in-order
 * binary tree of ranks 1..n − 1: odd ranks are its leaves, even ranks its internal nodes. The
 * second tree relabels the first so that those roles swap: mirrored (rank r → n − 1 − r, root
 * n − 1) when n is even, which makes every rank internal in exactly one tree; shifted by one
 * (r → r + 1 mod n, root 1) when n is odd, where only rank 0 is internal in both. Rank 0's single
 * child makes the height ⌈log2 n⌉, one more than a heap-shaped tree when n is not a power of two;
 * the two trees have the same height.
 */
std::array<RankTree, 2> DoubleBinaryTree(std::uint32_t ranks);

/**
 * Double binary tree AllReduce: tree t (channel t) carries half of the buffer, cut into `chunks`
 * chunks of bytes / 2 / chunks. Per chunk, the reduce phase sends it from every rank to its
 * parent once the rank has it from all its children; the broadcast phase sends the reduced chunk
 * from the root down, each rank forwarding it to its children once it has it from its parent.
 * Sends over one tree edge in one direction go one chunk at a time, so chunks pipeline behind
 * each other. Every rank but the root sends bytes / 2 up each tree; the total volume, 2(n − 1) ×
 * bytes, is the ring's.
 *
 * `step` is the level of a lock-step schedule in which each tree level moves one chunk per step:
 * a rank at depth d sends chunk c up at step (H − d) + c and down at step H + d + c, with H the
 * tree height. Every dependency is on a transfer exactly one step earlier, and with unit-time
 * transfers the DAG takes Steps() = 2H + chunks − 1 steps, 2H with one chunk.
 *
 * One rank gives an empty DAG. Throws std::invalid_argument for no ranks or no chunks.
 */
TransferDag DoubleBinaryTreeAllReduce(std::uint32_t ranks,
                                      std::uint64_t bytes,
                                      std::uint32_t chunks = 1);

} // namespace fab::traffic

#endif
