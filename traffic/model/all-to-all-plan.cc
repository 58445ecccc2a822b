#include "traffic/model/all-to-all-plan.h"

#include <algorithm>

namespace fab::traffic
{

AllToAllPlan::AllToAllPlan(std::uint32_t ranks, std::uint64_t bytes, bool pairwise)
: CollectivePlan(ranks)
, m_block(ranks == 0 ? 0 : bytes / ranks)
, m_pairwise(pairwise)
{
}

std::uint64_t
AllToAllPlan::Transfers() const
{
    std::uint64_t n = Ranks();
    return n < 2 ? 0 : n * (n - 1);
}

std::uint32_t
AllToAllPlan::Steps() const
{
    if (Ranks() < 2)
    {
        return 0;
    }
    return m_pairwise ? Ranks() - 1 : 1;
}

PlannedTransfer
AllToAllPlan::At(std::uint64_t index) const
{
    std::uint32_t n = Ranks();
    auto s = static_cast<std::uint32_t>(index / n) + 1;
    auto rank = static_cast<std::uint32_t>(index % n);
    return PlannedTransfer{rank, (rank + s) % n, m_block, 0, m_pairwise ? s - 1 : 0};
}

void
AllToAllPlan::DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    if (m_pairwise && index >= Ranks())
    {
        out.push_back(index - Ranks()); // one exchange at a time per rank
    }
}

std::uint32_t
AllToAllPlan::DependencyCount(std::uint64_t index) const
{
    return m_pairwise && index >= Ranks() ? 1 : 0;
}

void
AllToAllPlan::Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    if (m_pairwise && index + Ranks() < Transfers())
    {
        out.push_back(index + Ranks());
    }
}

void
AllToAllPlan::Shift(std::uint32_t s, std::uint32_t rank, std::vector<std::uint64_t>& out) const
{
    std::uint32_t n = Ranks();
    std::uint64_t base = std::uint64_t{s - 1} * n;
    std::uint32_t from = (rank + n - s) % n;
    out.push_back(base + std::min(rank, from));
    out.push_back(base + std::max(rank, from));
}

void
AllToAllPlan::RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const
{
    std::uint32_t shifts = Ranks() < 2 ? 0 : m_pairwise ? 1 : Ranks() - 1;
    for (std::uint32_t s = 1; s <= shifts; ++s)
    {
        Shift(s, rank, out);
    }
}

std::uint64_t
AllToAllPlan::TransfersOf(std::uint32_t) const
{
    return Ranks() < 2 ? 0 : 2 * std::uint64_t{Ranks() - 1};
}

void
AllToAllPlan::SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const
{
    for (std::uint32_t s = 1; s < Ranks(); ++s)
    {
        out.push_back(PeerSends{(rank + s) % Ranks(), 1, m_block});
    }
}

std::vector<CollectivePhase>
AllToAllPlan::Phases() const
{
    std::vector<CollectivePhase> phases;
    for (std::uint32_t s = 1; s < Ranks(); ++s)
    {
        CollectivePhase phase;
        phase.pattern = PhasePattern::Shift;
        phase.firstStep = m_pairwise ? s - 1 : 0;
        phase.steps = 1;
        phase.bytes = m_block;
        phase.firstTransfer = std::uint64_t{s - 1} * Ranks();
        phase.transfers = Ranks();
        phase.shape = s;
        phase.sameEveryStep = true;
        phases.push_back(phase);
    }
    return phases;
}

} // namespace fab::traffic
