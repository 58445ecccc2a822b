#ifndef FABRICSCOPE_FABRIC_FLOW_FLOW_PATHS_H
#define FABRICSCOPE_FABRIC_FLOW_FLOW_PATHS_H

#include "fabric/model/failover-table.h"
#include "fabric/model/fabric-routes.h"
#include "topologies/model/fabric-graph.h"

#include <cstdint>
#include <vector>

namespace fab::flow
{

/**
 * The path a queue pair's packets take through the fabric, hop by hop as the packet engine's
 * switches forward them: the same flow hash (addresses, UDP source port, QP), mixed per switch
 * with the fabric's seed and the switch's node, into the same route and failover tables. Paths
 * are lists of directed links: graph link l is 2l going up (lower end to upper) and 2l + 1
 * going down.
 */
class FlowPaths
{
public:
    FlowPaths(const topo::FabricGraph& graph,
              const ns3::fabric::FabricRoutes& routes,
              std::uint32_t hashSeed);

    static std::uint32_t Directed(std::uint32_t graphLink, bool up) { return 2 * graphLink + (up ? 0 : 1); }
    static std::uint32_t GraphLinkOf(std::uint32_t directed) { return directed / 2; }
    static bool IsUp(std::uint32_t directed) { return directed % 2 == 0; }
    std::uint32_t DirectedLinks() const { return 2 * static_cast<std::uint32_t>(m_graph.Links().size()); }

    /** Replaces `out` with the links from `srcEndpoint` to `dstEndpoint` of a queue pair; false
     *  (and `out` as far as it got) when a switch has no route or the hops run out. */
    bool Path(std::uint32_t srcEndpoint,
              std::uint32_t dstEndpoint,
              std::uint16_t udpSrcPort,
              std::uint32_t destQp,
              std::vector<std::uint32_t>& out) const;
    /** The graph link on a node's port, or kNoLink. */
    std::uint32_t LinkAt(std::uint32_t node, std::uint32_t port) const;
    std::uint32_t PortsPerServer() const { return m_portsPerServer; }

    static constexpr std::uint32_t kNoLink = 0xFFFFFFFF;

private:
    const topo::FabricGraph& m_graph;
    std::uint32_t m_hashSeed;
    std::uint32_t m_portsPerServer{1};
    /** Links by node and port: those of node n are m_linkOfPort[m_firstPort[n] + port]. */
    std::vector<std::uint64_t> m_firstPort;
    std::vector<std::uint32_t> m_linkOfPort;
    std::vector<ns3::fabric::FailoverTable> m_tables; ///< by node; empty ones for servers
};

} // namespace fab::flow

#endif
