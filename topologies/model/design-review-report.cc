// The human-facing review report: headline figures, charts and tables from a DesignReview.
#include "telemetry/model/text-format.h"
#include "topologies/model/design-review.h"

namespace fab::topo
{

using telemetry::Chart;
using telemetry::ChartKind;
using telemetry::FormatDecimal;
using telemetry::FormatRate;
using telemetry::FormatWatts;
using telemetry::GroupDigits;
using telemetry::Paragraph;
using telemetry::Section;
using telemetry::Table;

namespace
{

std::string
Capitalised(std::string text)
{
    if (!text.empty())
    {
        text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    }
    return text;
}

Section
TopologySection(const DesignReview& review)
{
    const auto& plan = review.plan;
    const auto& bom = review.bom;
    Section section{"Topology", {}};
    std::string shape
        = std::to_string(plan.tiers) + "-tier " + (plan.railOptimized ? "rail-optimized " : "")
          + "fat-tree, " + std::to_string(plan.planes) + " plane" + (plan.planes > 1 ? "s" : "")
          + ": " + GroupDigits(plan.servers) + " servers in " + GroupDigits(plan.scalableUnits)
          + " scalable units of " + std::to_string(plan.suServers) + " servers ("
          + std::to_string(plan.leavesPerSu) + " leaves each), " + GroupDigits(plan.pods.size())
          + (plan.pods.size() == 1 ? " pod" : " pods") + " of up to "
          + std::to_string(plan.pods.front().leaves) + " leaves and "
          + std::to_string(plan.pods.front().spines) + " spines.";
    section.blocks.push_back(Paragraph{shape});

    Chart chart;
    chart.title = "Switches per tier";
    chart.kind = ChartKind::Bar;
    chart.valueAxis = "switches";
    telemetry::ChartSeries series{"switches", {}};
    for (const auto& line : bom.switches)
    {
        chart.labels.push_back(Capitalised(TierName(line.tier)) + " (" + line.model + ")");
        series.values.push_back(static_cast<double>(line.switches));
    }
    chart.series.push_back(series);
    section.blocks.push_back(chart);

    Chart use;
    use.title = "Port use per tier";
    use.kind = ChartKind::HorizontalStackedBar;
    use.valueAxis = "logical ports";
    telemetry::ChartSeries down{"down (towards servers)", {}};
    telemetry::ChartSeries up{"up (towards the next tier)", {}};
    telemetry::ChartSeries idle{"idle", {}};
    for (const auto& line : bom.switches)
    {
        use.labels.push_back(Capitalised(TierName(line.tier)));
        down.values.push_back(static_cast<double>(line.portsDown));
        up.values.push_back(static_cast<double>(line.portsUp));
        idle.values.push_back(static_cast<double>(line.portsTotal - line.portsDown - line.portsUp));
    }
    use.series = {down, up, idle};
    section.blocks.push_back(use);

    Table table;
    table.caption = "Switches";
    table.columns = {"Tier",
                     "Model",
                     "Switches",
                     "Radix",
                     "Down / switch",
                     "Up / switch",
                     "Ports used",
                     "Oversubscription"};
    table.numeric = {false, false, true, true, true, true, true, false};
    for (const auto& line : bom.switches)
    {
        std::uint32_t down = plan.DownPorts(line.tier);
        std::uint32_t up = plan.UpPorts(line.tier);
        double used = static_cast<double>(line.portsDown + line.portsUp)
                      / static_cast<double>(line.portsTotal);
        table.rows.push_back(
            {Capitalised(TierName(line.tier)),
             line.model,
             GroupDigits(line.switches),
             std::to_string(plan.Radix(line.tier)),
             std::to_string(down),
             std::to_string(up),
             FormatDecimal(used * 100, 1) + "%",
             up == 0 ? "—" : FormatDecimal(static_cast<double>(down) / up, 3) + ":1"});
    }
    section.blocks.push_back(table);
    return section;
}

Section
CablingSection(const DesignReview& review)
{
    const auto& bom = review.bom;
    Section section{"Links, cables and optics", {}};
    Table links;
    links.caption = "Links by tier";
    links.columns = {"Link tier", "Links", "Speed", "Run length", "Media", "Cables"};
    links.numeric = {false, true, false, true, false, true};
    for (std::size_t i = 0; i < bom.links.size(); ++i)
    {
        const auto& line = bom.links[i];
        links.rows.push_back({LinkTierName(line.tier),
                              GroupDigits(line.links),
                              FormatRate(line.speedBps),
                              FormatDecimal(line.lengthMetres, 1) + " m",
                              MediaName(line.media),
                              GroupDigits(bom.cables[i].count)});
    }
    section.blocks.push_back(links);

    Chart chart;
    chart.title = "Optical modules by location";
    chart.kind = ChartKind::Bar;
    chart.valueAxis = "modules";
    telemetry::ChartSeries series{"modules", {}};
    Table optics;
    optics.caption = "Transceivers (one row per location; a twin-port module serves two links)";
    optics.columns = {"Location", "Module", "Speed", "Media", "Count", "W each", "Power"};
    optics.numeric = {false, false, false, false, true, true, true};
    for (const auto& line : bom.transceivers)
    {
        chart.labels.push_back(line.location + " " + FormatRate(line.speedBps));
        series.values.push_back(static_cast<double>(line.count));
        optics.rows.push_back(
            {line.location,
             line.Description(),
             FormatRate(line.speedBps),
             MediaName(line.media),
             GroupDigits(line.count),
             line.powerEachW ? FormatDecimal(*line.powerEachW, 1) : "unknown",
             FormatWatts(static_cast<double>(line.count) * line.powerEachW.value_or(0))});
    }
    chart.series.push_back(series);
    if (!bom.transceivers.empty())
    {
        section.blocks.push_back(chart);
        section.blocks.push_back(optics);
    }
    else
    {
        section.blocks.push_back(Paragraph{"Every link is copper: no optical modules."});
    }
    section.blocks.push_back(
        Paragraph{"Optical modules per GPU: " + FormatDecimal(bom.ModulesPerGpu(), 3)
                  + " (analysts quote about 1.5 × 800G + 1 × 400G for a non-blocking 2-tier "
                    "H100 fabric and 2.5 + 1 for 3 tiers)."});
    return section;
}

Section
PowerSection(const DesignReview& review)
{
    const auto& bom = review.bom;
    Section section{"Power", {}};
    Chart chart;
    chart.title = "Network power by part";
    chart.kind = ChartKind::Doughnut;
    chart.valueAxis = "W";
    telemetry::ChartSeries series{"W", {}};
    for (const auto& line : bom.switches)
    {
        if (line.chassisPowerW > 0)
        {
            chart.labels.push_back(Capitalised(TierName(line.tier)) + " switches");
            series.values.push_back(line.chassisPowerW);
        }
    }
    for (const auto& line : bom.transceivers)
    {
        chart.labels.push_back(line.location + " optics");
        series.values.push_back(static_cast<double>(line.count) * line.powerEachW.value_or(0));
    }
    for (const auto& line : bom.cables)
    {
        if (line.powerEachW > 0)
        {
            chart.labels.push_back(std::string(LinkTierName(line.tier)) + " active cables");
            series.values.push_back(static_cast<double>(line.count) * line.powerEachW);
        }
    }
    chart.series.push_back(series);
    section.blocks.push_back(chart);
    section.blocks.push_back(Paragraph{
        "Switch chassis " + FormatWatts(bom.SwitchPowerW()) + ", optics and active cables "
        + FormatWatts(bom.OpticsPowerW()) + ", total " + FormatWatts(bom.TotalPowerW()) + "."});
    if (auto share = bom.NetworkCostShare())
    {
        section.blocks.push_back(
            Paragraph{"Network capital cost $"
                      + GroupDigits(static_cast<std::uint64_t>(*bom.NetworkCostUsd()))
                      + " against $" + GroupDigits(static_cast<std::uint64_t>(*bom.ServerCostUsd()))
                      + " of servers: " + FormatDecimal(*share * 100, 1) + "% of the cluster."});
    }
    return section;
}

Section
RulesSection(const telemetry::RuleConfig& rules)
{
    Section section{"Rules applied", {}};
    Table table;
    table.columns = {"Rule", "What it checks", "Severity", "Thresholds", "Basis"};
    for (const auto& spec : rules.Rules())
    {
        if (!rules.Enabled(spec.id))
        {
            continue;
        }
        std::string thresholds;
        for (const auto& threshold : spec.thresholds)
        {
            thresholds += (thresholds.empty() ? "" : "; ") + threshold.name + " = "
                          + FormatDecimal(threshold.value, 4)
                          + (threshold.unit.empty() ? "" : " " + threshold.unit);
        }
        table.rows.push_back(
            {spec.id, spec.title, telemetry::SeverityName(spec.severity), thresholds, spec.source});
    }
    section.blocks.push_back(table);
    return section;
}

} // namespace

telemetry::Report
MakeReviewReport(const DesignReview& review, const telemetry::RuleConfig& rules)
{
    const auto& bom = review.bom;
    const auto& plan = review.plan;
    const auto& leaf = review.design.ModelOf(review.design.leaf);
    telemetry::Report report;
    report.title = "Design review: " + review.design.name;
    report.subtitle
        = std::string(review.design.fabric == FabricKind::Roce ? "RoCEv2" : "InfiniBand") + " · "
          + GroupDigits(bom.gpus) + " GPUs on " + GroupDigits(bom.servers) + " servers · "
          + std::to_string(plan.leafRadix) + "-port " + FormatRate(leaf.LinkSpeedBps())
          + " leaves (" + leaf.name + ") · " + std::to_string(plan.tiers) + " tiers · "
          + std::to_string(plan.planes) + (plan.planes > 1 ? " planes" : " plane");
    report.keyFigures = {
        {"GPUs", GroupDigits(bom.gpus), GroupDigits(bom.endpoints) + " fabric endpoints"},
        {"Switches", GroupDigits(bom.TotalSwitches()), std::to_string(plan.tiers) + " tiers"},
        {"Optical modules",
         GroupDigits(bom.TotalTransceivers()),
         FormatDecimal(bom.ModulesPerGpu(), 2) + " per GPU"},
        {"Cables", GroupDigits(bom.TotalCables()), ""},
        {"Network power",
         FormatWatts(bom.TotalPowerW()),
         "switches " + FormatWatts(bom.SwitchPowerW())},
        {"Max switch hops", std::to_string(plan.MaxSwitchHops()), ""},
    };
    for (const auto& line : bom.switches)
    {
        report.keyFigures.push_back({Capitalised(TierName(line.tier)) + " switches",
                                     GroupDigits(line.switches),
                                     line.model});
    }
    if (auto share = bom.NetworkCostShare())
    {
        report.keyFigures.push_back(
            {"Network cost share", FormatDecimal(*share * 100, 1) + "%", "of cluster capex"});
    }
    report.sections.push_back(TopologySection(review));
    report.sections.push_back(CablingSection(review));
    report.sections.push_back(PowerSection(review));
    report.sections.push_back(RulesSection(rules));
    report.findings = review.findings;
    report.data = ReviewToJson(review);
    return report;
}

} // namespace fab::topo
