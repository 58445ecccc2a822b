#ifndef FABRICSCOPE_FABRIC_FAILOVER_TABLE_H
#define FABRICSCOPE_FABRIC_FAILOVER_TABLE_H

#include "fabric/model/ecmp-group.h"
#include "fabric/model/fabric-routes.h"

#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

namespace ns3::fabric
{

/**
 * A switch's forwarding as faults change it: the shared table routing computed, and only what
 * differs from it. Per destination leaf it derives the group that avoids (a) this switch's
 * ports that are down — local convergence — and (b) the ports facing a switch that reported it
 * cannot reach that leaf, or (from a core) the spine of its pod — remote convergence. A derived
 * group is the shared group with members removed, so flows on the surviving members keep their
 * paths. Endpoints on the switch's own ports are reached on their port while it is up. Plain
 * C++: the switch feeds it port and notice events.
 */
class FailoverTable
{
public:
    FailoverTable() = default;
    /** `peerOfPort[p]`: the graph node at the far end of port p (or kNoPeer). */
    FailoverTable(SwitchRoutes routes, std::vector<std::uint32_t> peerOfPort);

    static constexpr std::uint32_t kNoPeer = 0xFFFFFFFF;

    /** The port towards `endpoint` for a (mixed) flow hash, or -1 when there is none. */
    int Select(std::uint32_t endpoint, std::uint32_t hash) const
    {
        if (!m_routes.places)
        {
            return -1;
        }
        const EndpointPlace& destination = m_routes.places->Of(endpoint);
        std::uint16_t original = m_routes.GroupOf(destination);
        if (original == RouteTable::kNoRoute)
        {
            return -1;
        }
        if (original == SwitchRoutes::kOwnPort)
        {
            return m_down.count(destination.leafPort) ? -1 : destination.leafPort;
        }
        const ResilientEcmpGroup* group = Derived(destination.leaf);
        if (group == nullptr)
        {
            group = &m_routes.table->Group(original);
        }
        return group->Empty() ? -1 : group->Select(hash);
    }

    /**
     * A port went down (or came back). Returns the neighbours this switch lost every path to
     * (or regained one to): the leaves a spine must tell the other leaves about.
     */
    std::vector<std::uint32_t> SetPortUp(std::uint16_t port, bool up);
    /** A neighbour `reporter` says it cannot reach (or again reaches) switch `lost`, and so the
     *  leaves that switch hides. */
    void SetRemoteFault(std::uint32_t reporter, std::uint32_t lost, bool faulty);
    bool IsPortUp(std::uint16_t port) const { return !m_down.count(port); }
    std::uint32_t PeerOf(std::uint16_t port) const
    {
        return port < m_peerOfPort.size() ? m_peerOfPort[port] : kNoPeer;
    }
    /** Destination leaves whose group differs from the shared table's right now. */
    std::size_t Deltas() const { return m_deltaOfLeaf.size(); }
    const SwitchRoutes& Routes() const { return m_routes; }

private:
    const ResilientEcmpGroup* Derived(std::uint32_t leaf) const
    {
        if (m_deltaOfLeaf.empty())
        {
            return nullptr;
        }
        auto it = m_deltaOfLeaf.find(leaf);
        return it == m_deltaOfLeaf.end() ? nullptr : &m_derived[it->second];
    }
    void Rebuild(std::uint32_t leaf);
    /** Rebuilds every destination leaf of the plane for which `affected` holds. */
    template <typename Predicate>
    void RebuildWhere(Predicate affected);
    /** Up ports that lead to `node`. */
    std::uint32_t UpPortsTo(std::uint32_t node) const;

    SwitchRoutes m_routes;
    std::vector<std::uint32_t> m_peerOfPort;
    std::set<std::uint16_t> m_down;
    std::map<std::uint32_t, std::set<std::uint32_t>> m_unreachableVia; ///< lost switch → reporters
    std::unordered_map<std::uint32_t, std::uint16_t> m_deltaOfLeaf;    ///< leaf → derived group
    std::vector<ResilientEcmpGroup> m_derived;
    /** (shared group, ports removed) → index of the derived group. */
    std::map<std::pair<std::uint16_t, std::vector<std::uint16_t>>, std::uint16_t> m_derivedIndex;
};

} // namespace ns3::fabric

#endif
