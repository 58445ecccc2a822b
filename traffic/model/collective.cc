#include "traffic/model/collective.h"

#include "traffic/model/rail-aligned-ring.h"
#include "traffic/model/ring-steps.h"

#include <array>
#include <utility>

namespace fab::traffic
{
namespace
{

constexpr std::array<std::pair<CollectiveOp, const char*>, 5> kNames
    = {{{CollectiveOp::AllReduce, "allreduce"},
        {CollectiveOp::AllGather, "allgather"},
        {CollectiveOp::ReduceScatter, "reducescatter"},
        {CollectiveOp::AllToAll, "alltoall"},
        {CollectiveOp::SendRecv, "sendrecv"}}};

/** `steps` ring steps over all ranks on each channel; a chunk is bytes / channels / n. */
TransferDag
Ring(std::uint32_t n,
     std::uint64_t bytes,
     std::uint32_t channels,
     std::uint32_t steps,
     std::uint32_t ranksPerServer)
{
    TransferDag dag;
    dag.ranks = n;
    RingSteps ring;
    ring.chunkBytes = bytes / channels / n;
    ring.steps = steps;
    for (std::uint32_t k = 0; k < channels; ++k)
    {
        ring.channel = k;
        ring.members = RailAlignedRingOrder(n, ranksPerServer, k);
        RankFrontier frontier(n);
        AppendRingSteps(dag, ring, frontier);
    }
    return dag;
}

} // namespace

std::vector<std::uint32_t>
RailAlignedRingOrder(std::uint32_t ranks, std::uint32_t ranksPerServer, std::uint32_t channel)
{
    RailAlignedRing ring{ranks, ranksPerServer, channel};
    std::vector<std::uint32_t> order(ranks, 0);
    for (std::uint32_t position = 0; position < ranks; ++position)
    {
        order[position] = ring.RankAt(position);
    }
    return order;
}

const char*
CollectiveOpName(CollectiveOp op)
{
    for (const auto& [value, name] : kNames)
    {
        if (value == op)
        {
            return name;
        }
    }
    return "allreduce";
}

std::optional<CollectiveOp>
ParseCollectiveOp(const std::string& name)
{
    for (const auto& [value, text] : kNames)
    {
        if (name == text)
        {
            return value;
        }
    }
    return std::nullopt;
}

double
BusBandwidthFactor(CollectiveOp op, std::uint32_t ranks)
{
    double n = ranks;
    switch (op)
    {
        case CollectiveOp::AllReduce:
            return 2.0 * (n - 1) / n;
        case CollectiveOp::AllGather:
        case CollectiveOp::ReduceScatter:
        case CollectiveOp::AllToAll:
            return (n - 1) / n;
        case CollectiveOp::SendRecv:
            return 1.0;
    }
    return 1.0;
}

TransferDag
RingAllReduce(std::uint32_t ranks,
              std::uint64_t bytes,
              std::uint32_t channels,
              std::uint32_t ranksPerServer)
{
    return Ring(ranks, bytes, channels, 2 * (ranks - 1), ranksPerServer);
}

TransferDag
RingAllGather(std::uint32_t ranks,
              std::uint64_t bytes,
              std::uint32_t channels,
              std::uint32_t ranksPerServer)
{
    return Ring(ranks, bytes, channels, ranks - 1, ranksPerServer);
}

TransferDag
RingReduceScatter(std::uint32_t ranks,
                  std::uint64_t bytes,
                  std::uint32_t channels,
                  std::uint32_t ranksPerServer)
{
    return Ring(ranks, bytes, channels, ranks - 1, ranksPerServer);
}

TransferDag
HalvingDoublingAllReduce(std::uint32_t ranks, std::uint64_t bytes)
{
    TransferDag dag;
    dag.ranks = ranks;
    std::uint32_t rounds = 0;
    while ((1u << rounds) < ranks)
    {
        ++rounds;
    }
    std::vector<std::uint32_t> last(ranks, 0);
    bool first = true;
    std::uint32_t step = 0;
    std::uint32_t previousDistance = 0;
    // Reduce-scatter: distance n/2, n/4, ..., 1, exchanging bytes/2, bytes/4, ...
    // All-gather: distance 1, 2, ..., n/2, exchanging bytes/n, ..., bytes/2.
    for (std::uint32_t phase = 0; phase < 2; ++phase)
    {
        for (std::uint32_t i = 0; i < rounds; ++i, ++step)
        {
            std::uint32_t distance = phase == 0 ? ranks >> (i + 1) : 1u << i;
            std::uint64_t size = phase == 0 ? bytes >> (i + 1) : bytes >> (rounds - i);
            std::vector<std::uint32_t> now(ranks, 0);
            for (std::uint32_t r = 0; r < ranks; ++r)
            {
                std::uint32_t partner = r ^ distance;
                std::vector<std::uint32_t> deps;
                if (!first)
                {
                    // What this rank sent last, and what its previous partner sent it.
                    deps = {last[r], last[r ^ previousDistance]};
                }
                now[r] = dag.Add(r, partner, size, 0, step, std::move(deps));
            }
            last = now;
            first = false;
            previousDistance = distance;
        }
    }
    return dag;
}

TransferDag
DirectAllToAll(std::uint32_t ranks, std::uint64_t bytes)
{
    TransferDag dag;
    dag.ranks = ranks;
    std::uint64_t block = bytes / ranks;
    for (std::uint32_t s = 1; s < ranks; ++s)
    {
        for (std::uint32_t r = 0; r < ranks; ++r)
        {
            dag.Add(r, (r + s) % ranks, block, 0, 0, {});
        }
    }
    return dag;
}

TransferDag
PairwiseAllToAll(std::uint32_t ranks, std::uint64_t bytes)
{
    TransferDag dag;
    dag.ranks = ranks;
    std::uint64_t block = bytes / ranks;
    std::vector<std::uint32_t> last(ranks, 0);
    for (std::uint32_t s = 1; s < ranks; ++s)
    {
        std::vector<std::uint32_t> now(ranks, 0);
        for (std::uint32_t r = 0; r < ranks; ++r)
        {
            std::vector<std::uint32_t> deps;
            if (s > 1)
            {
                deps = {last[r]}; // one exchange at a time per rank
            }
            now[r] = dag.Add(r, (r + s) % ranks, block, 0, s - 1, std::move(deps));
        }
        last = now;
    }
    return dag;
}

} // namespace fab::traffic
