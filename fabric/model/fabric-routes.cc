#include "fabric/model/fabric-routes.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>

namespace ns3::fabric
{
namespace
{

using Leaves = std::vector<std::uint32_t>;

bool
Contains(const Leaves& leaves, std::uint32_t leaf)
{
    return std::binary_search(leaves.begin(), leaves.end(), leaf);
}

/**
 * `own` merged with the sets of `node`'s distinct neighbours below it (`down`) or above it.
 * Parallel links lead to the same neighbour, and many neighbours hold the same leaves: merging
 * sorted sets once per neighbour keeps a spine of a large fabric from sorting every core's
 * leaves over again.
 */
Leaves
Gather(const topo::FabricGraph& graph,
       std::uint32_t node,
       bool down,
       const std::vector<Leaves>& sets,
       Leaves own)
{
    const auto& links = graph.Links();
    std::vector<std::uint32_t> neighbours;
    for (auto id : graph.LinksOf(node))
    {
        const auto& link = links[id];
        if ((down ? link.upper : link.lower) == node)
        {
            neighbours.push_back(down ? link.lower : link.upper);
        }
    }
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    Leaves merged;
    for (auto neighbour : neighbours)
    {
        const auto& other = sets[neighbour];
        merged.clear();
        merged.reserve(own.size() + other.size());
        std::set_union(
            own.begin(), own.end(), other.begin(), other.end(), std::back_inserter(merged));
        own.swap(merged);
    }
    own.shrink_to_fit();
    return own;
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
            if (nodes[n].tier == tier)
            {
                below[n] = tier == topo::Tier::Leaf ? Leaves{n} : Gather(graph, n, true, below, {});
            }
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
            if (nodes[n].tier == tier)
            {
                reach[n] = Gather(graph, n, false, reach, below[n]);
            }
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
