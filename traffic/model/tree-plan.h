#ifndef FABRICSCOPE_TRAFFIC_TREE_PLAN_H
#define FABRICSCOPE_TRAFFIC_TREE_PLAN_H

#include "traffic/model/collective-plan.h"
#include "traffic/model/tree-collective.h"

#include <array>
#include <cstdint>
#include <vector>

namespace fab::traffic
{

/**
 * The double binary tree AllReduce (DoubleBinaryTreeAllReduce) as rules. Tree t is channel t and
 * carries half the buffer in `chunks` chunks. Chunk c goes up: a rank sends it to its parent once
 * it has it from all its children, and after it sent chunk c − 1 up. It comes down: the root sends
 * it to its children once all of them sent it up; any other rank forwards it to each child once
 * it has it from its parent; and an edge carries chunk c down after chunk c − 1.
 *
 * Transfers are numbered as the DAG numbers them: tree by tree, chunk by chunk, the n − 1 sends
 * up (deepest ranks first, higher ranks first within a level), then the n − 1 sends down
 * (shallowest parents first, children in increasing order). It holds both trees and where each
 * rank's sends fall in those orders: O(ranks).
 */
class TreePlan final : public CollectivePlan
{
public:
    /** ranks ≥ 2, chunks ≥ 1. */
    TreePlan(std::uint32_t ranks, std::uint64_t bytes, std::uint32_t chunks);

    std::uint64_t Transfers() const override;
    std::uint32_t Steps() const override;
    PlannedTransfer At(std::uint64_t index) const override;
    void DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const override;
    void Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const override;
    void RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const override;
    std::uint64_t TransfersOf(std::uint32_t rank) const override;
    void SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const override;
    std::vector<CollectivePhase> Phases() const override;

private:
    /** One tree, with each rank's send up and send down (into it) numbered. */
    struct Tree
    {
        RankTree tree;
        std::uint32_t height{0};
        std::vector<std::uint32_t> upOrder;   ///< position → the rank that sends up
        std::vector<std::uint32_t> upAt;      ///< rank → its position among the sends up
        std::vector<std::uint32_t> downOrder; ///< position → the rank sent to
        std::vector<std::uint32_t> downAt;    ///< rank → its position among the sends down
    };

    struct Place
    {
        std::uint32_t tree{0};
        std::uint32_t chunk{0};
        bool up{true};
        std::uint32_t rank{0}; ///< the sender up, or the receiver down
    };

    Place Locate(std::uint64_t index) const;
    std::uint64_t Up(std::uint32_t tree, std::uint32_t chunk, std::uint32_t rank) const;
    std::uint64_t Down(std::uint32_t tree, std::uint32_t chunk, std::uint32_t rank) const;

    std::uint64_t m_chunkBytes;
    std::uint32_t m_chunks;
    std::array<Tree, 2> m_trees;
};

} // namespace fab::traffic

#endif
