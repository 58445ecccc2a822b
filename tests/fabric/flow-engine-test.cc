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
RunFlow(const topo::Design& design,
        const std::vector<FabricJob>& jobs,
        std::uint32_t iterations,
        std::uint64_t patternMinTransfers = FlowEngine::kDefaultPatternMinTransfers)
{
    FlowFabric fabric(design);
    FlowEngine engine(fabric);
    engine.SetPatternMinTransfers(patternMinTransfers);
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

TEST_CASE("a ring solved once per step pattern takes the time of its transfers run one by one, "
          "exactly where every member has the same rate and latency",
          "[flow][pattern]")
{
    // 16 servers under one leaf, one channel: every hop has the same path length and rate.
    auto design = UniformDesign(16, 1, 64, 1, 2, k100G);
    tr::CollectiveJobSpec spec;
    spec.gpus = 16;
    spec.bytes = GENERATE(1ull << 20, 8ull << 20);
    spec.op = GENERATE(tr::CollectiveOp::AllReduce, tr::CollectiveOp::AllGather);
    spec.options.channels = 1;
    std::vector<FabricJob> jobs{CollectiveJob(design, spec)};
    FlowFabric fabric(design);
    FlowEngine patterns(fabric);
    patterns.SetPatternMinTransfers(0);
    patterns.AddJob(jobs[0]);
    patterns.SetIterations(2);
    patterns.Run();
    REQUIRE(patterns.Done());
    CHECK(patterns.FlowsStarted() == 0);
    CHECK(patterns.PatternsSolved() == 2); // one ring phase an iteration
    Times flat = RunFlow(design, jobs, 2, FlowEngine::kNoPatterns);
    Times pattern = TimesOf(patterns);
    REQUIRE(pattern.collectiveNs.size() == flat.collectiveNs.size());
    for (std::size_t c = 0; c < flat.collectiveNs.size(); ++c)
    {
        INFO("pattern " << pattern.collectiveNs[c] << " ns, flow by flow " << flat.collectiveNs[c]
                        << " ns");
        // The per-transfer run rounds each transfer up to a nanosecond; the pattern once.
        CHECK(std::llabs(pattern.collectiveNs[c] - flat.collectiveNs[c]) <= 2 * 15);
    }
}

TEST_CASE("solving rings once per step pattern agrees with running their transfers one by one",
          "[flow][pattern]")
{
    // Rings whose hops cross spines, share uplinks between channels, or run partly inside
    // servers: each collective within 3% of the per-transfer run (measured: 0.1% and 0.2%).
    // Trees and All-to-Alls are not ring patterns and run transfer by transfer either way.
    struct Case
    {
        const char* name;
        topo::Design design;
        tr::CollectiveOp op;
        tr::CollectiveAlgorithm algorithm;
        std::uint32_t gpusPerServer;
        double tolerance;
    };
    auto twoTier = UniformDesign(32, 1, 8, 1, 2, k100G);
    auto eightGpus = UniformDesign(16, 8, 64, 1, 2, k100G);
    auto c = GENERATE_COPY(
        Case{"ring across spines", twoTier, tr::CollectiveOp::AllReduce,
             tr::CollectiveAlgorithm::Ring, 0, 0.03},
        Case{"hierarchical, eight GPUs a server", eightGpus, tr::CollectiveOp::AllReduce,
             tr::CollectiveAlgorithm::Hierarchical, 8, 0.03},
        Case{"tree", twoTier, tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Tree, 0, 0},
        Case{"direct All-to-All", twoTier, tr::CollectiveOp::AllToAll,
             tr::CollectiveAlgorithm::Direct, 0, 0});
    tr::CollectiveJobSpec spec;
    spec.op = c.op;
    spec.algorithm = c.algorithm;
    spec.gpus = 32;
    spec.gpusPerServer = c.gpusPerServer;
    spec.options.ranksPerServer = c.gpusPerServer == 0 ? 1 : c.gpusPerServer;
    spec.bytes = 16ull << 20;
    std::vector<FabricJob> jobs{CollectiveJob(c.design, spec)};
    Times flat = RunFlow(c.design, jobs, 1, FlowEngine::kNoPatterns);
    Times pattern = RunFlow(c.design, jobs, 1, 0);
    REQUIRE(pattern.collectiveNs.size() == flat.collectiveNs.size());
    for (std::size_t k = 0; k < flat.collectiveNs.size(); ++k)
    {
        INFO(c.name << ": pattern " << pattern.collectiveNs[k] << " ns, flow by flow "
                    << flat.collectiveNs[k] << " ns");
        CHECK(RelativeError(pattern.collectiveNs[k], flat.collectiveNs[k]) <= c.tolerance);
    }
}

TEST_CASE("rings across pods solved once per step pattern are within a stated tolerance of the "
          "packet engine",
          "[flow][pattern][validation][sim]")
{
    // Hops of unequal latency (inside a leaf, across spines, across cores) with four channels:
    // the packet engine's channels drift apart and cover each other's latency, which the
    // pattern's bandwidth bound models and per-transfer flows in step do not (measured: pattern
    // -6% and -9%, flow by flow +28% and +28%). Each within 12% of the packet engine.
    auto design = fab::tests::KAryDesign(8, 3);
    tr::CollectiveJobSpec spec;
    spec.gpus = 32;
    spec.bytes = 16ull << 20;
    spec.op = GENERATE(tr::CollectiveOp::AllReduce, tr::CollectiveOp::ReduceScatter);
    std::vector<FabricJob> jobs{CollectiveJob(design, spec)};
    Times packet = RunPacket(design, jobs, 1);
    Times pattern = RunFlow(design, jobs, 1, 0);
    REQUIRE(pattern.collectiveNs.size() == packet.collectiveNs.size());
    for (std::size_t k = 0; k < packet.collectiveNs.size(); ++k)
    {
        INFO(tr::CollectiveOpName(spec.op) << ": pattern " << pattern.collectiveNs[k]
                                           << " ns, packet " << packet.collectiveNs[k] << " ns");
        CHECK(RelativeError(pattern.collectiveNs[k], packet.collectiveNs[k]) <= 0.12);
    }
}
