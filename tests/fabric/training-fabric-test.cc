// Jobs on the simulated fabric: bus bandwidth against the line-rate bound, oversubscription,
// iteration time against a hand calculation, and jobs sharing links.
#include "fabric/helper/schedule-runner.h"
#include "support/test-designs.h"
#include "topologies/model/fat-tree-plan.h"
#include "topologies/model/reference-designs.h"
#include "traffic/model/collective-job.h"
#include "traffic/model/job.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::UniformDesign;
namespace tr = fab::traffic;
namespace topo = fab::topo;

namespace
{

/** RoCE WRITE MIDDLE: 4,096 payload bytes in 4,178 on the wire. */
double
PayloadGbps(std::uint64_t nicBps)
{
    return static_cast<double>(nicBps) / 1e9 * 4096 / 4178;
}

struct Run
{
    std::vector<CollectiveRecord> collectives;
    std::vector<IterationRecord> iterations;
    std::vector<std::vector<tr::TaskGroup>> groups;
    PortCounters totals;
};

/** Runs jobs (each a scenario-style job with its placement) for `iterations` iterations. */
Run
RunJobs(const topo::Design& design,
        const std::vector<std::pair<std::string, std::vector<tr::RankPlace>>>& placements,
        const std::vector<tr::Schedule>& schedules,
        std::uint32_t iterations = 1)
{
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    ScheduleRunner runner(fabric);
    Run run;
    for (std::size_t j = 0; j < schedules.size(); ++j)
    {
        FabricJob job;
        job.name = placements[j].first;
        job.iteration = schedules[j];
        job.ranks = PlaceOnNics(design, placements[j].second);
        run.groups.push_back(schedules[j].Groups());
        runner.AddJob(std::move(job));
    }
    runner.SetIterations(iterations);
    runner.Start();
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    REQUIRE(runner.Done());
    run.collectives = runner.Collectives();
    run.iterations = runner.Iterations();
    run.totals = fabric.Totals();
    Simulator::Destroy();
    return run;
}

Run
RunCollective(const topo::Design& design, const tr::CollectiveJobSpec& spec)
{
    auto places = tr::PlaceCollective(spec, design.servers.gpus);
    auto schedule = tr::BuildCollectiveIteration(spec, places, {});
    return RunJobs(design, {{spec.name, places}}, {schedule});
}

std::int64_t
Duration(const CollectiveRecord& c)
{
    return c.endNs - c.startNs;
}

} // namespace

TEST_CASE("ring AllReduce of 64 MiB reaches the line-rate bound on a non-blocking fabric",
          "[fabric][sim][collective][slow]")
{
    // 8 GPUs and 8 x 400G NICs per server, rail-optimized, non-blocking. The rings snake
    // through the servers so that every hop between servers stays on one rail; each of the 4
    // channels has a rail of its own, so the bound is 4 NICs' payload rate.
    auto design = topo::LoadReferenceDesign("roce-128-rail");
    auto gpus = GENERATE(16u, 64u, 128u);
    tr::CollectiveJobSpec spec;
    spec.name = "ring";
    spec.bytes = 64ull << 20;
    spec.gpus = gpus;
    spec.options.channels = 4;
    auto run = RunCollective(design, spec);
    REQUIRE(run.collectives.size() == 1);
    double bound = 4 * PayloadGbps(design.servers.nicSpeedBps);
    const auto& c = run.collectives.front();
    WARN(gpus << " GPUs: busbw " << c.busbwGbps << " Gb/s, bound " << bound);
    REQUIRE(c.busbwGbps > 0.9 * bound);
    REQUIRE(c.busbwGbps < bound);
    REQUIRE(run.totals.TotalDrops() == 0);
}

TEST_CASE("All-to-All is slower on a 2:1 oversubscribed fabric by about the oversubscription",
          "[fabric][sim][collective][slow]")
{
    // 64 single-NIC servers on 8 leaves of 8: 56 of every rank's 63 blocks leave its leaf.
    // Non-blocking (radix 16), a leaf has 8 uplinks for its 8 servers; at 2:1 (radix 12) it has
    // 4, so the All-to-All, bound by the uplinks, should take about twice as long.
    auto measure = [](double oversubscription)
    {
        auto design
            = UniformDesign(64, 1, oversubscription > 1 ? 12 : 16, 1, 2, 100'000'000'000ULL);
        design.leaf.oversubscription = oversubscription;
        topo::ValidateDesign(design);
        auto plan = topo::PlanFatTree(design);
        REQUIRE(plan.leafDown == 8);
        REQUIRE(plan.leafUp == (oversubscription > 1 ? 4 : 8));
        tr::CollectiveJobSpec spec;
        spec.name = "a2a";
        spec.op = tr::CollectiveOp::AllToAll;
        spec.algorithm = tr::CollectiveAlgorithm::Direct;
        spec.bytes = 8ull << 20;
        spec.gpus = 64;
        auto run = RunCollective(design, spec);
        return Duration(run.collectives.front());
    };
    auto nonBlocking = measure(1.0);
    auto oversubscribed = measure(2.0);
    double ratio = static_cast<double>(oversubscribed) / static_cast<double>(nonBlocking);
    WARN("All-to-All 1:1 " << nonBlocking << " ns, 2:1 " << oversubscribed << " ns, ratio "
                           << ratio);
    REQUIRE(ratio > 1.6);
    REQUIRE(ratio < 2.2);
}

TEST_CASE("an iteration takes its compute plus the communication it does not overlap",
          "[fabric][sim][job]")
{
    // Two servers of one GPU each, data parallel: forward 2 x 100 us, backward 2 x 200 us.
    auto design = UniformDesign(2, 1, 8, 1, 2, 100'000'000'000ULL);
    tr::JobSpec job;
    job.name = "dp2";
    job.model.layers = 2;
    job.model.hidden = 128;
    job.model.sequence = 1024;
    job.model.vocabulary = 0;
    job.parallel.dp = 2;
    job.compute.layerForwardNs = 100'000;
    const std::int64_t compute = 2 * 100'000 + 2 * 200'000;
    auto places = tr::PlaceRanks(job, design.servers.gpus);

    SECTION("one bucket: the AllReduce starts after the backward pass")
    {
        job.bucketBytes = 1ull << 40;
        auto schedule = tr::BuildIteration(job, places, {});
        auto run = RunJobs(design, {{job.name, places}}, {schedule});
        REQUIRE(run.collectives.size() == 1);
        const auto& allReduce = run.collectives.front();
        REQUIRE(allReduce.startNs == compute);
        const auto& iteration = run.iterations.front();
        REQUIRE(iteration.endNs - iteration.startNs == compute + Duration(allReduce));
        // 12 h^2 parameters per layer in bf16, two layers.
        REQUIRE(run.groups[0][allReduce.group].bytes == 2 * 12ull * 128 * 128 * 2);
    }
    SECTION("a bucket per layer: the first AllReduce hides behind the last backward layer")
    {
        job.bucketBytes = 1;
        auto schedule = tr::BuildIteration(job, places, {});
        auto run = RunJobs(design, {{job.name, places}}, {schedule});
        REQUIRE(run.collectives.size() == 2);
        const auto& first = run.collectives[0];
        const auto& second = run.collectives[1];
        REQUIRE(first.startNs == 2 * 100'000 + 200'000);
        REQUIRE(Duration(first) < 200'000); // 384 KiB each way at 100G: tens of microseconds
        REQUIRE(second.startNs == compute);
        const auto& iteration = run.iterations.front();
        REQUIRE(iteration.endNs - iteration.startNs == compute + Duration(second));
    }
}

TEST_CASE("jobs that share links slow each other down; jobs apart do not",
          "[fabric][sim][job][slow]")
{
    // 2:1 oversubscribed leaves of 8 servers and 4 uplinks. Job A runs an All-to-All over
    // servers 0-3 and 8-11 (leaves 0 and 1); job B over 4-7 and 12-15 crosses the same uplinks;
    // job C stays inside leaf 2.
    auto design = UniformDesign(32, 1, 12, 1, 2, 100'000'000'000ULL);
    design.leaf.oversubscription = 2.0;
    topo::ValidateDesign(design);
    REQUIRE(topo::PlanFatTree(design).leafDown == 8);
    auto allToAll = [&](const std::string& name, std::vector<std::uint32_t> servers)
    {
        tr::CollectiveJobSpec spec;
        spec.name = name;
        spec.op = tr::CollectiveOp::AllToAll;
        spec.algorithm = tr::CollectiveAlgorithm::Direct;
        spec.bytes = 8ull << 20;
        spec.gpus = static_cast<std::uint32_t>(servers.size());
        std::vector<tr::RankPlace> places;
        for (auto s : servers)
        {
            places.push_back({s, 0});
        }
        return std::make_pair(std::make_pair(name, places),
                              tr::BuildCollectiveIteration(spec, places, {}));
    };
    auto a = allToAll("a", {0, 1, 2, 3, 8, 9, 10, 11});
    auto b = allToAll("b", {4, 5, 6, 7, 12, 13, 14, 15});
    auto c = allToAll("c", {16, 17, 18, 19, 20, 21, 22, 23});

    auto alone = Duration(RunJobs(design, {a.first}, {a.second}).collectives.front());
    auto sharing = RunJobs(design, {a.first, b.first}, {a.second, b.second});
    auto apart = RunJobs(design, {a.first, c.first}, {a.second, c.second});
    auto timeOf = [](const Run& run, std::uint32_t job)
    {
        for (const auto& record : run.collectives)
        {
            if (record.job == job)
            {
                return Duration(record);
            }
        }
        return std::int64_t{-1};
    };
    WARN("A alone " << alone << " ns, with B " << timeOf(sharing, 0) << " ns, with C "
                    << timeOf(apart, 0) << " ns");
    REQUIRE(timeOf(sharing, 0) > 1.3 * static_cast<double>(alone));
    REQUIRE(timeOf(sharing, 1) > 1.3 * static_cast<double>(alone));
    REQUIRE(static_cast<double>(timeOf(apart, 0))
            == Approx(static_cast<double>(alone)).epsilon(0.01));
}
