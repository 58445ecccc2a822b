#ifndef FABRICSCOPE_TRAFFIC_ALL_TO_ALL_PLAN_H
#define FABRICSCOPE_TRAFFIC_ALL_TO_ALL_PLAN_H

#include "traffic/model/collective-plan.h"

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/**
 * All-to-All as rules: for s = 1..n − 1, rank r sends its block of bytes / n to rank r + s mod n;
 * transfer (s − 1) × n + r is that send. Direct: every send is posted at once (one step, no
 * dependencies), as NCCL's grouped sends are, so the whole n(n − 1) is in flight together and an
 * engine holds that much. Pairwise: shift s is step s − 1 and waits for the rank's send of shift
 * s − 1, so a rank has one send in flight and an engine holds O(n). It holds nothing per rank.
 */
class AllToAllPlan final : public CollectivePlan
{
public:
    AllToAllPlan(std::uint32_t ranks, std::uint64_t bytes, bool pairwise);

    std::uint64_t Transfers() const override;
    std::uint32_t Steps() const override;
    PlannedTransfer At(std::uint64_t index) const override;
    void DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const override;
    void Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const override;
    void RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const override;
    std::uint64_t TransfersOf(std::uint32_t rank) const override;
    void SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const override;
    std::vector<CollectivePhase> Phases() const override;
    std::uint32_t DependencyCount(std::uint64_t index) const override;

private:
    /** The sends of shift s that `rank` makes and receives, increasing. */
    void Shift(std::uint32_t s, std::uint32_t rank, std::vector<std::uint64_t>& out) const;

    std::uint64_t m_block;
    bool m_pairwise;
};

} // namespace fab::traffic

#endif
