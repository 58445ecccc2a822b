// A grid sweep's summary and report: collective bandwidth and iteration time at every point of
// the grid, spread over the seeds, and what each value of each dimension gives on average.
#include "fabric/helper/simulation-sweep.h"
#include "telemetry/model/text-format.h"

#include <algorithm>
#include <map>

namespace ns3::fabric
{
namespace
{

namespace tel = fab::telemetry;

/** Mean, lowest and highest of some figures. */
struct Spread
{
    double mean{0};
    double min{0};
    double max{0};
    std::size_t count{0};

    void Add(double value)
    {
        min = count == 0 ? value : std::min(min, value);
        max = count == 0 ? value : std::max(max, value);
        mean += (value - mean) / static_cast<double>(++count);
    }

    nlohmann::json Json() const
    {
        if (count == 0)
        {
            return nullptr;
        }
        return {{"mean", mean}, {"min", min}, {"max", max}};
    }
};

/** The runs of one grid point, in the order of their seeds. */
struct Point
{
    std::string label;
    nlohmann::json values;
    std::vector<const SweepRun*> runs;
    Spread busbw;
    Spread iterationNs;
    std::size_t completed{0};
};

std::vector<Point>
Points(const SweepResult& sweep)
{
    std::vector<Point> points;
    std::map<std::string, std::size_t> index;
    for (const auto& run : sweep.runs)
    {
        auto [at, added] = index.emplace(run.point.dump(), points.size());
        if (added)
        {
            points.push_back({"g" + std::to_string(points.size()), run.point, {}, {}, {}, 0});
        }
        Point& p = points[at->second];
        p.runs.push_back(&run);
        p.busbw.Add(run.record.MeanBusbwGbps());
        if (run.record.MeanIterationNs() >= 0)
        {
            p.iterationNs.Add(static_cast<double>(run.record.MeanIterationNs()));
        }
        p.completed += run.record.completed ? 1 : 0;
    }
    return points;
}

std::string
ValueText(const nlohmann::json& value)
{
    return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string
Gbps(double value)
{
    return tel::FormatDecimal(value, 1);
}

tel::Table
PointsTable(const SweepResult& sweep, const std::vector<Point>& points)
{
    tel::Table table{"Every point of the grid", {"point"}, {}, {false}};
    for (const auto& dimension : sweep.dimensions)
    {
        table.columns.push_back(dimension);
        table.numeric.push_back(false);
    }
    for (const char* column : {"runs",
                               "completed",
                               "busbw mean (Gb/s)",
                               "busbw min",
                               "busbw max",
                               "iteration mean (ms)"})
    {
        table.columns.emplace_back(column);
        table.numeric.push_back(true);
    }
    for (const auto& p : points)
    {
        std::vector<std::string> row = {p.label};
        for (const auto& dimension : sweep.dimensions)
        {
            row.push_back(ValueText(p.values.value(dimension, nlohmann::json())));
        }
        row.push_back(std::to_string(p.runs.size()));
        row.push_back(std::to_string(p.completed));
        row.push_back(Gbps(p.busbw.mean));
        row.push_back(Gbps(p.busbw.min));
        row.push_back(Gbps(p.busbw.max));
        row.push_back(p.iterationNs.count == 0 ? "none"
                                               : tel::FormatMilliseconds(p.iterationNs.mean));
        table.rows.push_back(std::move(row));
    }
    return table;
}

/** One dimension: each of its values, over every point and seed that has it. */
tel::Table
DimensionTable(const std::string& dimension, const std::vector<Point>& points)
{
    tel::Table table{
        dimension,
        {"value", "runs", "busbw mean (Gb/s)", "busbw min", "busbw max", "iteration mean (ms)"},
        {},
        {false, true, true, true, true, true}};
    std::vector<std::string> order;
    std::map<std::string, std::pair<Spread, Spread>> byValue;
    for (const auto& p : points)
    {
        std::string value = ValueText(p.values.value(dimension, nlohmann::json()));
        if (byValue.count(value) == 0)
        {
            order.push_back(value);
        }
        auto& [busbw, iteration] = byValue[value];
        for (const auto* run : p.runs)
        {
            busbw.Add(run->record.MeanBusbwGbps());
            if (run->record.MeanIterationNs() >= 0)
            {
                iteration.Add(static_cast<double>(run->record.MeanIterationNs()));
            }
        }
    }
    for (const auto& value : order)
    {
        const auto& [busbw, iteration] = byValue[value];
        table.rows.push_back(
            {value,
             std::to_string(busbw.count),
             Gbps(busbw.mean),
             Gbps(busbw.min),
             Gbps(busbw.max),
             iteration.count == 0 ? "none" : tel::FormatMilliseconds(iteration.mean)});
    }
    return table;
}

tel::Chart
BusbwChart(const std::vector<Point>& points)
{
    tel::Chart chart{"Bus bandwidth per grid point, over the seeds",
                     tel::ChartKind::Bar,
                     {},
                     {{"mean", {}}, {"lowest", {}}, {"highest", {}}},
                     "Gb/s"};
    for (const auto& p : points)
    {
        chart.labels.push_back(p.label);
        chart.series[0].values.push_back(p.busbw.mean);
        chart.series[1].values.push_back(p.busbw.min);
        chart.series[2].values.push_back(p.busbw.max);
    }
    return chart;
}

} // namespace

nlohmann::json
GridSweepJson(const SweepResult& sweep)
{
    auto points = Points(sweep);
    nlohmann::json pointsJson = nlohmann::json::array();
    std::map<const SweepRun*, std::size_t> pointOf;
    for (std::size_t i = 0; i < points.size(); ++i)
    {
        const auto& p = points[i];
        nlohmann::json labels = nlohmann::json::array();
        for (const auto* run : p.runs)
        {
            labels.push_back(run->label);
            pointOf[run] = i;
        }
        pointsJson.push_back({{"point", p.label},
                              {"values", p.values},
                              {"runs", std::move(labels)},
                              {"completed_runs", p.completed},
                              {"busbw_gbps", p.busbw.Json()},
                              {"iteration_ns", p.iterationNs.Json()}});
    }
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& run : sweep.runs)
    {
        const auto& r = run.record;
        nlohmann::json entry
            = {{"label", run.label},
               {"point", points[pointOf[&run]].label},
               {"values", run.point},
               {"seed", r.seed},
               {"completed", r.completed},
               {"busbw_gbps", r.MeanBusbwGbps()},
               {"mean_iteration_ns",
                r.MeanIterationNs() < 0 ? nlohmann::json() : nlohmann::json(r.MeanIterationNs())},
               {"retransmitted_packets", r.retransmitted},
               {"retransmit_timeouts", r.timeouts},
               {"pfc_pauses", r.pfcPauses},
               {"failures", r.failures},
               {"sim",
                {{"events", r.events},
                 {"wall_s", r.wallSeconds},
                 {"peak_rss_bytes", r.peakRssBytes},
                 {"sim_time_ns", r.simTimeNs}}},
               {"files", r.files}};
        if (!r.sflow.is_null())
        {
            entry["sflow"] = r.sflow;
        }
        runs.push_back(std::move(entry));
    }
    return {{"sweep",
             {{"vary", "grid"},
              {"scenario", sweep.scenarioName},
              {"design", sweep.designName},
              {"dimensions", sweep.dimensions},
              {"seeds", sweep.seeds},
              {"points", std::move(pointsJson)},
              {"runs", std::move(runs)},
              {"wall_s", sweep.wallSeconds},
              {"peak_rss_bytes", sweep.peakRssBytes}}}};
}

tel::Report
GridSweepReport(const SweepResult& sweep)
{
    auto points = Points(sweep);
    tel::Report report;
    report.title = "Grid sweep: " + sweep.scenarioName;
    report.subtitle = sweep.designName;
    std::size_t incomplete = 0;
    for (const auto& run : sweep.runs)
    {
        incomplete += run.record.completed ? 0 : 1;
    }
    report.keyFigures.push_back({"runs",
                                 std::to_string(sweep.runs.size()),
                                 std::to_string(points.size()) + " points × "
                                     + std::to_string(std::max<std::size_t>(1, sweep.seeds.size()))
                                     + " seeds"});
    if (!points.empty())
    {
        auto best = std::max_element(points.begin(),
                                     points.end(),
                                     [](const Point& a, const Point& b)
                                     { return a.busbw.mean < b.busbw.mean; });
        report.keyFigures.push_back(
            {"best busbw", Gbps(best->busbw.mean) + " Gb/s", best->label + ", mean over seeds"});
    }
    report.keyFigures.push_back(
        {"incomplete runs", std::to_string(incomplete), "runs whose jobs did not finish"});
    tel::Section section{"Grid", {}};
    section.blocks.emplace_back(tel::Paragraph{
        "Every combination of the grid's values, run once per seed. Bus bandwidth is the mean "
        "over a run's collectives; the spread is over the seeds of a point."});
    section.blocks.emplace_back(BusbwChart(points));
    for (const auto& dimension : sweep.dimensions)
    {
        section.blocks.emplace_back(DimensionTable(dimension, points));
    }
    section.blocks.emplace_back(PointsTable(sweep, points));
    report.sections.push_back(std::move(section));
    for (const auto& run : sweep.runs)
    {
        if (!run.record.completed)
        {
            report.findings.push_back(StalledRunFinding(run));
        }
    }
    report.data = GridSweepJson(sweep);
    return report;
}

} // namespace ns3::fabric
