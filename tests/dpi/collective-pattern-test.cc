// Collective patterns from flow lists: rings, rings both ways, All-to-All meshes, trees, NCCL's
// double binary tree, hypercubes, chains and pairs, with their ranks; jobs, noise and phases
// told apart; what is not a pattern is not called one; the pictures of groups.
#include "dpi/collective-pattern.h"
#include "dpi/collective-shape.h"
#include "dpi/collective-view.h"
#include "dpi/opcode-table.h"
#include "telemetry/model/report.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

using namespace fab::dpi;

namespace
{

constexpr std::uint64_t kMiB = 1 << 20;

/** Host i is 10.0.0.(i + 1): address order is index order. */
FlowAddress
Host(std::uint32_t i)
{
    return {MakeIpv4Address(0x0A000001u + i), false};
}

std::uint32_t
HostIndex(const FlowAddress& address)
{
    return Ipv4Of(address.bytes) - 0x0A000001u;
}

/** A list of request flows, as the flow table would hold them. */
struct FlowList
{
    RdmaFlows flows;
    std::uint32_t nextQp{0x100};

    RdmaFlow& Add(std::uint32_t src,
                  std::uint32_t dst,
                  std::uint64_t payload,
                  std::int64_t firstNs = 1'000,
                  std::int64_t lastNs = 1'000'000)
    {
        RdmaFlow& flow = flows.emplace_back();
        flow.key = {Host(src), Host(dst), nextQp++};
        flow.transport = static_cast<std::uint8_t>(Transport::Rc);
        flow.payloadBytes = payload;
        flow.packets = std::max<std::uint64_t>(1, payload / 4096);
        flow.bytes = payload + flow.packets * 78;
        flow.messages = flow.packets;
        flow.firstNs = firstNs;
        flow.lastNs = lastNs;
        return flow;
    }

    std::vector<CollectiveGroup> Groups() const { return FindCollectives(flows); }
};

std::vector<std::uint32_t>
Shuffled(std::uint32_t n, std::uint32_t seed, std::uint32_t offset = 0)
{
    std::vector<std::uint32_t> hosts(n);
    std::iota(hosts.begin(), hosts.end(), offset);
    std::mt19937 random(seed);
    std::shuffle(hosts.begin(), hosts.end(), random);
    return hosts;
}

std::vector<std::uint32_t>
HostsByRank(const CollectiveGroup& group)
{
    std::vector<std::uint32_t> hosts;
    for (const auto& m : group.members)
    {
        hosts.push_back(HostIndex(m.address));
    }
    return hosts;
}

const CollectiveEdge*
EdgeBetween(const CollectiveGroup& group, std::uint32_t from, std::uint32_t to)
{
    for (const auto& e : group.edges)
    {
        if (e.fromRank == from && e.toRank == to)
        {
            return &e;
        }
    }
    return nullptr;
}

/** The parents of a heap-shaped binary tree of n nodes (node k under (k − 1) / 2). */
std::vector<std::uint32_t>
HeapParents(std::uint32_t n)
{
    std::vector<std::uint32_t> parent(n, 0);
    for (std::uint32_t k = 1; k < n; ++k)
    {
        parent[k] = (k - 1) / 2;
    }
    return parent;
}

std::uint32_t
Depth(const std::vector<std::uint32_t>& parent, std::uint32_t k)
{
    std::uint32_t depth = 0;
    for (; k != 0; k = parent[k])
    {
        ++depth;
    }
    return depth;
}

} // namespace

TEST_CASE("a ring in shuffled order is a ring; rank 0 is its lowest address, ranks follow it",
          "[dpi][collective]")
{
    auto n = GENERATE(2u, 3u, 4u, 5u, 8u, 16u, 33u, 64u);
    auto channels = GENERATE(1u, 4u);
    // The ring visits hosts 100..100 + n − 1 in a shuffled order; flows are listed shuffled too.
    auto ring = Shuffled(n, n * 7 + channels, 100);
    FlowList list;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> hops;
    for (std::uint32_t i = 0; i < n; ++i)
    {
        for (std::uint32_t c = 0; c < channels; ++c)
        {
            hops.emplace_back(i, c);
        }
    }
    std::shuffle(hops.begin(), hops.end(), std::mt19937(n));
    for (auto [i, c] : hops)
    {
        list.Add(ring[i], ring[(i + 1) % n], 2 * kMiB / channels, 1'000 + c, 900'000 + i);
    }
    auto groups = list.Groups();
    INFO("n = " << n << ", channels = " << channels);
    REQUIRE(groups.size() == 1);
    const auto& g = groups[0];
    REQUIRE(g.pattern == CollectivePattern::Ring);
    REQUIRE(g.Size() == n);
    REQUIRE(g.edges.size() == n);
    // The order of the ring, rotated to start at the lowest address.
    auto start = std::min_element(ring.begin(), ring.end()) - ring.begin();
    std::vector<std::uint32_t> expected;
    for (std::uint32_t k = 0; k < n; ++k)
    {
        expected.push_back(ring[(start + k) % n]);
    }
    REQUIRE(HostsByRank(g) == expected);
    for (std::uint32_t r = 0; r < n; ++r)
    {
        const auto* e = EdgeBetween(g, r, (r + 1) % n);
        REQUIRE(e != nullptr);
        REQUIRE(e->flows == channels);
        REQUIRE(e->payloadBytes == 2 * kMiB / channels * channels);
        REQUIRE(g.members[r].sendsTo == 1);
        REQUIRE(g.members[r].receivesFrom == 1);
    }
    REQUIRE(g.payloadBytes == n * (2 * kMiB / channels) * channels);
    REQUIRE(g.flowIndices.size() == n * channels);
    REQUIRE(g.imbalance == 1.0);
    REQUIRE(g.firstNs == 1'000);
    REQUIRE(g.lastNs == 900'000 + n - 1);
}

TEST_CASE("a ring whose hops go both ways is a bidirectional ring", "[dpi][collective]")
{
    auto n = GENERATE(4u, 6u, 9u);
    auto ring = Shuffled(n, 3);
    FlowList list;
    for (std::uint32_t i = 0; i < n; ++i)
    {
        list.Add(ring[i], ring[(i + 1) % n], kMiB);
        list.Add(ring[(i + 1) % n], ring[i], kMiB);
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    const auto& g = groups[0];
    REQUIRE(g.pattern == CollectivePattern::BidirectionalRing);
    REQUIRE(g.edges.size() == 2 * n);
    auto hosts = HostsByRank(g);
    REQUIRE(hosts[0] == 0);
    // Each rank neighbours the ranks before and after it, and rank 1 is the lower-address
    // neighbour of rank 0.
    for (std::uint32_t r = 0; r < n; ++r)
    {
        REQUIRE(EdgeBetween(g, r, (r + 1) % n) != nullptr);
        REQUIRE(EdgeBetween(g, (r + 1) % n, r) != nullptr);
    }
    REQUIRE(hosts[1] < hosts[n - 1]);
}

TEST_CASE("every ordered pair exchanging data is an All-to-All mesh", "[dpi][collective]")
{
    const std::uint32_t n = 8;
    auto hosts = Shuffled(n, 11, 40);
    FlowList list;
    std::uint32_t skip = GENERATE(0u, 1u, 5u, 6u);
    // Hops left out, none of them from hosts[7], the busiest sender.
    const std::set<std::pair<std::uint32_t, std::uint32_t>> missing[]
        = {{},
           {{0, 1}},
           {{0, 1}, {2, 5}, {3, 6}, {4, 0}, {5, 3}},
           {{0, 1}, {2, 5}, {3, 6}, {4, 0}, {5, 3}, {6, 2}}};
    const auto& left = missing[skip == 0 ? 0 : skip == 1 ? 1 : skip == 5 ? 2 : 3];
    for (std::uint32_t a = 0; a < n; ++a)
    {
        for (std::uint32_t b = 0; b < n; ++b)
        {
            if (a != b && left.count({a, b}) == 0)
            {
                list.Add(hosts[a], hosts[b], kMiB + 4096 * a);
            }
        }
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    const auto& g = groups[0];
    REQUIRE(g.edges.size() == n * (n - 1) - skip);
    if (skip <= 5) // at least 90 % of the 56 ordered pairs
    {
        REQUIRE(g.pattern == CollectivePattern::AllToAll);
        std::vector<std::uint32_t> sorted(hosts.begin(), hosts.end());
        std::sort(sorted.begin(), sorted.end());
        REQUIRE(HostsByRank(g) == sorted);
        REQUIRE(g.degrees.density == Approx((56.0 - skip) / 56.0));
        REQUIRE(g.imbalance == Approx((kMiB + 4096.0 * 7) / kMiB));
        const auto& busiest = g.edges[g.busiestEdge];
        REQUIRE(HostIndex(g.members[busiest.fromRank].address) == hosts[7]);
    }
    else
    {
        REQUIRE(g.pattern == CollectivePattern::Unrecognised);
    }
}

TEST_CASE("a binary tree: its root is named from the directions or from the timing",
          "[dpi][collective]")
{
    auto n = GENERATE(7u, 15u);
    auto parent = HeapParents(n);
    std::uint32_t height = Depth(parent, n - 1);
    // Node k of the tree is host place[k]; the root is not the lowest address.
    auto place = Shuffled(n, n);
    if (place[0] == 0)
    {
        std::swap(place[0], place[1]);
    }
    FlowList list;
    auto direction = GENERATE(0, 1, 2); // reduce, broadcast, reduce then broadcast
    for (std::uint32_t k = 1; k < n; ++k)
    {
        std::uint32_t d = Depth(parent, k);
        // One step per level, as a tree reduce and broadcast run: a node at depth d sends up at
        // step H − d and hears from its parent at step H + d − 1.
        std::int64_t upNs = 1'000 * (height - d);
        std::int64_t downNs = 1'000 * (height + d - 1);
        if (direction != 1)
        {
            list.Add(place[k], place[parent[k]], kMiB, upNs, upNs + 900);
        }
        if (direction != 0)
        {
            list.Add(place[parent[k]], place[k], kMiB, downNs, downNs + 900);
        }
    }
    auto groups = list.Groups();
    INFO("n = " << n << ", direction " << direction);
    REQUIRE(groups.size() == 1);
    const auto& g = groups[0];
    REQUIRE(g.pattern == CollectivePattern::Tree);
    REQUIRE(g.roots == std::vector<std::uint32_t>{0});
    REQUIRE(HostIndex(g.members[0].address) == place[0]);
    REQUIRE(g.rootEvidence
            == (direction == 0   ? RootEvidence::Sink
                : direction == 1 ? RootEvidence::Source
                                 : RootEvidence::Timing));
    REQUIRE(g.height == height);
    // Ranks are breadth first: depth never decreases with the rank.
    std::map<std::uint32_t, std::uint32_t> nodeOfHost;
    for (std::uint32_t k = 0; k < n; ++k)
    {
        nodeOfHost[place[k]] = k;
    }
    auto hosts = HostsByRank(g);
    for (std::uint32_t r = 1; r < n; ++r)
    {
        REQUIRE(Depth(parent, nodeOfHost[hosts[r - 1]]) <= Depth(parent, nodeOfHost[hosts[r]]));
    }
}

TEST_CASE("a tree both ways without telling timing falls back to its centre", "[dpi][collective]")
{
    // A star of 5 around host 3: every hop both ways, all at once.
    FlowList list;
    for (std::uint32_t leaf : {0u, 1u, 2u, 4u, 5u})
    {
        list.Add(3, leaf, kMiB);
        list.Add(leaf, 3, kMiB);
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    REQUIRE(groups[0].pattern == CollectivePattern::Tree);
    REQUIRE(groups[0].rootEvidence == RootEvidence::Centre);
    REQUIRE(HostIndex(groups[0].members[0].address) == 3);
    REQUIRE(groups[0].height == 1);
}

TEST_CASE("NCCL's double binary tree: the shape, its two roots and its ranks", "[dpi][collective]")
{
    SECTION("the trees over 8 ranks are NCCL's")
    {
        auto parents = DoubleBinaryTreeParents(8);
        REQUIRE(parents[0] == std::vector<std::uint32_t>{0, 2, 4, 2, 0, 6, 4, 6});
        REQUIRE(parents[1] == std::vector<std::uint32_t>{1, 3, 1, 7, 5, 3, 5, 7});
    }
    auto n = GENERATE(4u, 5u, 8u, 9u, 10u, 16u, 31u);
    auto parents = DoubleBinaryTreeParents(n);
    // Rank r runs on host place[r]; every tree edge carries the reduce up and the broadcast down.
    auto place = Shuffled(n, 5 * n);
    std::set<std::pair<std::uint32_t, std::uint32_t>> hops;
    for (const auto& parent : parents)
    {
        for (std::uint32_t r = 0; r < n; ++r)
        {
            if (parent[r] != r)
            {
                hops.emplace(r, parent[r]);
                hops.emplace(parent[r], r);
            }
        }
    }
    FlowList list;
    for (auto [a, b] : hops)
    {
        list.Add(place[a], place[b], kMiB);
    }
    auto groups = list.Groups();
    INFO("n = " << n);
    REQUIRE(groups.size() == 1);
    const auto& g = groups[0];
    REQUIRE(g.pattern == CollectivePattern::DoubleBinaryTree);
    REQUIRE(g.rootEvidence == RootEvidence::Shape);
    REQUIRE(g.roots == std::vector<std::uint32_t>{0, n % 2 == 0 ? n - 1 : 1});
    // In rank space the hops are the two trees' edges, both ways.
    for (auto [a, b] : hops)
    {
        REQUIRE(EdgeBetween(g, a, b) != nullptr);
    }
    REQUIRE(g.edges.size() == hops.size());
    // Where the union has no symmetry but the mirror of even n, which swaps the two trees, the
    // ranks are the ones the flows were made with (the mirror when it starts lower).
    auto hosts = HostsByRank(g);
    std::vector<std::uint32_t> mirrored(place.rbegin(), place.rend());
    if (n == 8 || n == 16)
    {
        REQUIRE(hosts == (place[n - 1] < place[0] ? mirrored : place));
    }
    if (n == 9 || n == 31)
    {
        REQUIRE(hosts == place);
    }
}

TEST_CASE("halving-doubling partners form a hypercube", "[dpi][collective]")
{
    auto n = GENERATE(8u, 16u, 32u);
    auto place = Shuffled(n, n + 1);
    FlowList list;
    for (std::uint32_t r = 0; r < n; ++r)
    {
        for (std::uint32_t bit = 1; bit < n; bit <<= 1)
        {
            list.Add(place[r], place[r ^ bit], kMiB / bit);
        }
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    const auto& g = groups[0];
    REQUIRE(g.pattern == CollectivePattern::Hypercube);
    REQUIRE(HostIndex(g.members[0].address) == 0);
    for (const auto& e : g.edges)
    {
        std::uint32_t flipped = e.fromRank ^ e.toRank;
        REQUIRE(flipped != 0);
        REQUIRE((flipped & (flipped - 1)) == 0);
    }
    REQUIRE(g.imbalance == Approx(n / 2.0));
}

TEST_CASE("pipeline stages form a chain; its first stage is rank 0", "[dpi][collective]")
{
    std::vector<std::uint32_t> stages{5, 2, 7, 1}; // stage s on host stages[s]
    FlowList list;
    bool bothWays = GENERATE(false, true);
    for (std::uint32_t s = 0; s + 1 < stages.size(); ++s)
    {
        // Activations go forward first; gradients come back later.
        list.Add(stages[s], stages[s + 1], 4 * kMiB, 1'000 + 100 * s, 50'000);
        if (bothWays)
        {
            list.Add(stages[s + 1], stages[s], 4 * kMiB, 10'000 - 100 * s, 60'000);
        }
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    REQUIRE(groups[0].pattern == CollectivePattern::Chain);
    REQUIRE(HostsByRank(groups[0]) == stages);
    REQUIRE(groups[0].edges.size() == (bothWays ? 6 : 3));
}

TEST_CASE("one flow is a pair; rank 0 sends", "[dpi][collective]")
{
    FlowList list;
    list.Add(9, 4, kMiB);
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    REQUIRE(groups[0].pattern == CollectivePattern::Pair);
    REQUIRE(HostsByRank(groups[0]) == std::vector<std::uint32_t>{9, 4});
    REQUIRE(DescribeCollective(groups[0]) == "one sender to one receiver");
}

TEST_CASE("two jobs in one capture are two groups, largest first", "[dpi][collective]")
{
    FlowList list;
    auto ring = Shuffled(8, 1);
    for (std::uint32_t a = 20; a < 24; ++a)
    {
        for (std::uint32_t b = 20; b < 24; ++b)
        {
            if (a != b)
            {
                list.Add(a, b, kMiB);
            }
        }
        list.Add(ring[a - 20], ring[(a - 20 + 1) % 8], 16 * kMiB);
        list.Add(ring[a - 16], ring[(a - 16 + 1) % 8], 16 * kMiB);
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 2);
    REQUIRE(groups[0].pattern == CollectivePattern::Ring);
    REQUIRE(groups[0].Size() == 8);
    REQUIRE(groups[1].pattern == CollectivePattern::AllToAll);
    REQUIRE(HostsByRank(groups[1]) == std::vector<std::uint32_t>{20, 21, 22, 23});
}

TEST_CASE("noise, responses and CNPs do not blur a ring", "[dpi][collective]")
{
    const std::uint32_t n = 8;
    auto ring = Shuffled(n, 8);
    FlowList list;
    for (std::uint32_t i = 0; i < n; ++i)
    {
        list.Add(ring[i], ring[(i + 1) % n], 64 * kMiB);
    }
    // Small control messages between members and to an outsider, during the collective.
    list.Add(ring[0], ring[4], 4096, 2'000, 3'000);
    list.Add(ring[5], ring[2], 512, 5'000, 5'000);
    list.Add(ring[3], 30, 8192, 7'000, 9'000);
    list.Add(30, ring[6], 256, 8'000, 8'000);
    // The ring's ACKs and CNPs go back on flows of their own; a READ request carries nothing.
    for (std::uint32_t i = 0; i < n; ++i)
    {
        RdmaFlow& ack = list.Add(ring[(i + 1) % n], ring[i], 0);
        ack.messages = 0;
        ack.acks = 100;
        ack.answers = i;
    }
    RdmaFlow& cnps = list.Add(ring[2], ring[1], 0);
    cnps.messages = 0;
    cnps.cnps = 5;
    cnps.transport = static_cast<std::uint8_t>(Transport::Cnp);
    RdmaFlow& read = list.Add(ring[1], ring[6], 0);
    read.messages = 1;
    auto groups = list.Groups();
    REQUIRE(groups.size() >= 2);
    const auto& g = groups[0];
    REQUIRE(g.pattern == CollectivePattern::Ring);
    REQUIRE(g.Size() == n);
    REQUIRE(g.flowIndices == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
    std::uint64_t noise = 0;
    for (std::size_t k = 1; k < groups.size(); ++k)
    {
        REQUIRE(groups[k].payloadBytes < 64 * kMiB);
        noise += groups[k].payloadBytes;
    }
    REQUIRE(noise == 4096 + 512 + 8192 + 256);
}

TEST_CASE("a flow that carries data and the ACKs of the other way counts", "[dpi][collective]")
{
    // Both ends of each RC connection send: the flows back carry data to the requester's QP and
    // the ACKs for its data, so the flow table ties them to the flows they answer.
    const std::uint32_t n = 4;
    FlowList list;
    for (std::uint32_t i = 0; i < n; ++i)
    {
        list.Add(i, (i + 1) % n, kMiB);
        RdmaFlow& back = list.Add((i + 1) % n, i, kMiB);
        back.acks = 256;
        back.answers = 2 * i;
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 1);
    REQUIRE(groups[0].pattern == CollectivePattern::BidirectionalRing);
    REQUIRE(groups[0].payloadBytes == 2 * n * kMiB);
}

TEST_CASE("what is almost a ring is not called one", "[dpi][collective]")
{
    const std::uint32_t n = 8;
    auto ring = Shuffled(n, 21);
    FlowList list;
    SECTION("one hop missing: a chain")
    {
        for (std::uint32_t i = 0; i + 1 < n; ++i)
        {
            list.Add(ring[i], ring[i + 1], kMiB);
        }
        auto groups = list.Groups();
        REQUIRE(groups.size() == 1);
        REQUIRE(groups[0].pattern == CollectivePattern::Chain);
        REQUIRE(HostIndex(groups[0].members[0].address) == ring[0]);
    }
    SECTION("a chord as large as the hops: unrecognised, with degrees")
    {
        for (std::uint32_t i = 0; i < n; ++i)
        {
            list.Add(ring[i], ring[(i + 1) % n], kMiB);
        }
        list.Add(ring[0], ring[4], kMiB);
        auto groups = list.Groups();
        REQUIRE(groups.size() == 1);
        const auto& g = groups[0];
        REQUIRE(g.pattern == CollectivePattern::Unrecognised);
        REQUIRE(g.degrees.outMin == 1);
        REQUIRE(g.degrees.outMax == 2);
        REQUIRE(g.degrees.inMax == 2);
        REQUIRE(DescribeCollective(g).find("9 hops") != std::string::npos);
    }
    SECTION("two rings sharing no member are two rings")
    {
        for (std::uint32_t i = 0; i < 4; ++i)
        {
            list.Add(ring[i], ring[(i + 1) % 4], kMiB);
            list.Add(ring[4 + i], ring[4 + (i + 1) % 4], kMiB);
        }
        auto groups = list.Groups();
        REQUIRE(groups.size() == 2);
        REQUIRE(groups[0].pattern == CollectivePattern::Ring);
        REQUIRE(groups[1].pattern == CollectivePattern::Ring);
        REQUIRE(groups[0].Size() == 4);
    }
}

TEST_CASE("collectives at different times over the same hosts are separate groups",
          "[dpi][collective]")
{
    const std::uint32_t n = 6;
    FlowList list;
    for (std::uint32_t i = 0; i < n; ++i)
    {
        // Forward ring busy 0-1 ms; after 9 ms of compute, a ring the other way for 1 ms.
        list.Add(i, (i + 1) % n, kMiB, 1'000 + i, 1'000'000);
        list.Add((i + 1) % n, i, kMiB, 10'000'000 + i, 11'000'000);
    }
    auto groups = list.Groups();
    REQUIRE(groups.size() == 2);
    for (const auto& g : groups)
    {
        REQUIRE(g.pattern == CollectivePattern::Ring);
        REQUIRE(g.Size() == n);
    }
    REQUIRE(groups[0].lastNs == 1'000'000);
    REQUIRE(groups[1].firstNs == 10'000'000);
    REQUIRE(HostsByRank(groups[1]) == std::vector<std::uint32_t>{0, 5, 4, 3, 2, 1});
}

TEST_CASE("the same flows listed in any order give the same groups", "[dpi][collective]")
{
    FlowList list;
    auto ring = Shuffled(12, 4);
    for (std::uint32_t i = 0; i < 12; ++i)
    {
        list.Add(ring[i], ring[(i + 1) % 12], kMiB * (1 + i % 3), 1'000 * i, 2'000'000);
        list.Add(ring[i], 50 + i % 2, 1000 + i, 1'000, 2'000);
    }
    auto before = list.Groups();
    std::reverse(list.flows.begin(), list.flows.end());
    auto after = list.Groups();
    REQUIRE(before.size() == after.size());
    for (std::size_t k = 0; k < before.size(); ++k)
    {
        REQUIRE(before[k].pattern == after[k].pattern);
        REQUIRE(HostsByRank(before[k]) == HostsByRank(after[k]));
        REQUIRE(before[k].edges.size() == after[k].edges.size());
        for (std::size_t e = 0; e < before[k].edges.size(); ++e)
        {
            REQUIRE(before[k].edges[e].fromRank == after[k].edges[e].fromRank);
            REQUIRE(before[k].edges[e].toRank == after[k].edges[e].toRank);
            REQUIRE(before[k].edges[e].payloadBytes == after[k].edges[e].payloadBytes);
        }
    }
    REQUIRE(before[0].pattern == CollectivePattern::Ring);
    REQUIRE(before[0].imbalance == Approx(3.0));
}

TEST_CASE("no request flows, no groups", "[dpi][collective]")
{
    FlowList list;
    REQUIRE(list.Groups().empty());
    RdmaFlow& ack = list.Add(1, 2, 0);
    ack.messages = 0;
    ack.acks = 3;
    REQUIRE(list.Groups().empty());
}

TEST_CASE("the picture of a group: a member per circle, an arrow per hop", "[dpi][collective]")
{
    auto count = [](const std::string& text, const std::string& what)
    {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        {
            ++n;
        }
        return n;
    };
    SECTION("an even ring: no hop stands out")
    {
        FlowList list;
        for (std::uint32_t i = 0; i < 6; ++i)
        {
            list.Add(i, (i + 1) % 6, kMiB);
        }
        auto g = list.Groups().at(0);
        auto svg = CollectiveSvg(g, "g1");
        REQUIRE(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
        REQUIRE(svg.size() > 6);
        REQUIRE(svg.substr(svg.size() - 6) == "</svg>");
        REQUIRE(count(svg, "<circle") == 6);
        REQUIRE(count(svg, "marker-end=\"url(#g1-hop)\"") == 6);
        REQUIRE(count(svg, "stroke=\"#D55E00\"") == 0);
        REQUIRE(count(svg, "10.0.0.") >= 6); // addresses written next to the members
        auto text = CollectiveText(g);
        REQUIRE(text.rfind("ring of 6: each member sends to the next rank only\n", 0) == 0);
        REQUIRE(text.find("r0 10.0.0.1 -> r1 (1 MiB)\n") != std::string::npos);
    }
    SECTION("a tree: its root filled, its busiest hop orange")
    {
        FlowList list;
        auto parent = HeapParents(15);
        for (std::uint32_t k = 1; k < 15; ++k)
        {
            list.Add(k, parent[k], k == 9 ? 4 * kMiB : kMiB);
        }
        auto g = list.Groups().at(0);
        REQUIRE(g.pattern == CollectivePattern::Tree);
        auto svg = CollectiveSvg(g, "t");
        REQUIRE(count(svg, "<circle") == 15);
        REQUIRE(count(svg, "fill=\"#E69F00\"") == 1);
        REQUIRE(count(svg, "marker-end=") == 14);
        REQUIRE(count(svg, "stroke=\"#D55E00\"") == 1);
        REQUIRE(count(svg, "marker-end=\"url(#t-busiest)\"") == 1);
    }
    SECTION("a mesh of 64: the largest hops are drawn, every member is")
    {
        FlowList list;
        for (std::uint32_t a = 0; a < 64; ++a)
        {
            for (std::uint32_t b = 0; b < 64; ++b)
            {
                if (a != b)
                {
                    list.Add(a, b, kMiB);
                }
            }
        }
        auto g = list.Groups().at(0);
        REQUIRE(g.pattern == CollectivePattern::AllToAll);
        auto svg = CollectiveSvg(g, "m");
        REQUIRE(count(svg, "<circle") == 64);
        REQUIRE(count(svg, "marker-end=") == kMaxDrawnHops);
        REQUIRE(count(svg, "10.0.0.") == 2 * kMaxDrawnHops + 64); // tooltips only
        auto text = CollectiveText(g);
        REQUIRE(text.find("(51 more)") != std::string::npos);
    }
}

TEST_CASE("a figure is embedded in HTML and written as text in Markdown", "[dpi][collective]")
{
    namespace tel = fab::telemetry;
    tel::Report report;
    report.title = "t";
    tel::Section section{"Collectives", {}};
    section.blocks.emplace_back(tel::Figure{"Group 1 <ring>", "<svg><circle/></svg>", "a < b\n"});
    report.sections.push_back(section);
    auto html = tel::RenderHtml(report);
    REQUIRE(html.find("<figcaption>Group 1 &lt;ring&gt;</figcaption>") != std::string::npos);
    REQUIRE(html.find("<svg><circle/></svg>") != std::string::npos);
    REQUIRE(html.find("<pre>a &lt; b\n</pre>") != std::string::npos);
    auto markdown = tel::RenderMarkdown(report);
    REQUIRE(markdown.find("**Group 1 <ring>**\n\n```text\na < b\n```\n") != std::string::npos);
}
