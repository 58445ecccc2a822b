#include "fabric/model/failover-table.h"

#include <algorithm>

namespace ns3::fabric
{

FailoverTable::FailoverTable(const SwitchRoutes& routes,
                             std::vector<std::uint32_t> peerOfPort,
                             std::shared_ptr<const EndpointPlaces> places)
: m_originalOfEndpoint(routes.groupOfEndpoint)
, m_groupOfEndpoint(routes.groupOfEndpoint)
, m_peerOfPort(std::move(peerOfPort))
, m_places(std::move(places))
{
    for (const auto& ports : routes.groups)
    {
        m_original.emplace_back(ports);
    }
    m_groups = m_original;
}

std::uint32_t
FailoverTable::UpPortsTo(std::uint32_t node) const
{
    std::uint32_t up = 0;
    for (std::uint16_t p = 0; p < m_peerOfPort.size(); ++p)
    {
        up += m_peerOfPort[p] == node && !m_down.count(p) ? 1 : 0;
    }
    return up;
}

std::vector<std::uint32_t>
FailoverTable::SetPortUp(std::uint16_t port, bool up)
{
    bool wasUp = !m_down.count(port);
    if (wasUp == up)
    {
        return {};
    }
    std::uint32_t peer = PeerOf(port);
    bool reachedBefore = peer != kNoPeer && UpPortsTo(peer) > 0;
    if (up)
    {
        m_down.erase(port);
    }
    else
    {
        m_down.insert(port);
    }
    for (std::uint32_t e = 0; e < m_originalOfEndpoint.size(); ++e)
    {
        if (m_originalOfEndpoint[e] != SwitchRoutes::kNoRoute)
        {
            Rebuild(e);
        }
    }
    bool reachedAfter = peer != kNoPeer && UpPortsTo(peer) > 0;
    if (reachedBefore != reachedAfter)
    {
        return {peer};
    }
    return {};
}

void
FailoverTable::SetRemoteFault(std::uint32_t reporter, std::uint32_t lost, bool faulty)
{
    auto& reporters = m_unreachableVia[lost];
    if (faulty ? !reporters.insert(reporter).second : reporters.erase(reporter) == 0)
    {
        return;
    }
    if (!m_places)
    {
        return;
    }
    for (std::uint32_t e = 0; e < m_originalOfEndpoint.size(); ++e)
    {
        if (m_places->Hides(lost, e) && m_originalOfEndpoint[e] != SwitchRoutes::kNoRoute)
        {
            Rebuild(e);
        }
    }
}

void
FailoverTable::Rebuild(std::uint32_t endpoint)
{
    std::uint16_t original = m_originalOfEndpoint[endpoint];
    const auto& members = m_original[original].Members();
    // The neighbours that said they lost the endpoint's leaf, or its pod's spine.
    std::set<std::uint32_t> avoid;
    if (m_places)
    {
        for (const auto& [lost, reporters] : m_unreachableVia)
        {
            if (!reporters.empty() && m_places->Hides(lost, endpoint))
            {
                avoid.insert(reporters.begin(), reporters.end());
            }
        }
    }
    std::vector<std::uint16_t> removed;
    for (auto port : members)
    {
        bool down = m_down.count(port) != 0;
        bool shunned = avoid.count(PeerOf(port)) != 0;
        if (down || shunned)
        {
            removed.push_back(port);
        }
    }
    // Remote advice never empties a group: with no other way, the reported path still beats none.
    if (removed.size() == members.size())
    {
        removed.erase(std::remove_if(removed.begin(),
                                     removed.end(),
                                     [&](std::uint16_t p) { return !m_down.count(p); }),
                      removed.end());
    }
    if (removed.empty())
    {
        m_groupOfEndpoint[endpoint] = original;
        return;
    }
    auto key = std::make_pair(original, removed);
    auto it = m_derived.find(key);
    if (it == m_derived.end())
    {
        ResilientEcmpGroup group = m_original[original];
        for (auto port : removed)
        {
            group.Remove(port);
        }
        m_groups.push_back(std::move(group));
        it = m_derived.emplace(key, static_cast<std::uint16_t>(m_groups.size() - 1)).first;
    }
    m_groupOfEndpoint[endpoint] = it->second;
}

std::uint32_t
FailoverTable::EndpointsRerouted() const
{
    std::uint32_t rerouted = 0;
    for (std::uint32_t e = 0; e < m_groupOfEndpoint.size(); ++e)
    {
        rerouted += m_groupOfEndpoint[e] != m_originalOfEndpoint[e] ? 1 : 0;
    }
    return rerouted;
}

} // namespace ns3::fabric
