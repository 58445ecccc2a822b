#ifndef FABRICSCOPE_TESTS_PER_ENDPOINT_ROUTES_H
#define FABRICSCOPE_TESTS_PER_ENDPOINT_ROUTES_H

// Routes computed the way switches held them before they routed by destination leaf and pod: a
// port set per switch and destination endpoint, and failover rebuilt endpoint by endpoint. The
// oracle the compact tables must agree with, port for port.

#include "fabric/model/ecmp-group.h"
#include "topologies/model/fabric-graph.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

namespace fab::tests
{

/** Up-down shortest paths, per switch and endpoint. */
class PerEndpointRoutes
{
public:
    using Ports = std::vector<std::uint16_t>;
    static constexpr std::uint32_t kNone = 0xFFFFFFFF;

    explicit PerEndpointRoutes(const topo::FabricGraph& graph)
    {
        const auto& nodes = graph.Nodes();
        const auto& links = graph.Links();
        std::uint32_t servers = graph.Servers();
        std::uint32_t portsPerServer = servers == 0 ? 0 : nodes[0].ports;
        m_leafOf.assign(static_cast<std::size_t>(servers) * portsPerServer, kNone);
        for (const auto& link : links)
        {
            if (link.tier == topo::LinkTier::ServerLeaf)
            {
                m_leafOf[static_cast<std::size_t>(link.lower) * portsPerServer + link.lowerPort]
                    = link.upper;
            }
        }
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
                Normalise(below[n]);
            }
        }
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
                Normalise(reach[n]);
            }
        }
        m_portsOf.resize(nodes.size());
        for (std::uint32_t s = servers; s < nodes.size(); ++s)
        {
            auto& table = m_portsOf[s];
            table.assign(m_leafOf.size(), Ports{});
            auto own = graph.LinksOf(s);
            for (std::uint32_t e = 0; e < m_leafOf.size(); ++e)
            {
                std::uint32_t leaf = m_leafOf[e];
                if (leaf == kNone || nodes[leaf].plane != nodes[s].plane || leaf == s)
                {
                    continue;
                }
                Ports ports;
                for (auto id : own)
                {
                    const auto& link = links[id];
                    if (link.upper == s && Has(below[link.lower], leaf))
                    {
                        ports.push_back(static_cast<std::uint16_t>(link.upperPort));
                    }
                }
                if (ports.empty())
                {
                    for (auto id : own)
                    {
                        const auto& link = links[id];
                        if (link.lower == s && Has(reach[link.upper], leaf))
                        {
                            ports.push_back(static_cast<std::uint16_t>(link.lowerPort));
                        }
                    }
                }
                std::sort(ports.begin(), ports.end());
                table[e] = ports;
            }
            for (auto id : own)
            {
                const auto& link = links[id];
                if (link.upper == s && nodes[link.lower].kind == topo::GraphNode::Kind::Server)
                {
                    table[static_cast<std::size_t>(link.lower) * portsPerServer + link.lowerPort]
                        = {static_cast<std::uint16_t>(link.upperPort)};
                }
            }
        }
    }

    const Ports& Of(std::uint32_t node, std::uint32_t endpoint) const
    {
        return m_portsOf[node][endpoint];
    }
    std::uint32_t Endpoints() const { return static_cast<std::uint32_t>(m_leafOf.size()); }
    std::uint32_t LeafOf(std::uint32_t endpoint) const { return m_leafOf[endpoint]; }

private:
    static void Normalise(std::vector<std::uint32_t>& v)
    {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    static bool Has(const std::vector<std::uint32_t>& v, std::uint32_t x)
    {
        return std::binary_search(v.begin(), v.end(), x);
    }

    std::vector<std::uint32_t> m_leafOf;
    std::vector<std::vector<Ports>> m_portsOf;
};

/** One switch's failover, every endpoint's group rebuilt on every event. */
class PerEndpointFailover
{
public:
    PerEndpointFailover(const topo::FabricGraph& graph,
                        const PerEndpointRoutes& routes,
                        std::uint32_t node)
    : m_routes(routes)
    , m_node(node)
    {
        const auto& nodes = graph.Nodes();
        bool threeTier = std::any_of(nodes.begin(),
                                     nodes.end(),
                                     [](const topo::GraphNode& n) {
                                         return n.kind == topo::GraphNode::Kind::Switch
                                                && n.tier == topo::Tier::Core;
                                     });
        std::map<std::uint32_t, std::uint32_t> podOfLeaf;
        for (const auto& link : graph.Links())
        {
            if (threeTier && link.tier == topo::LinkTier::LeafSpine)
            {
                podOfLeaf[link.lower] = nodes[link.upper].group;
                m_podOfSpine[link.upper] = nodes[link.upper].group;
            }
            if (link.lower == node)
            {
                SetPeer(link.lowerPort, link.upper);
            }
            if (link.upper == node)
            {
                SetPeer(link.upperPort, link.lower);
            }
        }
        if (threeTier)
        {
            m_podOf.resize(routes.Endpoints(), PerEndpointRoutes::kNone);
            for (std::uint32_t e = 0; e < routes.Endpoints(); ++e)
            {
                auto it = podOfLeaf.find(routes.LeafOf(e));
                m_podOf[e] = it == podOfLeaf.end() ? PerEndpointRoutes::kNone : it->second;
            }
        }
        m_current.resize(routes.Endpoints());
        for (std::uint32_t e = 0; e < routes.Endpoints(); ++e)
        {
            m_current[e] = ns3::fabric::ResilientEcmpGroup(routes.Of(node, e));
        }
    }

    int Select(std::uint32_t endpoint, std::uint32_t hash) const
    {
        if (endpoint >= m_current.size() || m_routes.Of(m_node, endpoint).empty())
        {
            return -1;
        }
        const auto& group = m_current[endpoint];
        return group.Empty() ? -1 : group.Select(hash);
    }

    void SetPortUp(std::uint16_t port, bool up)
    {
        if (up)
        {
            m_down.erase(port);
        }
        else
        {
            m_down.insert(port);
        }
        for (std::uint32_t e = 0; e < m_current.size(); ++e)
        {
            Rebuild(e);
        }
    }

    void SetRemoteFault(std::uint32_t reporter, std::uint32_t lost, bool faulty)
    {
        if (faulty)
        {
            m_unreachableVia[lost].insert(reporter);
        }
        else
        {
            m_unreachableVia[lost].erase(reporter);
        }
        for (std::uint32_t e = 0; e < m_current.size(); ++e)
        {
            Rebuild(e);
        }
    }

private:
    void SetPeer(std::uint32_t port, std::uint32_t peer)
    {
        if (m_peerOf.size() <= port)
        {
            m_peerOf.resize(port + 1, PerEndpointRoutes::kNone);
        }
        m_peerOf[port] = peer;
    }
    std::uint32_t PeerOf(std::uint16_t port) const
    {
        return port < m_peerOf.size() ? m_peerOf[port] : PerEndpointRoutes::kNone;
    }
    bool Hides(std::uint32_t lost, std::uint32_t endpoint) const
    {
        if (m_routes.LeafOf(endpoint) == lost)
        {
            return true;
        }
        auto spine = m_podOfSpine.find(lost);
        return spine != m_podOfSpine.end() && endpoint < m_podOf.size()
               && m_podOf[endpoint] == spine->second;
    }
    void Rebuild(std::uint32_t endpoint)
    {
        const auto& members = m_routes.Of(m_node, endpoint);
        if (members.empty())
        {
            return;
        }
        std::set<std::uint32_t> avoid;
        for (const auto& [lost, reporters] : m_unreachableVia)
        {
            if (!reporters.empty() && Hides(lost, endpoint))
            {
                avoid.insert(reporters.begin(), reporters.end());
            }
        }
        std::vector<std::uint16_t> removed;
        for (auto port : members)
        {
            if (m_down.count(port) || avoid.count(PeerOf(port)))
            {
                removed.push_back(port);
            }
        }
        if (removed.size() == members.size())
        {
            removed.erase(std::remove_if(removed.begin(),
                                         removed.end(),
                                         [&](std::uint16_t p) { return !m_down.count(p); }),
                          removed.end());
        }
        ns3::fabric::ResilientEcmpGroup group(members);
        for (auto port : removed)
        {
            group.Remove(port);
        }
        m_current[endpoint] = group;
    }

    const PerEndpointRoutes& m_routes;
    std::uint32_t m_node;
    std::vector<std::uint32_t> m_peerOf;
    std::vector<std::uint32_t> m_podOf;
    std::unordered_map<std::uint32_t, std::uint32_t> m_podOfSpine;
    std::set<std::uint16_t> m_down;
    std::map<std::uint32_t, std::set<std::uint32_t>> m_unreachableVia;
    std::vector<ns3::fabric::ResilientEcmpGroup> m_current;
};

} // namespace fab::tests

#endif
