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
    std::uint64_t routeEntries{0}; ///< a next-hop entry per switch and destination endpoint
    std::uint64_t graphBytes{0};   ///< the expanded design graph the fabric is built from

    std::uint64_t tasks{0};
    std::uint64_t dependencies{0};
    std::uint64_t groups{0};
    std::uint64_t groupRanks{0};
    std::uint64_t transfers{0};  ///< of every expanded collective
    std::uint64_t largestDag{0}; ///< transfers of the largest collective expanded at once
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
 * engine changes how it stores one (collectives as generators, compact route tables), only its
 * figure here changes.
 */
struct MemoryFigures
{
    std::uint64_t baseBytes{0}; ///< the process before it builds anything
    std::uint64_t perHost{0};
    std::uint64_t perSwitch{0};
    std::uint64_t perPort{0};
    std::uint64_t perEndpoint{0};
    std::uint64_t perRouteEntry{0};
    std::uint64_t perTask{0};         ///< in the schedule, kept while the run goes on
    std::uint64_t perTaskInVector{0}; ///< of perTask: the part in one vector, grown by doubling
    std::uint64_t perRunnerTask{0};   ///< what the runner adds per task to run it
    std::uint64_t perDependency{0};   ///< schedule and runner together
    std::uint64_t perDagTransfer{0};  ///< of a collective's DAG while it is expanded
    std::uint64_t perDagTransferInVector{0}; ///< of perDagTransfer: the part in its vector
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
 * A run's peak resident memory, item by item. A run first builds the fabric and the schedules
 * (each collective's DAG exists while it is appended), then runs them (the runner's state, queue
 * pairs, events and records grow); the peak is the larger of the two phases on top of what both
 * hold.
 */
struct MemoryEstimate
{
    std::vector<MemoryItem> fabric;    ///< the process and the fabric, through both phases
    std::vector<MemoryItem> schedules; ///< the jobs' schedules, through both phases
    std::vector<MemoryItem> building;  ///< only while schedules are built
    std::vector<MemoryItem> running;   ///< only while the run goes on

    std::uint64_t FabricBytes() const;
    /** What both phases hold: the fabric and the schedules. */
    std::uint64_t SharedBytes() const;
    std::uint64_t BuildingBytes() const;
    std::uint64_t RunningBytes() const;
    std::uint64_t PeakBytes() const;
    /** The items that make up the peak, largest first. */
    std::vector<MemoryItem> PeakItems() const;
};

MemoryEstimate EstimateMemory(const RunCounts& counts, const MemoryFigures& figures);

} // namespace fab::traffic

#endif
