#include "traffic/model/collective-algorithm.h"

#include "traffic/model/all-to-all-plan.h"
#include "traffic/model/halving-doubling-plan.h"
#include "traffic/model/hierarchical-collective.h"
#include "traffic/model/ring-rounds-plan.h"
#include "traffic/model/send-recv-plan.h"
#include "traffic/model/tree-collective.h"
#include "traffic/model/tree-plan.h"

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

void
CheckCollective(CollectiveOp op,
                CollectiveAlgorithm algorithm,
                std::uint32_t ranks,
                const AlgorithmOptions& options)
{
    if (ranks < 2)
    {
        return;
    }
    bool allReduce = op == CollectiveOp::AllReduce;
    bool supported = false;
    switch (algorithm)
    {
        case CollectiveAlgorithm::Ring:
            supported
                = allReduce || op == CollectiveOp::AllGather || op == CollectiveOp::ReduceScatter;
            break;
        case CollectiveAlgorithm::Tree:
        case CollectiveAlgorithm::Hierarchical:
            supported = allReduce;
            break;
        case CollectiveAlgorithm::HalvingDoubling:
            if (allReduce && (ranks & (ranks - 1)) != 0)
            {
                Unsupported(
                    op, algorithm, "needs a power-of-two rank count, not " + std::to_string(ranks));
            }
            supported = allReduce;
            break;
        case CollectiveAlgorithm::Pairwise:
            supported = op == CollectiveOp::AllToAll;
            break;
        case CollectiveAlgorithm::Direct:
            if (op == CollectiveOp::SendRecv && ranks != 2)
            {
                Unsupported(op, algorithm, "is between 2 ranks, not " + std::to_string(ranks));
            }
            supported = op == CollectiveOp::AllToAll || op == CollectiveOp::SendRecv;
            break;
    }
    if (!supported)
    {
        Unsupported(op, algorithm, "not implemented by this algorithm");
    }
    if (algorithm == CollectiveAlgorithm::Hierarchical)
    {
        CheckHierarchical(ranks, options.ranksPerServer, options.channels);
    }
    if (algorithm == CollectiveAlgorithm::Tree && options.treeChunks == 0)
    {
        Unsupported(op, algorithm, "needs at least 1 chunk");
    }
    if (algorithm == CollectiveAlgorithm::Ring && options.channels == 0)
    {
        Unsupported(op, algorithm, "needs at least 1 channel");
    }
}

TransferDag
ExpandCollective(CollectiveOp op,
                 CollectiveAlgorithm algorithm,
                 std::uint32_t ranks,
                 std::uint64_t bytes,
                 const AlgorithmOptions& options)
{
    CheckCollective(op, algorithm, ranks, options);
    TransferDag dag;
    dag.ranks = ranks;
    if (ranks < 2)
    {
        return dag;
    }
    switch (algorithm)
    {
        case CollectiveAlgorithm::Ring:
            if (op == CollectiveOp::AllReduce)
            {
                return RingAllReduce(ranks, bytes, options.channels, options.ranksPerServer);
            }
            return op == CollectiveOp::AllGather
                       ? RingAllGather(ranks, bytes, options.channels, options.ranksPerServer)
                       : RingReduceScatter(ranks, bytes, options.channels, options.ranksPerServer);
        case CollectiveAlgorithm::Tree:
            return DoubleBinaryTreeAllReduce(ranks, bytes, options.treeChunks);
        case CollectiveAlgorithm::HalvingDoubling:
            return HalvingDoublingAllReduce(ranks, bytes);
        case CollectiveAlgorithm::Hierarchical:
            return HierarchicalAllReduce(ranks, options.ranksPerServer, bytes, options.channels);
        case CollectiveAlgorithm::Pairwise:
            return PairwiseAllToAll(ranks, bytes);
        case CollectiveAlgorithm::Direct:
            if (op == CollectiveOp::AllToAll)
            {
                return DirectAllToAll(ranks, bytes);
            }
            dag.Add(0, 1, bytes, 0, 0, {});
            return dag;
    }
    return dag;
}

std::shared_ptr<const CollectivePlan>
PlanCollective(CollectiveOp op,
               CollectiveAlgorithm algorithm,
               std::uint32_t ranks,
               std::uint64_t bytes,
               const AlgorithmOptions& options)
{
    CheckCollective(op, algorithm, ranks, options);
    if (ranks < 2)
    {
        return std::make_shared<SendRecvPlan>(ranks, bytes);
    }
    std::uint32_t channels = options.channels;
    switch (algorithm)
    {
        case CollectiveAlgorithm::Ring:
        {
            RingRound round;
            round.steps = op == CollectiveOp::AllReduce ? 2 * (ranks - 1) : ranks - 1;
            round.chunkBytes = bytes / channels / ranks;
            return std::make_shared<RingRoundsPlan>(
                ranks, options.ranksPerServer, channels, std::vector<RingRound>{round});
        }
        case CollectiveAlgorithm::Tree:
            return std::make_shared<TreePlan>(ranks, bytes, options.treeChunks);
        case CollectiveAlgorithm::HalvingDoubling:
            return std::make_shared<HalvingDoublingPlan>(ranks, bytes);
        case CollectiveAlgorithm::Hierarchical:
        {
            // As HierarchicalAllReduce: inside servers, across them by rail, inside again.
            std::uint32_t local = options.ranksPerServer;
            std::uint32_t servers = ranks / local;
            RingRound intra{RingKind::Servers, local - 1, 0, bytes / channels / local};
            RingRound inter{
                RingKind::Rails, 2 * (servers - 1), intra.steps, intra.chunkBytes / servers};
            RingRound gather = intra;
            gather.firstStep = inter.firstStep + inter.steps;
            return std::make_shared<RingRoundsPlan>(
                ranks, local, channels, std::vector<RingRound>{intra, inter, gather});
        }
        case CollectiveAlgorithm::Pairwise:
            return std::make_shared<AllToAllPlan>(ranks, bytes, true);
        case CollectiveAlgorithm::Direct:
            if (op == CollectiveOp::AllToAll)
            {
                return std::make_shared<AllToAllPlan>(ranks, bytes, false);
            }
            return std::make_shared<SendRecvPlan>(ranks, bytes);
    }
    return std::make_shared<SendRecvPlan>(0, bytes);
}

} // namespace fab::traffic
