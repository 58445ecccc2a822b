#include "fabric/helper/simulation-sweep.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ns3/simulator.h>
#include <tuple>

namespace ns3::fabric
{
namespace
{

/** The span of a job's iterations, or -1 when it ran fewer than `expected`. */
std::int64_t
JobTimeNs(const SweepRunRecord& record, std::uint32_t job, std::size_t expected)
{
    std::int64_t start = -1;
    std::int64_t end = -1;
    std::size_t count = 0;
    for (const auto& i : record.iterations)
    {
        if (i.job != job)
        {
            continue;
        }
        start = start < 0 ? i.startNs : std::min(start, i.startNs);
        end = std::max(end, i.endNs);
        ++count;
    }
    return count == 0 || count < expected ? -1 : end - start;
}

std::size_t
IterationsOf(const SweepRunRecord& record, std::uint32_t job)
{
    std::size_t count = 0;
    for (const auto& i : record.iterations)
    {
        count += i.job == job ? 1 : 0;
    }
    return count;
}

SweepRun
Run(Scenario scenario,
    const SimulationOptions& options,
    std::string label,
    std::uint32_t index,
    std::uint32_t runs)
{
    SimulationOptions runOptions = TagSweepRun(options, label, index, runs);
    runOptions.outDirectory.clear();
    std::string sflowPcap = UseSweepRunSflowPcap(scenario, label, options.outDirectory);
    SweepRun run;
    run.label = std::move(label);
    run.policy = RecoveryPolicyName(scenario.fabric.recovery.policy);
    run.record = RecordRun(RunSimulation(scenario, runOptions));
    if (!sflowPcap.empty())
    {
        run.record.files.push_back(sflowPcap);
    }
    return run;
}

} // namespace

SimulationOptions
TagSweepRun(const SimulationOptions& options,
            const std::string& label,
            std::uint32_t index,
            std::uint32_t runs)
{
    SimulationOptions runOptions = options;
    auto tag = [index, runs, label](const SimulationProgress& p)
    {
        SimulationProgress tagged = p;
        tagged.run = index;
        tagged.runs = runs;
        tagged.label = label;
        return tagged;
    };
    if (options.progress)
    {
        runOptions.progress = [progress = options.progress, tag](const SimulationProgress& p)
        {
            progress(tag(p));
        };
    }
    if (options.live)
    {
        runOptions.live = [live = options.live, tag](const SimulationLiveView& view)
        {
            SimulationProgress tagged = tag(view.progress);
            live(SimulationLiveView{tagged, view.fabric, view.runner, view.faults, view.finished});
        };
    }
    return runOptions;
}

std::string
UseSweepRunSflowPcap(Scenario& scenario, const std::string& label, const std::string& outDirectory)
{
    if (!scenario.outputs.sflow || scenario.outputs.sflow->pcap.empty())
    {
        return "";
    }
    namespace fs = std::filesystem;
    fs::path pcap(scenario.outputs.sflow->pcap);
    pcap.replace_filename(pcap.stem().string() + "." + SweepFolderName(label)
                          + pcap.extension().string());
    std::string listed;
    if (pcap.is_relative() && !outDirectory.empty())
    {
        listed = pcap.generic_string(); // listed in files, as RunSimulation does
        pcap = fs::path(outDirectory) / pcap;
    }
    scenario.outputs.sflow->pcap = pcap.string();
    return listed;
}

std::string
SweepFolderName(const std::string& label)
{
    std::string name = label;
    std::replace_if(
        name.begin(), name.end(), [](char c) { return c == ':' || c == '/' || c == ' '; }, '-');
    return name;
}

std::vector<std::string>
SweptLinks(const Scenario& scenario)
{
    auto graph = topo::FabricGraph::Build(scenario.design, topo::PlanFatTree(scenario.design));
    std::vector<std::string> links;
    for (const auto& link : graph.Links())
    {
        if (link.tier == scenario.sweep.linkTier)
        {
            links.push_back(graph.PortName(link.lower, link.lowerPort));
        }
    }
    std::uint32_t limit = scenario.sweep.limit;
    if (limit == 0 || limit >= links.size())
    {
        return links;
    }
    std::vector<std::string> spread;
    for (std::uint32_t k = 0; k < limit; ++k)
    {
        spread.push_back(links[static_cast<std::size_t>(k) * links.size() / limit]);
    }
    return spread;
}

SweepResult
RunSweep(const Scenario& scenario, const SimulationOptions& options)
{
    SweepResult sweep;
    sweep.vary = scenario.sweep.vary;
    sweep.scenarioName = scenario.name;
    sweep.designName = scenario.design.name;

    std::vector<std::string> links;
    if (sweep.vary == ScenarioSweep::Vary::Link)
    {
        links = SweptLinks(scenario);
    }
    auto runs = static_cast<std::uint32_t>(1
                                           + (sweep.vary == ScenarioSweep::Vary::Policy
                                                  ? scenario.sweep.policies.size()
                                                  : links.size()));

    Scenario baseline = scenario;
    baseline.failures.clear();
    baseline.randomFailures.reset();
    sweep.baseline = Run(baseline, options, "baseline", 1, runs);

    std::uint32_t index = 2;
    if (sweep.vary == ScenarioSweep::Vary::Policy)
    {
        for (auto policy : scenario.sweep.policies)
        {
            Scenario variant = scenario;
            variant.fabric.recovery.policy = policy;
            sweep.runs.push_back(Run(variant, options, RecoveryPolicyName(policy), index++, runs));
        }
    }
    else
    {
        for (const auto& link : links)
        {
            Scenario variant = scenario;
            variant.failures.at(0).target = link;
            sweep.runs.push_back(Run(variant, options, link, index++, runs));
            sweep.runs.back().target = link;
        }
    }
    AddUpSweepCosts(sweep);
    return sweep;
}

void
AddUpSweepCosts(SweepResult& sweep)
{
    std::vector<const SweepRun*> runs;
    if (sweep.vary != ScenarioSweep::Vary::Grid)
    {
        runs.push_back(&sweep.baseline);
    }
    for (const auto& run : sweep.runs)
    {
        runs.push_back(&run);
    }
    sweep.wallSeconds = 0;
    sweep.peakRssBytes = 0;
    for (const auto* run : runs)
    {
        sweep.wallSeconds += run->record.wallSeconds;
        sweep.peakRssBytes = std::max(sweep.peakRssBytes, run->record.peakRssBytes);
    }
}

SweepOutcome
CompareWithBaseline(const SweepRun& run, const SweepRun& baseline)
{
    const SweepRunRecord& r = run.record;
    const SweepRunRecord& b = baseline.record;
    SweepOutcome o;
    o.completed = r.completed;
    o.retransmitted = r.retransmitted;
    o.timeouts = r.timeouts;
    o.pauses = r.pfcPauses;
    if (!r.faults.empty())
    {
        std::int64_t at = r.faults.front().atNs;
        auto since = [at](std::int64_t ns)
        {
            return ns < 0 ? -1 : ns - at;
        };
        for (const auto& f : r.faults)
        {
            if (f.detectedNs >= 0 && (o.detectedNs < 0 || since(f.detectedNs) < o.detectedNs))
            {
                o.detectedNs = since(f.detectedNs);
            }
            o.convergedNs = std::max(o.convergedNs, since(f.convergedNs));
            o.lastLossNs = std::max(o.lastLossNs, since(f.lastLossNs));
            o.packetsLost += f.packetsLost;
        }
    }
    for (std::uint32_t j = 0; j < r.jobs.size(); ++j)
    {
        std::size_t expected = IterationsOf(b, j);
        std::int64_t time = JobTimeNs(r, j, expected);
        std::int64_t reference = JobTimeNs(b, j, expected);
        o.jobTimeNs.push_back(time);
        o.jobSlowdown.push_back(time < 0 || reference <= 0
                                    ? 0.0
                                    : static_cast<double>(time) / static_cast<double>(reference));
    }
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, std::int64_t> reference;
    for (const auto& c : b.collectives)
    {
        reference[{c.job, c.iteration, c.group}] = c.endNs - c.startNs;
    }
    for (const auto& c : r.collectives)
    {
        auto it = reference.find({c.job, c.iteration, c.group});
        if (it == reference.end() || it->second <= 0)
        {
            continue;
        }
        double slowdown
            = static_cast<double>(c.endNs - c.startNs) / static_cast<double>(it->second);
        if (slowdown > o.worstCollectiveSlowdown)
        {
            o.worstCollectiveSlowdown = slowdown;
            o.worstCollective = r.jobs[c.job].name + " " + r.jobs[c.job].groups[c.group] + " #"
                                + std::to_string(c.iteration);
        }
    }
    return o;
}

nlohmann::json
SweepJson(const SweepResult& sweep)
{
    if (sweep.vary == ScenarioSweep::Vary::Grid)
    {
        return GridSweepJson(sweep);
    }
    auto time = [](std::int64_t ns)
    {
        return ns < 0 ? nlohmann::json() : nlohmann::json(ns);
    };
    nlohmann::json baselineJobs = nlohmann::json::array();
    const auto& b = sweep.baseline.record;
    for (std::uint32_t j = 0; j < b.jobs.size(); ++j)
    {
        baselineJobs.push_back(
            {{"name", b.jobs[j].name}, {"time_ns", time(JobTimeNs(b, j, IterationsOf(b, j)))}});
    }
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& run : sweep.runs)
    {
        auto o = CompareWithBaseline(run, sweep.baseline);
        nlohmann::json jobs = nlohmann::json::array();
        for (std::size_t j = 0; j < o.jobTimeNs.size(); ++j)
        {
            jobs.push_back(
                {{"name", run.record.jobs[j].name},
                 {"time_ns", time(o.jobTimeNs[j])},
                 {"slowdown",
                  o.jobSlowdown[j] > 0 ? nlohmann::json(o.jobSlowdown[j]) : nlohmann::json()}});
        }
        runs.push_back({{"label", run.label},
                        {"policy", run.policy},
                        {"target", run.target},
                        {"completed", o.completed},
                        {"detected_ns", time(o.detectedNs)},
                        {"converged_ns", time(o.convergedNs)},
                        {"last_loss_ns", time(o.lastLossNs)},
                        {"packets_lost", o.packetsLost},
                        {"retransmitted_packets", o.retransmitted},
                        {"retransmit_timeouts", o.timeouts},
                        {"pfc_pauses", o.pauses},
                        {"jobs", std::move(jobs)},
                        {"worst_collective",
                         {{"name", o.worstCollective}, {"slowdown", o.worstCollectiveSlowdown}}},
                        {"failures", run.record.failures},
                        {"sim",
                         {{"events", run.record.events},
                          {"wall_s", run.record.wallSeconds},
                          {"peak_rss_bytes", run.record.peakRssBytes},
                          {"sim_time_ns", run.record.simTimeNs}}},
                        {"files", run.record.files}});
        if (!run.record.sflow.is_null())
        {
            runs.back()["sflow"] = run.record.sflow;
        }
    }
    nlohmann::json baseline = {{"completed", b.completed},
                               {"jobs", std::move(baselineJobs)},
                               {"sim", {{"events", b.events}, {"sim_time_ns", b.simTimeNs}}},
                               {"files", b.files}};
    if (!b.sflow.is_null())
    {
        baseline["sflow"] = b.sflow;
    }
    return {{"sweep",
             {{"vary", sweep.vary == ScenarioSweep::Vary::Policy ? "policy" : "link"},
              {"scenario", sweep.scenarioName},
              {"design", sweep.designName},
              {"baseline", std::move(baseline)},
              {"runs", std::move(runs)},
              {"wall_s", sweep.wallSeconds},
              {"peak_rss_bytes", sweep.peakRssBytes}}}};
}

} // namespace ns3::fabric
