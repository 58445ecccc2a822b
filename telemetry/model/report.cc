#include "telemetry/model/report.h"

#include "telemetry/model/text-format.h"

namespace fab::telemetry
{

bool
ParseReportFormat(const std::string& text, ReportFormat& format)
{
    if (text == "json")
    {
        format = ReportFormat::Json;
    }
    else if (text == "md" || text == "markdown")
    {
        format = ReportFormat::Markdown;
    }
    else if (text == "html")
    {
        format = ReportFormat::Html;
    }
    else
    {
        return false;
    }
    return true;
}

std::string
Render(const Report& report, ReportFormat format)
{
    switch (format)
    {
        case ReportFormat::Json:
            return RenderJson(report);
        case ReportFormat::Markdown:
            return RenderMarkdown(report);
        case ReportFormat::Html:
            return RenderHtml(report);
    }
    return RenderJson(report);
}

Table
ChartAsTable(const Chart& chart)
{
    Table table;
    table.caption = chart.title;
    table.columns.push_back("");
    table.numeric.push_back(false);
    for (const auto& series : chart.series)
    {
        table.columns.push_back(series.label);
        table.numeric.push_back(true);
    }
    for (std::size_t i = 0; i < chart.labels.size(); ++i)
    {
        std::vector<std::string> row{chart.labels[i]};
        for (const auto& series : chart.series)
        {
            row.push_back(i < series.values.size() ? FormatDecimal(series.values[i], 3) : "");
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

} // namespace fab::telemetry
