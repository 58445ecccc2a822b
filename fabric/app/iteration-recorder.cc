#include "fabric/app/iteration-recorder.h"

#include "traffic/model/collective.h"

#include <algorithm>
#include <limits>

namespace ns3::fabric
{

void
IterationRecorder::TaskEnded(const traffic::TaskView& task,
                             std::int64_t startNs,
                             std::int64_t endNs)
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
        std::uint32_t at = m_spanOf.Find(key);
        if (at == KeyIndex::kNone)
        {
            m_spanOf.Insert(key, static_cast<std::uint32_t>(m_spans.size()));
            m_spans.push_back({key, {startNs, endNs}});
            continue;
        }
        auto& span = m_spans[at].second;
        span.first = std::min(span.first, startNs);
        span.second = std::max(span.second, endNs);
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
    std::sort(m_spans.begin(),
              m_spans.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, span] : m_spans)
    {
        spans.push_back(RankSpan{job,
                                 iteration,
                                 static_cast<std::uint32_t>(key),
                                 static_cast<std::uint32_t>(key >> 32),
                                 span.first,
                                 span.second});
    }
    m_extent.clear();
    m_spans.clear();
    m_spanOf.Clear();
}

} // namespace ns3::fabric
