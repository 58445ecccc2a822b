#include "fabric/model/fabric-routes.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace ns3::fabric
{
namespace
{

using Leaves = std::vector<std::uint32_t>;

void
SortUnique(Leaves& leaves)
{
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
}

bool
Contains(const Leaves& leaves, std::uint32_t leaf)
{
    return std::binary_search(leaves.begin(), leaves.end(), leaf);
}

} // namespace

FabricRoutes::FabricRoutes(const topo::FabricGraph& graph)
: m_places(std::make_shared<const EndpointPlaces>(graph))
{
    const auto& nodes = graph.Nodes();
    const auto& links = graph.Links();
    std::uint32_t servers = graph.Servers();

    // Leaves below each switch, bottom up.
    std::vector<Leaves> below(nodes.size());
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
            SortUnique(below[n]);
        }
    }
    // Leaves reachable over up-then-down paths from the switches above a leaf, top down: what
    // is below a switch plus what the switches above it reach. In partly built trees not every
    // uplink leads everywhere. Only switches with something below them are ever looked up.
    std::vector<Leaves> reach(nodes.size());
    for (auto tier : {topo::Tier::Core, topo::Tier::Spine})
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
            SortUnique(reach[n]);
        }
    }

    // The leaves of each plane's pods, in position order.
    std::vector<std::vector<Leaves>> leavesOfPod;
    for (std::uint8_t plane = 0;; ++plane)
    {
        const auto& leaves = m_places->LeavesOf(plane);
        if (leaves.empty())
        {
            break;
        }
        leavesOfPod.emplace_back(m_places->PodsOf(plane));
        for (auto leaf : leaves)
        {
            leavesOfPod.back()[m_places->OfLeaf(leaf).pod].push_back(leaf);
        }
    }

    using Key
        = std::tuple<std::uint32_t, std::vector<RouteTable::Ports>, std::vector<RouteTable::Ports>>;
    std::map<Key, std::shared_ptr<const RouteTable>> distinct;
    m_tableOf.resize(nodes.size());
    m_planeOf.resize(nodes.size(), 0);
    for (std::uint32_t s = servers; s < nodes.size(); ++s)
    {
        auto ownLinks = graph.LinksOf(s);
        // Down towards the children that have the leaf below them, else up towards the
        // switches that reach it.
        auto portsTowards = [&](std::uint32_t leaf)
        {
            RouteTable::Ports ports;
            for (auto id : ownLinks)
            {
                const auto& link = links[id];
                if (link.upper == s && Contains(below[link.lower], leaf))
                {
                    ports.push_back(static_cast<std::uint16_t>(link.upperPort));
                }
            }
            if (ports.empty())
            {
                for (auto id : ownLinks)
                {
                    const auto& link = links[id];
                    if (link.lower == s && Contains(reach[link.upper], leaf))
                    {
                        ports.push_back(static_cast<std::uint16_t>(link.lowerPort));
                    }
                }
            }
            std::sort(ports.begin(), ports.end());
            return ports;
        };
        std::uint8_t plane = nodes[s].plane;
        m_planeOf[s] = plane;
        std::uint32_t homePod = m_places->HomePodOf(s);
        Key key{homePod, {}, {}};
        if (plane < leavesOfPod.size())
        {
            const auto& pods = leavesOfPod[plane];
            if (homePod < pods.size())
            {
                for (auto leaf : pods[homePod])
                {
                    std::get<1>(key).push_back(portsTowards(leaf));
                }
            }
            for (std::uint32_t pod = 0; pod < pods.size(); ++pod)
            {
                bool lookedUp = pod != homePod && !pods[pod].empty();
                std::get<2>(key).push_back(lookedUp ? portsTowards(pods[pod].front())
                                                    : RouteTable::Ports{});
            }
        }
        auto it = distinct.find(key);
        if (it == distinct.end())
        {
            auto table
                = std::make_shared<const RouteTable>(homePod, std::get<1>(key), std::get<2>(key));
            m_distinctBytes += table->MemoryBytes();
            it = distinct.emplace(std::move(key), std::move(table)).first;
        }
        m_tableOf[s] = it->second;
    }
    m_distinct = distinct.size();
}

RouteTable::Ports
SwitchRoutes::NextHops(std::uint32_t endpoint) const
{
    if (!places)
    {
        return {};
    }
    const EndpointPlace& destination = places->Of(endpoint);
    std::uint16_t group = GroupOf(destination);
    if (group == kOwnPort)
    {
        return {destination.leafPort};
    }
    return group == RouteTable::kNoRoute ? RouteTable::Ports{} : table->Group(group).Members();
}

SwitchRoutes
FabricRoutes::Of(std::uint32_t node) const
{
    SwitchRoutes routes;
    routes.places = m_places;
    routes.node = node;
    if (node < m_tableOf.size())
    {
        routes.table = m_tableOf[node];
        routes.plane = m_planeOf[node];
    }
    return routes;
}

std::uint64_t
FabricRoutes::SwitchEntries() const
{
    std::uint64_t entries = 0;
    for (const auto& table : m_tableOf)
    {
        entries += table ? table->Entries() : 0;
    }
    return entries;
}

std::size_t
FabricRoutes::MemoryBytes() const
{
    return m_distinctBytes + m_places->Endpoints() * sizeof(EndpointPlace);
}

} // namespace ns3::fabric
