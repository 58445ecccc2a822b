#include "fabric/flow/flow-paths.h"

#include "fabric/model/ecmp-group.h"
#include "fabric/model/roce-wire.h"

#include <algorithm>
#include <tuple>

namespace fab::flow
{

namespace fabric = ::ns3::fabric;

FlowPaths::FlowPaths(const topo::FabricGraph& graph,
                     const fabric::FabricRoutes& routes,
                     std::uint32_t hashSeed)
: m_graph(graph)
, m_hashSeed(hashSeed)
{
    const auto& nodes = graph.Nodes();
    const auto& links = graph.Links();
    m_portsPerServer = graph.Servers() == 0 ? 1 : std::max(1u, nodes[0].ports);
    m_firstPort.resize(nodes.size() + 1, 0);
    for (std::size_t n = 0; n < nodes.size(); ++n)
    {
        m_firstPort[n + 1] = m_firstPort[n] + nodes[n].ports;
    }
    m_linkOfPort.assign(m_firstPort.back(), kNoLink);
    std::vector<std::vector<std::uint32_t>> peers(nodes.size());
    for (std::uint32_t l = 0; l < links.size(); ++l)
    {
        const auto& link = links[l];
        m_linkOfPort[m_firstPort[link.lower] + link.lowerPort] = l;
        m_linkOfPort[m_firstPort[link.upper] + link.upperPort] = l;
        for (auto [node, port, peer] : {std::tuple{link.lower, link.lowerPort, link.upper},
                                        std::tuple{link.upper, link.upperPort, link.lower}})
        {
            if (node >= graph.Servers())
            {
                auto& of = peers[node];
                of.resize(std::max<std::size_t>(of.size(), port + 1),
                          fabric::FailoverTable::kNoPeer);
                of[port] = peer;
            }
        }
    }
    m_tables.resize(nodes.size());
    for (std::uint32_t n = graph.Servers(); n < nodes.size(); ++n)
    {
        m_tables[n] = fabric::FailoverTable(routes.Of(n), std::move(peers[n]));
    }
}

std::uint32_t
FlowPaths::LinkAt(std::uint32_t node, std::uint32_t port) const
{
    if (node + 1 >= m_firstPort.size() || m_firstPort[node] + port >= m_firstPort[node + 1])
    {
        return kNoLink;
    }
    return m_linkOfPort[m_firstPort[node] + port];
}

bool
FlowPaths::Path(std::uint32_t srcEndpoint,
                std::uint32_t dstEndpoint,
                std::uint16_t udpSrcPort,
                std::uint32_t destQp,
                std::vector<std::uint32_t>& out) const
{
    out.clear();
    // The hash the sending NIC puts on every frame of the queue pair.
    std::uint32_t flowHash = fabric::RoceFlowHash(fabric::EndpointIpv4(srcEndpoint),
                                                  fabric::EndpointIpv4(dstEndpoint),
                                                  udpSrcPort,
                                                  destQp);
    std::uint32_t node = srcEndpoint / m_portsPerServer;
    std::uint32_t port = srcEndpoint % m_portsPerServer;
    std::uint32_t dstServer = dstEndpoint / m_portsPerServer;
    const auto& links = m_graph.Links();
    // An up-down path has at most 2 × tiers hops; anything longer is a routing loop.
    for (int hops = 0; hops < 16; ++hops)
    {
        std::uint32_t link = LinkAt(node, port);
        if (link == kNoLink)
        {
            return false;
        }
        bool up = links[link].lower == node;
        out.push_back(Directed(link, up));
        node = up ? links[link].upper : links[link].lower;
        if (node < m_graph.Servers())
        {
            return node == dstServer;
        }
        int next = m_tables[node].Select(
            dstEndpoint, fabric::SwitchFlowHash(flowHash, m_hashSeed, node));
        if (next < 0)
        {
            return false;
        }
        port = static_cast<std::uint32_t>(next);
    }
    return false;
}

} // namespace fab::flow
