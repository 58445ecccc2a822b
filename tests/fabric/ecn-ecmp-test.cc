#include "fabric/helper/fabric-builder.h"
#include "fabric/model/ecmp-group.h"
#include "fabric/model/red-ecn-marker.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <map>
#include <ns3/simulator.h>
#include <random>
#include <set>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::UniformDesign;

TEST_CASE("RED marking probability between Kmin and Kmax", "[fabric][ecn]")
{
    RedEcnMarker red; // 400 KB / 1,600 KB / 0.2
    REQUIRE(red.Probability(400'000) == 0.0);
    REQUIRE(red.Probability(1'000'000) == Approx(0.1));
    REQUIRE(red.Probability(1'600'000) == Approx(0.2));
    REQUIRE(red.Probability(1'600'001) == 1.0);
    REQUIRE(RedEcnMarker::ForRate(400'000'000'000ULL).kmaxBytes == 6'400'000);
    // Statistical: the marked fraction at each depth is within 4 sigma of the RED line.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (std::uint64_t depth : {500'000ull, 800'000ull, 1'000'000ull, 1'400'000ull})
    {
        const int trials = 100'000;
        int marked = 0;
        for (int i = 0; i < trials; ++i)
        {
            marked += red.ShouldMark(depth, uniform(rng)) ? 1 : 0;
        }
        double p = red.Probability(depth);
        double sigma = std::sqrt(p * (1 - p) / trials);
        REQUIRE(std::abs(static_cast<double>(marked) / trials - p) < 4 * sigma);
    }
}

TEST_CASE("flow hashing spreads flows evenly over an ECMP group", "[fabric][ecmp]")
{
    ResilientEcmpGroup group({4, 5, 6, 7});
    std::map<std::uint16_t, int> count;
    const int flows = 20'000;
    for (int f = 0; f < flows; ++f)
    {
        auto hash = RoceFlowHash(0x0A000001 + f % 97,
                                 0x0A000100 + f / 97,
                                 static_cast<std::uint16_t>(0xC000 + f % 7),
                                 1 + f % 13);
        count[group.Select(MixHash(hash, 42))]++;
    }
    // Chi-square with 3 degrees of freedom: 16.27 is the 0.1% critical value.
    double chi = 0;
    for (auto [member, n] : count)
    {
        double expected = flows / 4.0;
        chi += (n - expected) * (n - expected) / expected;
    }
    REQUIRE(count.size() == 4);
    REQUIRE(chi < 16.27);
}

TEST_CASE("resilient hashing moves only the flows of a removed member", "[fabric][ecmp]")
{
    ResilientEcmpGroup group({0, 1, 2, 3});
    std::vector<std::uint16_t> before;
    for (std::uint32_t h = 0; h < 10'000; ++h)
    {
        before.push_back(group.Select(MixHash(h, 1)));
    }
    group.Remove(2);
    int moved = 0;
    for (std::uint32_t h = 0; h < 10'000; ++h)
    {
        auto now = group.Select(MixHash(h, 1));
        REQUIRE(now != 2);
        if (before[h] != 2)
        {
            REQUIRE(now == before[h]);
        }
        moved += now != before[h] ? 1 : 0;
    }
    REQUIRE(moved == std::count(before.begin(), before.end(), 2));
    group.Add(2);
    REQUIRE(std::count(group.Buckets().begin(), group.Buckets().end(), 2) == 16);
}

TEST_CASE("in the fabric, many flows use every uplink and one flow one path", "[fabric][sim][ecmp]")
{
    // k = 8 two-tier: 8 leaves of 4 servers, 4 spines; 64 flows leave leaf-0-0 for leaf-0-1.
    auto design = UniformDesign(32, 1, 8, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    for (std::uint32_t f = 0; f < 64; ++f)
    {
        RoceFlowSpec flow;
        flow.dstEndpoint = fabric.Endpoint(4 + f % 4, 0);
        flow.bytes = 20 * 4096;
        flow.destQp = 100 + f;
        flow.udpSrcPort = static_cast<std::uint16_t>(0xC000 + f);
        flow.start = MicroSeconds(1);
        fabric.Host(f % 4)->AddFlow(flow);
    }
    Simulator::Stop(MilliSeconds(5));
    Simulator::Run();
    std::vector<std::uint64_t> uplinkPackets;
    for (int port = 4; port < 8; ++port)
    {
        uplinkPackets.push_back(
            fabric.Port("leaf-0-0:" + std::to_string(port))->GetCounters().roceTx);
    }
    std::uint64_t total = 0;
    for (auto n : uplinkPackets)
    {
        REQUIRE(n > 0);
        total += n;
    }
    REQUIRE(total == 64 * 20);
    auto [lo, hi] = std::minmax_element(uplinkPackets.begin(), uplinkPackets.end());
    REQUIRE(*hi <= 3 * *lo); // 16 flows per uplink on average; no uplink starves
    Simulator::Destroy();

    // One flow: all its packets on one uplink.
    FabricBuilder single(design, options);
    RoceFlowSpec flow;
    flow.dstEndpoint = single.Endpoint(5, 0);
    flow.bytes = 50 * 4096;
    flow.start = MicroSeconds(1);
    single.Host(0)->AddFlow(flow);
    Simulator::Stop(MilliSeconds(5));
    Simulator::Run();
    int used = 0;
    for (int port = 4; port < 8; ++port)
    {
        auto n = single.Port("leaf-0-0:" + std::to_string(port))->GetCounters().roceTx;
        REQUIRE((n == 0 || n == 50));
        used += n > 0 ? 1 : 0;
    }
    REQUIRE(used == 1);
    Simulator::Destroy();
}

TEST_CASE("an incast marks ECN once the egress queue passes Kmin", "[fabric][sim][ecn]")
{
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    options.bufferBytes = 32ull << 20;
    FabricBuilder fabric(design, options);
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        RoceFlowSpec flow;
        flow.dstEndpoint = fabric.Endpoint(0, 0);
        flow.bytes = 1'000'000;
        flow.destQp = s;
        flow.start = MicroSeconds(1);
        fabric.Host(s)->AddFlow(flow);
    }
    Simulator::Stop(MilliSeconds(5));
    Simulator::Run();
    auto marked = fabric.Port("leaf-0-0:0")->GetCounters().ecnMarked;
    std::uint64_t seenMarked = 0;
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        seenMarked += fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).ecnMarked;
    }
    REQUIRE(marked > 0);
    REQUIRE(seenMarked == marked); // the receiver sees exactly the CE marks the switch made
    Simulator::Destroy();
}
