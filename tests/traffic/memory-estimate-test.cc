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
    f.perDependency = 8;
    f.perPlan = 200;
    f.perPlanRank = 50;
    f.perWaitingTask = 40;
    f.perPostedTransfer = 64;
    f.perQueuePair = 2000;
    f.perEvent = 112;
    f.perSpan = 100;
    f.perSample = 300;
    return f;
}

} // namespace

TEST_CASE("a memory estimate is items times their figures, all held together",
          "[traffic][estimate]")
{
    RunCounts c;
    c.hosts = 16;
    c.ports = 768;
    c.routeEntries = 1536;
    c.tasks = 1'000'000; // generated, not held: no figure of its own
    c.heldTasks = 1000;
    c.heldDependencies = 4000;
    c.plans = 3;
    c.planRanks = 48;
    c.waitingTasks = 80;
    c.postedTransfers = 64;
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
    REQUIRE(BytesOf(e.schedules, "schedule tasks held") == 96'000);
    REQUIRE(BytesOf(e.schedules, "task dependencies held") == 32'000);
    REQUIRE(BytesOf(e.schedules, "collectives held as plans") == 3 * 200 + 48 * 50);
    REQUIRE(BytesOf(e.running, "tasks waiting on part of their dependencies") == 3'200);
    REQUIRE(BytesOf(e.running, "transfers in flight") == 4'096);
    REQUIRE(BytesOf(e.running, "queue pairs") == 20'000);
    REQUIRE(BytesOf(e.running, "pending events") == 11'200);
    REQUIRE(BytesOf(e.running, "rank spans") == 5'000);
    REQUIRE(BytesOf(e.running, "time-series samples") == 3 * 7 * 300); // kept by every run
    // Items a figure of zero makes free are left out.
    REQUIRE(BytesOf(e.fabric, "switches") == 0);
    REQUIRE(e.fabric.size() == 4);
    REQUIRE(e.schedules.size() == 3);
    REQUIRE(e.running.size() == 6);

    std::uint64_t fabric = 1000 + 160 + 76'800 + 12'288;
    std::uint64_t schedules = 96'000 + 32'000 + 3'000;
    std::uint64_t running = 3'200 + 4'096 + 20'000 + 11'200 + 5'000 + 6'300;
    REQUIRE(e.FabricBytes() == fabric);
    REQUIRE(e.ScheduleBytes() == schedules);
    REQUIRE(e.RunningBytes() == running);
    REQUIRE(e.PeakBytes() == fabric + schedules + running);

    auto items = e.PeakItems();
    REQUIRE(items.size() == 13);
    REQUIRE(items.front().name == "schedule tasks held");
    for (std::size_t i = 1; i < items.size(); ++i)
    {
        REQUIRE(items[i - 1].bytes >= items[i].bytes);
    }
}

TEST_CASE("absurd counts saturate instead of wrapping to a small estimate", "[traffic][estimate]")
{
    RunCounts c;
    c.heldTasks = kCountMax / 3;
    c.routeEntries = kCountMax / 2;
    c.events = 1ull << 62;
    auto e = EstimateMemory(c, Figures());
    REQUIRE(e.PeakBytes() == kCountMax);
    REQUIRE(BytesOf(e.fabric, "route entries") == kCountMax);
    REQUIRE(SatMul(1ull << 32, 1ull << 32) == kCountMax);
    REQUIRE(SatMul(1ull << 31, 1ull << 32) == 1ull << 63);
    REQUIRE(SatAdd(kCountMax - 1, 2) == kCountMax);
}
