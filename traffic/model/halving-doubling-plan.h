#ifndef FABRICSCOPE_TRAFFIC_HALVING_DOUBLING_PLAN_H
#define FABRICSCOPE_TRAFFIC_HALVING_DOUBLING_PLAN_H

#include "traffic/model/collective-plan.h"

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/**
 * Halving-doubling AllReduce (HalvingDoublingAllReduce) as rules, over a power-of-two n: log2 n
 * reduce-scatter steps exchange bytes/2, bytes/4, ... with the partner at distance n/2, n/4, ...,
 * then log2 n all-gather steps exchange bytes/n, ..., bytes/2 at distance 1, 2, ..., n/2. In every
 * step but the first, rank r waits for its own send of the step before and for what its partner
 * of that step sent it. Transfer step × n + r is rank r's send of that step. It holds nothing per
 * rank.
 */
class HalvingDoublingPlan final : public CollectivePlan
{
public:
    /** ranks a power of two, at least 2. */
    HalvingDoublingPlan(std::uint32_t ranks, std::uint64_t bytes);

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
    std::uint32_t Distance(std::uint32_t step) const;
    std::uint64_t Bytes(std::uint32_t step) const;
    /** The two transfers rank r and its partner at `distance` send in `step`, increasing. */
    void Pair(std::uint32_t step,
              std::uint32_t rank,
              std::uint32_t distance,
              std::vector<std::uint64_t>& out) const;

    std::uint64_t m_bytes;
    std::uint32_t m_rounds{0}; ///< log2 n
};

} // namespace fab::traffic

#endif
