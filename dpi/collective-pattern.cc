#include "dpi/collective-pattern.h"

#include "dpi/collective-shape.h"
#include "dpi/opcode-table.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

namespace fab::dpi
{
namespace
{

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

/** Every request flow from one endpoint to another, merged; endpoints by address order. */
struct Hop
{
    std::uint32_t from{0};
    std::uint32_t to{0};
    std::uint64_t payloadBytes{0};
    std::uint64_t wireBytes{0};
    std::uint64_t packets{0};
    std::int64_t firstNs{0};
    std::int64_t lastNs{0};
    std::vector<std::uint32_t> flows;
};

/**
 * A flow that moved payload: not one of only ACKs, NAKs or CNPs. When both ends of one RC
 * connection send data, one flow carries data one way and the ACKs for the other (it has
 * `answers` set), and it counts: its payload is all data.
 */
bool
CarriesData(const RdmaFlow& flow)
{
    return flow.payloadBytes > 0 && !flow.IsResponseFlow()
           && static_cast<Transport>(flow.transport) != Transport::Cnp;
}

/**
 * Splits hops (indices into `hops`) into sets that share endpoints. `parent` has one entry per
 * endpoint, each its own index; the entries touched are put back before returning, so one
 * buffer serves every call.
 */
std::vector<std::vector<std::uint32_t>>
Connected(const std::vector<Hop>& hops,
          const std::vector<std::uint32_t>& subset,
          std::vector<std::uint32_t>& parent)
{
    auto find = [&parent](std::uint32_t x)
    {
        while (parent[x] != x)
        {
            x = parent[x] = parent[parent[x]];
        }
        return x;
    };
    for (auto h : subset)
    {
        auto a = find(hops[h].from);
        auto b = find(hops[h].to);
        if (a != b)
        {
            parent[std::max(a, b)] = std::min(a, b);
        }
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> byRoot; // (root, hop)
    byRoot.reserve(subset.size());
    for (auto h : subset)
    {
        byRoot.emplace_back(find(hops[h].from), h);
    }
    for (auto h : subset)
    {
        parent[hops[h].from] = hops[h].from;
        parent[hops[h].to] = hops[h].to;
    }
    std::stable_sort(byRoot.begin(),
                     byRoot.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::vector<std::uint32_t>> out;
    for (std::size_t i = 0; i < byRoot.size(); ++i)
    {
        if (i == 0 || byRoot[i].first != byRoot[i - 1].first)
        {
            out.emplace_back();
        }
        out.back().push_back(byRoot[i].second);
    }
    return out;
}

/** Cuts a component's hops into volume classes, see CollectiveOptions. */
std::vector<std::vector<std::uint32_t>>
VolumeClasses(const std::vector<Hop>& hops, std::vector<std::uint32_t> subset, double gap)
{
    std::stable_sort(subset.begin(),
                     subset.end(),
                     [&](auto a, auto b) { return hops[a].payloadBytes < hops[b].payloadBytes; });
    std::vector<std::vector<std::uint32_t>> classes(1);
    for (std::size_t i = 0; i < subset.size(); ++i)
    {
        if (i > 0
            && static_cast<double>(hops[subset[i]].payloadBytes)
                   > gap * static_cast<double>(hops[subset[i - 1]].payloadBytes))
        {
            classes.emplace_back();
        }
        classes.back().push_back(subset[i]);
    }
    return classes;
}

/** Cuts a volume class where no hop was busy for longer than its median hop duration. */
std::vector<std::vector<std::uint32_t>>
TimeClusters(const std::vector<Hop>& hops, std::vector<std::uint32_t> subset)
{
    std::vector<std::int64_t> durations;
    for (auto h : subset)
    {
        durations.push_back(hops[h].lastNs - hops[h].firstNs);
    }
    std::nth_element(durations.begin(), durations.begin() + durations.size() / 2, durations.end());
    std::int64_t slack = durations[durations.size() / 2];
    std::stable_sort(subset.begin(),
                     subset.end(),
                     [&](auto a, auto b) { return hops[a].firstNs < hops[b].firstNs; });
    std::vector<std::vector<std::uint32_t>> clusters;
    std::int64_t busyUntil = 0;
    for (auto h : subset)
    {
        if (clusters.empty() || hops[h].firstNs > busyUntil + slack)
        {
            clusters.emplace_back();
            busyUntil = hops[h].lastNs;
        }
        clusters.back().push_back(h);
        busyUntil = std::max(busyUntil, hops[h].lastNs);
    }
    return clusters;
}

/** The group of `subset` hops: its graph, pattern, ranks and figures. */
CollectiveGroup
MakeGroup(const std::vector<Hop>& hops,
          const std::vector<std::uint32_t>& subset,
          const std::vector<FlowAddress>& addresses,
          const CollectiveOptions& options)
{
    std::vector<std::uint32_t> endpoints;
    for (auto h : subset)
    {
        endpoints.push_back(hops[h].from);
        endpoints.push_back(hops[h].to);
    }
    std::sort(endpoints.begin(), endpoints.end());
    endpoints.erase(std::unique(endpoints.begin(), endpoints.end()), endpoints.end());
    auto local = [&endpoints](std::uint32_t endpoint)
    {
        return static_cast<std::uint32_t>(
            std::lower_bound(endpoints.begin(), endpoints.end(), endpoint) - endpoints.begin());
    };
    HopGraph g(static_cast<std::uint32_t>(endpoints.size()));
    for (auto h : subset)
    {
        g.AddHop(local(hops[h].from), local(hops[h].to), hops[h].firstNs);
    }
    g.Finish();

    CollectiveShape shape = RecogniseShape(g, options);
    CollectiveGroup group;
    group.pattern = shape.pattern;
    group.roots = shape.roots;
    group.rootEvidence = shape.rootEvidence;
    group.height = shape.height;
    std::vector<std::uint32_t> rankOf(g.n, 0);
    for (std::uint32_t r = 0; r < g.n; ++r)
    {
        rankOf[shape.order[r]] = r;
        CollectiveMember member;
        member.address = addresses[endpoints[shape.order[r]]];
        member.sendsTo = static_cast<std::uint32_t>(g.out[shape.order[r]].size());
        member.receivesFrom = static_cast<std::uint32_t>(g.in[shape.order[r]].size());
        group.members.push_back(member);
    }
    group.firstNs = std::numeric_limits<std::int64_t>::max();
    group.lastNs = std::numeric_limits<std::int64_t>::min();
    for (auto h : subset)
    {
        const Hop* hop = &hops[h];
        CollectiveEdge edge;
        edge.fromRank = rankOf[local(hop->from)];
        edge.toRank = rankOf[local(hop->to)];
        edge.payloadBytes = hop->payloadBytes;
        edge.wireBytes = hop->wireBytes;
        edge.packets = hop->packets;
        edge.flows = static_cast<std::uint32_t>(hop->flows.size());
        edge.firstNs = hop->firstNs;
        edge.lastNs = hop->lastNs;
        group.members[edge.fromRank].sentBytes += edge.payloadBytes;
        group.members[edge.toRank].receivedBytes += edge.payloadBytes;
        group.payloadBytes += edge.payloadBytes;
        group.wireBytes += edge.wireBytes;
        group.packets += edge.packets;
        group.firstNs = std::min(group.firstNs, edge.firstNs);
        group.lastNs = std::max(group.lastNs, edge.lastNs);
        group.flowIndices.insert(group.flowIndices.end(), hop->flows.begin(), hop->flows.end());
        group.edges.push_back(edge);
    }
    std::sort(group.flowIndices.begin(), group.flowIndices.end());
    std::sort(group.edges.begin(),
              group.edges.end(),
              [](const CollectiveEdge& a, const CollectiveEdge& b)
              { return std::tie(a.fromRank, a.toRank) < std::tie(b.fromRank, b.toRank); });
    std::uint64_t least = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t e = 0; e < group.edges.size(); ++e)
    {
        if (group.edges[e].payloadBytes > group.edges[group.busiestEdge].payloadBytes)
        {
            group.busiestEdge = e;
        }
        least = std::min(least, group.edges[e].payloadBytes);
    }
    group.imbalance = static_cast<double>(group.edges[group.busiestEdge].payloadBytes)
                      / static_cast<double>(least);
    DegreeStats& d = group.degrees;
    d.outMin = d.inMin = d.neighboursMin = kNone;
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        auto out = static_cast<std::uint32_t>(g.out[v].size());
        auto in = static_cast<std::uint32_t>(g.in[v].size());
        auto neighbours = static_cast<std::uint32_t>(g.nbr[v].size());
        d.outMin = std::min(d.outMin, out);
        d.outMax = std::max(d.outMax, out);
        d.inMin = std::min(d.inMin, in);
        d.inMax = std::max(d.inMax, in);
        d.neighboursMin = std::min(d.neighboursMin, neighbours);
        d.neighboursMax = std::max(d.neighboursMax, neighbours);
    }
    d.density = static_cast<double>(g.directed) / (static_cast<double>(g.n) * (g.n - 1));
    return group;
}

} // namespace

const char*
CollectivePatternName(CollectivePattern pattern)
{
    switch (pattern)
    {
        case CollectivePattern::Ring:
            return "ring";
        case CollectivePattern::BidirectionalRing:
            return "bidirectional-ring";
        case CollectivePattern::AllToAll:
            return "all-to-all";
        case CollectivePattern::Tree:
            return "tree";
        case CollectivePattern::DoubleBinaryTree:
            return "double-binary-tree";
        case CollectivePattern::Hypercube:
            return "hypercube";
        case CollectivePattern::Chain:
            return "chain";
        case CollectivePattern::Pair:
            return "pair";
        case CollectivePattern::Unrecognised:
            return "unrecognised";
    }
    return "unrecognised";
}

const char*
RootEvidenceName(RootEvidence evidence)
{
    switch (evidence)
    {
        case RootEvidence::None:
            return "none";
        case RootEvidence::Sink:
            return "sink";
        case RootEvidence::Source:
            return "source";
        case RootEvidence::Timing:
            return "timing";
        case RootEvidence::Centre:
            return "centre";
        case RootEvidence::Shape:
            return "shape";
    }
    return "none";
}

std::string
DescribeCollective(const CollectiveGroup& group)
{
    std::string n = std::to_string(group.Size());
    const DegreeStats& d = group.degrees;
    auto rankName = [&group](std::uint32_t rank)
    {
        return "rank " + std::to_string(rank) + " ("
               + FormatFlowAddress(group.members[rank].address) + ")";
    };
    switch (group.pattern)
    {
        case CollectivePattern::Ring:
            return group.Size() == 2 ? "ring of 2: the members send to each other"
                                     : "ring of " + n + ": each member sends to the next rank only";
        case CollectivePattern::BidirectionalRing:
            return "ring of " + n
                   + " used both ways: each member exchanges with its two neighbours";
        case CollectivePattern::AllToAll:
            return "all-to-all among " + n + ": " + std::to_string(group.edges.size()) + " of "
                   + std::to_string(group.Size() * (group.Size() - 1))
                   + " ordered pairs exchange data";
        case CollectivePattern::Tree:
            return "tree of " + n + " rooted at " + rankName(0) + ", told by "
                   + RootEvidenceName(group.rootEvidence) + "; height "
                   + std::to_string(group.height);
        case CollectivePattern::DoubleBinaryTree:
            return "double binary tree of " + n + " with roots " + rankName(group.roots.at(0))
                   + " and " + rankName(group.roots.at(1)) + "; height "
                   + std::to_string(group.height);
        case CollectivePattern::Hypercube:
            return "hypercube of " + n + ": " + std::to_string(d.neighboursMax)
                   + " partners each, differing in one rank bit (halving-doubling)";
        case CollectivePattern::Chain:
            return "chain of " + n + " stages, "
                   + (group.edges.size() + 1 == group.Size() ? "one way" : "both ways");
        case CollectivePattern::Pair:
            return "one sender to one receiver";
        case CollectivePattern::Unrecognised:
            break;
    }
    return n + " members, " + std::to_string(group.edges.size()) + " hops: out-degree "
           + std::to_string(d.outMin) + "-" + std::to_string(d.outMax) + ", in-degree "
           + std::to_string(d.inMin) + "-" + std::to_string(d.inMax) + ", neighbours "
           + std::to_string(d.neighboursMin) + "-" + std::to_string(d.neighboursMax) + ", density "
           + std::to_string(static_cast<int>(d.density * 100 + 0.5)) + "%";
}

bool
AddressLess(const FlowAddress& a, const FlowAddress& b)
{
    return std::tie(a.lid, a.bytes) < std::tie(b.lid, b.bytes);
}

std::vector<CollectiveGroup>
FindCollectives(const RdmaFlows& flows, const CollectiveOptions& options)
{
    std::vector<FlowAddress> addresses;
    for (const auto& flow : flows)
    {
        if (CarriesData(flow))
        {
            addresses.push_back(flow.key.source);
            addresses.push_back(flow.key.destination);
        }
    }
    std::sort(addresses.begin(), addresses.end(), AddressLess);
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    auto endpointOf = [&addresses](const FlowAddress& address)
    {
        return static_cast<std::uint32_t>(
            std::lower_bound(addresses.begin(), addresses.end(), address, AddressLess)
            - addresses.begin());
    };

    // (from, to, flow) sorted: the flows of each hop side by side, hops in endpoint order.
    std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> ends;
    for (std::size_t i = 0; i < flows.size(); ++i)
    {
        const RdmaFlow& flow = flows[i];
        if (!CarriesData(flow))
        {
            continue;
        }
        std::uint32_t from = endpointOf(flow.key.source);
        std::uint32_t to = endpointOf(flow.key.destination);
        if (from != to)
        {
            ends.emplace_back(from, to, static_cast<std::uint32_t>(i));
        }
    }
    std::sort(ends.begin(), ends.end());
    std::vector<Hop> hops;
    for (std::size_t e = 0; e < ends.size(); ++e)
    {
        auto [from, to, i] = ends[e];
        const RdmaFlow& flow = flows[i];
        if (e == 0 || std::get<0>(ends[e - 1]) != from || std::get<1>(ends[e - 1]) != to)
        {
            Hop& hop = hops.emplace_back();
            hop.from = from;
            hop.to = to;
            hop.firstNs = flow.firstNs;
            hop.lastNs = flow.lastNs;
        }
        Hop& hop = hops.back();
        hop.payloadBytes += flow.payloadBytes;
        hop.wireBytes += flow.bytes;
        hop.packets += flow.packets;
        hop.firstNs = std::min(hop.firstNs, flow.firstNs);
        hop.lastNs = std::max(hop.lastNs, flow.lastNs);
        hop.flows.push_back(i);
    }
    std::vector<std::uint32_t> all(hops.size());
    std::iota(all.begin(), all.end(), 0u);
    std::vector<std::uint32_t> parent(addresses.size());
    std::iota(parent.begin(), parent.end(), 0u);

    std::vector<CollectiveGroup> groups;
    std::vector<std::uint32_t> lowestEndpoint;
    for (const auto& component : Connected(hops, all, parent))
    {
        for (const auto& volume : VolumeClasses(hops, component, options.volumeGap))
        {
            for (const auto& cluster : TimeClusters(hops, volume))
            {
                for (const auto& subset : Connected(hops, cluster, parent))
                {
                    std::uint32_t lowest = kNone;
                    for (auto h : subset)
                    {
                        lowest = std::min({lowest, hops[h].from, hops[h].to});
                    }
                    groups.push_back(MakeGroup(hops, subset, addresses, options));
                    lowestEndpoint.push_back(lowest);
                }
            }
        }
    }
    std::vector<std::size_t> order(groups.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(),
                     order.end(),
                     [&](std::size_t a, std::size_t b)
                     {
                         if (groups[a].payloadBytes != groups[b].payloadBytes)
                         {
                             return groups[a].payloadBytes > groups[b].payloadBytes;
                         }
                         return lowestEndpoint[a] < lowestEndpoint[b];
                     });
    std::vector<CollectiveGroup> sorted;
    for (auto i : order)
    {
        sorted.push_back(std::move(groups[i]));
    }
    return sorted;
}

} // namespace fab::dpi
