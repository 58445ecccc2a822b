// Sweeps: one failure per leaf-spine link, and the same failure under each recovery policy,
// each compared with a fault-free run; and faults drawn from MTBF figures.
#include "fabric/helper/simulation-sweep.h"
#include "support/run-command.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <set>

using namespace ns3::fabric;
using nlohmann::json;

namespace
{

/** 8 single-NIC servers at 100G on 2 leaves of radix 8, 4 uplinks each; a ring AllReduce of
 *  8 MiB over all of them takes about 1.2 ms. */
json
RingScenario()
{
    return json::parse(R"({
      "schema": 1,
      "name": "ring over 8 servers",
      "design": {
        "schema": 1, "name": "8 servers, 2 leaves", "fabric": "roce",
        "servers": {"count": 8, "gpus": 1, "nics": 1, "nic_speed": "100Gbps"},
        "switch_models": {"sw": {"ports": 8, "port_speed": "100Gbps", "ecmp_max_paths": 64}},
        "tiers": {"count": 2, "leaf": {"model": "sw"}, "spine": {"model": "sw"}}
      },
      "fabric": {"transport": {"congestion_control": "dcqcn", "retransmit_timeout": "1ms"},
                 "lldp": false},
      "jobs": [{"kind": "collective", "name": "ring", "op": "allreduce", "bytes": "8MiB",
                "gpus": 8, "gpus_per_server": 1}],
      "recovery": {"policy": "dpfr", "control_plane_delay": "300us"},
      "stop": {"iterations": 1, "time": "8ms"},
      "outputs": {"interval": "10us"}
    })");
}

const SweepResult&
LinkSweep()
{
    static const SweepResult sweep = []
    {
        json document = RingScenario();
        document["sweep"] = {{"links", "leaf-spine"}};
        document["failures"] = json::parse(R"([{"kind": "link-down", "at": "200us"}])");
        return RunSweep(ScenarioFromJson(document, "."), {});
    }();
    return sweep;
}

} // namespace

TEST_CASE("a link sweep fails every leaf-spine link once", "[fabric][sim][recovery][sweep]")
{
    const auto& sweep = LinkSweep();
    const auto& baseline = sweep.baseline.record;
    REQUIRE(baseline.completed);
    REQUIRE(baseline.faults.empty());

    // Every leaf-spine cable of the graph, once, named by its leaf end.
    json document = RingScenario();
    auto scenario = ScenarioFromJson(document, ".");
    auto graph = fab::topo::FabricGraph::Build(scenario.design,
                                               fab::topo::PlanFatTree(scenario.design));
    std::set<std::string> expected;
    for (const auto& link : graph.Links())
    {
        if (link.tier == fab::topo::LinkTier::LeafSpine)
        {
            expected.insert(graph.PortName(link.lower, link.lowerPort));
        }
    }
    REQUIRE(expected.size() == 8);
    std::set<std::string> swept;
    for (const auto& run : sweep.runs)
    {
        swept.insert(run.target);
        INFO(run.label);
        REQUIRE(run.label == run.target);
        REQUIRE(run.record.faults.size() == 1);
        REQUIRE(run.record.faults[0].target == run.target);
        auto o = CompareWithBaseline(run, sweep.baseline);
        REQUIRE(o.completed);
        // DPFR: the leaf notices after the 5 us detection delay and converges at once; the
        // spine end converges at the same moment.
        REQUIRE(o.detectedNs == 5'000);
        REQUIRE(o.convergedNs == 5'000);
        // What dies with the link: queued and in-flight frames, and 5 us of sending at 100G
        // (about 15 frames) each way.
        REQUIRE(o.packetsLost <= 2 * (2 + 2 + 15 + 2));
        REQUIRE(o.lastLossNs <= 5'000);
        REQUIRE(o.timeouts == 0);
        REQUIRE(o.jobSlowdown.size() == 1);
        REQUIRE(o.jobSlowdown[0] >= 1.0);
        REQUIRE(o.jobSlowdown[0] < 1.05);
        REQUIRE(o.worstCollectiveSlowdown == Approx(o.jobSlowdown[0]));
    }
    REQUIRE(swept == expected);

    // Links that carried ring traffic at the fault cost something; the rest nothing.
    std::uint32_t slowed = 0;
    for (const auto& run : sweep.runs)
    {
        slowed += CompareWithBaseline(run, sweep.baseline).jobSlowdown[0] > 1.0 ? 1 : 0;
    }
    REQUIRE(slowed >= 4);

    SECTION("summary and report")
    {
        auto summary = SweepJson(sweep);
        REQUIRE(summary["sweep"]["vary"] == "link");
        REQUIRE(summary["sweep"]["runs"].size() == 8);
        REQUIRE(summary["sweep"]["runs"][0]["converged_ns"] == 5'000);
        REQUIRE(summary["sweep"]["runs"][0]["failures"][0]["kind"] == "link-down");
        REQUIRE(summary["sweep"]["baseline"]["jobs"][0]["time_ns"].get<std::int64_t>() > 0);
        auto report = SweepReport(sweep);
        REQUIRE(report.sections.size() == 1);
        const auto& blocks = report.sections[0].blocks;
        const auto* chart = std::get_if<fab::telemetry::Chart>(&blocks.at(1));
        REQUIRE(chart);
        REQUIRE(chart->labels.size() == 8);
        const auto* table = std::get_if<fab::telemetry::Table>(&blocks.at(2));
        REQUIRE(table);
        REQUIRE(table->rows.size() == 9); // the baseline and one row per link
        REQUIRE(table->rows[1][2] == "5");
        REQUIRE(report.findings.empty());
    }
}

TEST_CASE("a link sweep with a limit spreads its runs over the tier", "[fabric][sweep]")
{
    json document = RingScenario();
    document["sweep"] = {{"links", "leaf-spine"}, {"limit", 2}};
    document["failures"] = json::parse(R"([{"kind": "link-down", "at": "200us"}])");
    auto links = SweptLinks(ScenarioFromJson(document, "."));
    REQUIRE(links == std::vector<std::string>{"leaf-0-0:4", "leaf-1-0:4"});
}

TEST_CASE("the same leaf uplink failure under each recovery policy",
          "[fabric][sim][recovery][sweep]")
{
    json document = RingScenario();
    document["sweep"] = {{"policies", {"dpfr", "control-plane", "none"}}};
    document["failures"] = json::parse(
        R"([{"kind": "link-down", "target": "leaf-0-0:4", "at": "200us", "duration": "2ms"}])");
    auto sweep = RunSweep(ScenarioFromJson(document, "."), {});
    REQUIRE(sweep.runs.size() == 3);
    auto dpfr = CompareWithBaseline(sweep.runs[0], sweep.baseline);
    auto controlPlane = CompareWithBaseline(sweep.runs[1], sweep.baseline);
    auto none = CompareWithBaseline(sweep.runs[2], sweep.baseline);
    WARN("policies: dpfr " << dpfr.jobSlowdown[0] << "x, control-plane "
                           << controlPlane.jobSlowdown[0] << "x, none " << none.jobSlowdown[0]
                           << "x; lost " << dpfr.packetsLost << "/" << controlPlane.packetsLost
                           << "/" << none.packetsLost);
    REQUIRE(sweep.runs[1].policy == "control-plane");
    REQUIRE(dpfr.convergedNs == 5'000);
    REQUIRE(controlPlane.convergedNs == 305'000); // detection + the routing delay
    REQUIRE(controlPlane.lastLossNs > 250'000);
    REQUIRE(controlPlane.lastLossNs <= 305'000);
    REQUIRE(none.convergedNs < 0);
    REQUIRE(none.timeouts > 0);
    // The link comes back after 2 ms, so even `none` finishes, last.
    REQUIRE(none.completed);
    REQUIRE(none.lastLossNs > 1'000'000);
    REQUIRE(dpfr.jobSlowdown[0] < controlPlane.jobSlowdown[0]);
    REQUIRE(controlPlane.jobSlowdown[0] < none.jobSlowdown[0]);
    REQUIRE(dpfr.packetsLost < controlPlane.packetsLost);
    REQUIRE(controlPlane.packetsLost < none.packetsLost);

    // One chart draws the dip of every policy over the fault-free run, on one time axis.
    auto report = SweepReport(sweep);
    const auto* chart = std::get_if<fab::telemetry::Chart>(&report.sections.at(0).blocks.at(1));
    REQUIRE(chart);
    REQUIRE(chart->series.size() == 4);
    REQUIRE(chart->series[0].label == "no fault");
    REQUIRE(chart->series[3].label == "none");
    for (const auto& series : chart->series)
    {
        REQUIRE(series.values.size() == chart->labels.size());
    }
    // While the hole is open (0.25-0.3 ms), `none` and control-plane deliver less than dpfr.
    auto at = [&](const fab::telemetry::ChartSeries& s, std::int64_t ns)
    { return s.values.at(static_cast<std::size_t>(ns / 10'000) - 1); };
    double open = 0;
    double openDpfr = 0;
    for (std::int64_t ns = 260'000; ns <= 300'000; ns += 10'000)
    {
        open += at(chart->series[2], ns);
        openDpfr += at(chart->series[1], ns);
    }
    REQUIRE(open < openDpfr);
}

TEST_CASE("faults drawn from MTBF figures", "[fabric][recovery][random]")
{
    SECTION("a Poisson process: counts and gaps match the rate, the seed repeats them")
    {
        // 1,000 components with an MTBF of 1,000 h, accelerated so that 1 ms stands for 1 h:
        // one fault per ms on average, 100 expected in 100 ms.
        double acceleration = 3.6e12 / 1e6;
        std::uint64_t total = 0;
        double gaps = 0;
        std::uint64_t gapCount = 0;
        for (std::uint64_t seed = 1; seed <= 50; ++seed)
        {
            auto faults = DrawFaults(1000, 1000, acceleration, 0, 100'000'000, seed);
            total += faults.size();
            for (std::size_t i = 1; i < faults.size(); ++i)
            {
                REQUIRE(faults[i].atNs >= faults[i - 1].atNs);
                gaps += static_cast<double>(faults[i].atNs - faults[i - 1].atNs);
                ++gapCount;
            }
            for (const auto& f : faults)
            {
                REQUIRE(f.component < 1000);
                REQUIRE(f.atNs < 100'000'000);
            }
        }
        // 50 windows of Poisson(100): mean 100, standard error sqrt(100 / 50) = 1.4.
        double mean = static_cast<double>(total) / 50;
        REQUIRE(std::abs(mean - 100) < 5 * std::sqrt(100.0 / 50));
        // Gaps inside a window of N faults average T / (N + 1), about 0.99 ms.
        REQUIRE(gaps / static_cast<double>(gapCount) == Approx(0.99e6).epsilon(0.04));
        auto once = DrawFaults(1000, 1000, acceleration, 0, 100'000'000, 7);
        auto again = DrawFaults(1000, 1000, acceleration, 0, 100'000'000, 7);
        REQUIRE(once.size() == again.size());
        for (std::size_t i = 0; i < once.size(); ++i)
        {
            REQUIRE(once[i].atNs == again[i].atNs);
            REQUIRE(once[i].component == again[i].component);
        }
        RandomFaultSpec spec;
        spec.linkMtbfHours = 1000;
        spec.acceleration = acceleration;
        spec.endNs = 100'000'000;
        REQUIRE(spec.ExpectedFaults(1000, 10) == Approx(100));
    }
    SECTION("a run draws its faults from the scenario's figures and recovers from each")
    {
        json document = RingScenario();
        // 8 leaf-spine cables at 10,000 h MTBF, 1 ms standing for 100,000 h of fleet time:
        // 80 faults expected per ms, over 0.2-0.3 ms, each repaired after 20 us.
        document["random_failures"] = {{"link_mtbf_hours", 10'000},
                                       {"acceleration", 3.6e14 / 1e6 * 1e3},
                                       {"repair", "20us"},
                                       {"from", "200us"},
                                       {"until", "300us"}};
        auto scenario = ScenarioFromJson(document, ".");
        SimulationOptions options;
        auto result = RunSimulation(scenario, options);
        WARN("random faults: " << result.failures.size() << " drawn");
        REQUIRE(result.failures.size() >= 2);
        REQUIRE(result.completed);
        for (const auto& f : result.failures)
        {
            REQUIRE(f.spec.kind == FaultKind::LinkDown);
            REQUIRE(f.spec.atNs >= 200'000);
            REQUIRE(f.spec.atNs < 300'000);
            REQUIRE(f.spec.durationNs == 20'000);
            REQUIRE(f.spec.target.rfind("leaf-", 0) == 0);
        }
        auto again = RunSimulation(scenario, options);
        REQUIRE(again.failures.size() == result.failures.size());
        REQUIRE(again.failures[0].spec.target == result.failures[0].spec.target);
    }
}

TEST_CASE("a fault's throughput dip from the samples around it", "[fabric][recovery]")
{
    // Intervals of 10 us; the fault at 50 us; 100 Gb/s before it.
    std::vector<FabricSample> samples;
    std::vector<double> delivered = {100, 100, 100, 100, 100, 95, 40, 30, 45, 80, 100, 100, 0, 0};
    for (std::size_t i = 0; i < delivered.size(); ++i)
    {
        FabricSample s;
        s.timeNs = static_cast<std::int64_t>(i + 1) * 10'000;
        s.deliveredGbps = delivered[i];
        samples.push_back(s);
    }
    FailureRecord record;
    record.spec.atNs = 50'000;
    SECTION("under half from 70 us, lowest 30, back over half at 100 us")
    {
        std::vector<FailureRecord> failures = {record};
        MeasureThroughputDips(failures, samples, {140'000});
        REQUIRE(failures[0].throughputBeforeGbps == Approx(100));
        REQUIRE(failures[0].throughputDipNs == 70'000);
        REQUIRE(failures[0].throughputLowestGbps == Approx(30));
        REQUIRE(failures[0].throughputRecoveredNs == 100'000);
    }
    SECTION("the struck collectives' last intervals are not a dip")
    {
        record.spec.atNs = 110'000;
        std::vector<FailureRecord> failures = {record};
        MeasureThroughputDips(failures, samples, {140'000});
        REQUIRE(failures[0].throughputDipNs < 0);
        REQUIRE(failures[0].throughputRecoveredNs < 0);
    }
    SECTION("a dip that outlasts the window never recovers")
    {
        std::vector<FailureRecord> failures = {record};
        MeasureThroughputDips(failures, samples, {100'000});
        REQUIRE(failures[0].throughputDipNs == 70'000);
        REQUIRE(failures[0].throughputRecoveredNs < 0);
    }
}
