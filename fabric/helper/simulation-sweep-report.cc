// The report of a sweep: what each policy or each failed link cost the jobs.
#include "fabric/helper/fabric-sampler.h"
#include "fabric/helper/simulation-sweep.h"
#include "telemetry/model/text-format.h"

#include <algorithm>

namespace ns3::fabric
{
namespace
{

namespace tel = fab::telemetry;

std::string
Micro(std::int64_t ns)
{
    return ns < 0 ? "never" : tel::FormatDecimal(static_cast<double>(ns) / 1e3, 1);
}

std::string
MsOrUnfinished(std::int64_t ns)
{
    return ns < 0 ? "unfinished" : tel::FormatMilliseconds(static_cast<double>(ns));
}

std::string
Ratio(double ratio)
{
    return ratio <= 0 ? "stalled" : tel::FormatDecimal(ratio, 3) + "×";
}

double
WorstJobSlowdown(const SweepOutcome& o)
{
    double worst = 0;
    for (double s : o.jobSlowdown)
    {
        if (s <= 0)
        {
            return 0; // a job that did not finish outweighs any slow-down
        }
        worst = std::max(worst, s);
    }
    return worst;
}

tel::Table
RunsTable(const SweepResult& sweep, const std::vector<SweepOutcome>& outcomes)
{
    bool byLink = sweep.vary == ScenarioSweep::Vary::Link;
    tel::Table table{byLink ? "One failure per link" : "The same faults under each policy",
                     {byLink ? "link" : "policy",
                      "detected (µs)",
                      "converged (µs)",
                      "last loss (µs)",
                      "frames lost",
                      "retransmitted",
                      "timeouts",
                      "PFC pauses"},
                     {},
                     {false, true, true, true, true, true, true, true}};
    for (const auto& job : sweep.baseline.record.jobs)
    {
        table.columns.push_back(job.name + " (ms)");
        table.columns.push_back("slow-down");
        table.numeric.push_back(true);
        table.numeric.push_back(true);
    }
    table.columns.push_back("worst collective");
    table.numeric.push_back(false);
    std::vector<std::string> baseline = {"baseline (no fault)", "", "", "", "0", "", "", ""};
    auto reference = CompareWithBaseline(sweep.baseline, sweep.baseline);
    baseline[5] = tel::GroupDigits(reference.retransmitted);
    baseline[6] = tel::GroupDigits(reference.timeouts);
    baseline[7] = tel::GroupDigits(reference.pauses);
    for (auto time : reference.jobTimeNs)
    {
        baseline.push_back(MsOrUnfinished(time));
        baseline.push_back("1×");
    }
    baseline.emplace_back("");
    table.rows.push_back(std::move(baseline));
    for (std::size_t i = 0; i < sweep.runs.size(); ++i)
    {
        const auto& o = outcomes[i];
        std::vector<std::string> row = {sweep.runs[i].label,
                                        Micro(o.detectedNs),
                                        Micro(o.convergedNs),
                                        Micro(o.lastLossNs),
                                        tel::GroupDigits(o.packetsLost),
                                        tel::GroupDigits(o.retransmitted),
                                        tel::GroupDigits(o.timeouts),
                                        tel::GroupDigits(o.pauses)};
        for (std::size_t j = 0; j < o.jobTimeNs.size(); ++j)
        {
            row.push_back(MsOrUnfinished(o.jobTimeNs[j]));
            row.push_back(Ratio(o.jobSlowdown[j]));
        }
        row.push_back(o.worstCollective.empty()
                          ? ""
                          : o.worstCollective + " " + Ratio(o.worstCollectiveSlowdown));
        table.rows.push_back(std::move(row));
    }
    return table;
}

/** Delivered throughput of every run on one time axis; runs that ended early deliver 0. */
tel::Chart
ThroughputChart(const SweepResult& sweep)
{
    tel::Chart chart{
        "Throughput delivered to the servers, by policy", tel::ChartKind::Line, {}, {}, "Gb/s"};
    std::vector<const SweepRun*> runs = {&sweep.baseline};
    for (const auto& run : sweep.runs)
    {
        runs.push_back(&run);
    }
    std::size_t longest = 0;
    for (const auto* run : runs)
    {
        longest = std::max(longest, run->record.deliveredGbps.size());
    }
    std::size_t step = std::max<std::size_t>(1, (longest + kMaxChartPoints - 1) / kMaxChartPoints);
    std::int64_t interval = sweep.baseline.record.sampleIntervalNs;
    for (std::size_t i = 0; i < longest; i += step)
    {
        std::int64_t end = static_cast<std::int64_t>(std::min(longest, i + step)) * interval;
        chart.labels.push_back(tel::FormatDecimal(static_cast<double>(end) / 1e3, 0) + " µs");
    }
    for (const auto* run : runs)
    {
        tel::ChartSeries series{run == &sweep.baseline ? "no fault" : run->label, {}};
        const auto& samples = run->record.deliveredGbps;
        for (std::size_t i = 0; i < longest; i += step)
        {
            double sum = 0;
            for (std::size_t k = i; k < std::min(longest, i + step); ++k)
            {
                sum += k < samples.size() ? samples[k] : 0.0;
            }
            series.values.push_back(sum / static_cast<double>(std::min(longest, i + step) - i));
        }
        chart.series.push_back(std::move(series));
    }
    return chart;
}

tel::Chart
SlowdownChart(const SweepResult& sweep, const std::vector<SweepOutcome>& outcomes)
{
    bool byLink = sweep.vary == ScenarioSweep::Vary::Link;
    tel::Chart chart{std::string("Slow-down of the slowest job and convergence time, by ")
                         + (byLink ? "failed link" : "policy"),
                     tel::ChartKind::Bar,
                     {},
                     {{"slowest job's slow-down (%)", {}}, {"converged after (µs)", {}}},
                     "%, µs"};
    for (std::size_t i = 0; i < sweep.runs.size(); ++i)
    {
        chart.labels.push_back(sweep.runs[i].label);
        double worst = WorstJobSlowdown(outcomes[i]);
        chart.series[0].values.push_back(worst > 0 ? (worst - 1) * 100 : 0);
        chart.series[1].values.push_back(
            outcomes[i].convergedNs < 0 ? 0 : static_cast<double>(outcomes[i].convergedNs) / 1e3);
    }
    return chart;
}

} // namespace

tel::Finding
StalledRunFinding(const SweepRun& run)
{
    tel::Finding finding;
    finding.rule = "sim.stalled";
    finding.severity = tel::Severity::Warning;
    finding.subject = run.label;
    finding.message = "the jobs did not finish: " + tel::GroupDigits(run.record.timeouts)
                      + " retransmission timeouts";
    return finding;
}

tel::Report
SweepReport(const SweepResult& sweep)
{
    if (sweep.vary == ScenarioSweep::Vary::Grid)
    {
        return GridSweepReport(sweep);
    }
    bool byLink = sweep.vary == ScenarioSweep::Vary::Link;
    std::vector<SweepOutcome> outcomes;
    for (const auto& run : sweep.runs)
    {
        outcomes.push_back(CompareWithBaseline(run, sweep.baseline));
    }
    tel::Report report;
    report.title
        = std::string(byLink ? "Link-failure sweep: " : "Recovery policies: ") + sweep.scenarioName;
    report.subtitle = sweep.designName;
    std::size_t worst = 0;
    std::size_t slowest = 0;
    std::uint32_t stalled = 0;
    for (std::size_t i = 0; i < outcomes.size(); ++i)
    {
        // A stalled run (slow-down 0) is the worst of all.
        auto score = [&](std::size_t k)
        {
            double s = WorstJobSlowdown(outcomes[k]);
            return s <= 0 ? 1e300 : s;
        };
        stalled += WorstJobSlowdown(outcomes[i]) <= 0 ? 1 : 0;
        if (score(i) > score(worst))
        {
            worst = i;
        }
        if (outcomes[i].convergedNs > outcomes[slowest].convergedNs)
        {
            slowest = i;
        }
    }
    report.keyFigures.push_back({"runs",
                                 std::to_string(sweep.runs.size() + 1),
                                 "the fault-free baseline and " + std::to_string(sweep.runs.size())
                                     + (byLink ? " failed links" : " policies")});
    if (!outcomes.empty())
    {
        report.keyFigures.push_back({"worst slow-down",
                                     Ratio(WorstJobSlowdown(outcomes[worst])),
                                     sweep.runs[worst].label + ", slowest job"});
        report.keyFigures.push_back({"slowest convergence",
                                     Micro(outcomes[slowest].convergedNs) + " µs",
                                     sweep.runs[slowest].label});
        report.keyFigures.push_back(
            {"stalled runs", std::to_string(stalled), "runs whose jobs did not finish"});
    }
    tel::Section section{byLink ? "Links" : "Policies", {}};
    section.blocks.emplace_back(tel::Paragraph{
        byLink ? "The scenario's failure applied to each link in turn, one run per link, against "
                 "a run without faults. Times are from the fault; slow-down is the job's time "
                 "over its fault-free time."
               : "The scenario's faults under each recovery policy, against a run without "
                 "faults. Times are from the first fault; slow-down is the job's time over its "
                 "fault-free time; a stalled job did not finish before the run stopped."});
    if (byLink)
    {
        section.blocks.emplace_back(SlowdownChart(sweep, outcomes));
    }
    else
    {
        section.blocks.emplace_back(ThroughputChart(sweep));
        section.blocks.emplace_back(SlowdownChart(sweep, outcomes));
    }
    section.blocks.emplace_back(RunsTable(sweep, outcomes));
    report.sections.push_back(std::move(section));
    for (std::size_t i = 0; i < outcomes.size(); ++i)
    {
        if (WorstJobSlowdown(outcomes[i]) <= 0)
        {
            report.findings.push_back(StalledRunFinding(sweep.runs[i]));
        }
    }
    report.data = SweepJson(sweep);
    return report;
}

} // namespace ns3::fabric
