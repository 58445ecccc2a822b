#include "traffic/model/halving-doubling-plan.h"

#include <algorithm>

namespace fab::traffic
{

HalvingDoublingPlan::HalvingDoublingPlan(std::uint32_t ranks, std::uint64_t bytes)
: CollectivePlan(ranks)
, m_bytes(bytes)
{
    while ((1u << m_rounds) < ranks)
    {
        ++m_rounds;
    }
}

std::uint64_t
HalvingDoublingPlan::Transfers() const
{
    return std::uint64_t{Ranks()} * Steps();
}

std::uint32_t
HalvingDoublingPlan::Steps() const
{
    return 2 * m_rounds;
}

std::uint32_t
HalvingDoublingPlan::Distance(std::uint32_t step) const
{
    return step < m_rounds ? Ranks() >> (step + 1) : 1u << (step - m_rounds);
}

std::uint64_t
HalvingDoublingPlan::Bytes(std::uint32_t step) const
{
    return step < m_rounds ? m_bytes >> (step + 1) : m_bytes >> (2 * m_rounds - step);
}

void
HalvingDoublingPlan::Pair(std::uint32_t step,
                          std::uint32_t rank,
                          std::uint32_t distance,
                          std::vector<std::uint64_t>& out) const
{
    std::uint64_t base = std::uint64_t{step} * Ranks();
    out.push_back(base + std::min(rank, rank ^ distance));
    out.push_back(base + std::max(rank, rank ^ distance));
}

PlannedTransfer
HalvingDoublingPlan::At(std::uint64_t index) const
{
    auto step = static_cast<std::uint32_t>(index / Ranks());
    auto rank = static_cast<std::uint32_t>(index % Ranks());
    return PlannedTransfer{rank, rank ^ Distance(step), Bytes(step), 0, step};
}

void
HalvingDoublingPlan::DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    auto step = static_cast<std::uint32_t>(index / Ranks());
    if (step > 0)
    {
        Pair(step - 1, static_cast<std::uint32_t>(index % Ranks()), Distance(step - 1), out);
    }
}

std::uint32_t
HalvingDoublingPlan::DependencyCount(std::uint64_t index) const
{
    return index < Ranks() ? 0 : 2;
}

void
HalvingDoublingPlan::Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    auto step = static_cast<std::uint32_t>(index / Ranks());
    if (step + 1 < Steps())
    {
        // Rank q's send of the next step waits for q's and q's partner's sends of this one.
        Pair(step + 1, static_cast<std::uint32_t>(index % Ranks()), Distance(step), out);
    }
}

void
HalvingDoublingPlan::RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const
{
    if (Steps() > 0)
    {
        Pair(0, rank, Distance(0), out);
    }
}

std::uint64_t
HalvingDoublingPlan::TransfersOf(std::uint32_t) const
{
    return std::uint64_t{2} * Steps();
}

void
HalvingDoublingPlan::SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const
{
    for (std::uint32_t step = 0; step < Steps(); ++step)
    {
        out.push_back(PeerSends{rank ^ Distance(step), 1, Bytes(step)});
    }
}

std::vector<CollectivePhase>
HalvingDoublingPlan::Phases() const
{
    std::vector<CollectivePhase> phases;
    for (std::uint32_t step = 0; step < Steps(); ++step)
    {
        CollectivePhase phase;
        phase.pattern = PhasePattern::Exchange;
        phase.firstStep = step;
        phase.steps = 1;
        phase.bytes = Bytes(step);
        phase.firstTransfer = std::uint64_t{step} * Ranks();
        phase.transfers = Ranks();
        phase.shape = Distance(step);
        phase.sameEveryStep = true;
        phases.push_back(phase);
    }
    return phases;
}

} // namespace fab::traffic
