#ifndef FABRICSCOPE_TOPOLOGIES_GRAPH_SIZE_H
#define FABRICSCOPE_TOPOLOGIES_GRAPH_SIZE_H

#include "topologies/model/design.h"
#include "topologies/model/fat-tree-plan.h"

#include <cstdint>

namespace fab::topo
{

/**
 * What expanding a plan into a FabricGraph makes, counted in closed form without expanding it:
 * so that a command can say what a design would cost before it spends the memory.
 */
struct GraphSize
{
    std::uint64_t servers{0};
    std::uint64_t switches{0};  ///< every plane's
    std::uint64_t links{0};     ///< cables, every tier and plane
    std::uint64_t endpoints{0}; ///< NIC ports: servers × ports per server

    std::uint64_t Nodes() const { return servers + switches; }
    /** Cable ends: two per link. */
    std::uint64_t Ports() const { return 2 * links; }
    /** Ports of switches: every link has one, except that a server's cable has only one. */
    std::uint64_t SwitchPorts() const { return 2 * links - endpoints; }
    /** What FabricGraph::MemoryBytes() reports for the expanded graph. */
    std::uint64_t MemoryBytes() const;
    /** True when node and link ids fit the graph's 32-bit indices. */
    bool FitsIndices() const;
};

GraphSize SizeGraph(const Design& design, const FatTreePlan& plan);

} // namespace fab::topo

#endif
