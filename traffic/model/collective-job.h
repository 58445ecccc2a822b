#ifndef FABRICSCOPE_TRAFFIC_COLLECTIVE_JOB_H
#define FABRICSCOPE_TRAFFIC_COLLECTIVE_JOB_H

#include "traffic/model/collective-algorithm.h"
#include "traffic/model/job.h"
#include "traffic/model/schedule.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fab::traffic
{

/**
 * A collective run on its own, over and over, as nccl-tests does: `gpus` ranks, one per GPU,
 * filled into servers from `firstServer`.
 */
struct CollectiveJobSpec
{
    std::string name{"collective"};
    CollectiveOp op{CollectiveOp::AllReduce};
    CollectiveAlgorithm algorithm{CollectiveAlgorithm::Ring};
    std::uint64_t bytes{64ull << 20};
    std::uint32_t gpus{16};
    std::uint32_t firstServer{0};
    /** GPUs of each server the job uses (0: all of them); fewer spread the ranks over more
     *  servers, so that every rank sends over the fabric. */
    std::uint32_t gpusPerServer{0};
    AlgorithmOptions options;
};

/** Ranks filled into servers: rank r on server firstServer + r / perServer, GPU r % perServer. */
std::vector<RankPlace> PlaceCollective(const CollectiveJobSpec& job, std::uint32_t gpusPerServer);

/** One iteration: the collective, all ranks starting together. */
Schedule BuildCollectiveIteration(const CollectiveJobSpec& job,
                                  const std::vector<RankPlace>& places,
                                  const ScaleUpLink& scaleUp);

} // namespace fab::traffic

#endif
