#ifndef FABRICSCOPE_DPI_COLLECTIVE_SHAPE_H
#define FABRICSCOPE_DPI_COLLECTIVE_SHAPE_H

#include "dpi/collective-pattern.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace fab::dpi
{

/** Hops between members 0..n − 1 (in address order), as the shape tests read them. */
struct HopGraph
{
    std::uint32_t n{0};
    std::vector<std::vector<std::uint32_t>> out;                             ///< sorted
    std::vector<std::vector<std::uint32_t>> in;                              ///< sorted
    std::vector<std::vector<std::uint32_t>> nbr;                             ///< either way, sorted
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> firstNs; ///< per hop
    std::size_t directed{0};
    std::size_t undirected{0};

    explicit HopGraph(std::uint32_t members);
    void AddHop(std::uint32_t from, std::uint32_t to, std::int64_t startNs);
    /** Sorts the neighbour lists and counts the hops; call once after the last AddHop. */
    void Finish();

    bool Has(std::uint32_t a, std::uint32_t b) const
    {
        return std::binary_search(out[a].begin(), out[a].end(), b);
    }
    bool Adjacent(std::uint32_t a, std::uint32_t b) const
    {
        return std::binary_search(nbr[a].begin(), nbr[a].end(), b);
    }
    std::int64_t FirstNs(std::uint32_t a, std::uint32_t b) const { return firstNs.at({a, b}); }
    bool BothWays() const { return directed == 2 * undirected; }
};

/** What recognition found: the pattern and the members in rank order. */
struct CollectiveShape
{
    CollectivePattern pattern{CollectivePattern::Unrecognised};
    std::vector<std::uint32_t> order; ///< rank → member
    std::vector<std::uint32_t> roots; ///< ranks
    RootEvidence rootEvidence{RootEvidence::None};
    std::uint32_t height{0};
};

/**
 * The pattern of a connected graph of two or more members, tried in this order: two members
 * (ring if both ways, else pair), a directed ring, an All-to-All (`meshDensity` of the ordered
 * pairs; a three-member ring used both ways is one), a ring used both ways, a hypercube, a path
 * (chain) or other tree, and NCCL's double binary tree (up to `maxTreeMatchMembers` members).
 */
CollectiveShape RecogniseShape(const HopGraph& g, const CollectiveOptions& options);

/**
 * Parent of every rank in each of NCCL's two binary trees over n ranks (the root is its own
 * parent), as traffic's DoubleBinaryTree builds them: rank 0 above an in-order binary tree of
 * ranks 1..n − 1, then that tree mirrored (n even) or shifted by one (n odd).
 */
std::array<std::vector<std::uint32_t>, 2> DoubleBinaryTreeParents(std::uint32_t n);

} // namespace fab::dpi

#endif
