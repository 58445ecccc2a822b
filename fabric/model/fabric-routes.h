#ifndef FABRICSCOPE_FABRIC_FABRIC_ROUTES_H
#define FABRICSCOPE_FABRIC_FABRIC_ROUTES_H

#include "topologies/model/fabric-graph.h"

#include <cstdint>
#include <vector>

namespace ns3::fabric
{

namespace topo = ::fab::topo;

/** Equal-cost next hops of one switch: for each destination endpoint, a group of ports. */
struct SwitchRoutes
{
    static constexpr std::uint16_t kNoRoute = 0xFFFF;
    std::vector<std::vector<std::uint16_t>> groups; ///< distinct port sets, sorted
    std::vector<std::uint16_t> groupOfEndpoint;     ///< kNoRoute for other planes
};

/**
 * Up-down shortest paths of a fat-tree graph. Endpoint e is port e % ports of server
 * e / ports. A switch sends to an endpoint below it down every link towards a child that has the
 * endpoint's leaf below it, and to anything else up all its uplinks.
 */
class FabricRoutes
{
public:
    explicit FabricRoutes(const topo::FabricGraph& graph);

    /** Routes of a switch node (empty for servers). */
    const SwitchRoutes& Of(std::uint32_t node) const { return m_routes[node]; }
    std::uint32_t Endpoints() const { return static_cast<std::uint32_t>(m_leafOfEndpoint.size()); }
    std::uint32_t LeafOf(std::uint32_t endpoint) const { return m_leafOfEndpoint[endpoint]; }

private:
    std::vector<SwitchRoutes> m_routes;
    std::vector<std::uint32_t> m_leafOfEndpoint;
};

} // namespace ns3::fabric

#endif
