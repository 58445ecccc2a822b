#ifndef FABRICSCOPE_TRAFFIC_COLLECTIVE_SIZE_H
#define FABRICSCOPE_TRAFFIC_COLLECTIVE_SIZE_H

#include "traffic/model/collective-algorithm.h"

#include <cstdint>

namespace fab::traffic
{

/**
 * Where a collective's ranks run: its rank i is the job's rank first + i × stride, and the job's
 * rank r runs on server r / perServer (counted from the job's first server).
 */
struct RankLayout
{
    std::uint64_t first{0};
    std::uint64_t stride{1};
    std::uint32_t perServer{1};

    std::uint64_t ServerOf(std::uint64_t rank) const { return (first + rank * stride) / perServer; }
    /** Servers that ranks start, start + step, ... (count of them) run on. */
    std::uint64_t DistinctServers(std::uint64_t start,
                                  std::uint64_t step,
                                  std::uint64_t count) const;
};

/**
 * What ExpandCollective makes of a collective, and what Schedule::AddCollective then appends,
 * counted in closed form without building either; figures between servers are exact for rings,
 * hierarchical rings, All-to-All and SendRecv, and upper bounds for trees and halving-doubling.
 * A run generates the transfers from the plan: `posted` and `waiting` bound what it holds.
 */
struct CollectiveSize
{
    std::uint64_t transfers{0};       ///< of the expanded DAG
    std::uint64_t tasks{0};           ///< appended to the schedule
    std::uint64_t dependencies{0};    ///< entries of those tasks' dependency lists, at most
    std::uint64_t fabricTransfers{0}; ///< transfers between servers
    std::uint64_t fabricPackets{0};   ///< their packets at the payload MTU (at least one each)
    std::uint64_t queuePairs{0};      ///< distinct (source, destination, channel) between servers
    std::uint64_t senders{0};         ///< ranks that send between servers
    /** 1 when the schedule keeps it as a plan (ranks on several servers), 0 when it stores a
     *  scale-up task per rank (one server). */
    std::uint64_t planned{0};
    std::uint64_t steps{0};   ///< of the algorithm: each is a transfer after the one before
    std::uint64_t posted{0};  ///< transfers in flight at once, at most
    std::uint64_t waiting{0}; ///< tasks some of whose dependencies have ended, at most
};

CollectiveSize SizeCollective(CollectiveOp op,
                              CollectiveAlgorithm algorithm,
                              std::uint32_t ranks,
                              std::uint64_t bytes,
                              const AlgorithmOptions& options,
                              const RankLayout& layout,
                              std::uint32_t payloadMtu);

} // namespace fab::traffic

#endif
