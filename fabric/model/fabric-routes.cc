#include "fabric/model/fabric-routes.h"

#include <algorithm>
#include <map>

namespace ns3::fabric
{

FabricRoutes::FabricRoutes(const topo::FabricGraph& graph)
{
    const auto& nodes = graph.Nodes();
    const auto& links = graph.Links();
    std::uint32_t servers = graph.Servers();
    std::uint32_t portsPerServer = servers == 0 ? 0 : nodes[0].ports;
    m_leafOfEndpoint.assign(static_cast<std::size_t>(servers) * portsPerServer,
                            SwitchRoutes::kNoRoute);
    for (const auto& link : links)
    {
        if (link.tier == topo::LinkTier::ServerLeaf)
        {
            m_leafOfEndpoint[static_cast<std::size_t>(link.lower) * portsPerServer + link.lowerPort]
                = link.upper;
        }
    }

    // Leaves below each switch, bottom up.
    std::vector<std::vector<std::uint32_t>> below(nodes.size());
    for (auto tier : {topo::Tier::Leaf, topo::Tier::Spine, topo::Tier::Core})
    {
        for (std::uint32_t n = servers; n < nodes.size(); ++n)
        {
            if (nodes[n].tier != tier)
            {
                continue;
            }
            if (tier == topo::Tier::Leaf)
            {
                below[n] = {n};
                continue;
            }
            for (auto id : graph.LinksOf(n))
            {
                if (links[id].upper == n)
                {
                    const auto& child = below[links[id].lower];
                    below[n].insert(below[n].end(), child.begin(), child.end());
                }
            }
            std::sort(below[n].begin(), below[n].end());
            below[n].erase(std::unique(below[n].begin(), below[n].end()), below[n].end());
        }
    }

    // Leaves reachable over up-then-down paths, top down: what is below a switch, plus what the
    // switches above it reach. In partly built trees not every uplink leads everywhere.
    std::vector<std::vector<std::uint32_t>> reach(nodes.size());
    for (auto tier : {topo::Tier::Core, topo::Tier::Spine, topo::Tier::Leaf})
    {
        for (std::uint32_t n = servers; n < nodes.size(); ++n)
        {
            if (nodes[n].tier != tier)
            {
                continue;
            }
            reach[n] = below[n];
            for (auto id : graph.LinksOf(n))
            {
                if (links[id].lower == n)
                {
                    const auto& above = reach[links[id].upper];
                    reach[n].insert(reach[n].end(), above.begin(), above.end());
                }
            }
            std::sort(reach[n].begin(), reach[n].end());
            reach[n].erase(std::unique(reach[n].begin(), reach[n].end()), reach[n].end());
        }
    }

    m_routes.resize(nodes.size());
    for (std::uint32_t s = servers; s < nodes.size(); ++s)
    {
        auto& routes = m_routes[s];
        routes.groupOfEndpoint.assign(m_leafOfEndpoint.size(), SwitchRoutes::kNoRoute);
        std::map<std::vector<std::uint16_t>, std::uint16_t> index;
        auto groupFor = [&](std::vector<std::uint16_t> ports)
        {
            auto it = index.find(ports);
            if (it != index.end())
            {
                return it->second;
            }
            auto id = static_cast<std::uint16_t>(routes.groups.size());
            routes.groups.push_back(ports);
            index.emplace(std::move(ports), id);
            return id;
        };
        auto ownLinks = graph.LinksOf(s);
        // Next hops depend only on the destination's leaf: compute them once per leaf.
        std::uint8_t plane = nodes[s].plane;
        std::map<std::uint32_t, std::uint16_t> groupOfLeaf;
        auto leafGroup = [&](std::uint32_t leaf)
        {
            auto it = groupOfLeaf.find(leaf);
            if (it != groupOfLeaf.end())
            {
                return it->second;
            }
            std::vector<std::uint16_t> ports;
            for (auto id : ownLinks)
            {
                const auto& link = links[id];
                if (link.upper == s
                    && std::binary_search(below[link.lower].begin(), below[link.lower].end(), leaf))
                {
                    ports.push_back(static_cast<std::uint16_t>(link.upperPort));
                }
            }
            if (ports.empty())
            {
                // Up, but only towards switches from which the leaf can be reached.
                for (auto id : ownLinks)
                {
                    const auto& link = links[id];
                    if (link.lower == s
                        && std::binary_search(
                            reach[link.upper].begin(), reach[link.upper].end(), leaf))
                    {
                        ports.push_back(static_cast<std::uint16_t>(link.lowerPort));
                    }
                }
            }
            std::sort(ports.begin(), ports.end());
            std::uint16_t group = ports.empty() ? SwitchRoutes::kNoRoute : groupFor(ports);
            groupOfLeaf.emplace(leaf, group);
            return group;
        };
        for (std::uint32_t e = 0; e < m_leafOfEndpoint.size(); ++e)
        {
            std::uint32_t leaf = m_leafOfEndpoint[e];
            if (leaf == SwitchRoutes::kNoRoute || nodes[leaf].plane != plane || leaf == s)
            {
                continue;
            }
            routes.groupOfEndpoint[e] = leafGroup(leaf);
        }
        // A leaf reaches its own servers' ports directly.
        for (auto id : ownLinks)
        {
            const auto& link = links[id];
            if (link.upper == s && nodes[link.lower].kind == topo::GraphNode::Kind::Server)
            {
                auto e = static_cast<std::size_t>(link.lower) * portsPerServer + link.lowerPort;
                routes.groupOfEndpoint[e] = groupFor({static_cast<std::uint16_t>(link.upperPort)});
            }
        }
    }
}

} // namespace ns3::fabric
