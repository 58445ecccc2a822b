#ifndef FABRICSCOPE_DPI_COLLECTIVE_PATTERN_H
#define FABRICSCOPE_DPI_COLLECTIVE_PATTERN_H

#include "dpi/rdma-flow-table.h"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace fab::dpi
{

/** The shape a group of flows draws between its endpoints. */
enum class CollectivePattern : std::uint8_t
{
    Ring,              ///< one directed cycle through every member (ring AllReduce/AllGather)
    BidirectionalRing, ///< one cycle, each hop used both ways (n ≥ 4)
    AllToAll,          ///< (near-)every ordered pair of members exchanges data (n ≥ 3)
    Tree,              ///< the hops, ignoring direction, form a tree (reduce, broadcast)
    DoubleBinaryTree,  ///< NCCL's double binary tree: the union of two binary trees
    Hypercube,         ///< halving-doubling: log2 n partners each, differing in one rank bit
    Chain,             ///< a path of stages (pipeline P2P), one way or both ways
    Pair,              ///< one sender, one receiver
    Unrecognised,
};

const char* CollectivePatternName(CollectivePattern pattern);

/** How the root of a tree was told. */
enum class RootEvidence : std::uint8_t
{
    None,   ///< not a tree
    Sink,   ///< every hop points towards it (reduce, gather)
    Source, ///< every hop points away from it (broadcast, scatter)
    Timing, ///< the only member that sends only after each neighbour has begun sending to it
    Centre, ///< nothing else told: the member closest to all others
    Shape,  ///< a double binary tree: its roots are where the shape puts them
};

const char* RootEvidenceName(RootEvidence evidence);

/** A member of a group: an endpoint and its rank in the recognised pattern. */
struct CollectiveMember
{
    FlowAddress address;
    std::uint64_t sentBytes{0};     ///< payload bytes on its hops out
    std::uint64_t receivedBytes{0}; ///< payload bytes on its hops in
    std::uint32_t sendsTo{0};       ///< out-neighbours
    std::uint32_t receivesFrom{0};  ///< in-neighbours
};

/** One directed hop: every request flow (any QP) from one member to another, merged. */
struct CollectiveEdge
{
    std::uint32_t fromRank{0};
    std::uint32_t toRank{0};
    std::uint64_t payloadBytes{0};
    std::uint64_t wireBytes{0};
    std::uint64_t packets{0};
    std::uint32_t flows{0}; ///< request flows (queue pairs) merged into the hop
    std::int64_t firstNs{0};
    std::int64_t lastNs{0};
};

/** Out- and in-degree spread over the members of a group. */
struct DegreeStats
{
    std::uint32_t outMin{0};
    std::uint32_t outMax{0};
    std::uint32_t inMin{0};
    std::uint32_t inMax{0};
    std::uint32_t neighboursMin{0}; ///< distinct neighbours either way
    std::uint32_t neighboursMax{0};
    double density{0}; ///< hops ÷ n(n − 1), 1 for a complete mesh
};

/**
 * Flows that behave as one: members joined by hops of one volume class, busy at overlapping
 * times, and the pattern they draw. `members` are in rank order: rank 0 is the lowest address
 * for rings, meshes, hypercubes and what is not recognised; the root for trees (then breadth
 * first, children in address order); the first stage for chains; the sender of a pair. A
 * double binary tree's ranks are NCCL's under one labelling its shape allows; where the union of
 * the two trees has symmetries (for even n the mirror r → n − 1 − r swaps them), the labelling
 * whose members come first by address.
 */
struct CollectiveGroup
{
    CollectivePattern pattern{CollectivePattern::Unrecognised};
    std::vector<CollectiveMember> members; ///< index = rank
    std::vector<CollectiveEdge> edges;     ///< by (fromRank, toRank)
    std::vector<std::uint32_t> roots;      ///< ranks of tree roots (two for a double tree)
    RootEvidence rootEvidence{RootEvidence::None};
    std::uint32_t height{0};                ///< trees: hops on the longest root-to-leaf path
    std::vector<std::uint32_t> flowIndices; ///< the request flows in the table, ascending
    std::uint64_t payloadBytes{0};
    std::uint64_t wireBytes{0};
    std::uint64_t packets{0};
    std::int64_t firstNs{0};
    std::int64_t lastNs{0};
    std::size_t busiestEdge{0}; ///< index into edges: most payload (first of equals)
    double imbalance{1};        ///< largest over smallest hop payload
    DegreeStats degrees;

    std::int64_t DurationNs() const { return lastNs - firstNs; }
    std::uint32_t Size() const { return static_cast<std::uint32_t>(members.size()); }
};

/**
 * How flows are grouped. Hops of one collective move similar volumes, so a component's hops are
 * sorted by payload and cut wherever one is more than `volumeGap` times the one below it: a
 * ring's megabytes and a few kilobytes of control messages land in different classes, while a
 * skewed All-to-All whose volumes spread evenly stays whole. Within a class, hops are swept in
 * order of their first packet and cut where nothing has been busy for longer than the class's
 * median hop duration: a collective run after a long pause becomes a group of its own.
 */
struct CollectiveOptions
{
    double volumeGap{8.0};
    double meshDensity{0.9}; ///< share of the n(n − 1) hops an All-to-All must show
    /** Double binary trees are matched by search; larger groups are not tried. */
    std::uint32_t maxTreeMatchMembers{1024};
};

/**
 * Groups the request flows of a flow table by behaviour and recognises each group's pattern.
 * Flows of only responses (ACKs, NAKs, CNPs) and flows that carry no payload (READ requests,
 * whose data travels on a flow of its own) are left out; a flow that carries data one way and
 * the ACKs of the connection's other direction counts. Groups come largest (payload) first, equal
 * ones by lowest member address.
 */
std::vector<CollectiveGroup> FindCollectives(const RdmaFlows& flows,
                                             const CollectiveOptions& options = {});

/** What a group is, in one sentence for reports: "ring of 8: each member sends to the next". */
std::string DescribeCollective(const CollectiveGroup& group);

/** Orders addresses: IP addresses before LIDs, then byte by byte (IPv4 numerically). */
bool AddressLess(const FlowAddress& a, const FlowAddress& b);

} // namespace fab::dpi

#endif
