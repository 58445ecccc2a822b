#include "telemetry/net/connection-slots.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace fab::telemetry
{

ConnectionSlots::ConnectionSlots(std::size_t total, std::size_t perPeer)
: m_total(total)
, m_perPeer(perPeer)
{
    if (total == 0 || perPeer == 0)
    {
        throw std::invalid_argument("connection limits must be at least 1");
    }
}

ConnectionSlots::PeerKey
ConnectionSlots::KeyOf(const SocketAddress& address)
{
    PeerKey key{address.isIpv6, {}};
    const auto& bytes = address.address;
    bool mappedIpv4
        = address.isIpv6
          && std::all_of(bytes.begin(), bytes.begin() + 10, [](auto b) { return b == 0; })
          && bytes[10] == 0xff && bytes[11] == 0xff;
    if (mappedIpv4)
    {
        key.first = false;
        std::copy(bytes.begin() + 12, bytes.end(), key.second.begin());
    }
    else if (address.isIpv6)
    {
        // One /64 is one site: its hosts choose their interface ids freely.
        std::copy(bytes.begin(), bytes.begin() + 8, key.second.begin());
    }
    else
    {
        std::copy(bytes.begin(), bytes.begin() + 4, key.second.begin());
    }
    return key;
}

ConnectionSlots::Decision
ConnectionSlots::Decide(const SocketAddress& address) const
{
    Decision decision;
    auto peer = m_peers.find(KeyOf(address));
    if (peer != m_peers.end() && peer->second.open >= m_perPeer)
    {
        decision.limit = ConnectionLimit::PerPeer;
        if (peer->second.idle.empty())
        {
            decision.action = Action::Refuse;
            return decision;
        }
        decision.action = Action::EvictThenAdmit;
        decision.victim = peer->second.idle.begin()->second;
        return decision;
    }
    if (m_slots.size() < m_total)
    {
        return decision;
    }
    // The server is full: the peer holding the most gives up its longest idle connection
    // (between equals, the one idle longer), so that a peer with a few is the last to lose one.
    decision.limit = ConnectionLimit::Total;
    const Peer* fullest = nullptr;
    for (const auto& [key, candidate] : m_peers)
    {
        if (candidate.idle.empty())
        {
            continue;
        }
        if (fullest == nullptr || candidate.open > fullest->open
            || (candidate.open == fullest->open
                && candidate.idle.begin()->first < fullest->idle.begin()->first))
        {
            fullest = &candidate;
        }
    }
    if (fullest == nullptr)
    {
        decision.action = Action::Refuse;
        return decision;
    }
    decision.action = Action::EvictThenAdmit;
    decision.victim = fullest->idle.begin()->second;
    return decision;
}

ConnectionSlots::Id
ConnectionSlots::Add(const SocketAddress& address)
{
    auto key = KeyOf(address);
    Peer& peer = m_peers[key];
    assert(m_slots.size() < m_total && peer.open < m_perPeer);
    Id id = m_nextId++;
    Slot slot{key, ++m_events};
    ++peer.open;
    peer.idle.emplace(slot.idleSince, id);
    m_slots.emplace(id, slot);
    return id;
}

void
ConnectionSlots::SetIdle(Id id, bool idle)
{
    auto found = m_slots.find(id);
    if (found == m_slots.end() || (found->second.idleSince != 0) == idle)
    {
        return;
    }
    Slot& slot = found->second;
    Peer& peer = m_peers.at(slot.peer);
    if (idle)
    {
        slot.idleSince = ++m_events;
        peer.idle.emplace(slot.idleSince, id);
    }
    else
    {
        peer.idle.erase(slot.idleSince);
        slot.idleSince = 0;
    }
}

void
ConnectionSlots::Remove(Id id)
{
    auto found = m_slots.find(id);
    if (found == m_slots.end())
    {
        return;
    }
    auto peer = m_peers.find(found->second.peer);
    if (found->second.idleSince != 0)
    {
        peer->second.idle.erase(found->second.idleSince);
    }
    if (--peer->second.open == 0)
    {
        m_peers.erase(peer);
    }
    m_slots.erase(found);
}

std::size_t
ConnectionSlots::OpenFrom(const SocketAddress& address) const
{
    auto peer = m_peers.find(KeyOf(address));
    return peer == m_peers.end() ? 0 : peer->second.open;
}

} // namespace fab::telemetry
