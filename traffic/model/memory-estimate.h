#ifndef FABRICSCOPE_TRAFFIC_MEMORY_ESTIMATE_H
#define FABRICSCOPE_TRAFFIC_MEMORY_ESTIMATE_H

#include <cstdint>
#include <string>
#include <vector>

namespace fab::traffic
{

/**
 * What a simulation run holds, counted before anything is built: the fabric's parts, the jobs'
 * schedules (one iteration each, all jobs together) and what the run accumulates. The counts do
 * not depend on the engine that runs them; what each item costs does (MemoryFigures).
 */
struct RunCounts
{
    std::uint64_t hosts{0};
    std::uint64_t switches{0};
    std::uint64_t ports{0};        ///< cable ends, hosts' and switches'
    std::uint64_t endpoints{0};    ///< NIC ports
    std::uint64_t routeEntries{0}; ///< a group entry per switch and destination leaf or pod
    std::uint64_t graphBytes{0};   ///< the expanded design graph the fabric is built from

    std::uint64_t tasks{0};        ///< of one iteration of every job, generated or stored
    std::uint64_t dependencies{0}; ///< of those tasks
    std::uint64_t groups{0};
    std::uint64_t groupRanks{0};
    std::uint64_t transfers{0}; ///< of every collective
    /** Compute, join and scale-up tasks held at once (a streamed iteration holds a window), and
     *  their dependencies; the transfers of collectives are generated from plans. */
    std::uint64_t heldTasks{0};
    std::uint64_t heldDependencies{0};
    std::uint64_t plans{0};           ///< collectives held as plans at once
    std::uint64_t planRanks{0};       ///< their ranks together
    std::uint64_t waitingTasks{0};    ///< tasks waiting with part of their dependencies ended
    std::uint64_t postedTransfers{0}; ///< transfers posted and not yet delivered, at once
    std::uint64_t queuePairs{0};
    std::uint64_t events{0}; ///< events pending in the simulator at once, at most

    std::uint64_t collectiveRecords{0}; ///< per run: a record per collective and iteration
    std::uint64_t spans{0};             ///< per run: a span per group, rank and iteration
    std::uint64_t samples{0};           ///< per run: fabric-wide samples of the time series
    std::uint64_t faults{0};
    std::uint32_t runs{1}; ///< a sweep's runs, one after another; each keeps its records
};

/**
 * Resident bytes per item of one engine. The counts of items are engine-independent; when the
 * engine changes how it stores one (compact route tables, say), only its figure here changes.
 */
struct MemoryFigures
{
    std::uint64_t baseBytes{0}; ///< the process before it builds anything
    std::uint64_t perHost{0};
    std::uint64_t perSwitch{0};
    std::uint64_t perPort{0};
    std::uint64_t perEndpoint{0};
    std::uint64_t perRouteEntry{0};
    std::uint64_t perTask{0};       ///< a held task, with what finds it and what waits for it
    std::uint64_t perDependency{0}; ///< an entry of a held task's dependency list
    std::uint64_t perPlan{0};       ///< a collective held as its plan
    std::uint64_t perPlanRank{0};   ///< a rank of it: ready point, plan tables
    std::uint64_t perWaitingTask{0};
    std::uint64_t perPostedTransfer{0};
    std::uint64_t perGroup{0};
    std::uint64_t perGroupRank{0};
    std::uint64_t perQueuePair{0};
    std::uint64_t perEvent{0};
    std::uint64_t perCollectiveRecord{0};
    std::uint64_t perSpan{0};
    std::uint64_t perSample{0};
    std::uint64_t perFault{0};
};

/** One line of an estimate: what, how many, how many bytes in all. */
struct MemoryItem
{
    std::string name;
    std::uint64_t count{0};
    std::uint64_t bytes{0};
};

/**
 * A run's peak resident memory, item by item: the fabric and the schedules, held throughout,
 * and what the run adds as it goes (tasks under way, queue pairs, events, records). Nothing is
 * expanded up front, so the peak is all of it together.
 */
struct MemoryEstimate
{
    std::vector<MemoryItem> fabric;    ///< the process and the fabric
    std::vector<MemoryItem> schedules; ///< the jobs' schedules as a run holds them
    std::vector<MemoryItem> running;   ///< what the run adds

    std::uint64_t FabricBytes() const;
    std::uint64_t ScheduleBytes() const;
    std::uint64_t RunningBytes() const;
    std::uint64_t PeakBytes() const;
    /** The items that make up the peak, largest first. */
    std::vector<MemoryItem> PeakItems() const;
};

MemoryEstimate EstimateMemory(const RunCounts& counts, const MemoryFigures& figures);

} // namespace fab::traffic

#endif
