#include "fabric/flow/flow-engine.h"
#include "fabric/helper/schedule-runner.h"
#include "support/small-training.h"
#include "support/test-designs.h"
#include "traffic/model/collective-job.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::flow::FlowEngine;
using fab::flow::FlowFabric;
using fab::tests::UniformDesign;
namespace tr = fab::traffic;

namespace
{

constexpr std::uint64_t k100G = 100'000'000'000ULL;

FabricJob
CollectiveJob(const topo::Design& design, tr::CollectiveJobSpec spec)
{
    auto places = tr::PlaceCollective(spec, design.servers.gpus);
    FabricJob job;
    job.name = spec.name;
    job.iteration = tr::BuildCollectiveIteration(spec, places, {});
    job.ranks = PlaceOnNics(design, places);
    return job;
}

FabricJob
TrainingJob(const topo::Design& design, const tr::JobSpec& spec)
{
    auto places = tr::PlaceRanks(spec, design.servers.gpus);
    FabricJob job;
    job.name = "training";
    job.iteration = tr::BuildIteration(spec, places, {});
    job.ranks = PlaceOnNics(design, places);
    return job;
}

/** What both engines report: each collective's and each iteration's time, in run order. */
struct Times
{
    std::vector<std::int64_t> collectiveNs;
    std::vector<std::int64_t> iterationNs;
};

template <typename Runner>
Times
TimesOf(const Runner& runner)
{
    Times times;
    auto collectives = runner.Collectives();
    std::sort(collectives.begin(),
              collectives.end(),
              [](const CollectiveRecord& a, const CollectiveRecord& b)
              { return std::tie(a.job, a.iteration, a.group) < std::tie(b.job, b.iteration, b.group); });
    for (const auto& c : collectives)
    {
        times.collectiveNs.push_back(c.endNs - c.startNs);
    }
    for (const auto& i : runner.Iterations())
    {
        times.iterationNs.push_back(i.endNs - i.startNs);
    }
    return times;
}

Times
RunPacket(const topo::Design& design, const std::vector<FabricJob>& jobs, std::uint32_t iterations)
{
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    ScheduleRunner runner(fabric);
    for (const auto& job : jobs)
    {
        runner.AddJob(job);
    }
    runner.SetIterations(iterations);
    runner.Start();
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    REQUIRE(runner.Done());
    Times times = TimesOf(runner);
    Simulator::Destroy();
    return times;
}

Times
RunFlow(const topo::Design& design, const std::vector<FabricJob>& jobs, std::uint32_t iterations)
{
    FlowFabric fabric(design);
    FlowEngine engine(fabric);
    for (const auto& job : jobs)
    {
        engine.AddJob(job);
    }
    engine.SetIterations(iterations);
    engine.Run();
    REQUIRE(engine.Done());
    return TimesOf(engine);
}

double
RelativeError(std::int64_t flowNs, std::int64_t packetNs)
{
    return std::fabs(static_cast<double>(flowNs - packetNs)) / static_cast<double>(packetNs);
}

} // namespace

TEST_CASE("a lone message takes its wire bytes at line rate and its path's latency",
          "[flow][engine]")
{
    auto design = UniformDesign(8, 1, 64, 1, 2, k100G);
    tr::CollectiveJobSpec spec;
    spec.op = tr::CollectiveOp::SendRecv;
    spec.algorithm = tr::CollectiveAlgorithm::Direct;
    spec.gpus = 2;
    spec.bytes = GENERATE(1ull, 4096ull, 1ull << 20, 10'000'000ull);
    FlowFabric fabric(design);
    FlowEngine engine(fabric);
    engine.AddJob(CollectiveJob(design, spec));
    engine.Run();
    REQUIRE(engine.Done());
    REQUIRE(engine.Collectives().size() == 1);
    const auto& record = engine.Collectives().front();

    // By hand: 82 bytes of headers a packet, 16 of RETH on the first; the last packet is
    // stored and forwarded once, at the leaf; two cables' delay.
    std::uint64_t packets = (spec.bytes + 4095) / 4096;
    std::uint64_t wire = spec.bytes + packets * 82 + 16;
    std::uint64_t last = spec.bytes - (packets - 1) * 4096 + 82 + (packets == 1 ? 16 : 0);
    auto flowNs = static_cast<std::int64_t>(std::ceil(static_cast<double>(wire) * 8 / 100.0));
    auto forwardNs = static_cast<std::int64_t>((last * 8 + 99) / 100);
    std::int64_t cableNs = fabric.FiguresOf(0).delayNs;
    REQUIRE(cableNs > 0);
    CHECK(record.endNs - record.startNs == flowNs + forwardNs + 2 * cableNs);
    std::uint64_t sent = 0;
    for (auto bytes : engine.LinkBytes())
    {
        sent += bytes;
    }
    CHECK(sent == 2 * wire); // up to the leaf, down to the receiver
}

TEST_CASE("two jobs on one fabric slow each other where their flows meet", "[flow][engine]")
{
    // Two rings over the same 8 servers' NICs (one GPU each): together each gets half a NIC.
    auto design = UniformDesign(8, 1, 64, 1, 2, k100G);
    tr::CollectiveJobSpec spec;
    spec.bytes = 8ull << 20;
    spec.gpus = 8;
    Times alone = RunFlow(design, {CollectiveJob(design, spec)}, 1);
    Times shared
        = RunFlow(design, {CollectiveJob(design, spec), CollectiveJob(design, spec)}, 1);
    REQUIRE(alone.collectiveNs.size() == 1);
    REQUIRE(shared.collectiveNs.size() == 2);
    for (auto ns : shared.collectiveNs)
    {
        CHECK(static_cast<double>(ns) / static_cast<double>(alone.collectiveNs[0])
              == Approx(2.0).epsilon(0.05));
    }
}

TEST_CASE("a training job's iterations run compute, scale-up and fabric tasks in order",
          "[flow][engine]")
{
    auto design = UniformDesign(8, 8, 64, 1, 2, k100G);
    auto spec = fab::tests::SmallTraining(2, 4, 2);
    FlowFabric fabric(design);
    FlowEngine engine(fabric);
    engine.AddJob(TrainingJob(design, spec));
    engine.SetIterations(2);
    engine.Run();
    REQUIRE(engine.Done());
    REQUIRE(engine.Iterations().size() == 2);
    CHECK(engine.Iterations()[1].startNs == engine.Iterations()[0].endNs);
    // Compute alone: 4 layers forward and (twice as long) backward on each of 2 stages.
    CHECK(engine.Iterations()[0].endNs - engine.Iterations()[0].startNs > 12 * 10'000);
    CHECK(engine.FlowsStarted() > 0);
    CHECK_FALSE(engine.Collectives().empty());
}

TEST_CASE("the flow engine is within a stated tolerance of the packet engine",
          "[flow][validation][sim]")
{
    // Collectives of at least 1 MiB, where per-packet effects (ACKs, pacing, queues) are small
    // against the bytes: each collective's time within 10%.
    auto design = UniformDesign(16, 1, 8, 1, 2, k100G);
    tr::CollectiveJobSpec spec;
    spec.gpus = 16;
    spec.bytes = 4ull << 20;
    std::tie(spec.op, spec.algorithm) = GENERATE(
        std::make_tuple(tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Ring),
        std::make_tuple(tr::CollectiveOp::AllToAll, tr::CollectiveAlgorithm::Pairwise),
        std::make_tuple(tr::CollectiveOp::AllToAll, tr::CollectiveAlgorithm::Direct));
    std::vector<FabricJob> jobs{CollectiveJob(design, spec)};
    Times packet = RunPacket(design, jobs, 1);
    Times flow = RunFlow(design, jobs, 1);
    REQUIRE(packet.collectiveNs.size() == flow.collectiveNs.size());
    for (std::size_t c = 0; c < packet.collectiveNs.size(); ++c)
    {
        INFO(tr::CollectiveOpName(spec.op)
             << " " << tr::CollectiveAlgorithmName(spec.algorithm) << ": flow "
             << flow.collectiveNs[c] << " ns, packet " << packet.collectiveNs[c] << " ns");
        CHECK(RelativeError(flow.collectiveNs[c], packet.collectiveNs[c]) < 0.10);
    }
}
