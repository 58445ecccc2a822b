#include "topologies/model/fabric-graph.h"

#include <algorithm>
#include <cstdlib>
#include <fnmatch.h>

namespace fab::topo
{

std::uint32_t
FabricGraph::AddSwitch(
    Tier tier, std::uint8_t plane, std::uint32_t group, std::uint32_t index, std::uint32_t ports)
{
    GraphNode node;
    node.kind = GraphNode::Kind::Switch;
    node.tier = tier;
    node.plane = plane;
    node.group = group;
    node.index = index;
    node.ports = ports;
    m_nodes.push_back(node);
    return static_cast<std::uint32_t>(m_nodes.size() - 1);
}

void
FabricGraph::AddLink(const GraphLink& link)
{
    m_links.push_back(link);
}

FabricGraph
FabricGraph::Build(const Design& design, const FatTreePlan& plan)
{
    FabricGraph graph;
    graph.m_plan = plan;
    graph.m_servers = plan.servers;
    graph.m_planes = plan.planes;
    graph.m_nicPorts = design.servers.nicPorts;
    std::uint32_t portsPerServer = design.servers.PortsPerServer();

    std::uint64_t nodes
        = plan.servers + static_cast<std::uint64_t>(plan.planes) * plan.SwitchesPerPlane();
    std::uint64_t links = 0;
    for (auto tier : {LinkTier::ServerLeaf, LinkTier::LeafSpine, LinkTier::SpineCore})
    {
        links += plan.LinksPerPlane(tier) * plan.planes;
    }
    graph.m_nodes.reserve(nodes);
    graph.m_links.reserve(links);
    for (std::uint32_t s = 0; s < plan.servers; ++s)
    {
        GraphNode server;
        server.kind = GraphNode::Kind::Server;
        server.index = s;
        server.ports = portsPerServer;
        graph.m_nodes.push_back(server);
    }

    for (std::uint32_t p = 0; p < plan.planes; ++p)
    {
        auto plane = static_cast<std::uint8_t>(p);
        // Leaves are grouped by scalable unit.
        std::uint32_t firstLeaf = static_cast<std::uint32_t>(graph.m_nodes.size());
        graph.m_firstLeaf.push_back(firstLeaf);
        for (std::uint32_t l = 0; l < plan.leaves; ++l)
        {
            graph.AddSwitch(
                Tier::Leaf, plane, l / plan.leavesPerSu, l % plan.leavesPerSu, plan.leafRadix);
        }
        std::uint32_t firstSpine = static_cast<std::uint32_t>(graph.m_nodes.size());
        graph.m_firstSpine.push_back(firstSpine);
        for (std::uint32_t pod = 0; pod < plan.pods.size(); ++pod)
        {
            for (std::uint32_t j = 0; j < plan.pods[pod].spines; ++j)
            {
                graph.AddSwitch(Tier::Spine, plane, pod, j, plan.spineRadix);
            }
        }
        std::uint32_t firstCore = static_cast<std::uint32_t>(graph.m_nodes.size());
        graph.m_firstCore.push_back(firstCore);
        for (std::uint32_t g = 0; g < plan.coreGroups.size(); ++g)
        {
            for (std::uint32_t c = 0; c < plan.coreGroups[g].cores; ++c)
            {
                graph.AddSwitch(Tier::Core, plane, g, c, plan.coreRadix);
            }
        }

        // Server → leaf: the rail ports of this plane are the server ports p, p + planes, ...
        // so NIC port j of a two-port NIC lands in plane j.
        for (std::uint32_t s = 0; s < plan.servers; ++s)
        {
            for (std::uint32_t r = 0; r < plan.railsPerPlane; ++r)
            {
                GraphLink link;
                link.lower = s;
                link.lowerPort = r * plan.planes + p;
                link.upper = firstLeaf + plan.LeafOf(s, r);
                link.upperPort = plan.LeafDownPortOf(s, r);
                link.tier = LinkTier::ServerLeaf;
                link.plane = plane;
                graph.AddLink(link);
            }
        }
        // Leaf → spine: every leaf of a pod reaches every spine of it by the same number of links.
        for (const auto& pod : plan.pods)
        {
            for (std::uint32_t i = 0; i < pod.leaves; ++i)
            {
                for (std::uint32_t j = 0; j < pod.spines; ++j)
                {
                    for (std::uint32_t x = 0; x < pod.linksPerLeafSpine; ++x)
                    {
                        GraphLink link;
                        link.lower = firstLeaf + pod.firstLeaf + i;
                        link.lowerPort = plan.leafDown + j * pod.linksPerLeafSpine + x;
                        link.upper = firstSpine + pod.firstSpine + j;
                        link.upperPort = i * pod.linksPerLeafSpine + x;
                        link.tier = LinkTier::LeafSpine;
                        link.plane = plane;
                        graph.AddLink(link);
                    }
                }
            }
        }
        // Spine → core: spine j of every pod reaches every core of group j.
        for (std::uint32_t g = 0; g < plan.coreGroups.size(); ++g)
        {
            const auto& group = plan.coreGroups[g];
            for (std::uint32_t pod = 0; pod < group.pods; ++pod)
            {
                std::uint32_t spine = firstSpine + plan.pods[pod].firstSpine + g;
                for (std::uint32_t c = 0; c < group.cores; ++c)
                {
                    for (std::uint32_t x = 0; x < group.linksPerSpineCore; ++x)
                    {
                        GraphLink link;
                        link.lower = spine;
                        link.lowerPort = plan.spineDown + c * group.linksPerSpineCore + x;
                        link.upper = firstCore + group.firstCore + c;
                        link.upperPort = pod * group.linksPerSpineCore + x;
                        link.tier = LinkTier::SpineCore;
                        link.plane = plane;
                        graph.AddLink(link);
                    }
                }
            }
        }
    }
    graph.IndexLinks();
    return graph;
}

FabricGraph
FabricGraph::FromInventory(std::vector<GraphNode> nodes,
                           std::vector<GraphLink> links,
                           std::uint32_t planes,
                           std::uint32_t nicPorts)
{
    FabricGraph graph;
    graph.m_nodes = std::move(nodes);
    graph.m_links = std::move(links);
    graph.m_planes = planes;
    graph.m_nicPorts = nicPorts;
    graph.m_servers = static_cast<std::uint32_t>(
        std::count_if(graph.m_nodes.begin(),
                      graph.m_nodes.end(),
                      [](const GraphNode& n) { return n.kind == GraphNode::Kind::Server; }));
    graph.IndexLinks();
    return graph;
}

void
FabricGraph::IndexLinks()
{
    m_adjacencyStart.assign(m_nodes.size() + 1, 0);
    for (const auto& link : m_links)
    {
        m_adjacencyStart[link.lower + 1]++;
        m_adjacencyStart[link.upper + 1]++;
    }
    for (std::size_t n = 0; n < m_nodes.size(); ++n)
    {
        m_adjacencyStart[n + 1] += m_adjacencyStart[n];
    }
    m_adjacency.assign(m_links.size() * 2, 0);
    std::vector<std::uint32_t> fill(m_adjacencyStart.begin(), m_adjacencyStart.end() - 1);
    for (std::uint32_t id = 0; id < m_links.size(); ++id)
    {
        m_adjacency[fill[m_links[id].lower]++] = id;
        m_adjacency[fill[m_links[id].upper]++] = id;
    }
    // Links were added in port order for every node except leaves' mixed down/up ranges; sort
    // each node's list by its own port number so LinksOf reads in port order.
    for (std::size_t n = 0; n < m_nodes.size(); ++n)
    {
        auto portOf = [&](std::uint32_t id)
        {
            const auto& link = m_links[id];
            return link.lower == n ? link.lowerPort : link.upperPort;
        };
        std::sort(m_adjacency.begin() + m_adjacencyStart[n],
                  m_adjacency.begin() + m_adjacencyStart[n + 1],
                  [&](std::uint32_t a, std::uint32_t b) { return portOf(a) < portOf(b); });
    }
}

std::vector<std::uint32_t>
FabricGraph::LinksOf(std::uint32_t node) const
{
    return {m_adjacency.begin() + m_adjacencyStart[node],
            m_adjacency.begin() + m_adjacencyStart[node + 1]};
}

std::vector<std::uint32_t>
FabricGraph::UpLinks(std::uint32_t node) const
{
    std::vector<std::uint32_t> up;
    for (auto id : LinksOf(node))
    {
        if (m_links[id].lower == node)
        {
            up.push_back(id);
        }
    }
    return up;
}

std::vector<std::uint32_t>
FabricGraph::UpNeighbours(std::uint32_t node) const
{
    std::vector<std::uint32_t> neighbours;
    for (auto id : UpLinks(node))
    {
        neighbours.push_back(m_links[id].upper);
    }
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    return neighbours;
}

std::uint64_t
FabricGraph::CountSwitches(Tier tier) const
{
    return static_cast<std::uint64_t>(std::count_if(
        m_nodes.begin(),
        m_nodes.end(),
        [&](const GraphNode& n) { return n.kind == GraphNode::Kind::Switch && n.tier == tier; }));
}

std::uint64_t
FabricGraph::CountLinks(LinkTier tier) const
{
    return static_cast<std::uint64_t>(std::count_if(
        m_links.begin(), m_links.end(), [&](const GraphLink& l) { return l.tier == tier; }));
}

std::size_t
FabricGraph::MemoryBytes() const
{
    return m_nodes.capacity() * sizeof(GraphNode) + m_links.capacity() * sizeof(GraphLink)
           + (m_adjacency.capacity() + m_adjacencyStart.capacity()) * sizeof(std::uint32_t);
}

std::string
FabricGraph::NodeName(std::uint32_t node) const
{
    const auto& n = m_nodes.at(node);
    if (n.kind == GraphNode::Kind::Server)
    {
        return "srv-" + std::to_string(n.index);
    }
    std::string prefix = m_planes > 1 ? "p" + std::to_string(n.plane) + "-" : "";
    return prefix + TierName(n.tier) + "-" + std::to_string(n.group) + "-"
           + std::to_string(n.index);
}

std::string
FabricGraph::PortName(std::uint32_t node, std::uint32_t port) const
{
    const auto& n = m_nodes.at(node);
    if (n.kind == GraphNode::Kind::Server)
    {
        std::string name = NodeName(node) + ":nic" + std::to_string(port / m_nicPorts);
        return m_nicPorts > 1 ? name + "p" + std::to_string(port % m_nicPorts) : name;
    }
    return NodeName(node) + ":" + std::to_string(port);
}

std::optional<std::uint32_t>
FabricGraph::FindNode(const std::string& name) const
{
    // Parse rather than search: names are derived from (plane, tier, group, index).
    auto number = [](const std::string& text, std::size_t& pos) -> std::optional<std::uint32_t>
    {
        std::size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
        {
            ++pos;
        }
        if (pos == start || pos - start > 9)
        {
            return std::nullopt;
        }
        return static_cast<std::uint32_t>(std::stoul(text.substr(start, pos - start)));
    };
    std::size_t pos = 0;
    if (name.rfind("srv-", 0) == 0)
    {
        pos = 4;
        auto index = number(name, pos);
        if (!index || pos != name.size() || *index >= m_servers)
        {
            return std::nullopt;
        }
        return *index;
    }
    std::uint32_t plane = 0;
    if (m_planes > 1)
    {
        if (name.empty() || name[0] != 'p')
        {
            return std::nullopt;
        }
        pos = 1;
        auto p = number(name, pos);
        if (!p || pos >= name.size() || name[pos] != '-' || *p >= m_planes)
        {
            return std::nullopt;
        }
        plane = *p;
        ++pos;
    }
    for (Tier tier : {Tier::Leaf, Tier::Spine, Tier::Core})
    {
        std::string word = std::string(TierName(tier)) + "-";
        if (name.compare(pos, word.size(), word) != 0)
        {
            continue;
        }
        std::size_t at = pos + word.size();
        auto group = number(name, at);
        if (!group || at >= name.size() || name[at] != '-')
        {
            return std::nullopt;
        }
        ++at;
        auto index = number(name, at);
        if (!index || at != name.size())
        {
            return std::nullopt;
        }
        std::uint64_t id = 0;
        if (tier == Tier::Leaf)
        {
            if (*index >= m_plan.leavesPerSu)
            {
                return std::nullopt;
            }
            id = m_firstLeaf[plane] + static_cast<std::uint64_t>(*group) * m_plan.leavesPerSu
                 + *index;
            if (id >= m_firstSpine[plane])
            {
                return std::nullopt;
            }
        }
        else if (tier == Tier::Spine)
        {
            if (*group >= m_plan.pods.size() || *index >= m_plan.pods[*group].spines)
            {
                return std::nullopt;
            }
            id = m_firstSpine[plane] + m_plan.pods[*group].firstSpine + *index;
        }
        else
        {
            if (*group >= m_plan.coreGroups.size() || *index >= m_plan.coreGroups[*group].cores)
            {
                return std::nullopt;
            }
            id = m_firstCore[plane] + m_plan.coreGroups[*group].firstCore + *index;
        }
        return static_cast<std::uint32_t>(id);
    }
    return std::nullopt;
}

bool
PortPatternMatches(const std::string& pattern, const std::string& portName)
{
    bool portPattern = pattern.find(':') != std::string::npos;
    std::string subject = portPattern ? portName : portName.substr(0, portName.find(':'));
    return fnmatch(pattern.c_str(), subject.c_str(), 0) == 0;
}

} // namespace fab::topo
