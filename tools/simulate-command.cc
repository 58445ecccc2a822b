#include "tools/simulate-command.h"

#include "fabric/helper/scenario-estimate.h"
#include "fabric/helper/simulation-metrics.h"
#include "fabric/helper/simulation-sweep.h"
#include "fabric/helper/sweep-task.h"
#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/process-memory.h"
#include "telemetry/model/prometheus-text.h"
#include "telemetry/model/text-format.h"
#include "telemetry/net/metrics-server.h"
#include "telemetry/net/udp-sender.h"
#include "tools/output.h"
#include "tools/sweep-command.h"
#include "topologies/model/units.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <spdlog/spdlog.h>
#include <thread>
#include <unistd.h>

namespace fab::tools
{

using telemetry::InputError;
namespace fabric = ns3::fabric;

namespace
{

std::atomic<bool> g_stopLingering{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

/** One line, rewritten in place: simulated time, events/s, iterations, peak memory and an
 *  estimate of the time left. */
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
    std::string peak = telemetry::FormatBytes(static_cast<double>(telemetry::PeakResidentBytes()));
    std::fprintf(stderr,
                 "%s  sim %.3f ms | %.2f M events/s | iterations %u/%u | peak RSS %s | %s   ",
                 p.runs > 0 ? "" : "\r",
                 static_cast<double>(p.simNs) / 1e6,
                 rate / 1e6,
                 p.iterationsDone,
                 p.iterationsTotal,
                 peak.c_str(),
                 eta);
    std::fflush(stderr);
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
        PrepareOutputFile("--sflow-pcap", *options.sflowPcap);
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

/**
 * The run's own metrics endpoint (--prometheus): the simulation renders its metrics between
 * events every half second of wall time, and the server's thread serves the latest text.
 */
class LiveEndpoint
{
public:
    LiveEndpoint(const std::string& listen, const fabric::Scenario& scenario)
    : m_metrics(m_registry, scenario.name, scenario.design.name)
    {
        telemetry::MetricsServerConfig config;
        config.listen = listen;
        try
        {
            m_server = std::make_unique<telemetry::MetricsServer>(
                config, [this] { return m_snapshot.Current(); });
        }
        catch (const std::exception& e)
        {
            throw InputError("--prometheus", e.what());
        }
        spdlog::info("serving live metrics at http://{}/metrics",
                     m_server->LocalAddress().ToString());
    }

    void Attach(fabric::SimulationOptions& run)
    {
        run.live = [this](const fabric::SimulationLiveView& view)
        {
            m_metrics.Update(view);
            m_snapshot.Publish(m_registry.Render());
        };
    }

    /**
     * Serves the final numbers for a while longer, so that a scraper gets them; SIGINT or
     * SIGTERM ends the wait early (the outputs are written by then).
     */
    void Linger(std::int64_t ns)
    {
        if (ns <= 0)
        {
            return;
        }
        // The handlers first: whoever reads the line below may signal at once. They may run on
        // the server's thread, hence a lock-free atomic rather than a volatile flag.
        g_stopLingering = false;
        auto previousInt = std::signal(SIGINT, [](int) { g_stopLingering = true; });
        auto previousTerm = std::signal(SIGTERM, [](int) { g_stopLingering = true; });
        spdlog::info("run over; serving its final metrics for {:.1f} s more (Ctrl-C ends it)",
                     static_cast<double>(ns) / 1e9);
        auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
        while (!g_stopLingering && std::chrono::steady_clock::now() < until)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        std::signal(SIGINT, previousInt);
        std::signal(SIGTERM, previousTerm);
    }

    ~LiveEndpoint() { m_server->Stop(); }

    LiveEndpoint(const LiveEndpoint&) = delete;
    LiveEndpoint& operator=(const LiveEndpoint&) = delete;

private:
    telemetry::MetricRegistry m_registry;
    fabric::SimulationMetrics m_metrics;
    telemetry::MetricsSnapshot m_snapshot;
    std::unique_ptr<telemetry::MetricsServer> m_server;
};

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

/** The limit a run's estimate is held to: --max-memory, else what the system leaves it. */
std::optional<telemetry::MemoryLimit>
ChooseMemoryLimit(const SimulateOptions& options)
{
    if (!options.maxMemory)
    {
        return telemetry::SystemMemoryLimit();
    }
    auto bytes = topo::ParseBytes(*options.maxMemory);
    if (!bytes)
    {
        throw InputError("--max-memory",
                         "expected a size such as 8GiB or 512MiB, found \"" + *options.maxMemory
                             + "\"");
    }
    return telemetry::MemoryLimit{*bytes, "--max-memory"};
}

/** Counts the run, says what it will hold, and refuses it when it would not fit. */
void
CheckRunFits(const SimulateOptions& options, const fabric::Scenario& scenario)
{
    auto limit = ChooseMemoryLimit(options);
    auto estimate = fabric::EstimateScenario(scenario);
    const auto& c = estimate.counts;
    std::uint64_t peak = estimate.memory.PeakBytes();
    spdlog::info("estimate hosts={} switches={} ports={} route_entries={} tasks={} transfers={} "
                 "fabric_transfers={} queue_pairs={} pending_events={} runs={} rss_bytes={} "
                 "rss=\"{}\" limit_bytes={} limit=\"{}\" limit_from=\"{}\"",
                 c.hosts,
                 c.switches,
                 c.ports,
                 c.routeEntries,
                 c.tasks,
                 c.transfers,
                 estimate.transfersBetweenServers,
                 c.queuePairs,
                 c.events,
                 c.runs,
                 peak,
                 telemetry::FormatBytes(static_cast<double>(peak)),
                 limit ? limit->bytes : 0,
                 limit ? telemetry::FormatBytes(static_cast<double>(limit->bytes)) : "none",
                 limit ? limit->source : "none");
    if (limit)
    {
        fabric::CheckScenarioFits(scenario, estimate, *limit);
    }
}

} // namespace

void
AddSimulateOptions(CLI::App& command, SimulateOptions& options)
{
    command.add_option("scenario", options.scenario, "scenario file (default: the built-in one)");
    command.add_option("--out", options.out, "output folder (default: fabricscope-sim)");
    command.add_option("--seed", options.seed, "seed, overriding the scenario's")
        ->check(WholeNumberIn(0, fabric::kMaxSeed));
    AddReportFileOptions(command, options.formats, options.failOn);
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
    command.add_option("--prometheus",
                       options.prometheus,
                       "serve the run's progress and port counters at http://ADDR/metrics "
                       "(\"127.0.0.1:9465\")");
    command.add_option("--prometheus-linger",
                       options.prometheusLinger,
                       "keep serving the final metrics this long after the run (e.g. 30s)");
    command.add_option("--max-memory",
                       options.maxMemory,
                       "refuse runs whose estimated peak memory is above this (e.g. 8GiB; "
                       "default: the memory available)");
    command.add_option("--engine", options.engine, "packet (ns-3) or flow (max-min fair flows)")
        ->check(CLI::IsMember({"packet", "flow"}));
    command
        .add_option("--flow-patterns",
                    options.flowPatterns,
                    "flow engine: solve a ring's repeated step once for all its steps: auto "
                    "(rings of 65,536 transfers or more), on, or off (every transfer a flow)")
        ->check(CLI::IsMember({"auto", "on", "off"}));
    command.add_option("--executor",
                       options.executor,
                       "where a sweep's runs run: inproc (default), local:N (N processes here) "
                       "or slurm[:partition=P,time=T,account=A,qos=Q,cpus=N,mem=SIZE,parallel=M] "
                       "(one job array; SLURM_CONF names the cluster)");
    command.add_flag("--no-wait",
                     options.noWait,
                     "with slurm: submit and return; `fabricscope sweep-merge OUT` merges later");
    command.add_option("--emit",
                       options.emit,
                       "k8s[:IMAGE]: write a Kubernetes Indexed Job of the sweep's runs to "
                       "OUT/sweep/k8s instead of running them");
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
        auto executor = ParseExecutor(options);
        fabric::Scenario scenario = options.scenario ? fabric::LoadScenarioFile(*options.scenario)
                                                     : fabric::DefaultScenario();
        bool sweeps = scenario.sweep.vary != fabric::ScenarioSweep::Vary::Nothing;
        if (!sweeps && (executor.kind != Executor::Kind::InProcess || options.emit))
        {
            throw InputError(options.emit ? "--emit" : "--executor",
                             "the scenario has no sweep: its one run runs here");
        }
        if (options.engine)
        {
            scenario.engine = *options.engine;
        }
        bool flow = scenario.engine == "flow";
        for (auto [flag, given] : {std::pair{"--prometheus", options.prometheus.has_value()},
                                   std::pair{"--sflow", options.sflowCollector.has_value()}})
        {
            if (flow && given)
            {
                throw InputError(flag, "the flow engine has no packets or live counters to export");
            }
        }
        try
        {
            if (flow)
            {
                fabric::CheckFlowEngineScenario(scenario);
            }
            // Each engine has its own estimate: the flow engine holds the same schedules and
            // records, and per link and transfer far less than the packet engine.
            CheckRunFits(options, scenario);
        }
        catch (InputError& error)
        {
            if (error.Place().rfind("--", 0) != 0)
            {
                error.SetFile(options.scenario.value_or("builtin:default"));
            }
            throw;
        }
        PrepareOutputFolder("--out", options.out);
        fabric::SimulationOptions run;
        run.outDirectory = options.out;
        run.seed = options.seed;
        if (options.flowPatterns != "auto")
        {
            run.flowPatternMinTransfers = options.flowPatterns == "on" ? 0 : UINT64_MAX;
        }
        auto sflowSender = PrepareSflow(options, scenario, run);
        std::int64_t lingerNs = 0;
        if (options.prometheusLinger)
        {
            if (!options.prometheus)
            {
                throw InputError("--prometheus-linger", "needs --prometheus");
            }
            lingerNs = ParseDurationOption("--prometheus-linger", *options.prometheusLinger);
        }
        std::unique_ptr<LiveEndpoint> endpoint;
        if (options.prometheus)
        {
            endpoint = std::make_unique<LiveEndpoint>(*options.prometheus, scenario);
            endpoint->Attach(run);
        }
        bool terminal = options.progress && isatty(STDERR_FILENO) != 0;
        if (terminal)
        {
            run.progress = PrintProgress;
        }
        spdlog::info("simulate scenario=\"{}\" design=\"{}\" jobs={} engine={}",
                     scenario.name,
                     scenario.design.name,
                     scenario.jobs.size(),
                     scenario.engine);
        namespace fs = std::filesystem;
        fs::path out(options.out);
        // The reports, then the final metrics served for as long as asked.
        auto finish = [&](const telemetry::Report& report)
        {
            int code = WriteReportFiles(report, options.out, options.formats, options.failOn);
            if (endpoint)
            {
                endpoint->Linger(lingerNs);
            }
            return code;
        };
        if (sweeps)
        {
            int code = RunSweepSimulation(options, scenario, executor, run, finish);
            if (terminal)
            {
                std::fprintf(stderr, "\n");
            }
            return code;
        }
        auto result = fabric::RunSimulation(scenario, run);
        if (terminal)
        {
            std::fprintf(stderr, "\n");
        }
        LogSflow(result.sflow, sflowSender.get());
        // Streamed: the collectives of a large run are gigabytes as one document.
        fabric::WriteFileAtomically(out / "summary.json",
                                    [&result](std::ostream& file)
                                    { fabric::WriteSummaryJson(result, file); });
        if (scenario.outputs.trace)
        {
            std::ofstream trace(out / "trace.json", std::ios::binary);
            fabric::WriteTrace(result, trace);
        }
        auto report = fabric::SimulationReport(result);
        const auto& s = result.stats;
        auto perSecond = [&s](std::uint64_t count)
        {
            return s.wallSeconds > 0 ? static_cast<double>(count) / s.wallSeconds : 0.0;
        };
        spdlog::info("simulated sim_ms={:.3f} events={} wall_s={:.2f} events_per_s={:.0f} "
                     "packet_hops={} packet_hops_per_s={:.0f} peak_rss_bytes={} collectives={} "
                     "iterations={} drops={} completed={}",
                     static_cast<double>(s.simTimeNs) / 1e6,
                     s.events,
                     s.wallSeconds,
                     perSecond(s.events),
                     s.packetHops,
                     perSecond(s.packetHops),
                     s.peakRssBytes,
                     result.collectives.size(),
                     result.iterations.size(),
                     result.totals.TotalDrops(),
                     result.completed);
        return finish(report);
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
}

} // namespace fab::tools
