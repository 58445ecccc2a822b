#include "fabric/helper/schedule-runner.h"
#include "support/test-designs.h"
#include "traffic/model/collective-job.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::UniformDesign;
namespace tr = fab::traffic;

namespace
{

struct Outcome
{
    CollectiveRecord collective;
    std::uint64_t delivered{0};
    std::uint64_t expected{0};
};

/** One collective over 8 servers of one 100G NIC each, behind one leaf. */
Outcome
RunOnOneLeaf(tr::CollectiveOp op, tr::CollectiveAlgorithm algorithm, std::uint32_t channels)
{
    auto design = UniformDesign(8, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    tr::CollectiveJobSpec spec;
    spec.op = op;
    spec.algorithm = algorithm;
    spec.bytes = 16ull << 20;
    spec.gpus = 8;
    spec.options.channels = channels;
    auto places = tr::PlaceCollective(spec, design.servers.gpus);
    FabricJob job;
    job.name = "bench";
    job.iteration = tr::BuildCollectiveIteration(spec, places, {});
    job.ranks = PlaceOnNics(design, places);
    Outcome outcome;
    for (const auto& task : job.iteration.ExpandTasks())
    {
        outcome.expected += task.kind == tr::TaskKind::Transfer ? task.bytes : 0;
    }
    ScheduleRunner runner(fabric);
    runner.AddJob(std::move(job));
    REQUIRE(runner.Progress() == 0.0);
    runner.Start(MicroSeconds(1));
    Simulator::Stop(MilliSeconds(50));
    Simulator::Run();
    REQUIRE(runner.Done());
    REQUIRE(runner.Progress() == 1.0);
    REQUIRE(runner.Collectives().size() == 1);
    REQUIRE(runner.Iterations().size() == 1);
    for (std::uint32_t s = 0; s < 8; ++s)
    {
        outcome.delivered += fabric.Host(s)->GetTotalReceivedPayload();
    }
    outcome.collective = runner.Collectives().front();
    Simulator::Destroy();
    return outcome;
}

} // namespace

TEST_CASE("collectives on the fabric: busbw approaches the link's payload rate",
          "[fabric][sim][collective]")
{
    // Each rank's 100G NIC carries 4,096 payload bytes per 4,178 on the wire (WRITE MIDDLE).
    const double payloadRate = 100.0 * 4096 / 4178;
    auto [op, algorithm, channels, floor] = GENERATE(
        std::make_tuple(tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Ring, 1u, 0.85),
        std::make_tuple(tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Ring, 4u, 0.9),
        std::make_tuple(
            tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::HalvingDoubling, 1u, 0.85),
        std::make_tuple(tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Tree, 1u, 0.6),
        std::make_tuple(tr::CollectiveOp::AllGather, tr::CollectiveAlgorithm::Ring, 4u, 0.85),
        std::make_tuple(tr::CollectiveOp::AllToAll, tr::CollectiveAlgorithm::Pairwise, 1u, 0.8));
    auto outcome = RunOnOneLeaf(op, algorithm, channels);
    INFO(tr::CollectiveOpName(op) << " " << tr::CollectiveAlgorithmName(algorithm) << " x"
                                  << channels << ": busbw " << outcome.collective.busbwGbps);
    REQUIRE(outcome.delivered == outcome.expected);
    REQUIRE(outcome.collective.busbwGbps > floor * payloadRate);
    REQUIRE(outcome.collective.busbwGbps < payloadRate);
    REQUIRE(outcome.collective.algbwGbps
            == Approx(outcome.collective.busbwGbps / tr::BusBandwidthFactor(op, 8)));
}
