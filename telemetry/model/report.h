#ifndef FABRICSCOPE_TELEMETRY_REPORT_H
#define FABRICSCOPE_TELEMETRY_REPORT_H

#include "telemetry/model/finding.h"

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace fab::telemetry
{

/** A table: the first column names the row; numeric columns are right-aligned when rendered. */
struct Table
{
    std::string caption;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> numeric; ///< one per column; empty means none numeric
};

enum class ChartKind
{
    Bar,
    StackedBar,
    HorizontalStackedBar,
    Doughnut,
    Line,
};

struct ChartSeries
{
    std::string label;
    std::vector<double> values;
};

/**
 * A chart: one label per category, one series per colour. HTML draws it; Markdown and JSON keep
 * its numbers as a table, so no renderer loses data.
 */
struct Chart
{
    std::string title;
    ChartKind kind{ChartKind::Bar};
    std::vector<std::string> labels;
    std::vector<ChartSeries> series;
    std::string valueAxis; ///< what the values are, with the unit: "switches", "ports"
};

/** A headline number shown as a card at the top of the HTML page. */
struct KeyFigure
{
    std::string label;
    std::string value;
    std::string note;
};

struct Paragraph
{
    std::string text;
};

/**
 * A picture its producer drew (a flow graph, a topology) as one SVG element, which HTML embeds
 * as it is; Markdown writes `text`, the same content in words, so no renderer loses it.
 */
struct Figure
{
    std::string title;
    std::string svg; ///< trusted markup: the producer escapes whatever text it puts inside
    std::string text;
};

using Block = std::variant<Paragraph, Table, Chart, Figure>;

struct Section
{
    std::string title;
    std::vector<Block> blocks;
};

/**
 * What every command reports: headline figures, sections for people, findings, and `data`, the
 * machine-readable result that the JSON renderer writes at its top level.
 */
struct Report
{
    std::string title;
    std::string subtitle;
    std::vector<KeyFigure> keyFigures;
    std::vector<Section> sections;
    std::vector<Finding> findings;
    nlohmann::json data = nlohmann::json::object();
};

/** The JSON form: `data`'s keys, plus "title", "findings" and "finding_counts". */
nlohmann::json ReportToJson(const Report& report);

std::string RenderJson(const Report& report);
std::string RenderMarkdown(const Report& report);
/** One self-contained HTML page: styles and the charting library are inline. */
std::string RenderHtml(const Report& report);

enum class ReportFormat
{
    Json,
    Markdown,
    Html,
};

/** "json", "md"/"markdown", "html". */
bool ParseReportFormat(const std::string& text, ReportFormat& format);
std::string Render(const Report& report, ReportFormat format);

/** The table a chart's numbers make: one row per label, one column per series. */
Table ChartAsTable(const Chart& chart);

} // namespace fab::telemetry

#endif
