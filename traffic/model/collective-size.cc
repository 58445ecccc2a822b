#include "traffic/model/collective-size.h"

#include "traffic/model/saturating-count.h"

#include <algorithm>

namespace fab::traffic
{
namespace
{

/** Packets of one transfer: a chunk that rounds down to nothing still sends one. */
std::uint64_t
Packets(std::uint64_t bytes, std::uint32_t mtu)
{
    return std::max<std::uint64_t>(1, (bytes + mtu - 1) / mtu);
}

/** Ordered pairs of ranks on different servers: n(n − 1) less the pairs inside each server. */
std::uint64_t
PairsBetweenServers(std::uint64_t n, const RankLayout& layout)
{
    std::uint64_t inside = 0;
    if (layout.stride < layout.perServer)
    {
        std::uint64_t r = 0;
        while (r < n)
        {
            std::uint64_t server = layout.ServerOf(r);
            // The first rank past this server: the smallest r' with first + r' × stride at or
            // beyond the next server's first rank.
            std::uint64_t next
                = ((server + 1) * layout.perServer - layout.first + layout.stride - 1)
                  / layout.stride;
            std::uint64_t k = std::min(next, n) - r;
            inside += k * (k - 1);
            r += k;
        }
    }
    return n * (n - 1) - inside;
}

/** A ring's hops between servers, per step: one per server it spans, when it spans several. */
std::uint64_t
RingCrossings(std::uint64_t servers)
{
    return servers > 1 ? servers : 0;
}

/**
 * Transfers posted and not yet delivered at once, at most: a ring member sends one chunk at a
 * time per channel, a tree edge carries one chunk at a time each way, halving-doubling and
 * pairwise All-to-All have a send per rank in flight, a direct All-to-All all of its sends.
 */
std::uint64_t
InFlight(CollectiveOp op,
         CollectiveAlgorithm algorithm,
         std::uint64_t n,
         const AlgorithmOptions& options)
{
    switch (algorithm)
    {
        case CollectiveAlgorithm::Ring:
        case CollectiveAlgorithm::Hierarchical:
            return SatMul(n, std::max(1u, options.channels));
        case CollectiveAlgorithm::Tree:
            return 4 * (n - 1);
        case CollectiveAlgorithm::HalvingDoubling:
        case CollectiveAlgorithm::Pairwise:
            return n;
        case CollectiveAlgorithm::Direct:
            return op == CollectiveOp::AllToAll ? n * (n - 1) : 1;
    }
    return n;
}

/** Transfers, and what goes between servers, of the algorithm's DAG. */
CollectiveSize
SizeDag(CollectiveOp op,
        CollectiveAlgorithm algorithm,
        std::uint64_t n,
        std::uint64_t bytes,
        const AlgorithmOptions& options,
        const RankLayout& layout,
        std::uint32_t mtu,
        std::uint64_t& depsPerTransfer)
{
    CollectiveSize size;
    bool allReduce = op == CollectiveOp::AllReduce;
    std::uint64_t servers = layout.DistinctServers(0, 1, n);
    depsPerTransfer = 2;
    auto fabric = [&](std::uint64_t transfers, std::uint64_t chunk)
    {
        size.fabricTransfers = SatAdd(size.fabricTransfers, transfers);
        size.fabricPackets = SatAdd(size.fabricPackets, SatMul(transfers, Packets(chunk, mtu)));
    };
    switch (algorithm)
    {
        case CollectiveAlgorithm::Ring:
        {
            if (!allReduce && op != CollectiveOp::AllGather && op != CollectiveOp::ReduceScatter)
            {
                break;
            }
            // Rail-aligned orders keep each server's ranks together, as the plain order does, so
            // either way a channel crosses between servers once per server per step.
            std::uint64_t channels = std::max(1u, options.channels);
            std::uint64_t steps = allReduce ? 2 * (n - 1) : n - 1;
            size.steps = steps;
            std::uint64_t crossings = RingCrossings(servers);
            size.transfers = SatMul(SatMul(channels, steps), n);
            fabric(SatMul(SatMul(channels, steps), crossings), bytes / channels / n);
            size.queuePairs = SatMul(channels, crossings);
            break;
        }
        case CollectiveAlgorithm::Tree:
        {
            if (!allReduce)
            {
                break;
            }
            // Two trees, each chunk up and down every edge; between servers: every edge, at most.
            std::uint64_t chunks = std::max(1u, options.treeChunks);
            size.transfers = SatMul(4 * chunks, n - 1);
            std::uint64_t height = 0;
            while ((std::uint64_t{1} << height) < n)
            {
                ++height;
            }
            size.steps = 2 * height + chunks - 1;
            depsPerTransfer = 3;
            if (servers > 1)
            {
                fabric(size.transfers, bytes / 2 / chunks);
                size.queuePairs = 2 * 2 * (n - 1);
            }
            break;
        }
        case CollectiveAlgorithm::HalvingDoubling:
        {
            if (!allReduce)
            {
                break;
            }
            std::uint64_t rounds = 0;
            while ((std::uint64_t{1} << rounds) < n)
            {
                ++rounds;
            }
            size.transfers = 2 * rounds * n;
            size.steps = 2 * rounds;
            if (servers > 1)
            {
                for (std::uint64_t i = 0; i < rounds; ++i)
                {
                    fabric(n, bytes >> (i + 1));      // reduce-scatter: halves, quarters, ...
                    fabric(n, bytes >> (rounds - i)); // all-gather: back up
                }
                size.queuePairs = n * rounds; // one partner per distance, in both phases
            }
            break;
        }
        case CollectiveAlgorithm::Hierarchical:
        {
            std::uint64_t local = std::max(1u, options.ranksPerServer);
            if (!allReduce || n % local != 0)
            {
                break;
            }
            std::uint64_t channels = std::max(1u, options.channels);
            std::uint64_t groups = n / local;
            // Rings inside each group of `local` ranks (twice), then one per local index across
            // the groups.
            std::uint64_t inside = RingCrossings(layout.DistinctServers(0, 1, local));
            std::uint64_t across = RingCrossings(layout.DistinctServers(0, local, groups));
            std::uint64_t chunk = bytes / channels / local;
            size.transfers = SatMul(SatMul(channels, 2 * n), (local - 1) + (groups - 1));
            size.steps = 2 * ((local - 1) + (groups - 1));
            fabric(SatMul(SatMul(channels, 2 * groups), (local - 1) * inside), chunk);
            fabric(SatMul(SatMul(channels, 2 * local), (groups - 1) * across), chunk / groups);
            size.queuePairs = SatMul(channels, groups * inside + local * across);
            break;
        }
        case CollectiveAlgorithm::Pairwise:
        case CollectiveAlgorithm::Direct:
            if (op == CollectiveOp::AllToAll)
            {
                size.transfers = n * (n - 1);
                size.steps = algorithm == CollectiveAlgorithm::Pairwise ? n - 1 : 1;
                std::uint64_t between = PairsBetweenServers(n, layout);
                fabric(between, bytes / n);
                size.queuePairs = between;
            }
            else if (op == CollectiveOp::SendRecv && n == 2)
            {
                size.transfers = 1;
                size.steps = 1;
                if (servers > 1)
                {
                    fabric(1, bytes);
                    size.queuePairs = 1;
                }
            }
            break;
    }
    size.senders = std::min(n, size.queuePairs);
    return size;
}

} // namespace

std::uint64_t
RankLayout::DistinctServers(std::uint64_t start, std::uint64_t step, std::uint64_t count) const
{
    if (count == 0)
    {
        return 0;
    }
    if (step * stride >= perServer)
    {
        return count; // consecutive ranks are a server or more apart
    }
    return ServerOf(start + (count - 1) * step) - ServerOf(start) + 1;
}

CollectiveSize
SizeCollective(CollectiveOp op,
               CollectiveAlgorithm algorithm,
               std::uint32_t ranks,
               std::uint64_t bytes,
               const AlgorithmOptions& options,
               const RankLayout& layout,
               std::uint32_t payloadMtu)
{
    std::uint64_t n = ranks;
    std::uint64_t depsPerTransfer = 2;
    CollectiveSize size;
    if (n >= 2)
    {
        size = SizeDag(
            op, algorithm, n, bytes, options, layout, std::max(1u, payloadMtu), depsPerTransfer);
    }
    if (layout.DistinctServers(0, 1, n) <= 1)
    {
        // Inside one server: a scale-up task per rank, each waiting for every rank's arrival.
        size.tasks = n;
        size.dependencies = n * n;
        return size;
    }
    // The transfers, then a join per rank that waits for every transfer touching it.
    size.tasks = SatAdd(size.transfers, n);
    size.dependencies = SatMul(size.transfers, depsPerTransfer + 2);
    size.planned = 1;
    size.posted = std::min(size.transfers, InFlight(op, algorithm, n, options));
    // A transfer waits with part of its dependencies ended only behind one in flight; and
    // each rank's join.
    size.waiting = SatAdd(size.posted, n);
    return size;
}

} // namespace fab::traffic
