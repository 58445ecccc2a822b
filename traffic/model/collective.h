#ifndef FABRICSCOPE_TRAFFIC_COLLECTIVE_H
#define FABRICSCOPE_TRAFFIC_COLLECTIVE_H

#include "traffic/model/transfer-dag.h"

#include <cstdint>
#include <optional>
#include <string>

namespace fab::traffic
{

enum class CollectiveOp : std::uint8_t
{
    AllReduce,
    AllGather,
    ReduceScatter,
    AllToAll,
    SendRecv,
};

const char* CollectiveOpName(CollectiveOp op);
std::optional<CollectiveOp> ParseCollectiveOp(const std::string& name);

/**
 * nccl-tests' bus bandwidth factor: busbw = algbw × factor, with algbw = S / t.
 * AllReduce 2(n − 1)/n; ReduceScatter, AllGather, AlltoAll (n − 1)/n with S the total buffer;
 * SendRecv 1.
 */
double BusBandwidthFactor(CollectiveOp op, std::uint32_t ranks);

/**
 * Ring AllReduce over `ranks` ranks of a `bytes` buffer on `channels` rings (in rail-aligned
 * order when ranks share servers, see RailAlignedRingOrder): each channel carries
 * bytes / channels, cut into n chunks; n − 1 reduce-scatter steps then n − 1 all-gather steps,
 * each rank sending one chunk to the next rank per step. Step s of a rank waits for step s − 1 of
 * the rank before it (the chunk it forwards) and for its own step s − 1 (one send at a time).
 */
TransferDag RingAllReduce(std::uint32_t ranks,
                          std::uint64_t bytes,
                          std::uint32_t channels = 1,
                          std::uint32_t ranksPerServer = 1);

/** Ring AllGather (or ReduceScatter: the same traffic): n − 1 steps, `bytes` the total buffer. */
TransferDag RingAllGather(std::uint32_t ranks,
                          std::uint64_t bytes,
                          std::uint32_t channels = 1,
                          std::uint32_t ranksPerServer = 1);
TransferDag RingReduceScatter(std::uint32_t ranks,
                              std::uint64_t bytes,
                              std::uint32_t channels = 1,
                              std::uint32_t ranksPerServer = 1);

/**
 * The order of the ranks on ring `channel` when consecutive groups of `ranksPerServer` ranks share
 * a server whose GPU i uses the NIC of rail i: inside a server the ring visits every GPU over the
 * scale-up link, and it snakes (forward on even servers, backward on odd ones) so that each hop
 * between servers joins equal GPU indices and stays on one rail, as NCCL keeps its rings on rails.
 * Channel k starts at GPU k, so channels spread over the rails. With one rank per server (or one
 * server, or ranks not filling servers) it is 0, 1, ..., n − 1. With an odd server count the
 * closing hop changes rail.
 */
std::vector<std::uint32_t> RailAlignedRingOrder(std::uint32_t ranks,
                                                std::uint32_t ranksPerServer,
                                                std::uint32_t channel);

/**
 * Halving-doubling AllReduce (Rabenseifner; ranks a power of two): log2 n reduce-scatter steps
 * exchanging halves with partners at distance n/2, n/4, ..., then log2 n all-gather steps back.
 * Per rank it sends the ring's volume, 2(n − 1)/n × bytes.
 */
TransferDag HalvingDoublingAllReduce(std::uint32_t ranks, std::uint64_t bytes);

/** Direct All-to-All: every rank posts its n − 1 blocks at once, as NCCL's grouped sends do;
 *  one step, and the receivers see an incast of n − 1 senders. */
TransferDag DirectAllToAll(std::uint32_t ranks, std::uint64_t bytes);

/** Pairwise All-to-All: in step s (1 ≤ s < n) rank r sends its block for (r + s) mod n. */
TransferDag PairwiseAllToAll(std::uint32_t ranks, std::uint64_t bytes);

} // namespace fab::traffic

#endif
