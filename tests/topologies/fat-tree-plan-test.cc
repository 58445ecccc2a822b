#include "support/test-designs.h"
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/fat-tree-plan.h"

#include <catch2/catch.hpp>

using namespace fab::topo;
using fab::tests::KAryDesign;
using fab::tests::UniformDesign;

TEST_CASE("smallest divisor at least", "[topologies][plan]")
{
    REQUIRE(SmallestDivisorAtLeast(32, 12) == 16);
    REQUIRE(SmallestDivisorAtLeast(72, 16) == 18);
    REQUIRE(SmallestDivisorAtLeast(72, 32) == 36);
    REQUIRE(SmallestDivisorAtLeast(32, 0) == 1);
    REQUIRE(SmallestDivisorAtLeast(32, 33) == 0);
    REQUIRE(SmallestDivisorAtLeast(7, 2) == 7);
}

TEST_CASE("port split by oversubscription", "[topologies][plan]")
{
    std::uint32_t down = 0;
    std::uint32_t up = 0;
    SplitPorts(64, 1.0, down, up);
    REQUIRE((down == 32 && up == 32));
    SplitPorts(64, 3.0, down, up);
    REQUIRE((down == 48 && up == 16));
    SplitPorts(64, 0.5, down, up); // Meta's 1:2 under-subscribed rack switch
    REQUIRE((down == 21 && up == 42));
    SplitPorts(128, 1.0, down, up);
    REQUIRE((down == 64 && up == 64));
}

TEST_CASE("full 2-tier k-ary trees: k^2/2 endpoints on k leaves and k/2 spines",
          "[topologies][plan]")
{
    for (std::uint32_t k = 4; k <= 128; k += 2)
    {
        INFO("k = " << k);
        auto plan = PlanFatTree(KAryDesign(k, 2));
        REQUIRE(plan.tiers == 2);
        REQUIRE(plan.endpointsPerPlane == std::uint64_t{k} * k / 2);
        REQUIRE(plan.leaves == k);
        REQUIRE(plan.spines == k / 2);
        REQUIRE(plan.cores == 0);
        REQUIRE(plan.SwitchesPerPlane() == 3 * k / 2);
        REQUIRE(plan.LinksPerPlane(LinkTier::ServerLeaf) == std::uint64_t{k} * k / 2);
        REQUIRE(plan.LinksPerPlane(LinkTier::LeafSpine) == std::uint64_t{k} * k / 2);
        REQUIRE(plan.MaxSwitchHops() == 3);
        // Every spine port is in use.
        REQUIRE(plan.DownPortsUsed(Tier::Spine) == std::uint64_t{plan.spines} * k);
    }
}

TEST_CASE("full 3-tier k-ary trees: k^3/4 endpoints on 5k^2/4 switches", "[topologies][plan]")
{
    for (std::uint32_t k = 4; k <= 128; k += 2)
    {
        INFO("k = " << k);
        std::uint64_t k64 = k;
        auto plan = PlanFatTree(KAryDesign(k, 3));
        REQUIRE(plan.tiers == 3);
        REQUIRE(plan.endpointsPerPlane == k64 * k64 * k64 / 4);
        REQUIRE(plan.leaves == k64 * k64 / 2);
        REQUIRE(plan.spines == k64 * k64 / 2);
        REQUIRE(plan.cores == k64 * k64 / 4);
        REQUIRE(plan.SwitchesPerPlane() == 5 * k64 * k64 / 4);
        REQUIRE(plan.pods.size() == k);
        REQUIRE(plan.coreGroups.size() == k / 2);
        for (auto tier : {LinkTier::ServerLeaf, LinkTier::LeafSpine, LinkTier::SpineCore})
        {
            REQUIRE(plan.LinksPerPlane(tier) == k64 * k64 * k64 / 4);
        }
        REQUIRE(plan.MaxSwitchHops() == 5);
    }
}

TEST_CASE("published k-ary figures", "[topologies][plan]")
{
    // Al-Fares k = 48: 27,648 hosts on 2,880 switches; k = 64: 65,536 on 5,120; k = 128: 524,288.
    REQUIRE(PlanFatTree(KAryDesign(48, 3)).SwitchesPerPlane() == 2880);
    REQUIRE(PlanFatTree(KAryDesign(48, 3)).endpointsPerPlane == 27648);
    REQUIRE(PlanFatTree(KAryDesign(64, 3)).SwitchesPerPlane() == 5120);
    REQUIRE(PlanFatTree(KAryDesign(128, 3)).endpointsPerPlane == 524288);
    REQUIRE(PlanFatTree(KAryDesign(128, 3)).SwitchesPerPlane() == 20480);
}

TEST_CASE("tiers auto picks the smallest fabric that fits", "[topologies][plan]")
{
    // 64-port: 2 tiers up to 2,048 endpoints, 3 beyond.
    REQUIRE(PlanFatTree(UniformDesign(2048, 1, 64, 1, 0)).tiers == 2);
    REQUIRE(PlanFatTree(UniformDesign(2049, 1, 64, 1, 0)).tiers == 3);
    REQUIRE(PlanFatTree(UniformDesign(65536, 1, 64, 1, 0)).tiers == 3);
}

TEST_CASE("designs beyond 3 tiers, or beyond 2 when 2 are asked for, are refused",
          "[topologies][plan]")
{
    auto placeOf = [](const Design& design)
    {
        try
        {
            PlanFatTree(design);
        }
        catch (const fab::telemetry::InputError& error)
        {
            return error.Place();
        }
        return std::string("(fits)");
    };
    REQUIRE(placeOf(UniformDesign(65537, 1, 64, 1, 0)) == "/servers/count");
    REQUIRE(placeOf(UniformDesign(65537, 1, 64, 1, 3)) == "/tiers/count");
    REQUIRE(placeOf(UniformDesign(2049, 1, 64, 1, 2)) == "/tiers/count");
    REQUIRE(placeOf(UniformDesign(65536, 1, 64, 1, 3)) == "(fits)");
}

TEST_CASE("oversubscribed leaves", "[topologies][plan]")
{
    auto design = UniformDesign(48 * 8, 1, 64, 1, 2);
    design.leaf.oversubscription = 3.0;
    auto plan = PlanFatTree(design);
    REQUIRE(plan.leafDown == 48);
    REQUIRE(plan.leafUp == 16);
    REQUIRE(plan.leaves == 8);
    // 8 leaves × 16 uplinks = 128 spine ports: 2 spines, 8 links from each leaf to each.
    REQUIRE(plan.spines == 2);
    REQUIRE(plan.pods.front().linksPerLeafSpine == 8);
}

TEST_CASE("partial fills keep every leaf reaching every spine of its pod evenly",
          "[topologies][plan]")
{
    for (std::uint32_t servers : {1u, 7u, 31u, 33u, 100u, 999u, 2047u, 3000u, 40000u, 65535u})
    {
        INFO("servers = " << servers);
        auto plan = PlanFatTree(UniformDesign(servers, 1, 64, 1, 0));
        std::uint64_t spinePortsUsed = 0;
        for (const auto& pod : plan.pods)
        {
            REQUIRE(pod.spines * pod.linksPerLeafSpine == plan.leafUp);
            REQUIRE(pod.leaves * pod.linksPerLeafSpine <= plan.spineDown);
            spinePortsUsed += std::uint64_t{pod.leaves} * plan.leafUp;
        }
        REQUIRE(spinePortsUsed == plan.LinksPerPlane(LinkTier::LeafSpine));
        for (const auto& group : plan.coreGroups)
        {
            REQUIRE(group.cores * group.linksPerSpineCore == plan.spineUp);
            REQUIRE(group.pods * group.linksPerSpineCore <= plan.coreRadix);
        }
        // Non-blocking: as much bandwidth up as down at leaves and spines.
        REQUIRE(plan.leafUp == plan.leafDown);
    }
}

TEST_CASE("rail-optimized placement: rail r of every server of an SU shares a leaf",
          "[topologies][plan]")
{
    auto design = UniformDesign(64, 8, 32, 2, 2); // 64-port leaves, 32 servers per SU
    auto plan = PlanFatTree(design);
    REQUIRE(plan.suServers == 32);
    REQUIRE(plan.leavesPerSu == 8);
    REQUIRE(plan.LeafOf(0, 3) == plan.LeafOf(31, 3));
    REQUIRE(plan.LeafOf(0, 3) != plan.LeafOf(0, 4));
    REQUIRE(plan.LeafOf(32, 3) == plan.LeafOf(0, 3) + 8);
    REQUIRE(plan.LeafDownPortOf(5, 3) == 5);
}

TEST_CASE("top-of-rack placement puts a server's ports on one leaf", "[topologies][plan]")
{
    auto design = UniformDesign(16, 8, 32, 2, 2);
    design.servers.railOptimized = false;
    auto plan = PlanFatTree(design);
    REQUIRE(plan.serversPerLeaf == 4);
    REQUIRE(plan.leaves == 4);
    REQUIRE(plan.LeafOf(5, 0) == plan.LeafOf(5, 7));
    REQUIRE(plan.LeafDownPortOf(5, 7) == 15);
}

TEST_CASE("multi-plane: each plane is the same fat-tree of its share of the ports",
          "[topologies][plan]")
{
    auto design = UniformDesign(256, 8, 32, 2, 0);
    design.servers.nics = 8;
    design.servers.nicPorts = 2;
    design.planes = 2;
    ValidateDesign(design);
    auto plan = PlanFatTree(design);
    REQUIRE(plan.railsPerPlane == 8);
    REQUIRE(plan.endpointsPerPlane == 2048);
    REQUIRE(plan.leaves == 64);
    REQUIRE(plan.spines == 32);
    REQUIRE(plan.tiers == 2);
}
