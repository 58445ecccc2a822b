#include "fabric/app/iteration-recorder.h"

#include "traffic/model/collective.h"

#include <algorithm>
#include <limits>

namespace ns3::fabric
{

void
IterationRecorder::TaskEnded(const traffic::TaskView& task, std::int64_t startNs, std::int64_t endNs)
{
    // Join points (group 0) and tasks that took no time are no one's span.
    if (task.group == 0 || endNs <= startNs)
    {
        return;
    }
    if (m_extent.size() <= task.group)
    {
        m_extent.resize(task.group + 1, {std::numeric_limits<std::int64_t>::max(), -1});
    }
    auto& e = m_extent[task.group];
    e.first = std::min(e.first, startNs);
    e.second = std::max(e.second, endNs);
    for (auto rank : {task.src, task.dst})
    {
        auto key = static_cast<std::uint64_t>(task.group) << 32 | rank;
        auto [span, fresh] = m_spans.try_emplace(key, startNs, endNs);
        if (!fresh)
        {
            span->second.first = std::min(span->second.first, startNs);
            span->second.second = std::max(span->second.second, endNs);
        }
    }
}

void
IterationRecorder::IterationEnded(std::uint32_t job,
                                  std::uint32_t iteration,
                                  const traffic::Schedule& schedule,
                                  std::uint64_t payloadRateBps,
                                  std::vector<CollectiveRecord>& collectives,
                                  std::vector<RankSpan>& spans)
{
    const auto& groups = schedule.Groups();
    for (std::uint32_t g = 1; g < groups.size() && g < m_extent.size(); ++g)
    {
        if (groups[g].kind != traffic::GroupKind::Collective || m_extent[g].second < 0)
        {
            continue;
        }
        CollectiveRecord record;
        record.job = job;
        record.iteration = iteration;
        record.group = g;
        record.startNs = m_extent[g].first;
        record.endNs = m_extent[g].second;
        double seconds = static_cast<double>(record.endNs - record.startNs) * 1e-9;
        record.algbwGbps = static_cast<double>(groups[g].bytes) * 8 / seconds / 1e9;
        double factor = traffic::BusBandwidthFactor(
            groups[g].op, static_cast<std::uint32_t>(groups[g].ranks.size()));
        record.busbwGbps = record.algbwGbps * factor;
        if (groups[g].busiestSenderBytes > 0)
        {
            record.boundGbps = factor * static_cast<double>(groups[g].bytes)
                               * static_cast<double>(payloadRateBps)
                               / static_cast<double>(groups[g].busiestSenderBytes) / 1e9;
        }
        collectives.push_back(record);
    }
    std::vector<std::uint64_t> keys;
    keys.reserve(m_spans.size());
    for (const auto& entry : m_spans)
    {
        keys.push_back(entry.first);
    }
    std::sort(keys.begin(), keys.end());
    for (auto key : keys)
    {
        const auto& span = m_spans.at(key);
        spans.push_back(RankSpan{job,
                                 iteration,
                                 static_cast<std::uint32_t>(key),
                                 static_cast<std::uint32_t>(key >> 32),
                                 span.first,
                                 span.second});
    }
    m_extent.clear();
    m_spans.clear();
}

} // namespace ns3::fabric
