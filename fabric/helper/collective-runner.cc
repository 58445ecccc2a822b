#include "fabric/helper/collective-runner.h"

#include <ns3/simulator.h>

namespace ns3::fabric
{

CollectiveRunner::CollectiveRunner(FabricBuilder& fabric,
                                   traffic::TransferDag dag,
                                   std::vector<RankPlacement> ranks,
                                   traffic::CollectiveOp op,
                                   std::uint64_t bytes)
: m_fabric(fabric)
, m_dag(std::move(dag))
, m_ranks(std::move(ranks))
, m_op(op)
{
    m_result.bytes = bytes;
    m_waitingOn.resize(m_dag.transfers.size(), 0);
    m_dependents.resize(m_dag.transfers.size());
    for (const auto& t : m_dag.transfers)
    {
        m_waitingOn[t.id] = static_cast<std::uint32_t>(t.dependsOn.size());
        for (auto d : t.dependsOn)
        {
            m_dependents[d].push_back(t.id);
        }
    }
    std::set<std::uint32_t> servers;
    for (const auto& rank : m_ranks)
    {
        servers.insert(rank.server);
    }
    for (auto server : servers)
    {
        m_fabric.Host(server)->SetCompletionCallback(
            Callback<void, std::uint32_t, std::int64_t, std::int64_t>(
                [this, server](std::uint32_t flow, std::int64_t posted, std::int64_t completed)
                { OnCompletion(server, flow, posted, completed); }));
    }
}

void
CollectiveRunner::Start(Time start)
{
    Simulator::Schedule(start - Simulator::Now(), &CollectiveRunner::Begin, this);
}

void
CollectiveRunner::Begin()
{
    m_result.startNs = Simulator::Now().GetNanoSeconds();
    for (const auto& t : m_dag.transfers)
    {
        if (t.dependsOn.empty())
        {
            Post(t.id);
        }
    }
}

void
CollectiveRunner::Post(std::uint32_t id)
{
    const auto& t = m_dag.transfers[id];
    const RankPlacement& src = m_ranks.at(t.src);
    const RankPlacement& dst = m_ranks.at(t.dst);
    RoceFlowSpec flow;
    flow.port = src.port;
    flow.dstEndpoint = m_fabric.Endpoint(dst.server, dst.port);
    flow.bytes = t.bytes;
    flow.destQp = 0x1000 + id; // a QP of its own
    flow.udpSrcPort = static_cast<std::uint16_t>(0xC000 | (id & 0x3FFF));
    flow.start = Simulator::Now();
    std::uint32_t flowId = m_fabric.Host(src.server)->AddFlow(flow);
    m_transferOfFlow[{src.server, flowId}] = id;
}

void
CollectiveRunner::OnCompletion(std::uint32_t server,
                               std::uint32_t flow,
                               std::int64_t,
                               std::int64_t completed)
{
    auto it = m_transferOfFlow.find({server, flow});
    if (it == m_transferOfFlow.end())
    {
        return; // another flow of this host
    }
    std::uint32_t id = it->second;
    m_transferOfFlow.erase(it);
    ++m_result.transfersDone;
    for (auto next : m_dependents[id])
    {
        if (--m_waitingOn[next] == 0)
        {
            Post(next);
        }
    }
    if (Done())
    {
        m_result.endNs = completed;
        double seconds = static_cast<double>(m_result.endNs - m_result.startNs) * 1e-9;
        m_result.algbwGbps = static_cast<double>(m_result.bytes) * 8 / seconds / 1e9;
        m_result.busbwGbps = m_result.algbwGbps * traffic::BusBandwidthFactor(m_op, m_dag.ranks);
        if (m_done)
        {
            m_done(m_result);
        }
    }
}

} // namespace ns3::fabric
