#include "fabric/model/failover-table.h"

#include <algorithm>

namespace ns3::fabric
{

FailoverTable::FailoverTable(SwitchRoutes routes, std::vector<std::uint32_t> peerOfPort)
: m_routes(std::move(routes))
, m_peerOfPort(std::move(peerOfPort))
{
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

template <typename Predicate>
void
FailoverTable::RebuildWhere(Predicate affected)
{
    if (!m_routes.table)
    {
        return;
    }
    // The switch's own endpoints are looked up by port, not through the table.
    for (auto leaf : m_routes.places->LeavesOf(m_routes.plane))
    {
        if (leaf != m_routes.node && affected(leaf))
        {
            Rebuild(leaf);
        }
    }
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
    RebuildWhere([](std::uint32_t) { return true; });
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
    RebuildWhere([&](std::uint32_t leaf) { return m_routes.places->Hides(lost, leaf); });
}

void
FailoverTable::Rebuild(std::uint32_t leaf)
{
    const EndpointPlaces& places = *m_routes.places;
    std::uint16_t original = m_routes.table->GroupOf(places.OfLeaf(leaf));
    if (original == RouteTable::kNoRoute)
    {
        m_deltaOfLeaf.erase(leaf);
        return;
    }
    const auto& members = m_routes.table->Group(original).Members();
    // The neighbours that said they lost the leaf, or its pod's spine.
    std::set<std::uint32_t> avoid;
    for (const auto& [lost, reporters] : m_unreachableVia)
    {
        if (!reporters.empty() && places.Hides(lost, leaf))
        {
            avoid.insert(reporters.begin(), reporters.end());
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
        m_deltaOfLeaf.erase(leaf);
        return;
    }
    auto key = std::make_pair(original, removed);
    auto it = m_derivedIndex.find(key);
    if (it == m_derivedIndex.end())
    {
        ResilientEcmpGroup group = m_routes.table->Group(original);
        for (auto port : removed)
        {
            group.Remove(port);
        }
        m_derived.push_back(std::move(group));
        auto index = static_cast<std::uint16_t>(m_derived.size() - 1);
        it = m_derivedIndex.emplace(std::move(key), index).first;
    }
    m_deltaOfLeaf[leaf] = it->second;
}

} // namespace ns3::fabric
