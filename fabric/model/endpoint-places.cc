#include "fabric/model/endpoint-places.h"

#include <algorithm>

namespace ns3::fabric
{

EndpointPlaces::EndpointPlaces(const topo::FabricGraph& graph)
{
    const auto& nodes = graph.Nodes();
    const auto& links = graph.Links();
    std::uint32_t servers = graph.Servers();
    std::uint32_t portsPerServer = servers == 0 ? 0 : nodes[0].ports;
    m_endpoints.resize(static_cast<std::size_t>(servers) * portsPerServer);
    m_nodes.resize(nodes.size());

    std::uint32_t planes = 1;
    bool cores = false;
    for (std::uint32_t n = servers; n < nodes.size(); ++n)
    {
        planes = std::max<std::uint32_t>(planes, nodes[n].plane + 1u);
        cores = cores || nodes[n].tier == topo::Tier::Core;
    }
    for (std::uint32_t n = servers; n < nodes.size(); ++n)
    {
        m_nodes[n].plane = nodes[n].plane;
        if (nodes[n].tier == topo::Tier::Spine)
        {
            m_nodes[n].pod = nodes[n].group;
            if (cores)
            {
                m_podOfSpine[n] = nodes[n].group;
            }
        }
    }
    for (const auto& link : links)
    {
        if (link.tier == topo::LinkTier::LeafSpine)
        {
            m_nodes[link.lower].pod = nodes[link.upper].group;
        }
    }

    m_leavesOfPlane.resize(planes);
    m_podsOfPlane.assign(planes, 0);
    for (std::uint32_t n = servers; n < nodes.size(); ++n)
    {
        if (nodes[n].tier != topo::Tier::Leaf)
        {
            continue;
        }
        auto& place = m_nodes[n];
        place.leaf = n;
        place.pod = place.pod == EndpointPlace::kNone ? 0 : place.pod;
        m_leavesOfPlane[place.plane].push_back(n);
        m_podsOfPlane[place.plane] = std::max(m_podsOfPlane[place.plane], place.pod + 1);
    }
    for (auto& leaves : m_leavesOfPlane)
    {
        std::stable_sort(leaves.begin(),
                         leaves.end(),
                         [&](std::uint32_t a, std::uint32_t b)
                         { return m_nodes[a].pod < m_nodes[b].pod; });
        for (std::size_t i = 0; i < leaves.size(); ++i)
        {
            bool first = i == 0 || m_nodes[leaves[i - 1]].pod != m_nodes[leaves[i]].pod;
            m_nodes[leaves[i]].leafInPod = first ? 0 : m_nodes[leaves[i - 1]].leafInPod + 1;
        }
    }

    for (const auto& link : links)
    {
        if (link.tier == topo::LinkTier::ServerLeaf)
        {
            auto& place = m_endpoints[static_cast<std::size_t>(link.lower) * portsPerServer
                                      + link.lowerPort];
            place = m_nodes[link.upper];
            place.leafPort = static_cast<std::uint16_t>(link.upperPort);
        }
    }
}

std::uint32_t
EndpointPlaces::HomePodOf(std::uint32_t node) const
{
    return node < m_nodes.size() ? m_nodes[node].pod : EndpointPlace::kNone;
}

const std::vector<std::uint32_t>&
EndpointPlaces::LeavesOf(std::uint8_t plane) const
{
    static const std::vector<std::uint32_t> kNoLeaves;
    return plane < m_leavesOfPlane.size() ? m_leavesOfPlane[plane] : kNoLeaves;
}

std::uint32_t
EndpointPlaces::PodsOf(std::uint8_t plane) const
{
    return plane < m_podsOfPlane.size() ? m_podsOfPlane[plane] : 0;
}

bool
EndpointPlaces::Hides(std::uint32_t lost, std::uint32_t leaf) const
{
    if (lost == leaf)
    {
        return true;
    }
    auto spine = m_podOfSpine.find(lost);
    return spine != m_podOfSpine.end() && OfLeaf(leaf).pod == spine->second;
}

} // namespace ns3::fabric
