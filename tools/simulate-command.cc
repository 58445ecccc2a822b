#include "tools/simulate-command.h"

#include "fabric/helper/simulation-sweep.h"
#include "telemetry/model/json-object-reader.h"
#include "telemetry/net/udp-sender.h"
#include "tools/output.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace fab::tools
{

using telemetry::InputError;
namespace fabric = ns3::fabric;

namespace
{

/** One line, rewritten in place: simulated time, events/s, iterations and an estimate. */
void
PrintProgress(const fabric::SimulationProgress& p)
{
    double rate = p.wallSeconds > 0 ? static_cast<double>(p.events) / p.wallSeconds : 0;
    double fraction = p.fraction;
    char eta[32] = "ETA --";
    if (fraction > 0 && fraction < 1)
    {
        std::snprintf(eta, sizeof(eta), "ETA %.0fs", p.wallSeconds * (1 - fraction) / fraction);
    }
    if (p.runs > 0)
    {
        std::fprintf(stderr, "\r  run %u/%u %-14.14s|", p.run, p.runs, p.label.c_str());
    }
    std::fprintf(stderr,
                 "%s  sim %.3f ms | %.2f M events/s | iterations %u/%u | %s   ",
                 p.runs > 0 ? "" : "\r",
                 static_cast<double>(p.simNs) / 1e6,
                 rate / 1e6,
                 p.iterationsDone,
                 p.iterationsTotal,
                 eta);
    std::fflush(stderr);
}

void
WriteText(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
    {
        throw InputError(path.string(), "cannot write this file");
    }
}

/** Writes the report in every format asked for, lists what was written, and turns findings
 *  into the exit code. */
int
WriteReports(const telemetry::Report& report, const SimulateOptions& options)
{
    namespace fs = std::filesystem;
    fs::path out(options.out);
    std::vector<std::string> written = {fs::absolute(out / "summary.json").string()};
    for (const auto& name : options.formats)
    {
        telemetry::ReportFormat format{};
        telemetry::ParseReportFormat(name, format);
        std::string extension = format == telemetry::ReportFormat::Html       ? "html"
                                : format == telemetry::ReportFormat::Markdown ? "md"
                                                                              : "json";
        auto path
            = WriteReport(report, ChooseOutput(name, (out / ("report." + extension)).string(), ""));
        if (path)
        {
            written.push_back(*path);
        }
    }
    for (const auto& path : written)
    {
        std::cout << path << "\n";
    }
    if (options.failOn != "none")
    {
        auto threshold = telemetry::ParseSeverity(options.failOn);
        auto worst = telemetry::WorstSeverity(report.findings);
        if (threshold && worst && *worst >= *threshold)
        {
            return kExitFindings;
        }
    }
    return kExitOk;
}

/** The scenario's sFlow export with the command line's overrides; a socket to its collector. */
std::unique_ptr<telemetry::UdpSender>
PrepareSflow(const SimulateOptions& options,
             fabric::Scenario& scenario,
             fabric::SimulationOptions& run)
{
    if (!scenario.outputs.sflow && !options.sflowCollector && !options.sflowRate
        && !options.sflowPcap)
    {
        return nullptr;
    }
    bool fromScenario = scenario.outputs.sflow.has_value();
    fabric::SflowExportConfig& config = scenario.outputs.sflow.emplace(
        scenario.outputs.sflow.value_or(fabric::SflowExportConfig{}));
    if (scenario.design.fabric == topo::FabricKind::Infiniband)
    {
        throw InputError("--sflow", "sFlow samples Ethernet frames; this design is InfiniBand");
    }
    std::string place = "/outputs/sflow/collector";
    if (options.sflowCollector)
    {
        config.collector = *options.sflowCollector;
        place = "--sflow";
    }
    if (options.sflowRate)
    {
        config.samplingRate = *options.sflowRate;
    }
    if (options.sflowPcap)
    {
        config.pcap = std::filesystem::absolute(*options.sflowPcap).string();
    }
    if (config.collector.empty())
    {
        return nullptr;
    }
    std::unique_ptr<telemetry::UdpSender> sender;
    try
    {
        sender = std::make_unique<telemetry::UdpSender>(config.collector);
    }
    catch (const std::exception& e)
    {
        InputError error(place, e.what());
        if (fromScenario && !options.sflowCollector && options.scenario)
        {
            error.SetFile(*options.scenario);
        }
        throw error;
    }
    telemetry::UdpSender* socket = sender.get();
    run.sflowSink = [socket](const std::uint8_t* data, std::size_t size)
    {
        socket->Send(data, size);
    };
    return sender;
}

void
LogSflow(const std::optional<fabric::SflowExportStats>& stats, const telemetry::UdpSender* sender)
{
    if (!stats)
    {
        return;
    }
    spdlog::info("sflow agents={} datagrams={} flow_samples={} counter_samples={} "
                 "sample_pool={} send_failures={}",
                 stats->agents.size(),
                 stats->datagrams,
                 stats->flowSamples,
                 stats->counterSamples,
                 stats->samplePool,
                 sender != nullptr ? sender->Stats().sendFailures : 0);
}

} // namespace

void
AddSimulateOptions(CLI::App& command, SimulateOptions& options)
{
    command.add_option("scenario", options.scenario, "scenario file (default: the built-in one)");
    command.add_option("--out", options.out, "output folder (default: fabricscope-sim)");
    command.add_option("--seed", options.seed, "seed, overriding the scenario's");
    command
        .add_option(
            "--format", options.formats, "report formats: json, md, html (default: html md)")
        ->delimiter(',')
        ->check(CLI::IsMember({"json", "md", "markdown", "html"}));
    command
        .add_option("--fail-on",
                    options.failOn,
                    "exit 1 on findings at or above: warning, error (default) or none")
        ->check(CLI::IsMember({"info", "warning", "error", "none"}));
    command.add_flag(
        "--print-scenario", options.printScenario, "print the built-in scenario and exit");
    command.add_flag("!--no-progress", options.progress, "no progress line on the terminal");
    command.add_option("--sflow",
                       options.sflowCollector,
                       "switches export sFlow to this collector (\"127.0.0.1:6343\")");
    command.add_option("--sflow-rate", options.sflowRate, "sFlow sampling: 1 in N packets")
        ->check(CLI::Range(0u, 1'000'000'000u));
    command.add_option(
        "--sflow-pcap", options.sflowPcap, "also write the sFlow datagrams to this pcap file");
}

int
RunSimulate(const SimulateOptions& options)
{
    if (options.printScenario)
    {
        std::cout << fabric::DefaultScenarioText();
        return kExitOk;
    }
    try
    {
        fabric::Scenario scenario = options.scenario ? fabric::LoadScenarioFile(*options.scenario)
                                                     : fabric::DefaultScenario();
        fabric::SimulationOptions run;
        run.outDirectory = options.out;
        run.seed = options.seed;
        auto sflowSender = PrepareSflow(options, scenario, run);
        bool terminal = options.progress && isatty(STDERR_FILENO) != 0;
        if (terminal)
        {
            run.progress = PrintProgress;
        }
        std::filesystem::create_directories(options.out);
        spdlog::info("simulate scenario=\"{}\" design=\"{}\" jobs={}",
                     scenario.name,
                     scenario.design.name,
                     scenario.jobs.size());
        namespace fs = std::filesystem;
        fs::path out(options.out);
        if (scenario.sweep.vary != fabric::ScenarioSweep::Vary::Nothing)
        {
            auto sweep = fabric::RunSweep(scenario, run);
            if (terminal)
            {
                std::fprintf(stderr, "\n");
            }
            WriteText(out / "summary.json", fabric::SweepJson(sweep).dump(2) + "\n");
            spdlog::info("swept runs={} wall_s={:.2f}", sweep.runs.size() + 1, sweep.wallSeconds);
            return WriteReports(fabric::SweepReport(sweep), options);
        }
        auto result = fabric::RunSimulation(scenario, run);
        if (terminal)
        {
            std::fprintf(stderr, "\n");
        }
        LogSflow(result.sflow, sflowSender.get());
        WriteText(out / "summary.json", fabric::SummaryJson(result).dump(2) + "\n");
        if (scenario.outputs.trace)
        {
            std::ofstream trace(out / "trace.json", std::ios::binary);
            fabric::WriteTrace(result, trace);
        }
        auto report = fabric::SimulationReport(result);
        const auto& s = result.stats;
        spdlog::info("simulated sim_ms={:.3f} events={} wall_s={:.2f} events_per_s={:.0f} "
                     "collectives={} iterations={} drops={} completed={}",
                     static_cast<double>(s.simTimeNs) / 1e6,
                     s.events,
                     s.wallSeconds,
                     s.wallSeconds > 0 ? static_cast<double>(s.events) / s.wallSeconds : 0.0,
                     result.collectives.size(),
                     result.iterations.size(),
                     result.totals.TotalDrops(),
                     result.completed);
        return WriteReports(report, options);
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
}

} // namespace fab::tools
