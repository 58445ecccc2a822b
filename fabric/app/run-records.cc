#include "fabric/app/run-records.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ns3::fabric
{

std::vector<RankPlacement>
PlaceOnNics(const topo::Design& design, const std::vector<traffic::RankPlace>& places)
{
    std::uint32_t ports = design.servers.PortsPerServer();
    std::uint32_t gpus = std::max(1u, design.servers.gpus);
    std::vector<RankPlacement> nics;
    for (const auto& place : places)
    {
        nics.push_back({place.server, static_cast<std::uint16_t>(place.gpu % gpus * ports / gpus)});
    }
    return nics;
}

void
CheckPlacements(const FabricJob& job, std::uint32_t servers, std::uint32_t portsPerServer)
{
    if (job.ranks.size() != job.iteration.Ranks())
    {
        throw std::invalid_argument("job " + job.name + ": " + std::to_string(job.ranks.size())
                                    + " placements for " + std::to_string(job.iteration.Ranks())
                                    + " ranks");
    }
    for (const auto& rank : job.ranks)
    {
        if (rank.server >= servers || rank.port >= portsPerServer)
        {
            throw std::invalid_argument("job " + job.name + ": no NIC port "
                                        + std::to_string(rank.port) + " on server "
                                        + std::to_string(rank.server));
        }
    }
}

} // namespace ns3::fabric
