#include "support/test-designs.h"
#include "topologies/model/bill-of-materials.h"

#include <catch2/catch.hpp>

using namespace fab::topo;
using fab::tests::UniformDesign;

namespace
{

constexpr std::uint64_t k400G = 400'000'000'000ULL;
constexpr std::uint64_t k800G = 800'000'000'000ULL;

std::uint64_t
ModulesOfSpeed(const BillOfMaterials& bom, std::uint64_t speed)
{
    std::uint64_t total = 0;
    for (const auto& line : bom.transceivers)
    {
        total += line.speedBps == speed ? line.count : 0;
    }
    return total;
}

BillOfMaterials
Bom(const Design& design)
{
    return ComputeBillOfMaterials(design, PlanFatTree(design));
}

Design
AllOptical(Design design)
{
    design.serverLeaf = {30, Media::Auto};
    design.leafSpine = {150, Media::Auto};
    design.spineCore = {400, Media::Auto};
    return design;
}

} // namespace

TEST_CASE("GPU : module ratios of non-blocking H100-class fabrics", "[topologies][bom]")
{
    // Switch-side port ends per GPU = 2L - 1; twin-port 800G modules carry two, NIC modules one.
    SECTION("2 tiers: 1.5 × 800G + 1 × 400G per GPU")
    {
        auto bom = Bom(AllOptical(UniformDesign(256, 8, 32, 2, 2)));
        REQUIRE(bom.gpus == 2048);
        REQUIRE(ModulesOfSpeed(bom, k800G) == 2048 * 3 / 2);
        REQUIRE(ModulesOfSpeed(bom, k400G) == 2048);
    }
    SECTION("3 tiers: 2.5 × 800G + 1 × 400G per GPU")
    {
        auto bom = Bom(AllOptical(UniformDesign(512, 8, 32, 2, 3)));
        REQUIRE(bom.gpus == 4096);
        REQUIRE(ModulesOfSpeed(bom, k800G) == 4096 * 5 / 2);
        REQUIRE(ModulesOfSpeed(bom, k400G) == 4096);
        REQUIRE(bom.ModulesPerGpu() == Approx(3.5));
    }
    SECTION("A100 + HDR 40-port switches, 3 tiers, single-port 200G everywhere: 1:6")
    {
        auto bom = Bom(AllOptical(UniformDesign(100, 8, 40, 1, 3, 200'000'000'000ULL)));
        REQUIRE(bom.gpus == 800);
        REQUIRE(bom.TotalTransceivers() == 800 * 6);
        REQUIRE(bom.ModulesPerGpu() == Approx(6.0));
    }
}

TEST_CASE("DGX H100 SuperPOD 4 SU: 1,536 switch modules and twin-port NIC cages",
          "[topologies][bom]")
{
    auto design = AllOptical(UniformDesign(128, 8, 32, 2, 2));
    design.servers.nicCagePorts = 2;
    auto bom = Bom(design);
    // (32 leaves + 16 spines) × 32 cages = 1,536 = 1.5 × 1,024 GPUs.
    REQUIRE(ModulesOfSpeed(bom, k800G) == 1536 + 512); // the DGX's 4 twin-port cages are 800G too
    std::uint64_t nic = 0;
    for (const auto& line : bom.transceivers)
    {
        nic += line.location == "nic" ? line.count : 0;
    }
    REQUIRE(nic == 512);
    REQUIRE(bom.Switches(Tier::Leaf)->switches == 32);
    REQUIRE(bom.Switches(Tier::Spine)->switches == 16);
    REQUIRE(bom.Links(LinkTier::LeafSpine)->links == 1024);
}

TEST_CASE("DGX B200 SuperPOD 16 SU: switch cages = 2.5 × GPUs", "[topologies][bom]")
{
    auto bom = Bom(AllOptical(UniformDesign(512, 8, 32, 2, 0)));
    std::uint64_t switchSide = 0;
    for (const auto& line : bom.transceivers)
    {
        switchSide += line.location == "nic" ? 0 : line.count;
    }
    REQUIRE(switchSide == (128 + 128 + 64) * 32);
    REQUIRE(switchSide * 2 == 4096 * 5);
}

TEST_CASE("media follow the run length", "[topologies][bom]")
{
    auto design = UniformDesign(64, 8, 32, 2, 2);
    SECTION("2 m server runs: passive splitter DACs, no modules, no power")
    {
        design.serverLeaf = {2, Media::Auto};
        auto bom = Bom(design);
        REQUIRE(bom.Links(LinkTier::ServerLeaf)->media == Media::Dac);
        REQUIRE(bom.cables[0].count == 512 / 2); // one 800G → 2 × 400G splitter per leaf cage
        REQUIRE(bom.cables[0].powerEachW == 0);
        for (const auto& line : bom.transceivers)
        {
            REQUIRE(line.location != "nic");
            REQUIRE(line.location != "leaf-down");
        }
    }
    SECTION("4 m: active copper at 1.5 W per 800G end and 0.6 W per 400G end")
    {
        design.serverLeaf = {4, Media::Auto};
        auto bom = Bom(design);
        REQUIRE(bom.Links(LinkTier::ServerLeaf)->media == Media::Acc);
        REQUIRE(bom.cables[0].powerEachW == Approx(1.5 + 2 * 0.6));
    }
    SECTION("the thresholds: 3 m DAC, 5 m ACC, 50 m MMF, 500 m SMF DR, 2 km FR")
    {
        for (auto [metres, media] : {std::pair{3.0, Media::Dac},
                                     {3.5, Media::Acc},
                                     {5.0, Media::Acc},
                                     {50.0, Media::Mmf},
                                     {51.0, Media::SmfDr},
                                     {500.0, Media::SmfDr},
                                     {2000.0, Media::SmfFr}})
        {
            design.leafSpine = {metres, Media::Auto};
            REQUIRE(Bom(design).Links(LinkTier::LeafSpine)->media == media);
        }
        design.leafSpine = {2500, Media::Auto};
        REQUIRE_FALSE(Bom(design).Links(LinkTier::LeafSpine)->reachable);
    }
}

TEST_CASE("optics power: fully optical QM9700-class leaves draw 32 × 17 W", "[topologies][bom]")
{
    auto design = UniformDesign(32, 8, 32, 2, 2);
    design.serverLeaf = {100, Media::SmfDr};
    design.leafSpine = {100, Media::SmfDr};
    auto bom = Bom(design);
    double leafOptics = 0;
    for (const auto& line : bom.transceivers)
    {
        if (line.location.rfind("leaf", 0) == 0)
        {
            leafOptics += line.count * *line.powerEachW;
        }
    }
    REQUIRE(leafOptics == Approx(8 * 32 * 17.0));
    // NIC side: 256 × 9 W; spines: 4 spines, each with all 32 cages facing the 8 leaves.
    REQUIRE(bom.OpticsPowerW() == Approx(8 * 32 * 17.0 + 256 * 9.0 + 4 * 32 * 17.0));
}

TEST_CASE("modules without a published power figure are reported, and can be given",
          "[topologies][bom]")
{
    auto design = UniformDesign(32, 8, 32, 2, 2, 800'000'000'000ULL); // 1.6T twin-port cages
    auto bom = Bom(design);
    REQUIRE(bom.UnknownPower() == std::vector<std::string>{"1.6T-mmf", "1.6T-smf-dr"});
    design.modulePowerW["1.6T-mmf"] = 25;
    design.modulePowerW["1.6T-smf-dr"] = 30;
    REQUIRE(Bom(design).UnknownPower().empty());
}

TEST_CASE("network cost share", "[topologies][bom]")
{
    auto design = AllOptical(UniformDesign(32, 8, 32, 2, 2));
    auto bom = Bom(design);
    REQUIRE_FALSE(bom.NetworkCostShare().has_value());
    design.servers.priceUsd = 100000;
    design.switchModels["sw"].priceUsd = 20000;
    design.prices.transceiverUsd = {{k400G, 500}, {k800G, 1000}};
    design.prices.cableUsd = {{Media::Mmf, 50}, {Media::SmfDr, 100}};
    bom = Bom(design);
    // 12 switches; 256 NIC + 128 leaf-down + 128 leaf-up + 128 spine-down modules; 256 + 256
    // fibres.
    double network
        = 12 * 20000.0 + 256 * 500.0 + (128 + 128 + 128) * 1000.0 + 256 * 50.0 + 256 * 100.0;
    REQUIRE(bom.NetworkCostUsd() == Approx(network));
    REQUIRE(bom.NetworkCostShare() == Approx(network / (network + 32 * 100000.0)));
}
