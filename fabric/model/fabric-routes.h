#ifndef FABRICSCOPE_FABRIC_FABRIC_ROUTES_H
#define FABRICSCOPE_FABRIC_FABRIC_ROUTES_H

#include "fabric/model/endpoint-places.h"
#include "fabric/model/route-table.h"
#include "topologies/model/fabric-graph.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace ns3::fabric
{

namespace topo = ::fab::topo;

/** What one switch routes by: its (shared) table, where the endpoints sit, and who it is. */
struct SwitchRoutes
{
    /** GroupOf: the destination hangs off this switch, on its place's leaf port. */
    static constexpr std::uint16_t kOwnPort = 0xFFFE;

    std::shared_ptr<const RouteTable> table; ///< null for servers
    std::shared_ptr<const EndpointPlaces> places;
    std::uint32_t node{0}; ///< the switch's graph node
    std::uint8_t plane{0};

    /** The table's group towards a destination, kOwnPort or RouteTable::kNoRoute (another
     *  plane, or no place). */
    std::uint16_t GroupOf(const EndpointPlace& destination) const
    {
        if (!table || destination.leaf == EndpointPlace::kNone || destination.plane != plane)
        {
            return RouteTable::kNoRoute;
        }
        return destination.leaf == node ? kOwnPort : table->GroupOf(destination);
    }
    /** The ports a switch with no fault spreads flows to `endpoint` over; empty: no route. */
    RouteTable::Ports NextHops(std::uint32_t endpoint) const;
};

/**
 * Up-down shortest paths of a fat-tree graph. A switch sends to a leaf below it down every link
 * towards a child that has the leaf below it, and to anything else up all its uplinks that lead
 * to the leaf (in partly built trees not every uplink does); a leaf sends to its own endpoints
 * on their ports. Next hops depend on the destination's leaf only, and outside a switch's home
 * pod on its pod only: tables hold an entry per leaf of the home pod and per pod, and switches
 * whose tables come out identical (the leaves of a pod, the spines of a pod, the cores of a
 * group, the same switch in every plane) share one.
 */
class FabricRoutes
{
public:
    explicit FabricRoutes(const topo::FabricGraph& graph);

    /** Routes of a switch node (no table for servers). */
    SwitchRoutes Of(std::uint32_t node) const;
    const EndpointPlaces& Places() const { return *m_places; }
    std::uint32_t Endpoints() const { return m_places->Endpoints(); }
    std::uint32_t LeafOf(std::uint32_t endpoint) const { return m_places->Of(endpoint).leaf; }
    /** Tables built: one per distinct switch table. */
    std::size_t DistinctTables() const { return m_distinct; }
    /** Entries every switch looks up, a shared table counted for each switch that uses it. */
    std::uint64_t SwitchEntries() const;
    /** Bytes of the distinct tables and the places. */
    std::size_t MemoryBytes() const;

private:
    std::shared_ptr<const EndpointPlaces> m_places;
    std::vector<std::shared_ptr<const RouteTable>> m_tableOf; ///< by graph node
    std::vector<std::uint8_t> m_planeOf;                      ///< by graph node
    std::size_t m_distinct{0};
    std::size_t m_distinctBytes{0};
};

} // namespace ns3::fabric

#endif
