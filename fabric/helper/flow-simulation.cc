// simulate with the flow engine: the scenario's jobs as max-min fair flows, the same results.
#include "fabric/flow/flow-engine.h"
#include "fabric/helper/simulation.h"
#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/process-memory.h"

#include <chrono>

namespace ns3::fabric
{

void
CheckFlowEngineScenario(const Scenario& scenario)
{
    using ::fab::telemetry::InputError;
    const char* why = "the flow engine does not model this yet; run it with --engine packet";
    if (!scenario.failures.empty())
    {
        throw InputError("/failures", why);
    }
    if (scenario.randomFailures)
    {
        throw InputError("/random_failures", why);
    }
    if (scenario.sweep.vary != ScenarioSweep::Vary::Nothing)
    {
        throw InputError("/sweep", why);
    }
    if (!scenario.outputs.captures.empty())
    {
        throw InputError("/outputs/captures", "the flow engine has no packets to capture");
    }
    if (scenario.outputs.sflow)
    {
        throw InputError("/outputs/sflow", "the flow engine has no packets to sample");
    }
}

SimulationResult
RunFlowSimulation(const Scenario& scenario, const SimulationOptions& options)
{
    auto started = std::chrono::steady_clock::now();
    SimulationResult result;
    result.engine = "flow";
    result.scenarioName = scenario.name;
    result.designName = scenario.design.name;
    result.designSource = scenario.designSource;
    result.seed = options.seed.value_or(scenario.seed);
    result.sampleIntervalNs = scenario.outputs.intervalNs;

    fab::flow::FlowFabricOptions fabricOptions;
    fabricOptions.payloadMtu = scenario.fabric.payloadMtu;
    fabricOptions.hashSeed = FabricHashSeed(result.seed);
    fabricOptions.vlan = scenario.fabric.vlan.has_value();
    fab::flow::FlowFabric fabric(scenario.design, fabricOptions);
    result.nicRateBps = scenario.design.servers.nicSpeedBps;
    result.payloadLineRateBps = fabric.PayloadRateBps();

    fab::flow::FlowEngine engine(fabric);
    for (auto& job : ScenarioFabricJobs(scenario, result.jobs))
    {
        engine.AddJob(std::move(job));
    }
    engine.SetIterations(scenario.iterations);
    engine.SetStopTimeNs(scenario.stopTimeNs);
    engine.SetPatternMinTransfers(options.flowPatternMinTransfers);
    engine.Run();

    result.completed = scenario.iterations == 0 || engine.Done();
    for (std::uint32_t j = 0; j < engine.Jobs(); ++j)
    {
        result.jobs[j].groups = engine.Job(j).iteration.Groups();
    }
    result.collectives = engine.Collectives();
    result.iterations = engine.Iterations();
    result.spans = engine.Spans();

    // A port sends what its link carries away from it and receives what comes back.
    const auto& graph = fabric.Graph();
    const auto& links = graph.Links();
    const auto& bytes = engine.LinkBytes();
    for (std::uint32_t l = 0; l < links.size(); ++l)
    {
        for (bool upward : {true, false})
        {
            std::uint64_t tx = bytes[fab::flow::FlowPaths::Directed(l, upward)];
            std::uint64_t rx = bytes[fab::flow::FlowPaths::Directed(l, !upward)];
            if (tx == 0 && rx == 0)
            {
                continue;
            }
            PortSummary port;
            port.name = upward ? graph.PortName(links[l].lower, links[l].lowerPort)
                               : graph.PortName(links[l].upper, links[l].upperPort);
            port.link = LinkClass{links[l].tier, upward}.Name();
            port.rateBps = fabric.FiguresOf(l).rateBps;
            port.counters.txBytes = tx;
            port.counters.rxBytes = rx;
            result.totals.txBytes += tx;
            result.totals.rxBytes += rx;
            result.ports.push_back(std::move(port));
        }
    }
    result.stats.events = engine.Events();
    result.stats.flows = engine.FlowsStarted();
    result.stats.patterns = engine.PatternsSolved();
    result.stats.simTimeNs = engine.NowNs();
    result.stats.hosts = graph.Servers();
    result.stats.switches = static_cast<std::uint32_t>(graph.Nodes().size() - graph.Servers());
    result.stats.wallSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.stats.peakRssBytes = fab::telemetry::PeakResidentBytes();
    return result;
}

} // namespace ns3::fabric
