#ifndef FABRICSCOPE_FABRIC_ROUTE_TABLE_H
#define FABRICSCOPE_FABRIC_ROUTE_TABLE_H

#include "fabric/model/ecmp-group.h"
#include "fabric/model/endpoint-places.h"

#include <cstdint>
#include <vector>

namespace ns3::fabric
{

/**
 * The equal-cost next hops of a switch by destination leaf and pod: one entry per leaf of the
 * pod it serves (its home pod: a leaf's or spine's own; none for a core) and one per pod.
 * Destinations in other pods take the pod's entry, since every leaf of a pod is reached through
 * the same spines and cores. Endpoints hanging off the switch itself are not in it: their leaf
 * port is in their place. Immutable once built, so identical switches share one.
 */
class RouteTable
{
public:
    static constexpr std::uint16_t kNoRoute = 0xFFFF;
    using Ports = std::vector<std::uint16_t>;

    /** From the next-hop ports towards each leaf of the home pod and each pod; an empty set is
     *  no route. The home pod's own pod entry is never looked up. */
    RouteTable(std::uint32_t homePod,
               const std::vector<Ports>& portsOfLeaf,
               const std::vector<Ports>& portsOfPod);

    /** The group towards a destination leaf (its pod and position), or kNoRoute. */
    std::uint16_t GroupOf(const EndpointPlace& destination) const
    {
        if (destination.pod == m_homePod)
        {
            return destination.leafInPod < m_groupOfLeaf.size()
                       ? m_groupOfLeaf[destination.leafInPod]
                       : kNoRoute;
        }
        return destination.pod < m_groupOfPod.size() ? m_groupOfPod[destination.pod] : kNoRoute;
    }
    const ResilientEcmpGroup& Group(std::uint16_t group) const { return m_groups[group]; }
    std::size_t Groups() const { return m_groups.size(); }
    std::uint32_t HomePod() const { return m_homePod; }
    /** Leaf and pod entries. */
    std::size_t Entries() const { return m_groupOfLeaf.size() + m_groupOfPod.size(); }
    /** Bytes of the table and its groups. */
    std::size_t MemoryBytes() const;

private:
    std::uint32_t m_homePod;
    std::vector<ResilientEcmpGroup> m_groups; ///< distinct port sets
    std::vector<std::uint16_t> m_groupOfLeaf;
    std::vector<std::uint16_t> m_groupOfPod;
};

} // namespace ns3::fabric

#endif
