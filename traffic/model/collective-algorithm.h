#ifndef FABRICSCOPE_TRAFFIC_COLLECTIVE_ALGORITHM_H
#define FABRICSCOPE_TRAFFIC_COLLECTIVE_ALGORITHM_H

#include "traffic/model/collective-plan.h"
#include "traffic/model/collective.h"
#include "traffic/model/transfer-dag.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace fab::traffic
{

/** How a collective is cut into point-to-point transfers. */
enum class CollectiveAlgorithm : std::uint8_t
{
    Ring,
    Tree, ///< NCCL's double binary tree (AllReduce)
    HalvingDoubling,
    Hierarchical, ///< inside servers over the scale-up link, then between servers by rail
    Pairwise,     ///< All-to-All one partner at a time
    Direct,       ///< every transfer at once: NCCL's grouped sends (All-to-All, SendRecv)
};

const char* CollectiveAlgorithmName(CollectiveAlgorithm algorithm);
std::optional<CollectiveAlgorithm> ParseCollectiveAlgorithm(const std::string& name);
/** What NCCL does for large buffers: ring for AllReduce, AllGather and ReduceScatter, direct
 *  (all sends posted at once) for All-to-All and SendRecv. */
CollectiveAlgorithm DefaultAlgorithm(CollectiveOp op);

struct AlgorithmOptions
{
    std::uint32_t channels{4};       ///< rings (NCCL channels) a ring collective is spread over
    std::uint32_t treeChunks{4};     ///< pipeline chunks per tree
    std::uint32_t ranksPerServer{1}; ///< consecutive ranks sharing a server (hierarchical)
};

/**
 * The transfer DAG of `op` over `ranks` ranks of a `bytes` buffer with `algorithm`. Throws
 * std::invalid_argument naming the combination when the algorithm does not implement the op
 * (a tree All-to-All) or the rank count does not suit it (halving-doubling needs a power of two).
 */
TransferDag ExpandCollective(CollectiveOp op,
                             CollectiveAlgorithm algorithm,
                             std::uint32_t ranks,
                             std::uint64_t bytes,
                             const AlgorithmOptions& options = {});

/** Throws as ExpandCollective does when it cannot expand the collective; fewer than 2 ranks
 *  never throw (there is nothing to send). */
void CheckCollective(CollectiveOp op,
                     CollectiveAlgorithm algorithm,
                     std::uint32_t ranks,
                     const AlgorithmOptions& options);

/**
 * The same collective as ExpandCollective's DAG, described by rules instead of expanded: the
 * same transfers under the same ids, with the same dependencies, in O(ranks) memory at most.
 * Throws as ExpandCollective does. Fewer than 2 ranks give a plan without transfers.
 */
std::shared_ptr<const CollectivePlan> PlanCollective(CollectiveOp op,
                                                     CollectiveAlgorithm algorithm,
                                                     std::uint32_t ranks,
                                                     std::uint64_t bytes,
                                                     const AlgorithmOptions& options = {});

} // namespace fab::traffic

#endif
