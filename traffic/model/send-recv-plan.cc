#include "traffic/model/send-recv-plan.h"

namespace fab::traffic
{

SendRecvPlan::SendRecvPlan(std::uint32_t ranks, std::uint64_t bytes)
: CollectivePlan(ranks)
, m_bytes(bytes)
{
}

std::uint64_t
SendRecvPlan::Transfers() const
{
    return Ranks() >= 2 ? 1 : 0;
}

std::uint32_t
SendRecvPlan::Steps() const
{
    return Ranks() >= 2 ? 1 : 0;
}

PlannedTransfer
SendRecvPlan::At(std::uint64_t) const
{
    return PlannedTransfer{0, 1, m_bytes, 0, 0};
}

void
SendRecvPlan::DependsOn(std::uint64_t, std::vector<std::uint64_t>&) const
{
}

void
SendRecvPlan::Dependents(std::uint64_t, std::vector<std::uint64_t>&) const
{
}

void
SendRecvPlan::RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const
{
    if (Transfers() > 0 && rank < 2)
    {
        out.push_back(0);
    }
}

std::uint64_t
SendRecvPlan::TransfersOf(std::uint32_t rank) const
{
    return Transfers() > 0 && rank < 2 ? 1 : 0;
}

void
SendRecvPlan::SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const
{
    if (Transfers() > 0 && rank == 0)
    {
        out.push_back(PeerSends{1, 1, m_bytes});
    }
}

std::vector<CollectivePhase>
SendRecvPlan::Phases() const
{
    if (Transfers() == 0)
    {
        return {};
    }
    CollectivePhase phase;
    phase.steps = 1;
    phase.bytes = m_bytes;
    phase.transfers = 1;
    phase.sameEveryStep = true;
    return {phase};
}

} // namespace fab::traffic
