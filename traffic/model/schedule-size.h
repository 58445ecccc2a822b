#ifndef FABRICSCOPE_TRAFFIC_SCHEDULE_SIZE_H
#define FABRICSCOPE_TRAFFIC_SCHEDULE_SIZE_H

#include "traffic/model/collective-job.h"
#include "traffic/model/collective-size.h"
#include "traffic/model/job.h"

#include <cstdint>

namespace fab::traffic
{

/**
 * What one iteration's Schedule of a job holds, counted without building it (BuildIteration and
 * BuildCollectiveIteration make exactly these tasks and groups), with what its transfers
 * between servers need of a fabric. Work is in the number of ranks, not of tasks.
 */
struct ScheduleSize
{
    std::uint64_t tasks{0};
    std::uint64_t transfers{0};    ///< transfers of the collectives, inside servers or not
    std::uint64_t dependencies{0}; ///< entries of the tasks' dependency lists, at most
    std::uint64_t groups{0};
    std::uint64_t groupRanks{0};      ///< ranks named by all groups together
    std::uint64_t collectives{0};     ///< collective groups
    std::uint64_t fabricTransfers{0}; ///< transfers between servers
    std::uint64_t fabricPackets{0};
    std::uint64_t queuePairs{0}; ///< distinct ones: a collective run again on the same ranks
                                 ///< reuses them
    std::uint64_t senders{0};    ///< ranks that send between servers, at most

    /** Tasks the schedule stores (compute, joins, scale-up); collectives between servers are
     *  plans whose transfers and joins are generated. */
    std::uint64_t storedTasks{0};
    std::uint64_t storedDependencies{0};
    std::uint64_t plans{0};     ///< collectives kept as plans
    std::uint64_t planRanks{0}; ///< their ranks together
    /** Of the stored tasks and plans, what a run holds at once: all of a complete schedule, a
     *  window of a streamed one. */
    std::uint64_t heldTasks{0};
    std::uint64_t heldDependencies{0};
    std::uint64_t heldPlans{0};
    std::uint64_t heldPlanRanks{0};
    /** Transfers in flight, and tasks waiting with part of their dependencies ended, at most:
     *  every rank in a collective of the busiest kind at once. */
    std::uint64_t posted{0};
    std::uint64_t waiting{0};
    std::uint64_t gpus{0};  ///< of the job
    std::uint64_t steps{0}; ///< of its longest collective: an iteration takes at least these

    /** Adds `times` runs of one collective, and its queue pairs once when `times` > 0. */
    void AddCollective(const CollectiveSize& size, std::uint32_t ranks, std::uint64_t times);
    /** Adds `times` compute phases over `ranks` ranks. */
    void AddCompute(std::uint64_t ranks, std::uint64_t times);
    /** Adds `count` joins of `dependencies` each. */
    void AddJoins(std::uint64_t count, std::uint64_t dependencies);
    /** A run holds all that is stored. */
    void HoldAll();
};

/** One iteration of a training job, as BuildIteration makes it for `gpusPerServer`. */
ScheduleSize SizeIteration(const JobSpec& job,
                           std::uint32_t gpusPerServer,
                           std::uint32_t payloadMtu);

/** One iteration of a collective job, as BuildCollectiveIteration makes it. */
ScheduleSize SizeCollectiveIteration(const CollectiveJobSpec& job,
                                     std::uint32_t gpusPerServer,
                                     std::uint32_t payloadMtu);

} // namespace fab::traffic

#endif
