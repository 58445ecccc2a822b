#include "traffic/model/memory-estimate.h"

#include "traffic/model/saturating-count.h"

#include <algorithm>
#include <limits>

namespace fab::traffic
{
namespace
{

std::uint64_t
Sum(const std::vector<MemoryItem>& items)
{
    std::uint64_t total = 0;
    for (const auto& item : items)
    {
        total = SatAdd(total, item.bytes);
    }
    return total;
}

/** A vector grown by doubling holds room for the next power of two of its items. */
std::uint64_t
Doubled(std::uint64_t count)
{
    std::uint64_t capacity = 1;
    while (capacity < count && capacity < (std::uint64_t{1} << 62))
    {
        capacity <<= 1;
    }
    return count == 0 ? 0 : std::max(capacity, count);
}

/** Items of `each` bytes of which `inVector` sit in a vector grown by doubling, the rest on the
 *  heap item by item. */
std::uint64_t
Grown(std::uint64_t count, std::uint64_t each, std::uint64_t inVector)
{
    inVector = std::min(inVector, each);
    return SatAdd(SatMul(Doubled(count), inVector), SatMul(count, each - inVector));
}

} // namespace

std::uint64_t
MemoryEstimate::FabricBytes() const
{
    return Sum(fabric);
}

std::uint64_t
MemoryEstimate::SharedBytes() const
{
    return SatAdd(Sum(fabric), Sum(schedules));
}

std::uint64_t
MemoryEstimate::BuildingBytes() const
{
    return Sum(building);
}

std::uint64_t
MemoryEstimate::RunningBytes() const
{
    return Sum(running);
}

std::uint64_t
MemoryEstimate::PeakBytes() const
{
    return SatAdd(SharedBytes(), std::max(BuildingBytes(), RunningBytes()));
}

std::vector<MemoryItem>
MemoryEstimate::PeakItems() const
{
    std::vector<MemoryItem> items = fabric;
    items.insert(items.end(), schedules.begin(), schedules.end());
    const auto& phase = BuildingBytes() > RunningBytes() ? building : running;
    items.insert(items.end(), phase.begin(), phase.end());
    std::stable_sort(items.begin(),
                     items.end(),
                     [](const MemoryItem& a, const MemoryItem& b) { return a.bytes > b.bytes; });
    return items;
}

MemoryEstimate
EstimateMemory(const RunCounts& c, const MemoryFigures& f)
{
    MemoryEstimate e;
    auto add =
        [](std::vector<MemoryItem>& to, const char* name, std::uint64_t count, std::uint64_t bytes)
    {
        if (bytes > 0)
        {
            to.push_back(MemoryItem{name, count, bytes});
        }
    };
    add(e.fabric, "process", 1, f.baseBytes);
    add(e.fabric, "hosts", c.hosts, SatMul(c.hosts, f.perHost));
    add(e.fabric, "switches", c.switches, SatMul(c.switches, f.perSwitch));
    add(e.fabric, "ports", c.ports, SatMul(c.ports, f.perPort));
    add(e.fabric, "endpoints", c.endpoints, SatMul(c.endpoints, f.perEndpoint));
    add(e.fabric, "route entries", c.routeEntries, SatMul(c.routeEntries, f.perRouteEntry));
    add(e.fabric, "design graph", 1, c.graphBytes);
    add(e.schedules, "schedule tasks", c.tasks, Grown(c.tasks, f.perTask, f.perTaskInVector));
    add(e.schedules, "task dependencies", c.dependencies, SatMul(c.dependencies, f.perDependency));
    add(e.schedules,
        "collective and compute groups",
        c.groups,
        SatAdd(SatMul(c.groups, f.perGroup), SatMul(c.groupRanks, f.perGroupRank)));

    add(e.building,
        "transfers of the largest expanded collective",
        c.largestDag,
        Grown(c.largestDag, f.perDagTransfer, f.perDagTransferInVector));

    std::uint64_t runs = std::max(1u, c.runs);
    add(e.running, "runner state per task", c.tasks, SatMul(c.tasks, f.perRunnerTask));
    add(e.running, "queue pairs", c.queuePairs, SatMul(c.queuePairs, f.perQueuePair));
    add(e.running, "pending events", c.events, SatMul(c.events, f.perEvent));
    add(e.running,
        "collective records",
        SatMul(c.collectiveRecords, runs),
        SatMul(SatMul(c.collectiveRecords, runs), f.perCollectiveRecord));
    add(e.running, "rank spans", c.spans, SatMul(c.spans, f.perSpan));
    add(e.running,
        "time-series samples",
        SatMul(c.samples, runs),
        SatMul(SatMul(c.samples, runs), f.perSample));
    add(e.running, "faults", c.faults, SatMul(c.faults, f.perFault));
    return e;
}

} // namespace fab::traffic
