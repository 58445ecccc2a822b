#ifndef FABRICSCOPE_TOPOLOGIES_FABRIC_GRAPH_H
#define FABRICSCOPE_TOPOLOGIES_FABRIC_GRAPH_H

#include "topologies/model/fat-tree-plan.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fab::topo
{

/** A server or a switch. Names are derived, never stored: a 524,288-GPU graph stays compact. */
struct GraphNode
{
    enum class Kind : std::uint8_t
    {
        Server,
        Switch,
    };
    Kind kind{Kind::Server};
    Tier tier{Tier::Leaf};  ///< switches only
    std::uint8_t plane{0};  ///< switches only
    std::uint32_t group{0}; ///< leaf: scalable unit; spine: pod; core: core group
    std::uint32_t index{0}; ///< position within its group (servers: server number)
    std::uint32_t ports{0}; ///< logical ports
};

/**
 * A link; `lower` is the end nearer the servers. Ports are logical port numbers from 0: a
 * switch's downlinks come first, then its uplinks; a server's ports are its NIC ports in order
 * (NIC i, port j is port i × ports-per-NIC + j).
 */
struct GraphLink
{
    std::uint32_t lower{0};
    std::uint32_t lowerPort{0};
    std::uint32_t upper{0};
    std::uint32_t upperPort{0};
    LinkTier tier{LinkTier::ServerLeaf};
    std::uint8_t plane{0};
};

/**
 * Every server, switch, port and link of a design, with ECMP next hops. Node ids: servers first
 * (0 .. servers-1), then each plane's leaves, spines and cores.
 */
class FabricGraph
{
public:
    /** Expands a plan; `design` supplies the NIC layout (ports per NIC) for names. */
    static FabricGraph Build(const Design& design, const FatTreePlan& plan);

    /**
     * A graph from nodes and links observed elsewhere (an as-built inventory), for the rules that
     * compare structure. Servers must come first; names follow the same scheme.
     */
    static FabricGraph FromInventory(std::vector<GraphNode> nodes,
                                     std::vector<GraphLink> links,
                                     std::uint32_t planes,
                                     std::uint32_t nicPorts);

    const std::vector<GraphNode>& Nodes() const { return m_nodes; }
    const std::vector<GraphLink>& Links() const { return m_links; }

    /** "srv-12", "leaf-3-2", "spine-1-7", "core-0-5"; switches get a "p1-" prefix when the
     *  fabric has several planes. */
    std::string NodeName(std::uint32_t node) const;
    /** "leaf-3-2:17"; server ports read "srv-12:nic3" (or "srv-12:nic3p1" for multi-port NICs). */
    std::string PortName(std::uint32_t node, std::uint32_t port) const;
    std::optional<std::uint32_t> FindNode(const std::string& name) const;

    /** Links attached to a node, in port order. */
    std::vector<std::uint32_t> LinksOf(std::uint32_t node) const;
    /** Links towards the next tier up: the ECMP next hops from this node towards other pods. */
    std::vector<std::uint32_t> UpLinks(std::uint32_t node) const;
    /** The distinct upper-tier switches reachable over UpLinks (the ECMP group's members). */
    std::vector<std::uint32_t> UpNeighbours(std::uint32_t node) const;

    std::uint64_t CountSwitches(Tier tier) const;
    std::uint64_t CountLinks(LinkTier tier) const;
    std::uint32_t Servers() const { return m_servers; }

    /** Size in memory of the node and link tables, in bytes. */
    std::size_t MemoryBytes() const;

private:
    std::uint32_t AddSwitch(Tier tier,
                            std::uint8_t plane,
                            std::uint32_t group,
                            std::uint32_t index,
                            std::uint32_t ports);
    void AddLink(const GraphLink& link);
    void IndexLinks();

    std::vector<GraphNode> m_nodes;
    std::vector<GraphLink> m_links;
    // Compressed adjacency: the links of node n are m_adjacency[m_adjacencyStart[n] ..
    // m_adjacencyStart[n + 1]).
    std::vector<std::uint32_t> m_adjacencyStart;
    std::vector<std::uint32_t> m_adjacency;
    std::uint32_t m_servers{0};
    std::uint32_t m_planes{1};
    std::uint32_t m_nicPorts{1};
    // First node id of each plane's leaves, spines and cores.
    std::vector<std::uint32_t> m_firstLeaf;
    std::vector<std::uint32_t> m_firstSpine;
    std::vector<std::uint32_t> m_firstCore;
    FatTreePlan m_plan;
};

/**
 * Whether a shell pattern names a port: one with ':' matches whole port names ("spine-*:3" is
 * port 3 of every spine); one without matches every port of the nodes it names ("leaf-0-*").
 */
bool PortPatternMatches(const std::string& pattern, const std::string& portName);

} // namespace fab::topo

#endif
