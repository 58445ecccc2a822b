// An ns-3 script on the fabric library: one training job (Megatron-style TP, PP, DP and EP) on a
// built-in design, its iterations run on the RDMA NICs, with per iteration the time, the
// collectives it ran and their mean bus bandwidth, and at the end what the fabric did.
//
//   training-job --design=builtin:roce-128-rail --dp=8 --tp=8 --layers=4 --hidden=1024
//                [--pp=1] [--ep=1 --experts=0 --top-k=2] [--seq=1024] [--micro-batch=1]
//                [--global-batch=0] [--layer-time=0] [--cc=dcqcn] [--iterations=2]
//
// GPUs are dp × tp × pp; expert parallelism is carved out of data parallelism.
#include "fabric/helper/fabric-builder.h"
#include "fabric/helper/schedule-runner.h"
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/reference-designs.h"
#include "topologies/model/units.h"
#include "traffic/model/job.h"

#include <iomanip>
#include <iostream>
#include <ns3/core-module.h>
#include <numeric>

using namespace ns3;
namespace traffic = fab::traffic;

namespace
{

int
Fail(const std::string& message)
{
    std::cerr << "training-job: " << message << "\n";
    return 2;
}

/** Count and mean bus bandwidth of some collectives. */
struct BusbwMean
{
    std::uint32_t count{0};
    double sumGbps{0};

    double Mean() const { return count == 0 ? 0 : sumGbps / count; }
};

} // namespace

int
main(int argc, char** argv)
{
    std::string designName = "builtin:roce-128-rail";
    traffic::JobSpec spec;
    spec.name = "training";
    spec.parallel.dp = 8;
    spec.parallel.tp = 8;
    spec.model.layers = 4;
    spec.model.hidden = 1024;
    spec.model.sequence = 1024;
    std::string layerTime = "0";
    std::string bucket = "25MiB";
    std::string ccName = "dcqcn";
    std::uint32_t iterations = 2;
    CommandLine cmd(__FILE__);
    cmd.AddValue("design", "design file or builtin:NAME", designName);
    cmd.AddValue("dp", "data parallelism", spec.parallel.dp);
    cmd.AddValue("tp", "tensor parallelism (inside a server)", spec.parallel.tp);
    cmd.AddValue("pp", "pipeline stages", spec.parallel.pp);
    cmd.AddValue("ep", "expert parallelism (divides dp)", spec.parallel.ep);
    cmd.AddValue("sp", "Megatron sequence parallelism", spec.parallel.sequenceParallel);
    cmd.AddValue("layers", "transformer layers", spec.model.layers);
    cmd.AddValue("hidden", "hidden size", spec.model.hidden);
    cmd.AddValue("seq", "sequence length", spec.model.sequence);
    cmd.AddValue("experts", "experts of a MoE layer (0: dense)", spec.model.experts);
    cmd.AddValue("top-k", "experts each token goes to", spec.model.topK);
    cmd.AddValue("micro-batch", "sequences per micro-batch per replica", spec.microBatch);
    cmd.AddValue("global-batch", "sequences per iteration (0: one micro-batch)", spec.globalBatch);
    cmd.AddValue("layer-time",
                 "forward time of one layer and micro-batch, e.g. 20us (0: from FLOPs and MFU)",
                 layerTime);
    cmd.AddValue("bucket", "DP gradient bucket, e.g. 25MiB", bucket);
    cmd.AddValue("cc", "congestion control of the NICs: dcqcn, dctcp or none", ccName);
    cmd.AddValue("iterations", "training iterations", iterations);
    cmd.Parse(argc, argv);

    fab::topo::Design design;
    try
    {
        design = fab::topo::LoadDesign(designName);
    }
    catch (const fab::telemetry::InputError& error)
    {
        return Fail(error.what());
    }
    if (layerTime != "0")
    {
        auto ns = fab::topo::ParseDurationNs(layerTime);
        if (!ns)
        {
            return Fail("--layer-time: expected a duration such as 20us, found \"" + layerTime
                        + "\"");
        }
        spec.compute.layerForwardNs = *ns;
    }
    auto bucketBytes = fab::topo::ParseBytes(bucket);
    if (!bucketBytes)
    {
        return Fail("--bucket: expected a size such as 25MiB, found \"" + bucket + "\"");
    }
    spec.bucketBytes = *bucketBytes;
    if (iterations < 1)
    {
        return Fail("--iterations must be at least 1");
    }
    try
    {
        traffic::ValidateJob(spec, design.servers.gpus, design.servers.count);
    }
    catch (const traffic::JobError& error)
    {
        return Fail(error.Field() + ": " + error.what());
    }
    fabric::FabricOptions options;
    options.payloadMtu = design.nicMtuBytes;
    options.switchMtuBytes = design.switchMtuBytes;
    if (!fabric::ParseCongestionControl(ccName, options.transport.congestionControl))
    {
        return Fail("--cc: expected dcqcn, dctcp or none, found \"" + ccName + "\"");
    }

    auto places = traffic::PlaceRanks(spec, design.servers.gpus);
    fabric::FabricJob job;
    job.name = spec.name;
    job.iteration = traffic::StreamIteration(spec, places, traffic::ScaleUpLink{});
    job.ranks = fabric::PlaceOnNics(design, places);

    fabric::FabricBuilder builder(design, options);
    fabric::ScheduleRunner runner(builder);
    runner.AddJob(std::move(job));
    runner.SetIterations(iterations);
    runner.Start();
    Simulator::Run();

    const traffic::Schedule& schedule = runner.Job(0).iteration;
    std::cout << std::fixed << std::setprecision(3) << "design: " << design.name << "\n"
              << "gpus: " << spec.parallel.Gpus() << "\n"
              << "parallel: dp=" << spec.parallel.dp << " tp=" << spec.parallel.tp
              << " pp=" << spec.parallel.pp << " ep=" << spec.parallel.ep << "\n"
              << "micro_batches: " << spec.MicroBatches() << "\n"
              << "tasks_per_iteration: " << schedule.TaskCount() << "\n";
    // Collectives inside one server run over the scale-up link; their bandwidth says nothing
    // about the fabric, so they are counted apart.
    for (const auto& iteration : runner.Iterations())
    {
        BusbwMean all;
        BusbwMean fabric;
        for (const auto& c : runner.Collectives())
        {
            if (c.iteration != iteration.index)
            {
                continue;
            }
            ++all.count;
            all.sumGbps += c.busbwGbps;
            if (!schedule.WithinOneServer(schedule.Groups()[c.group].ranks))
            {
                ++fabric.count;
                fabric.sumGbps += c.busbwGbps;
            }
        }
        std::cout << "iteration: " << iteration.index
                  << " time_us: " << static_cast<double>(iteration.endNs - iteration.startNs) / 1e3
                  << " collectives: " << all.count << " mean_busbw_gbps: " << all.Mean()
                  << " fabric_collectives: " << fabric.count
                  << " fabric_mean_busbw_gbps: " << fabric.Mean() << "\n";
    }
    auto totals = builder.Totals();
    std::cout << "completed: " << (runner.Done() ? "true" : "false") << "\n"
              << "drops: " << totals.TotalDrops() << "\n"
              << "pfc_pauses: "
              << std::accumulate(totals.pfcPauseTx.begin(), totals.pfcPauseTx.end(), 0ull) << "\n"
              << "ecn_marks: " << totals.ecnMarked << "\n"
              << "events: " << Simulator::GetEventCount() << "\n";
    Simulator::Destroy();
    return 0;
}
