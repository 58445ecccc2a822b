#ifndef FABRICSCOPE_TRAFFIC_RING_STEPS_H
#define FABRICSCOPE_TRAFFIC_RING_STEPS_H

#include "traffic/model/transfer-dag.h"

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/**
 * Steps of one ring over some of the ranks, in ring order: members[j] sends to
 * members[(j + 1) % size]. The ring collectives put every rank on it; the hierarchical AllReduce
 * runs rings over one server's ranks and over one rail's ranks, one phase after another, which is
 * why the ring is a building block of its own rather than part of collective.cc.
 */
struct RingSteps
{
    std::vector<std::uint32_t> members;
    std::uint64_t chunkBytes{0};
    std::uint32_t channel{0};
    std::uint32_t firstStep{0}; ///< the DAG step of the ring's first step
    std::uint32_t steps{0};
};

/** Per rank (indexed by rank, sized to the DAG's ranks): what its next send must wait for. */
using RankFrontier = std::vector<std::vector<std::uint32_t>>;

/**
 * Appends `ring.steps` steps in which every member sends one chunk to the next member. A member's
 * first send waits for frontier[member]; its send in step s waits for what it received in step
 * s − 1 (the chunk it forwards or reduces into) and for what it sent in step s − 1 (one send at a
 * time). Afterwards frontier[member] holds its last receive and its last send, so that a phase
 * appended next waits, rank by rank, for this one to be complete at that rank. With no steps,
 * nothing is added and the frontier is left as it was.
 */
void AppendRingSteps(TransferDag& dag, const RingSteps& ring, RankFrontier& frontier);

} // namespace fab::traffic

#endif
