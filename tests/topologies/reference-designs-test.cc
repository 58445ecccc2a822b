#include "topologies/model/design-review.h"
#include "topologies/model/reference-designs.h"

#include <catch2/catch.hpp>

using namespace fab::topo;

namespace
{

DesignReview
Review(const std::string& name)
{
    return ReviewDesign(LoadReferenceDesign(name), DefaultDesignRules());
}

} // namespace

TEST_CASE("the reference designs are embedded and all review", "[topologies][designs]")
{
    auto names = ReferenceDesignNames();
    REQUIRE(names.size() >= 4);
    for (const auto& name : names)
    {
        INFO(name);
        auto review = Review(name);
        REQUIRE(review.bom.TotalSwitches() > 0);
        REQUIRE(review.graph.has_value());
    }
}

TEST_CASE("the 64-port 3-tier fabric: 65,536 GPUs on 5,120 switches", "[topologies][designs]")
{
    auto review = Review("fat-tree-k64");
    auto json = ReviewToJson(review);
    REQUIRE(json["endpoints"] == 65536);
    REQUIRE(json["switches_by_tier"]["leaf"] == 2048);
    REQUIRE(json["switches_by_tier"]["spine"] == 2048);
    REQUIRE(json["switches_by_tier"]["core"] == 1024);
    REQUIRE(json["totals"]["switches"] == 5120);
    for (const char* tier : {"server-leaf", "leaf-spine", "spine-core"})
    {
        REQUIRE(json["links_by_tier"][tier] == 65536);
    }
    REQUIRE(json["modules_per_gpu"] == Approx(3.5));
}

TEST_CASE("the 128-port 3-tier fabric: 524,288 GPUs on 20,480 switches",
          "[topologies][designs][slow]")
{
    auto review = Review("fat-tree-k128");
    auto json = ReviewToJson(review);
    REQUIRE(json["endpoints"] == 524288);
    REQUIRE(json["totals"]["switches"] == 20480);
    REQUIRE(json["totals"]["cables"] == 3 * 524288);
    REQUIRE(review.graph->Links().size() == 3 * 524288);
}

TEST_CASE("the 10,240-GPU RoCE cluster", "[topologies][designs]")
{
    auto review = Review("roce-10k-rail");
    REQUIRE(review.plan.tiers == 3);
    REQUIRE(review.plan.leaves == 160); // 20 SUs of 64 servers, 8 rail leaves each
    REQUIRE(review.plan.spines == 160); // pods of 64, 64 and 32 leaves
    REQUIRE(review.plan.pods.size() == 3);
    REQUIRE(review.bom.NetworkCostShare().has_value());
}

TEST_CASE("the 1,024-GPU InfiniBand SuperPOD matches NVIDIA's 4-SU table", "[topologies][designs]")
{
    auto review = Review("ib-ndr-1024-superpod");
    auto json = ReviewToJson(review);
    REQUIRE(json["switches_by_tier"]["leaf"] == 32);
    REQUIRE(json["switches_by_tier"]["spine"] == 16);
    REQUIRE(json["links_by_tier"]["leaf-spine"] == 1024);
    REQUIRE(json["links_by_tier"]["server-leaf"] == 1024);
    REQUIRE(json.count("cost") == 0);
}
