#ifndef FABRICSCOPE_FABRIC_FLOW_FLOW_FABRIC_H
#define FABRICSCOPE_FABRIC_FLOW_FLOW_FABRIC_H

#include "fabric/flow/flow-paths.h"
#include "fabric/model/fabric-routes.h"
#include "fabric/model/link-figures.h"
#include "topologies/model/design.h"
#include "topologies/model/fabric-graph.h"
#include "topologies/model/fat-tree-plan.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace fab::flow
{

/** How the flow engine sets up the fabric: what the packet engine's builder is told too. */
struct FlowFabricOptions
{
    std::uint32_t payloadMtu{4096};
    std::uint32_t hashSeed{0};
    bool vlan{false}; ///< data frames carry an 802.1Q tag
};

/**
 * A design as the flow engine sees it: the same graph, routes and ECMP paths as the packet
 * engine's, each cable's rate and delay, and what a message costs on the wire — its payload in
 * MTU-sized packets, each with the headers of an RDMA WRITE, the first with its RETH.
 */
class FlowFabric
{
public:
    explicit FlowFabric(const topo::Design& design, FlowFabricOptions options = {});

    const topo::Design& Design() const { return m_design; }
    const FlowFabricOptions& Options() const { return m_options; }
    const topo::FabricGraph& Graph() const { return m_graph; }
    const ns3::fabric::FabricRoutes& Routes() const { return *m_routes; }
    const FlowPaths& Paths() const { return *m_paths; }
    std::uint32_t Servers() const { return m_graph.Servers(); }
    std::uint32_t Endpoint(std::uint32_t server, std::uint16_t port) const
    {
        return server * m_paths->PortsPerServer() + port;
    }
    /** Rate and delay of a graph link (each direction). */
    const ns3::fabric::LinkFigures& FiguresOf(std::uint32_t graphLink) const
    {
        return m_figures[static_cast<std::size_t>(m_graph.Links()[graphLink].tier)];
    }
    /** A NIC port's RDMA payload at line rate (the reports' bound). */
    std::uint64_t PayloadRateBps() const;

    /** Bytes a message of `bytes` (at least one) puts on every link of its path. */
    std::uint64_t WireBytes(std::uint64_t bytes) const;
    /** From the sender's last bit to the receiver's: the last packet stored and forwarded at
     *  every switch, and every cable's delay. */
    std::int64_t PathLatencyNs(const std::vector<std::uint32_t>& path, std::uint64_t bytes) const;

private:
    std::uint32_t FrameOverheadBytes() const;

    topo::Design m_design;
    FlowFabricOptions m_options;
    topo::FatTreePlan m_plan;
    topo::FabricGraph m_graph;
    std::unique_ptr<ns3::fabric::FabricRoutes> m_routes;
    std::unique_ptr<FlowPaths> m_paths;
    ns3::fabric::LinkFigures m_figures[3]; ///< by link tier
};

} // namespace fab::flow

#endif
