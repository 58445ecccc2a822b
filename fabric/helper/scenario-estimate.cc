// Counting a scenario's run before building it, and refusing one that would not fit.
#include "fabric/helper/scenario-estimate.h"

#include "fabric/helper/flow-memory-figures.h"
#include "fabric/helper/packet-memory-figures.h"
#include "telemetry/model/text-format.h"
#include "topologies/model/graph-size.h"
#include "traffic/model/saturating-count.h"
#include "traffic/model/schedule-size.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace ns3::fabric
{

namespace traffic = ::fab::traffic;
using ::fab::telemetry::FormatBytes;
using ::fab::telemetry::GroupDigits;
using traffic::SatAdd;
using traffic::SatMul;

namespace
{

/** Taken as the shortest an iteration can be (it bounds how many fit before a stop time): its
 *  transfers cross NICs, cables and switches, its compute launches kernels. */
constexpr std::int64_t kShortestIterationNs = 1'000;
/** The least a collective's step takes: its transfer crosses a NIC, cables and a switch, and the
 *  next step waits for it. */
constexpr std::int64_t kShortestStepNs = 1'000;

/** The entries switches look up (FabricRoutes::SwitchEntries): a leaf or spine one per leaf
 *  of its pod and one per pod, a core one per pod; every plane alike. */
std::uint64_t
RouteEntries(const topo::FatTreePlan& plan)
{
    std::uint64_t pods = plan.pods.size();
    std::uint64_t entries = SatMul(plan.cores, pods);
    for (const auto& pod : plan.pods)
    {
        entries = SatAdd(
            entries,
            SatMul(static_cast<std::uint64_t>(pod.leaves) + pod.spines, pod.leaves + pods));
    }
    return SatMul(entries, plan.planes);
}

/** One job's iteration, and the least time it can take. */
struct JobCount
{
    traffic::ScheduleSize size;
    std::int64_t minIterationNs{kShortestIterationNs};
};

/** A rank's compute over one iteration: every micro-batch forward and backward (twice the
 *  forward) through its stage's layers. */
std::int64_t
ComputeNs(const traffic::JobSpec& job)
{
    auto times = traffic::ComputeLayerTimes(job);
    std::uint64_t layers = job.model.layers / std::max(1u, job.parallel.pp);
    std::uint64_t moe = job.model.experts == 0 ? 0 : layers / job.model.moeEvery;
    std::uint64_t perPass
        = SatAdd(SatMul(layers, times.attentionNs),
                 SatAdd(SatMul(layers - moe, times.mlpNs), SatMul(moe, times.moeNs)));
    std::uint64_t ns = SatMul(SatMul(perPass, 3), job.MicroBatches());
    return static_cast<std::int64_t>(
        std::min<std::uint64_t>(ns, std::numeric_limits<std::int64_t>::max()));
}

JobCount
CountJob(const ScenarioJob& job, const Scenario& scenario, std::uint64_t payloadRateBps)
{
    JobCount count;
    std::uint32_t gpus = scenario.design.servers.gpus;
    std::uint32_t mtu = scenario.fabric.payloadMtu;
    std::int64_t computeNs = 0;
    if (job.kind == ScenarioJob::Kind::Training)
    {
        count.size = traffic::SizeIteration(job.training, gpus, mtu);
        computeNs = ComputeNs(job.training);
    }
    else
    {
        count.size = traffic::SizeCollectiveIteration(job.collective, gpus, mtu);
    }
    // The busiest sender's bytes at the NIC's payload rate.
    std::uint64_t perSender
        = SatMul(count.size.fabricPackets / std::max<std::uint64_t>(1, count.size.senders), mtu);
    long double sendNs = static_cast<long double>(perSender) * 8e9L
                         / static_cast<long double>(std::max<std::uint64_t>(1, payloadRateBps));
    auto transferNs = static_cast<std::int64_t>(std::min<long double>(sendNs, 1e18L));
    auto stepsNs = static_cast<std::int64_t>(std::min<std::uint64_t>(
        SatMul(count.size.steps, kShortestStepNs), std::numeric_limits<std::int64_t>::max()));
    count.minIterationNs = std::max({kShortestIterationNs, computeNs, transferNs, stepsNs});
    return count;
}

/** Iterations a job can run: as many as asked, and no more than fit before the stop time. */
std::uint64_t
IterationsRun(const Scenario& scenario, std::int64_t minIterationNs)
{
    std::uint64_t byTime = traffic::kCountMax;
    if (scenario.stopTimeNs > 0)
    {
        byTime = static_cast<std::uint64_t>(scenario.stopTimeNs / minIterationNs) + 1;
    }
    std::uint64_t asked = scenario.iterations > 0 ? scenario.iterations : traffic::kCountMax;
    return std::max<std::uint64_t>(1, std::min(asked, byTime));
}

/**
 * Events pending in the simulator at once: per queue pair one retransmit timer (kept lazily, so
 * one event however many ACKs move it), and per port a frame on its way and the end of its
 * transmission.
 */
std::uint64_t
PendingEvents(const Scenario& scenario, const traffic::RunCounts& counts)
{
    std::uint64_t timers = scenario.fabric.transport.reliable ? counts.queuePairs : 0;
    return SatAdd(timers, SatMul(2, counts.ports));
}

std::uint32_t
SweepRuns(const Scenario& scenario, const topo::FatTreePlan& plan)
{
    switch (scenario.sweep.vary)
    {
        case ScenarioSweep::Vary::Nothing:
            return 1;
        case ScenarioSweep::Vary::Policy:
            return static_cast<std::uint32_t>(scenario.sweep.policies.size()) + 1;
        case ScenarioSweep::Vary::Link:
        {
            std::uint64_t links = plan.LinksPerPlane(scenario.sweep.linkTier) * plan.planes;
            if (scenario.sweep.limit != 0)
            {
                links = std::min<std::uint64_t>(links, scenario.sweep.limit);
            }
            return static_cast<std::uint32_t>(std::min<std::uint64_t>(
                       links, std::numeric_limits<std::uint32_t>::max() - 1))
                   + 1;
        }
        case ScenarioSweep::Vary::Grid:
            // No baseline: every point is measured on its own.
            return static_cast<std::uint32_t>(
                scenario.sweep.GridPoints()
                * std::max<std::size_t>(1, scenario.sweep.seeds.size()));
    }
    return 1;
}

/** "8,160,000,000 schedule tasks: 1.0 TiB; ..." for the largest items. */
std::string
LargestItems(std::vector<traffic::MemoryItem> items, std::size_t count)
{
    std::stable_sort(
        items.begin(), items.end(), [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < count; ++i)
    {
        text += (text.empty() ? "" : "; ") + GroupDigits(items[i].count) + " " + items[i].name
                + ": " + FormatBytes(static_cast<double>(items[i].bytes));
    }
    return text;
}

/** A scenario value and its smallest setting, to see how much of the estimate it drives. */
struct Knob
{
    std::string pointer;
    std::string smallest; ///< "with 1 channel", "without this job"
    std::function<void(Scenario&)> shrink;
};

std::vector<Knob>
Knobs(const Scenario& scenario)
{
    std::vector<Knob> knobs;
    for (std::size_t i = 0; i < scenario.jobs.size(); ++i)
    {
        const ScenarioJob& job = scenario.jobs[i];
        std::string at = "/jobs/" + std::to_string(i);
        traffic::AlgorithmOptions options = job.kind == ScenarioJob::Kind::Training
                                                ? job.training.algorithm
                                                : job.collective.options;
        auto optionsOf = [i](Scenario& s) -> traffic::AlgorithmOptions&
        {
            auto& j = s.jobs[i];
            return j.kind == ScenarioJob::Kind::Training ? j.training.algorithm
                                                         : j.collective.options;
        };
        if (job.kind == ScenarioJob::Kind::Collective)
        {
            if (job.collective.gpus > 2)
            {
                knobs.push_back({at + "/gpus",
                                 "with 2 GPUs",
                                 [i](Scenario& s)
                                 {
                                     s.jobs[i].collective.gpus = 2;
                                 }});
            }
        }
        else
        {
            if (job.training.model.layers > job.training.parallel.pp)
            {
                knobs.push_back({at + "/model/layers",
                                 "with " + std::to_string(job.training.parallel.pp)
                                     + (job.training.parallel.pp == 1 ? " layer" : " layers"),
                                 [i](Scenario& s)
                                 {
                                     s.jobs[i].training.model.layers
                                         = s.jobs[i].training.parallel.pp;
                                 }});
            }
            if (job.training.MicroBatches() > 1)
            {
                knobs.push_back({at + "/global_batch",
                                 "with one micro-batch per replica",
                                 [i](Scenario& s)
                                 {
                                     s.jobs[i].training.globalBatch = 0;
                                 }});
            }
        }
        if (options.channels > 1)
        {
            knobs.push_back({at + "/channels",
                             "with 1 channel",
                             [optionsOf](Scenario& s)
                             {
                                 optionsOf(s).channels = 1;
                             }});
        }
        if (options.treeChunks > 1)
        {
            knobs.push_back({at + "/tree_chunks",
                             "with 1 chunk",
                             [optionsOf](Scenario& s)
                             {
                                 optionsOf(s).treeChunks = 1;
                             }});
        }
        if (scenario.jobs.size() > 1)
        {
            knobs.push_back({at,
                             "without this job",
                             [i](Scenario& s)
                             {
                                 s.jobs.erase(s.jobs.begin() + static_cast<long>(i));
                             }});
        }
    }
    if (scenario.iterations > 1)
    {
        knobs.push_back({"/stop/iterations",
                         "with 1 iteration",
                         [](Scenario& s)
                         {
                             s.iterations = 1;
                         }});
    }
    if (scenario.stopTimeNs > scenario.outputs.intervalNs)
    {
        knobs.push_back({"/stop/time",
                         "stopped after one sampling interval",
                         [](Scenario& s)
                         {
                             s.stopTimeNs = s.outputs.intervalNs;
                         }});
    }
    if (scenario.randomFailures)
    {
        knobs.push_back({"/random_failures",
                         "without random failures",
                         [](Scenario& s)
                         {
                             s.randomFailures.reset();
                         }});
    }
    if (scenario.sweep.vary != ScenarioSweep::Vary::Nothing)
    {
        knobs.push_back({"/sweep",
                         "without the sweep",
                         [](Scenario& s)
                         {
                             s.sweep.vary = ScenarioSweep::Vary::Nothing;
                         }});
    }
    return knobs;
}

} // namespace

ScenarioEstimate
EstimateScenario(const Scenario& scenario)
{
    ScenarioEstimate estimate;
    traffic::RunCounts& c = estimate.counts;
    auto plan = topo::PlanFatTree(scenario.design);
    auto graph = topo::SizeGraph(scenario.design, plan);
    c.hosts = graph.servers;
    c.switches = graph.switches;
    c.ports = graph.Ports();
    c.endpoints = graph.endpoints;
    c.routeEntries = RouteEntries(plan);
    c.graphBytes = graph.MemoryBytes();

    std::uint64_t payloadRate = PayloadRateBps(scenario.design, scenario.fabric.payloadMtu);
    std::uint64_t longestNs = 0;
    for (const auto& job : scenario.jobs)
    {
        JobCount count = CountJob(job, scenario, payloadRate);
        const traffic::ScheduleSize& s = count.size;
        std::uint64_t iterations = IterationsRun(scenario, count.minIterationNs);
        c.tasks = SatAdd(c.tasks, s.tasks);
        c.dependencies = SatAdd(c.dependencies, s.dependencies);
        c.groups = SatAdd(c.groups, s.groups);
        c.groupRanks = SatAdd(c.groupRanks, s.groupRanks);
        c.transfers = SatAdd(c.transfers, s.transfers);
        c.heldTasks = SatAdd(c.heldTasks, s.heldTasks);
        c.heldDependencies = SatAdd(c.heldDependencies, s.heldDependencies);
        c.plans = SatAdd(c.plans, s.heldPlans);
        c.planRanks = SatAdd(c.planRanks, s.heldPlanRanks);
        c.waitingTasks = SatAdd(c.waitingTasks, s.waiting);
        c.postedTransfers = SatAdd(c.postedTransfers, s.posted);
        c.queuePairs = SatAdd(c.queuePairs, s.queuePairs);
        c.collectiveRecords = SatAdd(c.collectiveRecords, SatMul(s.collectives, iterations));
        c.spans = SatAdd(c.spans, SatMul(s.groupRanks, iterations));
        estimate.transfersBetweenServers
            = SatAdd(estimate.transfersBetweenServers, s.fabricTransfers);
        longestNs = std::max(longestNs, SatMul(iterations, count.minIterationNs));
    }
    bool flow = scenario.engine == "flow";
    c.events = flow ? FlowPendingEvents(c) : PendingEvents(scenario, c);
    // A run on time samples until its stop; one on iterations at least as long as they take.
    std::uint64_t sampledNs = longestNs;
    if (scenario.stopTimeNs > 0)
    {
        sampledNs = scenario.iterations == 0
                        ? static_cast<std::uint64_t>(scenario.stopTimeNs)
                        : std::min(sampledNs, static_cast<std::uint64_t>(scenario.stopTimeNs));
    }
    c.samples
        = sampledNs
              / static_cast<std::uint64_t>(std::max<std::int64_t>(1, scenario.outputs.intervalNs))
          + 1;
    c.faults = scenario.failures.size();
    if (scenario.randomFailures)
    {
        double expected = scenario.randomFailures->ExpectedFaults(graph.links - graph.endpoints,
                                                                  graph.switches);
        c.faults = SatAdd(c.faults,
                          expected >= 1e19 ? traffic::kCountMax
                                           : static_cast<std::uint64_t>(expected) + 1);
    }
    c.runs = SweepRuns(scenario, plan);
    estimate.memory
        = traffic::EstimateMemory(c, flow ? FlowMemoryFigures() : PacketMemoryFigures());
    return estimate;
}

void
CheckScenarioFits(const Scenario& scenario,
                  const ScenarioEstimate& estimate,
                  const ::fab::telemetry::MemoryLimit& limit)
{
    std::uint64_t peak = estimate.memory.PeakBytes();
    if (peak <= limit.bytes)
    {
        return;
    }
    std::string over = ", more than the limit of " + FormatBytes(static_cast<double>(limit.bytes))
                       + " (" + limit.source + "); ";
    std::string allow = "or --max-memory to allow more";
    std::uint64_t fabric = estimate.memory.FabricBytes();
    if (fabric > limit.bytes)
    {
        throw ::fab::telemetry::OverLimitError("/design",
                                               "the fabric of this design alone would take about "
                                                   + FormatBytes(static_cast<double>(fabric))
                                                   + " of memory ("
                                                   + LargestItems(estimate.memory.fabric, 2) + ")"
                                                   + over + "expected a smaller design, " + allow);
    }
    // The value whose smallest setting leaves the least: that is what makes the run this big.
    std::optional<Knob> blamed;
    std::uint64_t least = peak;
    for (const auto& knob : Knobs(scenario))
    {
        Scenario smaller = scenario;
        knob.shrink(smaller);
        std::uint64_t bytes = EstimateScenario(smaller).memory.PeakBytes();
        if (bytes < least)
        {
            least = bytes;
            blamed = knob;
        }
    }
    std::string what = "the run would take about " + FormatBytes(static_cast<double>(peak))
                       + " of memory at its peak (" + LargestItems(estimate.memory.PeakItems(), 2)
                       + ")" + over;
    if (!blamed)
    {
        throw ::fab::telemetry::OverLimitError("", what + "expected a smaller scenario, " + allow);
    }
    throw ::fab::telemetry::OverLimitError(
        blamed->pointer,
        what + "expected a smaller value here (" + blamed->smallest + " the run would take about "
            + FormatBytes(static_cast<double>(least)) + "), " + allow);
}

} // namespace ns3::fabric
