#include "topologies/model/graph-size.h"

#include "topologies/model/fabric-graph.h"

#include <limits>

namespace fab::topo
{

std::uint64_t
GraphSize::MemoryBytes() const
{
    // The node and link tables, and the compressed adjacency: a start per node plus one, and
    // both ends of every link.
    return Nodes() * sizeof(GraphNode) + links * sizeof(GraphLink)
           + (2 * links + Nodes() + 1) * sizeof(std::uint32_t);
}

bool
GraphSize::FitsIndices() const
{
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
    return Nodes() < kMax && 2 * links < kMax;
}

GraphSize
SizeGraph(const Design& design, const FatTreePlan& plan)
{
    GraphSize size;
    size.servers = plan.servers;
    size.switches = static_cast<std::uint64_t>(plan.planes) * plan.SwitchesPerPlane();
    for (auto tier : {LinkTier::ServerLeaf, LinkTier::LeafSpine, LinkTier::SpineCore})
    {
        size.links += plan.LinksPerPlane(tier) * plan.planes;
    }
    size.endpoints = static_cast<std::uint64_t>(plan.servers) * design.servers.PortsPerServer();
    return size;
}

} // namespace fab::topo
