// NVIDIA DGX SuperPOD reference architectures: the published component counts must come out of
// the partial-fill sizing for the same GPU count and radix.
#include "support/test-designs.h"
#include "topologies/model/fat-tree-plan.h"

#include <catch2/catch.hpp>

using namespace fab::topo;
using fab::tests::UniformDesign;

namespace
{

struct Row
{
    std::uint32_t su;
    std::uint32_t leaves;
    std::uint32_t spines;
    std::uint32_t cores;
    std::uint64_t leafSpineCables;
};

} // namespace

TEST_CASE("DGX H100 SuperPOD (QM9700, SU = 32 nodes): Table 4", "[topologies][superpod]")
{
    // SU 1..4: 8/4, 16/8, 24/16 (spines provisioned for 4 SU), 32/16; 256 cables per SU.
    const Row rows[]
        = {{1, 8, 4, 0, 256}, {2, 16, 8, 0, 512}, {3, 24, 16, 0, 768}, {4, 32, 16, 0, 1024}};
    for (const auto& row : rows)
    {
        INFO(row.su << " SU");
        // 31 nodes per SU on the first (one slot serves UFM): a partial SU still gets its leaves.
        auto design = UniformDesign(row.su * 32 - 1, 8, 32, 2, 0);
        auto plan = PlanFatTree(design);
        REQUIRE(plan.tiers == 2);
        REQUIRE(plan.leaves == row.leaves);
        REQUIRE(plan.spines == row.spines);
        REQUIRE(plan.LinksPerPlane(LinkTier::LeafSpine) == row.leafSpineCables);
    }
}

TEST_CASE("DGX B200 SuperPOD (SU = 32 nodes, 64-port)", "[topologies][superpod]")
{
    const Row rows[] = {{2, 16, 8, 0, 512},
                        {4, 32, 16, 0, 1024},
                        {8, 64, 32, 0, 2048},
                        {16, 128, 128, 64, 4096},
                        {32, 256, 256, 128, 8192},
                        {64, 512, 512, 256, 16384}};
    for (const auto& row : rows)
    {
        INFO(row.su << " SU");
        auto plan = PlanFatTree(UniformDesign(row.su * 32, 8, 32, 2, 0));
        REQUIRE(plan.tiers == (row.cores == 0 ? 2u : 3u));
        REQUIRE(plan.leaves == row.leaves);
        REQUIRE(plan.spines == row.spines);
        REQUIRE(plan.cores == row.cores);
        REQUIRE(plan.LinksPerPlane(LinkTier::ServerLeaf) == std::uint64_t{row.su} * 256);
        REQUIRE(plan.LinksPerPlane(LinkTier::LeafSpine) == row.leafSpineCables);
        if (row.cores > 0)
        {
            REQUIRE(plan.LinksPerPlane(LinkTier::SpineCore) == row.leafSpineCables);
        }
    }
}

TEST_CASE("DGX B300 XDR SuperPOD (SU = 72 nodes, 144-port Quantum-X800)", "[topologies][superpod]")
{
    // 1, 2, 4, 8 SU: 8/4, 16/8, 32/18, 64/36 (the spine count divides the 72 uplinks of a leaf).
    const Row rows[]
        = {{1, 8, 4, 0, 576}, {2, 16, 8, 0, 1152}, {4, 32, 18, 0, 2304}, {8, 64, 36, 0, 4608}};
    for (const auto& row : rows)
    {
        INFO(row.su << " SU");
        auto plan = PlanFatTree(UniformDesign(row.su * 72, 8, 144, 1, 0, 800'000'000'000ULL));
        REQUIRE(plan.suServers == 72);
        REQUIRE(plan.leaves == row.leaves);
        REQUIRE(plan.spines == row.spines);
        REQUIRE(plan.LinksPerPlane(LinkTier::LeafSpine) == row.leafSpineCables);
    }
}

TEST_CASE("the general partial-fill formulas for 3 tiers", "[topologies][superpod]")
{
    // leaves = spines = ceil(2N/k), cores = ceil(N/k) whenever each core group fills whole cores.
    for (std::uint32_t pods : {2u, 4u, 16u, 64u})
    {
        std::uint64_t endpoints = std::uint64_t{pods} * 32 * 32;
        auto plan
            = PlanFatTree(UniformDesign(static_cast<std::uint32_t>(endpoints / 8), 8, 32, 2, 3));
        REQUIRE(plan.leaves == (2 * endpoints + 63) / 64);
        REQUIRE(plan.spines == (2 * endpoints + 63) / 64);
        REQUIRE(plan.cores == (endpoints + 63) / 64);
    }
}

TEST_CASE("core groups are striped symmetrically and provisioned for growth",
          "[topologies][superpod]")
{
    // 5 pods of 64-port switches: spine j of each pod has 32 uplinks. 160 links per group need
    // 3 cores, but 32 uplinks only stripe evenly over 4: the group is built for 8 pods, as
    // NVIDIA provisions 16 spines for 3 SU. The idle core ports show in the port budget.
    auto plan = PlanFatTree(UniformDesign(5 * 32 * 32 / 8, 8, 32, 2, 3));
    REQUIRE(plan.pods.size() == 5);
    REQUIRE(plan.coreGroups.size() == 32);
    for (const auto& group : plan.coreGroups)
    {
        REQUIRE(group.cores == 4);
        REQUIRE(group.linksPerSpineCore == 8);
        REQUIRE(group.pods * group.linksPerSpineCore == 40); // of 64 core ports
    }
    REQUIRE(plan.cores == 128);
}
