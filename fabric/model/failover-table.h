#ifndef FABRICSCOPE_FABRIC_FAILOVER_TABLE_H
#define FABRICSCOPE_FABRIC_FAILOVER_TABLE_H

#include "fabric/model/ecmp-group.h"
#include "fabric/model/fabric-routes.h"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

namespace ns3::fabric
{

/**
 * Where every endpoint sits, as remote convergence needs it: the leaf it hangs off and, in
 * 3-tier fabrics, the pod that leaf belongs to, with the pod of each spine. A switch that lost
 * a leaf hides that leaf's endpoints; a core that lost a spine hides that spine's whole pod
 * (a core reaches each pod through one spine). Shared by every switch of a fabric.
 */
struct EndpointPlaces
{
    static constexpr std::uint32_t kNoPod = 0xFFFFFFFF;
    std::vector<std::uint32_t> leafOf;
    std::vector<std::uint32_t> podOf;                            ///< empty in 2-tier fabrics
    std::unordered_map<std::uint32_t, std::uint32_t> podOfSpine; ///< 3-tier spines only

    /** True when a neighbour that lost `node` can no longer reach `endpoint`. */
    bool Hides(std::uint32_t node, std::uint32_t endpoint) const
    {
        if (endpoint < leafOf.size() && leafOf[endpoint] == node)
        {
            return true;
        }
        auto spine = podOfSpine.find(node);
        return spine != podOfSpine.end() && endpoint < podOf.size()
               && podOf[endpoint] == spine->second;
    }
};

/**
 * A switch's forwarding table as faults change it. It keeps the ECMP groups routing computed
 * and derives, per destination, the group that avoids (a) this switch's ports that are down —
 * local convergence — and (b) the ports facing a switch that reported it cannot reach the
 * destination's leaf, or (from a core) the spine of the destination's pod — remote
 * convergence. A derived group is the original resilient group
 * with members removed, so flows on the surviving members keep their paths. Plain C++: the
 * switch feeds it port and notice events.
 */
class FailoverTable
{
public:
    FailoverTable() = default;
    /**
     * `peerOfPort[p]`: the graph node at the far end of port p (or kNoPeer); `places`: where
     * the endpoints sit, shared by every switch of a fabric (null: no remote convergence).
     */
    FailoverTable(const SwitchRoutes& routes,
                  std::vector<std::uint32_t> peerOfPort,
                  std::shared_ptr<const EndpointPlaces> places);

    static constexpr std::uint32_t kNoPeer = 0xFFFFFFFF;

    /** The group to send to `endpoint` through, or null when there is no route. */
    const ResilientEcmpGroup* GroupOf(std::uint32_t endpoint) const
    {
        if (endpoint >= m_groupOfEndpoint.size()
            || m_groupOfEndpoint[endpoint] == SwitchRoutes::kNoRoute)
        {
            return nullptr;
        }
        return &m_groups[m_groupOfEndpoint[endpoint]];
    }
    std::vector<ResilientEcmpGroup>& MutableGroups() { return m_groups; }

    /**
     * A port went down (or came back). Returns the neighbours this switch lost every path to
     * (or regained one to): the leaves a spine must tell the other leaves about.
     */
    std::vector<std::uint32_t> SetPortUp(std::uint16_t port, bool up);
    /** A neighbour `reporter` says it cannot reach (or again reaches) switch `lost`, and so the
     *  endpoints that switch hides. */
    void SetRemoteFault(std::uint32_t reporter, std::uint32_t lost, bool faulty);
    bool IsPortUp(std::uint16_t port) const { return !m_down.count(port); }
    std::uint32_t PeerOf(std::uint16_t port) const
    {
        return port < m_peerOfPort.size() ? m_peerOfPort[port] : kNoPeer;
    }
    /** Endpoints whose group lost members to faults right now. */
    std::uint32_t EndpointsRerouted() const;

private:
    void Rebuild(std::uint32_t endpoint);
    /** Up ports that lead to `node`. */
    std::uint32_t UpPortsTo(std::uint32_t node) const;

    std::vector<ResilientEcmpGroup> m_original;
    std::vector<std::uint16_t> m_originalOfEndpoint;
    std::vector<ResilientEcmpGroup> m_groups;
    std::vector<std::uint16_t> m_groupOfEndpoint;
    std::vector<std::uint32_t> m_peerOfPort;
    std::shared_ptr<const EndpointPlaces> m_places;
    std::set<std::uint16_t> m_down;
    std::map<std::uint32_t, std::set<std::uint32_t>> m_unreachableVia; ///< lost switch → reporters
    /** (original group, ports removed) → index of the derived group. */
    std::map<std::pair<std::uint16_t, std::vector<std::uint16_t>>, std::uint16_t> m_derived;
};

} // namespace ns3::fabric

#endif
