#include "traffic/model/hierarchical-collective.h"

#include "traffic/model/ring-steps.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace fab::traffic
{
namespace
{

/** The ranks of one server, in local-index order. */
std::vector<std::uint32_t>
ServerRing(std::uint32_t server, std::uint32_t ranksPerServer)
{
    std::vector<std::uint32_t> members(ranksPerServer, 0);
    for (std::uint32_t i = 0; i < ranksPerServer; ++i)
    {
        members[i] = server * ranksPerServer + i;
    }
    return members;
}

/** The ranks with local index `local`, in server order. */
std::vector<std::uint32_t>
RailRing(std::uint32_t local, std::uint32_t ranksPerServer, std::uint32_t servers)
{
    std::vector<std::uint32_t> members(servers, 0);
    for (std::uint32_t s = 0; s < servers; ++s)
    {
        members[s] = s * ranksPerServer + local;
    }
    return members;
}

} // namespace

void
CheckHierarchical(std::uint32_t ranks, std::uint32_t ranksPerServer, std::uint32_t channels)
{
    const std::string where = "HierarchicalAllReduce: ";
    if (ranks == 0)
    {
        throw std::invalid_argument(where + "ranks must be at least 1");
    }
    if (ranksPerServer == 0)
    {
        throw std::invalid_argument(where + "ranksPerServer must be at least 1");
    }
    if (ranks % ranksPerServer != 0)
    {
        throw std::invalid_argument(where + "ranks (" + std::to_string(ranks)
                                    + ") must be a multiple of ranksPerServer ("
                                    + std::to_string(ranksPerServer) + ")");
    }
    if (channels == 0)
    {
        throw std::invalid_argument(where + "channels must be at least 1");
    }
}

TransferDag
HierarchicalAllReduce(std::uint32_t ranks,
                      std::uint32_t ranksPerServer,
                      std::uint64_t bytes,
                      std::uint32_t channels)
{
    CheckHierarchical(ranks, ranksPerServer, channels);
    std::uint32_t local = ranksPerServer;
    std::uint32_t servers = ranks / local;
    TransferDag dag;
    dag.ranks = ranks;

    RingSteps intra;
    intra.chunkBytes = bytes / channels / local;
    intra.steps = local - 1;
    RingSteps inter;
    inter.chunkBytes = intra.chunkBytes / servers;
    inter.firstStep = intra.steps;
    inter.steps = 2 * (servers - 1);
    std::uint32_t gatherFirstStep = inter.firstStep + inter.steps;

    for (std::uint32_t k = 0; k < channels; ++k)
    {
        intra.channel = k;
        inter.channel = k;
        // Carries each rank's completion from one phase into the next.
        RankFrontier frontier(ranks);
        intra.firstStep = 0;
        for (std::uint32_t s = 0; s < servers; ++s)
        {
            intra.members = ServerRing(s, local);
            AppendRingSteps(dag, intra, frontier);
        }
        for (std::uint32_t i = 0; i < local; ++i)
        {
            inter.members = RailRing(i, local, servers);
            AppendRingSteps(dag, inter, frontier);
        }
        intra.firstStep = gatherFirstStep;
        for (std::uint32_t s = 0; s < servers; ++s)
        {
            intra.members = ServerRing(s, local);
            AppendRingSteps(dag, intra, frontier);
        }
    }
    return dag;
}

} // namespace fab::traffic
