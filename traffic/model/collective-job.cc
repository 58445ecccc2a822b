#include "traffic/model/collective-job.h"

namespace fab::traffic
{

std::vector<RankPlace>
PlaceCollective(const CollectiveJobSpec& job, std::uint32_t gpusPerServer)
{
    std::uint32_t perServer = job.gpusPerServer != 0 ? job.gpusPerServer : gpusPerServer;
    std::vector<RankPlace> places(job.gpus);
    for (std::uint32_t r = 0; r < job.gpus; ++r)
    {
        places[r].server = job.firstServer + r / perServer;
        places[r].gpu = r % perServer;
    }
    return places;
}

Schedule
BuildCollectiveIteration(const CollectiveJobSpec& job,
                         const std::vector<RankPlace>& places,
                         const ScaleUpLink& scaleUp)
{
    std::vector<std::uint32_t> servers;
    for (const auto& place : places)
    {
        servers.push_back(place.server);
    }
    Schedule schedule(servers, scaleUp);
    TaskGroup iteration;
    iteration.name = "iteration";
    schedule.AddGroup(iteration);

    TaskGroup group;
    group.name = job.name;
    group.kind = GroupKind::Collective;
    group.op = job.op;
    group.algorithm = CollectiveAlgorithmName(job.algorithm);
    for (std::uint32_t r = 0; r < places.size(); ++r)
    {
        group.ranks.push_back(r);
    }
    group.bytes = job.bytes;
    std::uint32_t g = schedule.AddGroup(group);
    AlgorithmOptions options = job.options;
    std::uint32_t perServer = 1;
    while (perServer < places.size() && places[perServer].server == places[0].server)
    {
        ++perServer;
    }
    options.ranksPerServer = perServer;
    auto plan = PlanCollective(
        job.op, job.algorithm, static_cast<std::uint32_t>(places.size()), job.bytes, options);
    schedule.AddCollective(g, std::move(plan), std::vector<TaskId>(places.size(), kNoTask));
    return schedule;
}

} // namespace fab::traffic
