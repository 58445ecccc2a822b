#include "traffic/model/schedule.h"

#include <algorithm>
#include <stdexcept>

namespace fab::traffic
{

std::int64_t
ScaleUpLink::TransferNs(std::uint64_t bytes) const
{
    auto serialisation = static_cast<std::int64_t>(static_cast<long double>(bytes) * 8.0L * 1e9L
                                                   / static_cast<long double>(bitsPerSecond));
    return latencyNs + serialisation;
}

Schedule::Schedule(std::vector<std::uint32_t> serverOfRank, ScaleUpLink scaleUp)
: m_serverOfRank(std::move(serverOfRank))
, m_scaleUp(scaleUp)
{
}

std::uint32_t
Schedule::AddGroup(TaskGroup group)
{
    m_groups.push_back(std::move(group));
    return static_cast<std::uint32_t>(m_groups.size() - 1);
}

std::uint32_t
Schedule::Add(Task task)
{
    task.id = static_cast<std::uint32_t>(m_tasks.size());
    task.dependsOn.erase(std::remove(task.dependsOn.begin(), task.dependsOn.end(), kNoTask),
                         task.dependsOn.end());
    std::sort(task.dependsOn.begin(), task.dependsOn.end());
    task.dependsOn.erase(std::unique(task.dependsOn.begin(), task.dependsOn.end()),
                         task.dependsOn.end());
    m_tasks.push_back(std::move(task));
    return m_tasks.back().id;
}

std::uint32_t
Schedule::AddCompute(std::uint32_t group,
                     std::uint32_t rank,
                     std::int64_t durationNs,
                     const std::vector<std::uint32_t>& after)
{
    Task task;
    task.kind = TaskKind::Compute;
    task.src = rank;
    task.dst = rank;
    task.durationNs = durationNs;
    task.group = group;
    task.dependsOn = after;
    return Add(std::move(task));
}

bool
Schedule::WithinOneServer(const std::vector<std::uint32_t>& ranks) const
{
    return std::all_of(ranks.begin(),
                       ranks.end(),
                       [&](std::uint32_t r) { return ServerOf(r) == ServerOf(ranks.front()); });
}

std::vector<std::uint32_t>
Schedule::AddCollective(std::uint32_t group,
                        const TransferDag& dag,
                        const std::vector<std::uint32_t>& ready)
{
    const std::vector<std::uint32_t>& ranks = m_groups.at(group).ranks;
    if (ranks.size() != dag.ranks || ready.size() != dag.ranks)
    {
        throw std::invalid_argument("collective over " + std::to_string(dag.ranks) + " ranks given "
                                    + std::to_string(ranks.size()) + " ranks and "
                                    + std::to_string(ready.size()) + " ready points");
    }
    std::vector<std::uint32_t> done(dag.ranks, kNoTask);
    if (WithinOneServer(ranks))
    {
        // Inside a server the GPUs' links are not the fabric: every rank is busy for the
        // algorithm's steps of latency plus its share of the volume at the scale-up rate, after
        // all ranks have arrived.
        std::uint64_t heaviest = 0;
        for (std::uint32_t i = 0; i < dag.ranks; ++i)
        {
            heaviest = std::max(heaviest, dag.BytesSentBy(i));
        }
        std::int64_t duration = dag.transfers.empty() ? 0
                                                      : static_cast<std::int64_t>(dag.Steps() - 1)
                                                                * m_scaleUp.latencyNs
                                                            + m_scaleUp.TransferNs(heaviest);
        for (std::uint32_t i = 0; i < dag.ranks; ++i)
        {
            Task task;
            task.kind = TaskKind::ScaleUp;
            task.src = ranks[i];
            task.dst = ranks[i];
            task.durationNs = duration;
            task.group = group;
            task.dependsOn = ready;
            done[i] = Add(std::move(task));
        }
        return done;
    }
    auto base = static_cast<std::uint32_t>(m_tasks.size());
    std::vector<std::vector<std::uint32_t>> touching(dag.ranks);
    for (const auto& t : dag.transfers)
    {
        Task task;
        task.kind = TaskKind::Transfer;
        task.src = ranks[t.src];
        task.dst = ranks[t.dst];
        task.bytes = t.bytes;
        task.channel = t.channel;
        task.group = group;
        if (t.dependsOn.empty())
        {
            task.dependsOn = {ready[t.src], ready[t.dst]};
        }
        else
        {
            for (auto d : t.dependsOn)
            {
                task.dependsOn.push_back(base + d);
            }
        }
        std::uint32_t id = Add(std::move(task));
        touching[t.src].push_back(id);
        touching[t.dst].push_back(id);
    }
    for (std::uint32_t i = 0; i < dag.ranks; ++i)
    {
        if (touching[i].empty())
        {
            touching[i].push_back(ready[i]);
        }
        done[i] = AddCompute(group, ranks[i], 0, touching[i]);
    }
    return done;
}

bool
Schedule::IsTopologicallyOrdered() const
{
    return std::all_of(m_tasks.begin(),
                       m_tasks.end(),
                       [](const Task& t)
                       {
                           return std::all_of(t.dependsOn.begin(),
                                              t.dependsOn.end(),
                                              [&](std::uint32_t d) { return d < t.id; });
                       });
}

} // namespace fab::traffic
