// An ns-3 script on the fabric library: the same leaf-uplink failure under a running ring
// AllReduce, recovered by each policy in turn (DPFR, a control plane with its routing delay, and
// nothing at all), against the same run without the fault. Prints per policy when the fault was
// detected and routed around, what was lost and retransmitted, and how much the collective
// slowed down; --out writes the sweep's report, whose chart overlays the policies' throughput.
//
//   recovery-policies [--design=builtin:roce-128-rail] [--op=alltoall] [--gpus=32]
//                     [--gpus-per-server=2] [--bytes=16MiB] [--link=leaf-0-0:32] [--fail-at=100us]
//                     [--down=2ms] [--control-plane-delay=300us]
//                     [--out=report.html]
#include "fabric/helper/simulation-sweep.h"
#include "telemetry/model/json-object-reader.h"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <ns3/core-module.h>
#include <sstream>

using namespace ns3;
using namespace ns3::fabric;

int
main(int argc, char** argv)
{
    std::string design = "builtin:roce-128-rail";
    std::string op = "alltoall";
    std::uint32_t gpus = 32;
    std::uint32_t gpusPerServer = 2;
    std::string bytes = "16MiB";
    std::string link = "leaf-0-0:32";
    std::string failAt = "100us";
    std::string down = "2ms";
    std::string delay = "300us";
    std::string out;
    CommandLine cmd(__FILE__);
    cmd.AddValue("design", "design file or builtin:NAME", design);
    cmd.AddValue("op", "the collective: alltoall, allreduce, allgather or reducescatter", op);
    cmd.AddValue("gpus", "its ranks, one per GPU", gpus);
    cmd.AddValue("gpus-per-server", "GPUs of each server used", gpusPerServer);
    cmd.AddValue("bytes", "its buffer size (nccl-tests' definition)", bytes);
    cmd.AddValue("link", "the link that fails, named by a port of it", link);
    cmd.AddValue("fail-at", "when it fails", failAt);
    cmd.AddValue("down", "how long it stays down", down);
    cmd.AddValue("control-plane-delay", "fault to routes changed, for control-plane", delay);
    cmd.AddValue("out", "write the report here (.html, .md or .json)", out);
    cmd.Parse(argc, argv);

    // The scenario a user would write, so every check of `simulate` applies here too.
    nlohmann::json document
        = {{"schema", 1},
           {"name", "leaf uplink failure under a collective"},
           {"design", design},
           {"fabric",
            {{"transport", {{"congestion_control", "dcqcn"}, {"retransmit_timeout", "1ms"}}},
             {"lldp", false}}},
           {"jobs",
            {{{"kind", "collective"},
              {"name", op},
              {"op", op},
              {"bytes", bytes},
              {"gpus", gpus},
              {"gpus_per_server", gpusPerServer}}}},
           {"recovery", {{"policy", "dpfr"}, {"control_plane_delay", delay}}},
           {"failures",
            {{{"kind", "link-down"}, {"target", link}, {"at", failAt}, {"duration", down}}}},
           {"sweep", {{"policies", {"dpfr", "control-plane", "none"}}}},
           {"stop", {{"iterations", 1}, {"time", "50ms"}}},
           {"outputs", {{"interval", "10us"}}}};
    Scenario scenario;
    try
    {
        scenario = ScenarioFromJson(document, ".");
    }
    catch (const fab::telemetry::InputError& error)
    {
        std::cerr << "recovery-policies: " << error.what() << "\n";
        return 2;
    }
    SweepResult sweep = RunSweep(scenario, {});

    auto us = [](std::int64_t ns)
    {
        std::ostringstream text;
        text << std::fixed << std::setprecision(1) << static_cast<double>(ns) / 1e3;
        return ns < 0 ? std::string("never") : text.str();
    };
    std::int64_t baselineNs = CompareWithBaseline(sweep.baseline, sweep.baseline).jobTimeNs.at(0);
    std::cout << "design: " << scenario.design.name << "\nfailed link: " << link << " at " << failAt
              << " for " << down << "\nbaseline_us: " << us(baselineNs) << "\n";
    for (const auto& run : sweep.runs)
    {
        auto o = CompareWithBaseline(run, sweep.baseline);
        std::cout << "policy: " << std::left << std::setw(14) << run.policy
                  << " detected_us: " << us(o.detectedNs) << " converged_us: " << us(o.convergedNs)
                  << " last_loss_us: " << us(o.lastLossNs) << " lost: " << o.packetsLost
                  << " retransmitted: " << o.retransmitted << " timeouts: " << o.timeouts
                  << " collective_us: " << us(o.jobTimeNs.at(0))
                  << " slowdown: " << std::fixed << std::setprecision(3) << o.jobSlowdown.at(0) << "\n";
    }
    if (!out.empty())
    {
        auto format = out.size() > 3 && out.substr(out.size() - 3) == ".md"     ? "md"
                      : out.size() > 5 && out.substr(out.size() - 5) == ".json" ? "json"
                                                                                : "html";
        fab::telemetry::ReportFormat kind{};
        fab::telemetry::ParseReportFormat(format, kind);
        std::ofstream(out, std::ios::binary) << fab::telemetry::Render(SweepReport(sweep), kind);
        std::cout << "report: " << out << "\n";
    }
    return 0;
}
