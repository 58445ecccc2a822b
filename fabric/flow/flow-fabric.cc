#include "fabric/flow/flow-fabric.h"

#include "fabric/model/payload-rate.h"
#include "fabric/model/roce-wire.h"
#include "topologies/model/bill-of-materials.h"

#include <algorithm>

namespace fab::flow
{

namespace fabric = ::ns3::fabric;

FlowFabric::FlowFabric(const topo::Design& design, FlowFabricOptions options)
: m_design(design)
, m_options(options)
, m_plan(topo::PlanFatTree(design))
, m_graph(topo::FabricGraph::Build(design, m_plan))
{
    m_routes = std::make_unique<fabric::FabricRoutes>(m_graph);
    m_paths = std::make_unique<FlowPaths>(m_graph, *m_routes, options.hashSeed);
    topo::BillOfMaterials bom = topo::ComputeBillOfMaterials(design, m_plan);
    for (auto tier :
         {topo::LinkTier::ServerLeaf, topo::LinkTier::LeafSpine, topo::LinkTier::SpineCore})
    {
        if (const topo::LinkLine* line = bom.Links(tier))
        {
            m_figures[static_cast<std::size_t>(tier)] = fabric::LinkFiguresOf(design, *line);
        }
    }
}

std::uint64_t
FlowFabric::PayloadRateBps() const
{
    return fabric::PayloadRateBps(m_design, m_options.payloadMtu);
}

std::uint32_t
FlowFabric::FrameOverheadBytes() const
{
    return fabric::PacketOverheadBytes(m_design.fabric)
           + (m_options.vlan && m_design.fabric != topo::FabricKind::Infiniband
                  ? static_cast<std::uint32_t>(fabric::kVlanBytes)
                  : 0);
}

std::uint64_t
FlowFabric::WireBytes(std::uint64_t bytes) const
{
    bytes = std::max<std::uint64_t>(bytes, 1);
    std::uint64_t packets = (bytes + m_options.payloadMtu - 1) / m_options.payloadMtu;
    return bytes + packets * FrameOverheadBytes() + fabric::kRethBytes;
}

std::int64_t
FlowFabric::PathLatencyNs(const std::vector<std::uint32_t>& path, std::uint64_t bytes) const
{
    bytes = std::max<std::uint64_t>(bytes, 1);
    std::uint64_t lastPayload = (bytes - 1) % m_options.payloadMtu + 1;
    std::uint64_t lastWire = lastPayload + FrameOverheadBytes()
                             + (bytes <= m_options.payloadMtu ? fabric::kRethBytes : 0);
    std::int64_t latencyNs = 0;
    for (std::size_t hop = 0; hop < path.size(); ++hop)
    {
        const auto& figures = FiguresOf(FlowPaths::GraphLinkOf(path[hop]));
        latencyNs += figures.delayNs;
        // The first link's serialization is the flow's own time; later ones repeat the last
        // packet's, store and forward.
        if (hop > 0 && figures.rateBps > 0)
        {
            latencyNs += static_cast<std::int64_t>(
                (lastWire * 8 * 1'000'000'000ULL + figures.rateBps - 1) / figures.rateBps);
        }
    }
    return latencyNs;
}

} // namespace fab::flow
