#include "fabric/flow/ring-pattern.h"

#include <algorithm>

namespace fab::flow
{

RingPattern::RingPattern(std::uint32_t steps, std::uint64_t wireBytes, std::uint32_t channels)
: m_steps(steps)
, m_wireBytes(wireBytes)
, m_channels(std::max(1u, channels))
{
}

void
RingPattern::AddFabricMember(const std::vector<std::uint32_t>& path,
                             std::int64_t latencyNs,
                             std::uint64_t narrowestBps)
{
    m_links.insert(m_links.end(), path.begin(), path.end());
    ++m_fabricMembers;
    m_latencyMaxNs = std::max(m_latencyMaxNs, latencyNs);
    m_narrowestBps = m_fabricMembers == 1 ? narrowestBps : std::min(m_narrowestBps, narrowestBps);
}

void
RingPattern::AddScaleUpMember(std::int64_t stepNs)
{
    m_scaleUpNs = std::max(m_scaleUpNs, stepNs);
}

void
RingPattern::Finish()
{
    std::sort(m_links.begin(), m_links.end());
    std::vector<std::uint32_t> links;
    for (std::size_t i = 0; i < m_links.size();)
    {
        std::size_t j = i;
        while (j < m_links.size() && m_links[j] == m_links[i])
        {
            ++j;
        }
        links.push_back(m_links[i]);
        m_counts.push_back(static_cast<std::uint32_t>(j - i));
        i = j;
    }
    m_links = std::move(links);
}

double
RingPattern::DurationNs(double rateBps) const
{
    auto scaleUpNs = static_cast<double>(m_scaleUpNs);
    if (m_fabricMembers == 0 || m_steps == 0)
    {
        return scaleUpNs * m_steps;
    }
    double bits = static_cast<double>(m_wireBytes) * 8;
    double sharedNs = bits / rateBps * 1e9;
    double aloneBps = std::min(rateBps * m_channels, static_cast<double>(m_narrowestBps));
    double aloneNs = bits / std::max(aloneBps, rateBps) * 1e9;
    auto latencyNs = static_cast<double>(m_latencyMaxNs);
    double periodNs = std::max({sharedNs, aloneNs + latencyNs, scaleUpNs});
    double lastNs = std::max(sharedNs + latencyNs, scaleUpNs);
    return periodNs * (m_steps - 1) + lastNs;
}

} // namespace fab::flow
