#ifndef FABRICSCOPE_TRAFFIC_SEND_RECV_PLAN_H
#define FABRICSCOPE_TRAFFIC_SEND_RECV_PLAN_H

#include "traffic/model/collective-plan.h"

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/** SendRecv: rank 0 sends the whole buffer to rank 1, one transfer. With `ranks` below 2 there is
 *  nothing to send: the plan of any collective over one rank. */
class SendRecvPlan final : public CollectivePlan
{
public:
    SendRecvPlan(std::uint32_t ranks, std::uint64_t bytes);

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
    std::uint64_t m_bytes;
};

} // namespace fab::traffic

#endif
