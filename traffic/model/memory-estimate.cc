#include "traffic/model/memory-estimate.h"

#include "traffic/model/saturating-count.h"

#include <algorithm>

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

} // namespace

std::uint64_t
MemoryEstimate::FabricBytes() const
{
    return Sum(fabric);
}

std::uint64_t
MemoryEstimate::ScheduleBytes() const
{
    return Sum(schedules);
}

std::uint64_t
MemoryEstimate::RunningBytes() const
{
    return Sum(running);
}

std::uint64_t
MemoryEstimate::PeakBytes() const
{
    return SatAdd(SatAdd(FabricBytes(), ScheduleBytes()), RunningBytes());
}

std::vector<MemoryItem>
MemoryEstimate::PeakItems() const
{
    std::vector<MemoryItem> items = fabric;
    items.insert(items.end(), schedules.begin(), schedules.end());
    items.insert(items.end(), running.begin(), running.end());
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
    add(e.schedules, "schedule tasks held", c.heldTasks, SatMul(c.heldTasks, f.perTask));
    add(e.schedules,
        "task dependencies held",
        c.heldDependencies,
        SatMul(c.heldDependencies, f.perDependency));
    add(e.schedules,
        "collectives held as plans",
        c.plans,
        SatAdd(SatMul(c.plans, f.perPlan), SatMul(c.planRanks, f.perPlanRank)));
    add(e.schedules,
        "collective and compute groups",
        c.groups,
        SatAdd(SatMul(c.groups, f.perGroup), SatMul(c.groupRanks, f.perGroupRank)));

    std::uint64_t runs = std::max(1u, c.runs);
    add(e.running,
        "tasks waiting on part of their dependencies",
        c.waitingTasks,
        SatMul(c.waitingTasks, f.perWaitingTask));
    add(e.running,
        "transfers in flight",
        c.postedTransfers,
        SatMul(c.postedTransfers, f.perPostedTransfer));
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
