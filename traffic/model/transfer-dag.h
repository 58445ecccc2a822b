#ifndef FABRICSCOPE_TRAFFIC_TRANSFER_DAG_H
#define FABRICSCOPE_TRAFFIC_TRANSFER_DAG_H

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/** One point-to-point transfer of a collective, and the transfers it must wait for. */
struct Transfer
{
    std::uint32_t id{0};
    std::uint32_t src{0}; ///< rank
    std::uint32_t dst{0}; ///< rank
    std::uint64_t bytes{0};
    std::uint32_t channel{0};
    std::uint32_t step{0}; ///< algorithm step, from 0
    std::vector<std::uint32_t> dependsOn;
};

/**
 * A collective expanded into transfers. Dependencies point to earlier transfers only, so the ids
 * are a topological order.
 */
struct TransferDag
{
    std::uint32_t ranks{0};
    std::vector<Transfer> transfers;

    /** Adds a transfer and returns its id. */
    std::uint32_t Add(std::uint32_t src,
                      std::uint32_t dst,
                      std::uint64_t bytes,
                      std::uint32_t channel,
                      std::uint32_t step,
                      std::vector<std::uint32_t> dependsOn);
    /** Number of steps: one more than the largest step index. */
    std::uint32_t Steps() const;
    std::uint64_t TotalBytes() const;
    /** Bytes a rank sends over the whole collective. */
    std::uint64_t BytesSentBy(std::uint32_t rank) const;
    /** True when every dependency names an earlier transfer. */
    bool IsTopologicallyOrdered() const;
};

} // namespace fab::traffic

#endif
