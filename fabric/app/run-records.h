#ifndef FABRICSCOPE_FABRIC_APP_RUN_RECORDS_H
#define FABRICSCOPE_FABRIC_APP_RUN_RECORDS_H

#include "topologies/model/design.h"
#include "traffic/model/job.h"
#include "traffic/model/schedule.h"

#include <cstdint>
#include <string>
#include <vector>

// What a run of jobs on a fabric is and yields, whichever engine ran it: plain C++.
namespace ns3::fabric
{

namespace topo = ::fab::topo;
namespace traffic = ::fab::traffic;

/** Where a rank lives: a server and one of its NIC ports. */
struct RankPlacement
{
    std::uint32_t server{0};
    std::uint16_t port{0};
};

/** NIC port of each rank: GPU g of a server uses port g × ports ÷ GPUs (rail-aligned). */
std::vector<RankPlacement> PlaceOnNics(const topo::Design& design,
                                       const std::vector<traffic::RankPlace>& places);

/** A job as the fabric runs it: one iteration's schedule, repeated, and where its ranks are. */
struct FabricJob
{
    std::string name{"job"};
    traffic::Schedule iteration{{}};
    std::vector<RankPlacement> ranks;
    std::uint8_t priority{3}; ///< traffic class of its RDMA data
};

/** Throws std::invalid_argument unless the job places each rank of its schedule on a NIC port
 *  of a fabric of `servers` servers with `portsPerServer` ports each. */
void CheckPlacements(const FabricJob& job, std::uint32_t servers, std::uint32_t portsPerServer);

/** One run of a collective (or a stage-to-stage transfer): a group of one iteration. */
struct CollectiveRecord
{
    std::uint32_t job{0};
    std::uint32_t iteration{0};
    std::uint32_t group{0}; ///< index into the job's schedule groups
    std::int64_t startNs{0};
    std::int64_t endNs{0};
    double algbwGbps{0};
    double busbwGbps{0};
    /** The busbw if the busiest NIC of the collective ran at its payload line rate; 0 when the
     *  collective never left its server. */
    double boundGbps{0};
};

struct IterationRecord
{
    std::uint32_t job{0};
    std::uint32_t index{0};
    std::int64_t startNs{0};
    std::int64_t endNs{0};
};

/** What one rank spent on one group (a compute phase or its part of a collective). */
struct RankSpan
{
    std::uint32_t job{0};
    std::uint32_t iteration{0};
    std::uint32_t rank{0};
    std::uint32_t group{0};
    std::int64_t startNs{0};
    std::int64_t endNs{0};
};

/** A queue pair the runner opened: one per (job, source rank, destination rank, channel). */
struct QueuePairRecord
{
    std::uint32_t job{0};
    std::uint32_t server{0};
    std::uint32_t flow{0}; ///< the flow id on that server's RoceHost
    std::uint32_t srcRank{0};
    std::uint32_t dstRank{0};
    std::uint32_t channel{0};
};

} // namespace ns3::fabric

#endif
