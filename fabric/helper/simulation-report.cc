// The simulation report: what a design review of a run wants to see.
#include "fabric/helper/fabric-sampler.h"
#include "fabric/helper/simulation.h"
#include "telemetry/model/text-format.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace ns3::fabric
{
namespace
{

namespace tel = fab::telemetry;

constexpr std::size_t kMaxCollectiveBars = 48;

bool
CrossesServers(const JobSummary& job, const fab::traffic::TaskGroup& group)
{
    std::set<std::uint32_t> servers;
    for (auto r : group.ranks)
    {
        servers.insert(job.ranks.at(r).server);
    }
    return servers.size() > 1;
}

tel::Section
JobsSection(const SimulationResult& result)
{
    tel::Section section{"Jobs and iterations", {}};
    tel::Table table{"Iterations",
                     {"job", "iteration", "start (ms)", "end (ms)", "time (ms)"},
                     {},
                     {false, true, true, true, true}};
    tel::Chart timeline{"Iteration timeline", tel::ChartKind::HorizontalStackedBar, {}, {}, "ms"};
    timeline.series = {{"before the iteration", {}}, {"iteration", {}}};
    for (const auto& i : result.iterations)
    {
        const std::string& job = result.jobs[i.job].name;
        table.rows.push_back({job,
                              std::to_string(i.index),
                              tel::FormatMilliseconds(static_cast<double>(i.startNs)),
                              tel::FormatMilliseconds(static_cast<double>(i.endNs)),
                              tel::FormatMilliseconds(static_cast<double>(i.endNs - i.startNs))});
        timeline.labels.push_back(job + " #" + std::to_string(i.index));
        timeline.series[0].values.push_back(static_cast<double>(i.startNs) / 1e6);
        timeline.series[1].values.push_back(static_cast<double>(i.endNs - i.startNs) / 1e6);
    }
    std::string text;
    for (const auto& job : result.jobs)
    {
        text += job.name + ": " + job.kind + " job on " + tel::GroupDigits(job.gpus) + " GPUs, "
                + tel::GroupDigits(job.tasks) + " tasks per iteration. ";
    }
    section.blocks.emplace_back(tel::Paragraph{text});
    if (!timeline.labels.empty())
    {
        section.blocks.emplace_back(std::move(timeline));
    }
    section.blocks.emplace_back(std::move(table));
    return section;
}

tel::Section
CollectivesSection(const SimulationResult& result)
{
    tel::Section section{"Collectives", {}};
    double bound = static_cast<double>(result.payloadLineRateBps) / 1e9;
    section.blocks.emplace_back(tel::Paragraph{
        "Bus bandwidth (nccl-tests' definition) of the collectives that crossed the fabric, "
        "against their line-rate bound: the busbw they would reach if their busiest NIC sent at "
        "its payload rate after header overhead ("
        + tel::FormatDecimal(bound, 1)
        + " Gb/s per NIC). Collectives inside one server run over the scale-up link and are "
          "left out of the chart."});
    struct Aggregate
    {
        std::uint32_t count{0};
        std::uint64_t bytes{0};
        double busbwSum{0};
        double busbwMin{1e300};
        std::int64_t timeNs{0};
    };
    std::map<std::tuple<std::string, std::string, std::string, bool>, Aggregate> byKind;
    tel::Chart chart{"Bus bandwidth per collective (fabric)", tel::ChartKind::Bar, {}, {}, "Gb/s"};
    chart.series = {{"busbw", {}}, {"line-rate bound", {}}};
    for (const auto& c : result.collectives)
    {
        const JobSummary& job = result.jobs[c.job];
        const auto& group = job.groups[c.group];
        bool fabric = CrossesServers(job, group);
        auto& a
            = byKind[{job.name, fab::traffic::CollectiveOpName(group.op), group.algorithm, fabric}];
        a.count++;
        a.bytes += group.bytes;
        a.busbwSum += c.busbwGbps;
        a.busbwMin = std::min(a.busbwMin, c.busbwGbps);
        a.timeNs += c.endNs - c.startNs;
        if (fabric && group.op != fab::traffic::CollectiveOp::SendRecv
            && chart.labels.size() < kMaxCollectiveBars)
        {
            chart.labels.push_back(job.name + " " + group.name + " #"
                                   + std::to_string(c.iteration));
            chart.series[0].values.push_back(c.busbwGbps);
            chart.series[1].values.push_back(c.boundGbps);
        }
    }
    if (!chart.labels.empty())
    {
        section.blocks.emplace_back(std::move(chart));
    }
    tel::Table table{"Collectives by job and kind",
                     {"job",
                      "op",
                      "algorithm",
                      "where",
                      "count",
                      "bytes",
                      "time (ms)",
                      "mean busbw (Gb/s)",
                      "min busbw (Gb/s)"},
                     {},
                     {false, false, false, false, true, true, true, true, true}};
    for (const auto& [key, a] : byKind)
    {
        const auto& [job, op, algorithm, fabric] = key;
        table.rows.push_back({job,
                              op,
                              algorithm,
                              fabric ? "fabric" : "scale-up",
                              std::to_string(a.count),
                              tel::FormatBytes(a.bytes),
                              tel::FormatMilliseconds(static_cast<double>(a.timeNs)),
                              tel::FormatDecimal(a.busbwSum / a.count, 1),
                              tel::FormatDecimal(a.busbwMin, 1)});
    }
    section.blocks.emplace_back(std::move(table));
    return section;
}

tel::Section
FabricSection(const SimulationResult& result)
{
    tel::Section section{"Fabric", {}};
    auto samples = Downsample(result.samples, kMaxChartPoints);
    tel::Chart utilisation{
        "Link utilisation by tier", tel::ChartKind::Line, {}, {}, "% of line rate"};
    tel::Chart queues{"Queue depth and PFC pauses", tel::ChartKind::Line, {}, {}, "KiB, frames"};
    for (const auto& c : result.linkClasses)
    {
        utilisation.series.push_back({c.Name(), {}});
    }
    queues.series = {{"deepest switch queue (KiB)", {}}, {"PFC pause frames", {}}, {"CNPs", {}}};
    for (const auto& s : samples)
    {
        std::string label = tel::FormatDecimal(static_cast<double>(s.timeNs) / 1e3, 0) + " µs";
        utilisation.labels.push_back(label);
        queues.labels.push_back(label);
        for (std::size_t k = 0; k < s.utilisation.size(); ++k)
        {
            utilisation.series[k].values.push_back(s.utilisation[k] * 100);
        }
        queues.series[0].values.push_back(static_cast<double>(s.maxSwitchQueueBytes) / 1024);
        queues.series[1].values.push_back(static_cast<double>(s.pauseFrames));
        queues.series[2].values.push_back(static_cast<double>(s.cnps));
    }
    if (!samples.empty())
    {
        section.blocks.emplace_back(std::move(utilisation));
        section.blocks.emplace_back(std::move(queues));
    }
    tel::Table table{"Port counters by link tier",
                     {"link", "ports", "tx bytes", "PFC pauses sent", "ECN marked", "drops"},
                     {},
                     {false, true, true, true, true, true}};
    std::map<std::string, std::array<std::uint64_t, 5>> byLink;
    for (const auto& p : result.ports)
    {
        auto& row = byLink[p.link];
        row[0]++;
        row[1] += p.counters.txBytes;
        row[2] += std::accumulate(
            p.counters.pfcPauseTx.begin(), p.counters.pfcPauseTx.end(), std::uint64_t{0});
        row[3] += p.counters.ecnMarked;
        row[4] += p.counters.TotalDrops();
    }
    for (const auto& [link, row] : byLink)
    {
        table.rows.push_back({link,
                              tel::GroupDigits(row[0]),
                              tel::FormatBytes(row[1]),
                              tel::GroupDigits(row[2]),
                              tel::GroupDigits(row[3]),
                              tel::GroupDigits(row[4])});
    }
    section.blocks.emplace_back(std::move(table));
    return section;
}

std::string
Since(std::int64_t ns, std::int64_t at)
{
    return ns < 0 ? "never"
                  : "+" + tel::FormatDecimal(static_cast<double>(ns - at) / 1e3, 1) + " µs";
}

tel::Section
FailuresSection(const SimulationResult& result)
{
    tel::Section section{"Failures and recovery", {}};
    section.blocks.emplace_back(tel::Paragraph{
        "Each fault with when a switch first noticed it, when the last switch had changed its "
        "routes for it (locally, or on a path-fault notice from a spine), the frames lost to the "
        "dead link, missing routes or FCS errors, and the collectives it struck. The dip is the "
        "throughput delivered to the servers falling under half of its level before the fault, "
        "while the struck collectives run; their own phases move it too, so a sweep against a "
        "fault-free run (\"sweep\": {\"policies\": [...]}) tells the fault's share."});
    tel::Table table{"Faults",
                     {"fault",
                      "target",
                      "policy",
                      "at (ms)",
                      "detected",
                      "converged",
                      "last loss",
                      "frames lost",
                      "throughput before → lowest (Gb/s)",
                      "dip (under half)",
                      "collectives struck",
                      "their min busbw (Gb/s)"},
                     {},
                     {false, false, false, true, true, true, true, true, false, true, true, true}};
    for (const auto& f : result.failures)
    {
        std::uint32_t struck = 0;
        double minBusbw = 0;
        for (const auto& c : result.collectives)
        {
            if (c.startNs <= f.spec.atNs && f.spec.atNs <= c.endNs)
            {
                minBusbw = struck == 0 ? c.busbwGbps : std::min(minBusbw, c.busbwGbps);
                ++struck;
            }
        }
        table.rows.push_back({FaultKindName(f.spec.kind),
                              f.spec.target,
                              f.policy,
                              tel::FormatMilliseconds(static_cast<double>(f.spec.atNs)),
                              Since(f.detectedNs, f.spec.atNs),
                              Since(f.convergedNs, f.spec.atNs),
                              Since(f.lastLossNs, f.spec.atNs),
                              tel::GroupDigits(f.packetsLost),
                              tel::FormatDecimal(f.throughputBeforeGbps, 0) + " → "
                                  + tel::FormatDecimal(f.throughputLowestGbps, 0),
                              f.throughputDipNs < 0
                                  ? std::string("none")
                                  : Since(f.throughputDipNs, f.spec.atNs) + " to "
                                        + Since(f.throughputRecoveredNs, f.spec.atNs),
                              std::to_string(struck),
                              struck == 0 ? "" : tel::FormatDecimal(minBusbw, 1)});
    }
    section.blocks.emplace_back(std::move(table));
    auto samples = Downsample(result.samples, kMaxChartPoints);
    tel::Chart chart{"Throughput delivered to the servers", tel::ChartKind::Line, {}, {}, "Gb/s"};
    chart.series
        = {{"delivered (" + (result.failures.empty() ? std::string() : result.failures[0].policy)
                + ")",
            {}}};
    for (const auto& s : samples)
    {
        chart.labels.push_back(tel::FormatDecimal(static_cast<double>(s.timeNs) / 1e3, 0) + " µs");
        chart.series[0].values.push_back(s.deliveredGbps);
    }
    if (!samples.empty())
    {
        section.blocks.emplace_back(std::move(chart));
    }
    return section;
}

tel::Section
RunSection(const SimulationResult& result)
{
    tel::Section section{"Run", {}};
    const auto& s = result.stats;
    double rate = s.wallSeconds > 0 ? static_cast<double>(s.events) / s.wallSeconds : 0;
    tel::Table table{"Simulation", {"quantity", "value"}, {}, {false, true}};
    table.rows
        = {{"design", result.designName + " (" + result.designSource + ")"},
           {"hosts / switches", tel::GroupDigits(s.hosts) + " / " + tel::GroupDigits(s.switches)},
           {"seed", std::to_string(result.seed)},
           {"simulated time", tel::FormatMilliseconds(static_cast<double>(s.simTimeNs)) + " ms"},
           {"events", tel::GroupDigits(s.events)},
           {"wall time", tel::FormatDecimal(s.wallSeconds, 2) + " s"},
           {"peak memory", tel::FormatBytes(static_cast<double>(s.peakRssBytes))},
           {"events per second", tel::GroupDigits(static_cast<std::uint64_t>(rate))}};
    section.blocks.emplace_back(std::move(table));
    if (!result.files.empty())
    {
        std::string text = "Files: ";
        for (std::size_t i = 0; i < result.files.size(); ++i)
        {
            text += (i == 0 ? "" : ", ") + result.files[i];
        }
        section.blocks.emplace_back(tel::Paragraph{text + "."});
    }
    return section;
}

} // namespace

tel::Report
SimulationReport(const SimulationResult& result)
{
    tel::Report report;
    report.title = "Simulation: " + result.scenarioName;
    report.subtitle = result.designName;
    for (const auto& job : result.jobs)
    {
        std::int64_t total = 0;
        std::uint32_t count = 0;
        for (const auto& i : result.iterations)
        {
            if (result.jobs[i.job].name == job.name)
            {
                total += i.endNs - i.startNs;
                ++count;
            }
        }
        report.keyFigures.push_back(
            {job.name,
             count == 0 ? "unfinished"
                        : tel::FormatMilliseconds(static_cast<double>(total / count)) + " ms",
             "mean iteration time, " + std::to_string(count) + " iterations"});
    }
    report.keyFigures.push_back(
        {"PFC pauses",
         tel::GroupDigits(std::accumulate(
             result.totals.pfcPauseTx.begin(), result.totals.pfcPauseTx.end(), std::uint64_t{0})),
         "pause frames sent by all ports"});
    report.keyFigures.push_back({"ECN marks",
                                 tel::GroupDigits(result.totals.ecnMarked),
                                 tel::GroupDigits(result.cnpsGenerated) + " CNPs"});
    report.keyFigures.push_back(
        {"drops", tel::GroupDigits(result.totals.TotalDrops()), "frames dropped anywhere"});
    report.sections.push_back(JobsSection(result));
    report.sections.push_back(CollectivesSection(result));
    report.sections.push_back(FabricSection(result));
    if (!result.failures.empty())
    {
        report.sections.push_back(FailuresSection(result));
    }
    report.sections.push_back(RunSection(result));
    if (!result.completed)
    {
        fab::telemetry::Finding finding;
        finding.rule = "sim.unfinished";
        finding.severity = fab::telemetry::Severity::Warning;
        finding.subject = result.scenarioName;
        finding.message = "the run stopped before every job finished its iterations";
        report.findings.push_back(finding);
    }
    report.data = SummaryJson(result);
    return report;
}

} // namespace ns3::fabric
