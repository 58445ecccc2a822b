#ifndef FABRICSCOPE_TRAFFIC_HIERARCHICAL_COLLECTIVE_H
#define FABRICSCOPE_TRAFFIC_HIERARCHICAL_COLLECTIVE_H

#include "traffic/model/transfer-dag.h"

#include <cstdint>

namespace fab::traffic
{

/**
 * Hierarchical (2D) AllReduce of a `bytes` buffer S over N servers of L = ranksPerServer ranks:
 * rank r is local rank r % L of server r / L. Each of `channels` channels carries S / channels
 * through three ring phases:
 *  1. ReduceScatter inside each server (L − 1 steps): every rank ends with 1/L of the channel's
 *     slice reduced over its server, having sent (L − 1)/L of it.
 *  2. AllReduce of that 1/L across servers (2(N − 1) steps), on the ring of ranks with the same
 *     local index: on a rail-optimized fabric that ring stays on one rail. Each rank sends
 *     2(N − 1)/N × S / L in total.
 *  3. AllGather inside each server (L − 1 steps), (L − 1)/L × S per rank.
 * A rank starts a phase once its previous phase is complete at that rank (its last send and last
 * receive there); ranks do not wait for the whole previous phase, and channels never wait for each
 * other because their slices are disjoint. The DAG only names ranks: which links carry the
 * phases is for the runner to decide from placement.
 *
 * `step` counts ring steps across the phases: phase 1 has steps 0..L − 2, phase 2 the next
 * 2(N − 1), phase 3 the last L − 1; with unit-time transfers the makespan is Steps() =
 * 2(L − 1) + 2(N − 1). One rank per server is the ring AllReduce across servers and one server the
 * ring AllReduce inside it, transfer for transfer.
 *
 * Throws std::invalid_argument for no ranks, no ranks per server, ranks not a multiple of
 * ranksPerServer, or no channels.
 */
/** Throws std::invalid_argument as HierarchicalAllReduce does for arguments it cannot take. */
void CheckHierarchical(std::uint32_t ranks, std::uint32_t ranksPerServer, std::uint32_t channels);

TransferDag HierarchicalAllReduce(std::uint32_t ranks,
                                  std::uint32_t ranksPerServer,
                                  std::uint64_t bytes,
                                  std::uint32_t channels = 1);

} // namespace fab::traffic

#endif
