#include "traffic/model/collective-algorithm.h"

#include "traffic/model/hierarchical-collective.h"
#include "traffic/model/tree-collective.h"

#include <array>
#include <stdexcept>
#include <utility>

namespace fab::traffic
{
namespace
{

constexpr std::array<std::pair<CollectiveAlgorithm, const char*>, 6> kNames
    = {{{CollectiveAlgorithm::Ring, "ring"},
        {CollectiveAlgorithm::Tree, "tree"},
        {CollectiveAlgorithm::HalvingDoubling, "halving-doubling"},
        {CollectiveAlgorithm::Hierarchical, "hierarchical"},
        {CollectiveAlgorithm::Pairwise, "pairwise"},
        {CollectiveAlgorithm::Direct, "direct"}}};

[[noreturn]] void
Unsupported(CollectiveOp op, CollectiveAlgorithm algorithm, const std::string& why)
{
    throw std::invalid_argument(std::string(CollectiveAlgorithmName(algorithm)) + " "
                                + CollectiveOpName(op) + ": " + why);
}

} // namespace

const char*
CollectiveAlgorithmName(CollectiveAlgorithm algorithm)
{
    for (const auto& [value, name] : kNames)
    {
        if (value == algorithm)
        {
            return name;
        }
    }
    return "ring";
}

std::optional<CollectiveAlgorithm>
ParseCollectiveAlgorithm(const std::string& name)
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

CollectiveAlgorithm
DefaultAlgorithm(CollectiveOp op)
{
    switch (op)
    {
        case CollectiveOp::AllToAll:
        case CollectiveOp::SendRecv:
            return CollectiveAlgorithm::Direct;
        default:
            return CollectiveAlgorithm::Ring;
    }
}

TransferDag
ExpandCollective(CollectiveOp op,
                 CollectiveAlgorithm algorithm,
                 std::uint32_t ranks,
                 std::uint64_t bytes,
                 const AlgorithmOptions& options)
{
    if (ranks < 2)
    {
        TransferDag empty;
        empty.ranks = ranks;
        return empty;
    }
    bool allReduce = op == CollectiveOp::AllReduce;
    switch (algorithm)
    {
        case CollectiveAlgorithm::Ring:
            if (allReduce)
            {
                return RingAllReduce(ranks, bytes, options.channels, options.ranksPerServer);
            }
            if (op == CollectiveOp::AllGather)
            {
                return RingAllGather(ranks, bytes, options.channels, options.ranksPerServer);
            }
            if (op == CollectiveOp::ReduceScatter)
            {
                return RingReduceScatter(ranks, bytes, options.channels, options.ranksPerServer);
            }
            break;
        case CollectiveAlgorithm::Tree:
            if (allReduce)
            {
                return DoubleBinaryTreeAllReduce(ranks, bytes, options.treeChunks);
            }
            break;
        case CollectiveAlgorithm::HalvingDoubling:
            if (allReduce)
            {
                if ((ranks & (ranks - 1)) != 0)
                {
                    Unsupported(op,
                                algorithm,
                                "needs a power-of-two rank count, not " + std::to_string(ranks));
                }
                return HalvingDoublingAllReduce(ranks, bytes);
            }
            break;
        case CollectiveAlgorithm::Hierarchical:
            if (allReduce)
            {
                return HierarchicalAllReduce(
                    ranks, options.ranksPerServer, bytes, options.channels);
            }
            break;
        case CollectiveAlgorithm::Pairwise:
            if (op == CollectiveOp::AllToAll)
            {
                return PairwiseAllToAll(ranks, bytes);
            }
            break;
        case CollectiveAlgorithm::Direct:
            if (op == CollectiveOp::AllToAll)
            {
                return DirectAllToAll(ranks, bytes);
            }
            if (op == CollectiveOp::SendRecv)
            {
                if (ranks != 2)
                {
                    Unsupported(op, algorithm, "is between 2 ranks, not " + std::to_string(ranks));
                }
                TransferDag dag;
                dag.ranks = 2;
                dag.Add(0, 1, bytes, 0, 0, {});
                return dag;
            }
            break;
    }
    Unsupported(op, algorithm, "not implemented by this algorithm");
}

} // namespace fab::traffic
