#include "traffic/model/memory-estimate.h"
#include "traffic/model/saturating-count.h"

#include <catch2/catch.hpp>

using namespace fab::traffic;

namespace
{

std::uint64_t
BytesOf(const std::vector<MemoryItem>& items, const std::string& name)
{
    for (const auto& item : items)
    {
        if (item.name == name)
        {
            return item.bytes;
        }
    }
    return 0;
}

MemoryFigures
Figures()
{
    MemoryFigures f;
    f.baseBytes = 1000;
    f.perHost = 10;
    f.perPort = 100;
    f.perRouteEntry = 8;
    f.perTask = 96;
    f.perTaskInVector = 64;
    f.perRunnerTask = 80;
    f.perDependency = 8;
    f.perDagTransfer = 88;
    f.perDagTransferInVector = 56;
    f.perQueuePair = 2000;
    f.perEvent = 112;
    f.perSpan = 100;
    f.perSample = 300;
    return f;
}

} // namespace

TEST_CASE("a memory estimate is items times their figures, over the larger phase",
          "[traffic][estimate]")
{
    RunCounts c;
    c.hosts = 16;
    c.ports = 768;
    c.routeEntries = 1536;
    c.tasks = 1000; // a vector of 1,024 after doubling
    c.dependencies = 4000;
    c.largestDag = 600; // 1,024 in its vector
    c.queuePairs = 10;
    c.events = 100;
    c.spans = 50;
    c.samples = 7;
    c.runs = 3;
    auto e = EstimateMemory(c, Figures());
    REQUIRE(BytesOf(e.fabric, "process") == 1000);
    REQUIRE(BytesOf(e.fabric, "hosts") == 160);
    REQUIRE(BytesOf(e.fabric, "ports") == 76'800);
    REQUIRE(BytesOf(e.fabric, "route entries") == 12'288);
    REQUIRE(BytesOf(e.schedules, "schedule tasks") == 1024 * 64 + 1000 * 32);
    REQUIRE(BytesOf(e.schedules, "task dependencies") == 32'000);
    REQUIRE(BytesOf(e.building, "transfers of the largest expanded collective")
            == 1024 * 56 + 600 * 32);
    REQUIRE(BytesOf(e.running, "runner state per task") == 80'000);
    REQUIRE(BytesOf(e.running, "queue pairs") == 20'000);
    REQUIRE(BytesOf(e.running, "pending events") == 11'200);
    REQUIRE(BytesOf(e.running, "rank spans") == 5'000);
    REQUIRE(BytesOf(e.running, "time-series samples") == 3 * 7 * 300); // kept by every run
    // Items a figure of zero makes free are left out.
    REQUIRE(BytesOf(e.fabric, "switches") == 0);
    REQUIRE(e.fabric.size() == 4);
    REQUIRE(e.schedules.size() == 2);

    std::uint64_t shared = 1000 + 160 + 76'800 + 12'288 + 1024 * 64 + 1000 * 32 + 32'000;
    std::uint64_t building = 1024 * 56 + 600 * 32;
    std::uint64_t running = 80'000 + 20'000 + 11'200 + 5'000 + 6'300;
    REQUIRE(e.FabricBytes() == 1000 + 160 + 76'800 + 12'288);
    REQUIRE(e.SharedBytes() == shared);
    REQUIRE(e.BuildingBytes() == building);
    REQUIRE(e.RunningBytes() == running);
    REQUIRE(e.PeakBytes() == shared + running);

    auto items = e.PeakItems();
    REQUIRE(items.front().name == "schedule tasks");
    for (std::size_t i = 1; i < items.size(); ++i)
    {
        REQUIRE(items[i - 1].bytes >= items[i].bytes);
    }
    REQUIRE(BytesOf(items, "transfers of the largest expanded collective") == 0);

    SECTION("a collective larger than everything the run adds makes building the peak")
    {
        c.largestDag = 100'000;
        auto big = EstimateMemory(c, Figures());
        REQUIRE(big.PeakBytes() == shared + big.BuildingBytes());
        REQUIRE(big.BuildingBytes() == 131'072 * 56 + 100'000 * 32);
    }
}

TEST_CASE("absurd counts saturate instead of wrapping to a small estimate", "[traffic][estimate]")
{
    RunCounts c;
    c.tasks = kCountMax / 3;
    c.routeEntries = kCountMax / 2;
    c.events = 1ull << 62;
    auto e = EstimateMemory(c, Figures());
    REQUIRE(e.PeakBytes() == kCountMax);
    REQUIRE(BytesOf(e.fabric, "route entries") == kCountMax);
    REQUIRE(SatMul(1ull << 32, 1ull << 32) == kCountMax);
    REQUIRE(SatMul(1ull << 31, 1ull << 32) == 1ull << 63);
    REQUIRE(SatAdd(kCountMax - 1, 2) == kCountMax);
}
