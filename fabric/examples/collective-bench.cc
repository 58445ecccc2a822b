// An ns-3 script on the fabric library, in the manner of nccl-tests: one collective on a built-in
// design, run iteration after iteration, with the time, algorithm bandwidth and bus bandwidth of
// each run, the bound the NICs allow, and what the fabric did (drops, PFC pauses, ECN marks).
//
//   collective-bench --design=builtin:roce-128-rail --op=allreduce --bytes=64MiB --gpus=16
//                    [--gpus-per-server=1] [--algorithm=ring] [--channels=4] [--cc=dcqcn]
//                    [--iterations=5]
#include "fabric/helper/fabric-builder.h"
#include "fabric/helper/schedule-runner.h"
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/reference-designs.h"
#include "topologies/model/units.h"
#include "traffic/model/collective-job.h"

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
    std::cerr << "collective-bench: " << message << "\n";
    return 2;
}

} // namespace

int
main(int argc, char** argv)
{
    std::string designName = "builtin:roce-128-rail";
    std::string opName = "allreduce";
    std::string algorithmName;
    std::string bytesText = "64MiB";
    std::uint32_t gpus = 16;
    std::uint32_t gpusPerServer = 0;
    std::uint32_t channels = traffic::AlgorithmOptions{}.channels;
    std::string ccName = "dcqcn";
    std::uint32_t iterations = 5;
    CommandLine cmd(__FILE__);
    cmd.AddValue("design", "design file or builtin:NAME", designName);
    cmd.AddValue("op", "allreduce, allgather, reducescatter or alltoall", opName);
    cmd.AddValue("algorithm",
                 "ring, tree, halving-doubling, hierarchical or pairwise (default: NCCL's choice)",
                 algorithmName);
    cmd.AddValue("bytes", "buffer size S, e.g. 64MiB (nccl-tests' definition)", bytesText);
    cmd.AddValue("gpus", "ranks, one per GPU", gpus);
    cmd.AddValue("gpus-per-server", "GPUs of each server used (0: all)", gpusPerServer);
    cmd.AddValue("channels", "rings a ring collective is spread over", channels);
    cmd.AddValue("cc", "congestion control of the NICs: dcqcn, dctcp or none", ccName);
    cmd.AddValue("iterations", "runs of the collective, one after another", iterations);
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
    traffic::CollectiveJobSpec spec;
    spec.name = opName;
    auto op = traffic::ParseCollectiveOp(opName);
    if (!op)
    {
        return Fail("--op: expected allreduce, allgather, reducescatter or alltoall, found \""
                    + opName + "\"");
    }
    spec.op = *op;
    spec.algorithm = traffic::DefaultAlgorithm(spec.op);
    if (!algorithmName.empty())
    {
        auto algorithm = traffic::ParseCollectiveAlgorithm(algorithmName);
        if (!algorithm)
        {
            return Fail("--algorithm: expected ring, tree, halving-doubling, hierarchical or "
                        "pairwise, found \""
                        + algorithmName + "\"");
        }
        spec.algorithm = *algorithm;
    }
    auto bytes = fab::topo::ParseBytes(bytesText);
    if (!bytes)
    {
        return Fail("--bytes: expected a size such as 64MiB, found \"" + bytesText + "\"");
    }
    spec.bytes = *bytes;
    spec.gpus = gpus;
    spec.gpusPerServer = gpusPerServer;
    spec.options.channels = channels;
    std::uint32_t perServer = gpusPerServer != 0 ? gpusPerServer : design.servers.gpus;
    if (gpus < 2 || channels < 1 || iterations < 1)
    {
        return Fail("--gpus must be at least 2, --channels and --iterations at least 1");
    }
    if (perServer > design.servers.gpus)
    {
        return Fail("--gpus-per-server: a server of this design has "
                    + std::to_string(design.servers.gpus) + " GPUs");
    }
    std::uint32_t servers = (gpus + perServer - 1) / perServer;
    if (servers > design.servers.count)
    {
        return Fail("--gpus: " + std::to_string(gpus) + " GPUs at " + std::to_string(perServer)
                    + " a server need " + std::to_string(servers) + " servers; the design has "
                    + std::to_string(design.servers.count));
    }
    fabric::FabricOptions options;
    options.payloadMtu = design.nicMtuBytes;
    options.switchMtuBytes = design.switchMtuBytes;
    if (!fabric::ParseCongestionControl(ccName, options.transport.congestionControl))
    {
        return Fail("--cc: expected dcqcn, dctcp or none, found \"" + ccName + "\"");
    }

    auto places = traffic::PlaceCollective(spec, design.servers.gpus);
    fabric::FabricJob job;
    job.name = spec.name;
    try
    {
        job.iteration = traffic::BuildCollectiveIteration(spec, places, traffic::ScaleUpLink{});
    }
    catch (const std::invalid_argument& error)
    {
        return Fail(std::string("--algorithm: ") + error.what());
    }
    job.ranks = fabric::PlaceOnNics(design, places);

    fabric::FabricBuilder builder(design, options);
    fabric::ScheduleRunner runner(builder);
    runner.AddJob(std::move(job));
    runner.SetIterations(iterations);
    runner.Start();
    Simulator::Run();

    std::cout << std::fixed << std::setprecision(3) << "design: " << design.name << "\n"
              << "op: " << traffic::CollectiveOpName(spec.op) << "\n"
              << "algorithm: " << traffic::CollectiveAlgorithmName(spec.algorithm) << "\n"
              << "bytes: " << spec.bytes << "\n"
              << "gpus: " << gpus << "\n"
              << "servers: " << servers << "\n"
              << "cc: " << fabric::CongestionControlName(options.transport.congestionControl)
              << "\n";
    const auto& collectives = runner.Collectives();
    for (const auto& c : collectives)
    {
        std::cout << "iteration: " << c.iteration
                  << " time_us: " << static_cast<double>(c.endNs - c.startNs) / 1e3
                  << " algbw_gbps: " << c.algbwGbps << " busbw_gbps: " << c.busbwGbps << "\n";
    }
    double meanBusbw = collectives.empty()
                           ? 0
                           : std::accumulate(collectives.begin(),
                                             collectives.end(),
                                             0.0,
                                             [](double sum, const fabric::CollectiveRecord& c)
                                             { return sum + c.busbwGbps; })
                                 / static_cast<double>(collectives.size());
    auto totals = builder.Totals();
    std::cout << "mean_busbw_gbps: " << meanBusbw << "\n"
              << "bound_gbps: " << static_cast<double>(builder.PayloadRateBps()) / 1e9 << "\n"
              << "completed: " << (runner.Done() ? "true" : "false") << "\n"
              << "drops: " << totals.TotalDrops() << "\n"
              << "pfc_pauses: "
              << std::accumulate(totals.pfcPauseTx.begin(), totals.pfcPauseTx.end(), 0ull) << "\n"
              << "ecn_marks: " << totals.ecnMarked << "\n"
              << "events: " << Simulator::GetEventCount() << "\n";
    Simulator::Destroy();
    return 0;
}
