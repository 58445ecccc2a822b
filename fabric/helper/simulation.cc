#include "fabric/helper/simulation.h"

#include "fabric/model/fabric-scheduler.h"
#include "telemetry/model/process-memory.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ns3/simulator.h>

namespace ns3::fabric
{
namespace
{

/**
 * Calls the progress and live callbacks every so often in wall time, from inside the simulation
 * (an event every 10 µs of simulated time looks at the clock). Its own events are not counted
 * in the run's, so that watching a run does not change its summary.
 */
class ProgressProbe
{
public:
    ProgressProbe(const SimulationOptions& options,
                  const FabricBuilder& fabric,
                  const ScheduleRunner& runner,
                  const FaultInjector& faults,
                  std::uint32_t iterationsTotal,
                  std::int64_t stopTimeNs)
    : m_options(options)
    , m_fabric(fabric)
    , m_runner(runner)
    , m_faults(faults)
    , m_start(std::chrono::steady_clock::now())
    , m_lastProgress(m_start)
    , m_lastLive(m_start)
    {
        m_progress.iterationsTotal = iterationsTotal;
        m_progress.stopTimeNs = stopTimeNs;
    }

    void Start()
    {
        m_eventsBefore = Simulator::GetEventCount();
        if (m_options.live)
        {
            Live(false); // the endpoint has the run's shape before the first event
        }
        if (m_options.progress || m_options.live)
        {
            Simulator::Schedule(MicroSeconds(10), &ProgressProbe::Check, this);
        }
    }

    /** Events of the run so far, the probe's own left out. */
    std::uint64_t ModelEvents() const
    {
        return Simulator::GetEventCount() - m_eventsBefore - m_checks;
    }

    double WallSeconds() const
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

    /** The last calls, once Simulator::Run has returned. */
    void Finish()
    {
        if (m_options.progress)
        {
            m_options.progress(Current());
        }
        if (m_options.live)
        {
            Live(true);
        }
    }

private:
    const SimulationProgress& Current()
    {
        m_progress.simNs = Simulator::Now().GetNanoSeconds();
        m_progress.events = ModelEvents();
        m_progress.wallSeconds = WallSeconds();
        m_progress.iterationsDone = static_cast<std::uint32_t>(m_runner.Iterations().size());
        m_progress.fraction = m_runner.Progress();
        if (m_progress.stopTimeNs > 0)
        {
            m_progress.fraction = std::max(m_progress.fraction,
                                           static_cast<double>(m_progress.simNs)
                                               / static_cast<double>(m_progress.stopTimeNs));
        }
        return m_progress;
    }

    void Live(bool finished)
    {
        m_options.live(SimulationLiveView{Current(), m_fabric, m_runner, m_faults, finished});
    }

    static bool Due(std::chrono::steady_clock::time_point now,
                    std::chrono::steady_clock::time_point& last,
                    double everySeconds)
    {
        if (std::chrono::duration<double>(now - last).count() < everySeconds)
        {
            return false;
        }
        last = now;
        return true;
    }

    void Check()
    {
        ++m_checks;
        auto now = std::chrono::steady_clock::now();
        if (m_options.progress && Due(now, m_lastProgress, m_options.progressEverySeconds))
        {
            m_options.progress(Current());
        }
        if (m_options.live && Due(now, m_lastLive, m_options.liveEverySeconds))
        {
            Live(false);
        }
        Simulator::Schedule(MicroSeconds(10), &ProgressProbe::Check, this);
    }

    const SimulationOptions& m_options;
    const FabricBuilder& m_fabric;
    const ScheduleRunner& m_runner;
    const FaultInjector& m_faults;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastProgress;
    std::chrono::steady_clock::time_point m_lastLive;
    SimulationProgress m_progress;
    std::uint64_t m_eventsBefore{0};
    std::uint64_t m_checks{0}; ///< Check events executed
};

} // namespace

std::uint32_t
FabricHashSeed(std::uint64_t seed)
{
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::uint32_t>(z ^ (z >> 31));
}

std::vector<FabricJob>
ScenarioFabricJobs(const Scenario& scenario, std::vector<JobSummary>& summaries)
{
    std::vector<FabricJob> jobs;
    for (const auto& job : scenario.jobs)
    {
        auto places = job.Places(scenario.design.servers.gpus);
        FabricJob fabricJob;
        fabricJob.name = job.Name();
        fabricJob.iteration = job.Iteration(places, scenario.scaleUp);
        fabricJob.ranks = PlaceOnNics(scenario.design, places);
        fabricJob.priority = job.priority;
        JobSummary summary;
        summary.name = job.Name();
        summary.kind = job.kind == ScenarioJob::Kind::Training ? "training" : "collective";
        summary.gpus = static_cast<std::uint32_t>(places.size());
        summary.ranks = fabricJob.ranks;
        summary.tasks = fabricJob.iteration.TaskCount();
        summaries.push_back(std::move(summary));
        jobs.push_back(std::move(fabricJob));
    }
    return jobs;
}

SimulationResult
RunSimulation(const Scenario& scenario, const SimulationOptions& options)
{
    if (scenario.engine == "flow")
    {
        return RunFlowSimulation(scenario, options);
    }
    UseFabricScheduler();
    SimulationResult result;
    result.scenarioName = scenario.name;
    result.designName = scenario.design.name;
    result.designSource = scenario.designSource;
    result.seed = options.seed.value_or(scenario.seed);
    result.sampleIntervalNs = scenario.outputs.intervalNs;

    FabricOptions fabricOptions = scenario.fabric;
    fabricOptions.features.hashSeed = FabricHashSeed(result.seed);
    FabricBuilder fabric(scenario.design, fabricOptions);
    result.nicRateBps = scenario.design.servers.nicSpeedBps;
    result.payloadLineRateBps = fabric.PayloadRateBps();

    ScheduleRunner runner(fabric);
    for (auto& job : ScenarioFabricJobs(scenario, result.jobs))
    {
        runner.AddJob(std::move(job));
    }
    runner.SetIterations(scenario.iterations);

    std::unique_ptr<std::ofstream> portsCsv;
    std::unique_ptr<std::ofstream> qpsCsv;
    namespace fs = std::filesystem;
    if (!options.outDirectory.empty())
    {
        fs::create_directories(options.outDirectory);
        for (const auto& pattern : scenario.outputs.captures)
        {
            for (const auto& file :
                 fabric.EnableCapture((fs::path(options.outDirectory) / "captures").string(),
                                      pattern,
                                      scenario.outputs.snapLength))
            {
                result.files.push_back(fs::relative(file, options.outDirectory).generic_string());
            }
        }
        if (scenario.outputs.series)
        {
            portsCsv = std::make_unique<std::ofstream>(fs::path(options.outDirectory) / "ports.csv",
                                                       std::ios::binary);
            qpsCsv = std::make_unique<std::ofstream>(fs::path(options.outDirectory) / "qps.csv",
                                                     std::ios::binary);
            result.files.emplace_back("ports.csv");
            result.files.emplace_back("qps.csv");
        }
    }
    std::vector<FaultSpec> faults = scenario.failures;
    if (scenario.randomFailures)
    {
        auto drawn = DrawRandomFaults(*scenario.randomFailures, fabric, result.seed);
        faults.insert(faults.end(), drawn.begin(), drawn.end());
    }
    FaultInjector injector(fabric, faults, result.seed);
    FabricSampler sampler(
        fabric, runner, scenario.outputs.intervalNs, portsCsv.get(), qpsCsv.get());
    std::unique_ptr<SflowExporter> sflow;
    if (scenario.outputs.sflow)
    {
        std::string pcap = scenario.outputs.sflow->pcap;
        if (!pcap.empty() && fs::path(pcap).is_relative() && !options.outDirectory.empty())
        {
            result.files.push_back(pcap);
            pcap = (fs::path(options.outDirectory) / pcap).string();
        }
        sflow = std::make_unique<SflowExporter>(
            fabric, *scenario.outputs.sflow, result.seed, options.sflowSink, pcap);
    }
    ProgressProbe probe(options,
                        fabric,
                        runner,
                        injector,
                        scenario.iterations * static_cast<std::uint32_t>(scenario.jobs.size()),
                        scenario.stopTimeNs);

    probe.Start(); // first: it counts events from here
    runner.Start();
    injector.Start();
    sampler.Start();
    if (sflow)
    {
        sflow->Start();
    }
    if (scenario.stopTimeNs > 0)
    {
        Simulator::Stop(NanoSeconds(scenario.stopTimeNs));
    }
    Simulator::Run();
    result.stats.wallSeconds = probe.WallSeconds();
    result.stats.events = probe.ModelEvents();
    result.stats.simTimeNs = Simulator::Now().GetNanoSeconds();
    if (sflow)
    {
        sflow->Finish();
        result.sflow = sflow->Stats();
    }
    probe.Finish();

    // A run without an iteration count ends on time by design.
    result.completed = scenario.iterations == 0 || runner.Done();
    // A streamed schedule has its groups once it has been emitted.
    for (std::uint32_t j = 0; j < runner.Jobs(); ++j)
    {
        result.jobs[j].groups = runner.Job(j).iteration.Groups();
    }
    result.collectives = runner.Collectives();
    result.iterations = runner.Iterations();
    result.spans = runner.Spans();
    result.failures = injector.Records();
    result.linkClasses = sampler.LinkClasses();
    result.samples = sampler.Samples();
    std::vector<std::int64_t> struckUntil;
    for (const auto& f : result.failures)
    {
        std::int64_t end = f.spec.atNs + 10 * scenario.outputs.intervalNs;
        for (const auto& c : result.collectives)
        {
            if (c.startNs <= f.spec.atNs && f.spec.atNs <= c.endNs)
            {
                end = std::max(end, c.endNs);
            }
        }
        struckUntil.push_back(end);
    }
    MeasureThroughputDips(result.failures, result.samples, struckUntil);
    result.stats.hosts = fabric.Hosts();
    result.stats.switches = static_cast<std::uint32_t>(fabric.Switches().size());
    for (const auto& record : fabric.Ports())
    {
        const PortCounters& c = record.device->GetCounters();
        if (record.tier == topo::LinkTier::ServerLeaf && record.upward)
        {
            result.cnpsGenerated += c.cnpTx;
        }
        if (c.txPackets == 0 && c.rxPackets == 0)
        {
            continue;
        }
        result.ports.push_back(PortSummary{record.device->GetPortName(),
                                           LinkClass{record.tier, record.upward}.Name(),
                                           record.device->GetDataRate().GetBitRate(),
                                           c});
    }
    result.totals = fabric.Totals();
    result.stats.packetHops = result.totals.txPackets;
    for (std::uint32_t s = 0; s < fabric.Hosts(); ++s)
    {
        for (std::size_t f = 0; f < fabric.Host(s)->GetNFlows(); ++f)
        {
            result.retransmittedPackets += fabric.Host(s)->GetFlow(f).retransmitted;
            result.retransmitTimeouts += fabric.Host(s)->GetFlow(f).timeouts;
        }
    }
    Simulator::Destroy();
    result.stats.peakRssBytes = fab::telemetry::PeakResidentBytes();
    return result;
}

} // namespace ns3::fabric
