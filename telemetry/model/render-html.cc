#include "telemetry/model/report.h"
#include "telemetry/model/text-format.h"

#include <sstream>

namespace fab::telemetry
{

extern const char* const kChartJsSource;

namespace
{

// Colour-blind-safe palette (Okabe–Ito), in the order series are drawn.
const char* const kPalette[]
    = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"};

const char* const kStyle = R"css(
:root { --ink:#1d2330; --muted:#5b6475; --line:#d9dee7; --bg:#f6f7fa; --card:#fff;
        --error:#b3261e; --warning:#a15c00; --info:#1f5fa8; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#14213d; color:#fff; padding:24px 40px; }
header h1 { margin:0 0 4px; font-size:24px; }
header p { margin:0; color:#c9d3e6; }
main { padding:24px 40px 48px; max-width:1280px; }
h2 { margin:32px 0 12px; font-size:19px; border-bottom:2px solid var(--line); padding-bottom:4px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(190px, 1fr)); gap:12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.card .label { color:var(--muted); font-size:13px; }
.card .value { font-size:24px; font-weight:600; }
.card .note { color:var(--muted); font-size:12px; }
table { border-collapse:collapse; background:var(--card); margin:8px 0 16px; font-size:14px; }
caption { text-align:left; font-weight:600; padding:4px 0; }
th, td { border:1px solid var(--line); padding:5px 10px; vertical-align:top; }
th { background:#eef1f6; text-align:left; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.sev { font-weight:600; text-transform:uppercase; font-size:12px; }
.sev-error { color:var(--error); } .sev-warning { color:var(--warning); } .sev-info { color:var(--info); }
.evidence { color:var(--muted); font-size:13px; }
.charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(520px, 1fr)); gap:16px; }
figure { margin:0; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px; }
figcaption { font-weight:600; margin-bottom:6px; }
.chart-box { position:relative; height:300px; }
.figure-box { overflow:auto; max-height:640px; } .figure-box svg { max-width:100%; height:auto; }
details { margin-top:6px; font-size:13px; }
.summary { margin:8px 0 0; }
)css";

std::string
ChartConfig(const Chart& chart)
{
    nlohmann::json datasets = nlohmann::json::array();
    std::size_t index = 0;
    for (const auto& series : chart.series)
    {
        nlohmann::json dataset = {{"label", series.label}, {"data", series.values}};
        if (chart.kind == ChartKind::Doughnut)
        {
            nlohmann::json colours = nlohmann::json::array();
            for (std::size_t i = 0; i < series.values.size(); ++i)
            {
                colours.push_back(kPalette[i % 8]);
            }
            dataset["backgroundColor"] = colours;
        }
        else
        {
            dataset["backgroundColor"] = kPalette[index % 8];
            dataset["borderColor"] = kPalette[index % 8];
        }
        datasets.push_back(dataset);
        ++index;
    }
    bool stacked
        = chart.kind == ChartKind::StackedBar || chart.kind == ChartKind::HorizontalStackedBar;
    bool horizontal = chart.kind == ChartKind::HorizontalStackedBar;
    std::string type = chart.kind == ChartKind::Doughnut ? "doughnut"
                       : chart.kind == ChartKind::Line   ? "line"
                                                         : "bar";
    nlohmann::json options = {{"animation", false},
                              {"responsive", true},
                              {"maintainAspectRatio", false},
                              {"plugins", {{"legend", {{"position", "bottom"}}}}}};
    if (chart.kind != ChartKind::Doughnut)
    {
        nlohmann::json valueAxis = {{"stacked", stacked},
                                    {"beginAtZero", true},
                                    {"title", {{"display", true}, {"text", chart.valueAxis}}}};
        nlohmann::json categoryAxis = {{"stacked", stacked}};
        options["scales"] = horizontal ? nlohmann::json{{"x", valueAxis}, {"y", categoryAxis}}
                                       : nlohmann::json{{"x", categoryAxis}, {"y", valueAxis}};
        if (horizontal)
        {
            options["indexAxis"] = "y";
        }
    }
    nlohmann::json config = {{"type", type},
                             {"data", {{"labels", chart.labels}, {"datasets", datasets}}},
                             {"options", options}};
    // "</" inside a script element would end it early; labels off the wire need not be UTF-8.
    std::string text = config.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string safe;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        safe += text[i];
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/')
        {
            safe += "\\";
        }
    }
    return safe;
}

void
WriteHtmlTable(std::ostringstream& out, const Table& table)
{
    out << "<table>";
    if (!table.caption.empty())
    {
        out << "<caption>" << EscapeHtml(table.caption) << "</caption>";
    }
    out << "<thead><tr>";
    for (const auto& column : table.columns)
    {
        out << "<th>" << EscapeHtml(column) << "</th>";
    }
    out << "</tr></thead><tbody>\n";
    for (const auto& row : table.rows)
    {
        out << "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i)
        {
            bool numeric = i < table.numeric.size() && table.numeric[i];
            out << (numeric ? "<td class=\"num\">" : "<td>") << EscapeHtml(row[i]) << "</td>";
        }
        out << "</tr>\n";
    }
    out << "</tbody></table>\n";
}

void
WriteFindings(std::ostringstream& out, const std::vector<Finding>& findings)
{
    auto counts = CountBySeverity(findings);
    out << "<h2 id=\"findings\">Findings</h2>\n<p class=\"summary\"><span class=\"sev sev-error\">"
        << counts[2] << " error(s)</span> · <span class=\"sev sev-warning\">" << counts[1]
        << " warning(s)</span> · <span class=\"sev sev-info\">" << counts[0]
        << " note(s)</span></p>\n";
    if (findings.empty())
    {
        return;
    }
    out << "<table class=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Subject</th>"
           "<th>Finding</th></tr></thead><tbody>\n";
    for (int level = 2; level >= 0; --level)
    {
        for (const auto& finding : findings)
        {
            if (static_cast<int>(finding.severity) != level)
            {
                continue;
            }
            const char* name = SeverityName(finding.severity);
            out << "<tr><td class=\"sev sev-" << name << "\">" << name << "</td><td><code>"
                << EscapeHtml(finding.rule) << "</code></td><td>" << EscapeHtml(finding.subject)
                << "</td><td>" << EscapeHtml(finding.message);
            if (!finding.evidence.empty())
            {
                out << "<div class=\"evidence\">";
                bool first = true;
                for (const auto& [key, value] : finding.evidence)
                {
                    out << (first ? "" : " · ") << EscapeHtml(key) << " = " << EscapeHtml(value);
                    first = false;
                }
                out << "</div>";
            }
            out << "</td></tr>\n";
        }
    }
    out << "</tbody></table>\n";
}

} // namespace

std::string
RenderHtml(const Report& report)
{
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        << "<title>" << EscapeHtml(report.title) << "</title><style>" << kStyle
        << "</style>\n<script>" << kChartJsSource << "</script>\n</head><body>\n";
    out << "<header><h1>" << EscapeHtml(report.title) << "</h1>";
    if (!report.subtitle.empty())
    {
        out << "<p>" << EscapeHtml(report.subtitle) << "</p>";
    }
    out << "</header>\n<main>\n";
    if (!report.keyFigures.empty())
    {
        out << "<section class=\"cards\">\n";
        for (const auto& figure : report.keyFigures)
        {
            out << "<div class=\"card\"><div class=\"label\">" << EscapeHtml(figure.label)
                << "</div><div class=\"value\">" << EscapeHtml(figure.value) << "</div>";
            if (!figure.note.empty())
            {
                out << "<div class=\"note\">" << EscapeHtml(figure.note) << "</div>";
            }
            out << "</div>\n";
        }
        out << "</section>\n";
    }
    WriteFindings(out, report.findings);
    std::size_t chartIndex = 0;
    std::ostringstream scripts;
    for (const auto& section : report.sections)
    {
        out << "<h2>" << EscapeHtml(section.title) << "</h2>\n";
        bool inCharts = false;
        for (const auto& block : section.blocks)
        {
            const auto* chart = std::get_if<Chart>(&block);
            const auto* figure = std::get_if<Figure>(&block);
            bool picture = chart != nullptr || figure != nullptr;
            if (picture && !inCharts)
            {
                out << "<div class=\"charts\">\n";
                inCharts = true;
            }
            else if (!picture && inCharts)
            {
                out << "</div>\n";
                inCharts = false;
            }
            if (const auto* paragraph = std::get_if<Paragraph>(&block))
            {
                out << "<p>" << EscapeHtml(paragraph->text) << "</p>\n";
            }
            else if (const auto* table = std::get_if<Table>(&block))
            {
                WriteHtmlTable(out, *table);
            }
            else if (chart != nullptr)
            {
                std::string id = "chart-" + std::to_string(chartIndex++);
                out << "<figure><figcaption>" << EscapeHtml(chart->title)
                    << "</figcaption><div class=\"chart-box\"><canvas id=\"" << id
                    << "\" role=\"img\" aria-label=\"" << EscapeHtml(chart->title)
                    << "\"></canvas></div><details><summary>Data</summary>";
                WriteHtmlTable(out, ChartAsTable(*chart));
                out << "</details></figure>\n";
                scripts << "new Chart(document.getElementById('" << id << "'), "
                        << ChartConfig(*chart) << ");\n";
            }
            else if (figure != nullptr)
            {
                out << "<figure><figcaption>" << EscapeHtml(figure->title)
                    << "</figcaption><div class=\"figure-box\">" << figure->svg
                    << "</div><details><summary>As text</summary><pre>" << EscapeHtml(figure->text)
                    << "</pre></details></figure>\n";
            }
        }
        if (inCharts)
        {
            out << "</div>\n";
        }
    }
    out << "</main>\n<script>\nif (window.Chart) {\n"
        << scripts.str() << "}\n</script>\n</body></html>\n";
    return out.str();
}

} // namespace fab::telemetry
