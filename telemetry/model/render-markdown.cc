#include "telemetry/model/report.h"
#include "telemetry/model/text-format.h"

#include <sstream>

namespace fab::telemetry
{
namespace
{

void
WriteMarkdownTable(std::ostringstream& out, const Table& table)
{
    if (!table.caption.empty())
    {
        out << "**" << table.caption << "**\n\n";
    }
    out << "|";
    for (const auto& column : table.columns)
    {
        out << " " << EscapeMarkdownCell(column) << " |";
    }
    out << "\n|";
    for (std::size_t i = 0; i < table.columns.size(); ++i)
    {
        bool numeric = i < table.numeric.size() && table.numeric[i];
        out << (numeric ? "---:|" : "---|");
    }
    out << "\n";
    for (const auto& row : table.rows)
    {
        out << "|";
        for (const auto& cell : row)
        {
            out << " " << EscapeMarkdownCell(cell) << " |";
        }
        out << "\n";
    }
    out << "\n";
}

} // namespace

std::string
RenderMarkdown(const Report& report)
{
    std::ostringstream out;
    out << "# " << report.title << "\n\n";
    if (!report.subtitle.empty())
    {
        out << report.subtitle << "\n\n";
    }
    if (!report.keyFigures.empty())
    {
        Table figures;
        figures.columns = {"Figure", "Value", "Note"};
        for (const auto& figure : report.keyFigures)
        {
            figures.rows.push_back({figure.label, figure.value, figure.note});
        }
        WriteMarkdownTable(out, figures);
    }
    auto counts = CountBySeverity(report.findings);
    out << "## Findings\n\n"
        << counts[2] << " error(s), " << counts[1] << " warning(s), " << counts[0]
        << " note(s).\n\n";
    if (!report.findings.empty())
    {
        Table findings;
        findings.columns = {"Severity", "Rule", "Subject", "Finding", "Evidence"};
        for (int level = 2; level >= 0; --level)
        {
            for (const auto& finding : report.findings)
            {
                if (static_cast<int>(finding.severity) != level)
                {
                    continue;
                }
                std::string evidence;
                for (const auto& [key, value] : finding.evidence)
                {
                    evidence += (evidence.empty() ? "" : "; ") + key + "=" + value;
                }
                findings.rows.push_back({SeverityName(finding.severity),
                                         finding.rule,
                                         finding.subject,
                                         finding.message,
                                         evidence});
            }
        }
        WriteMarkdownTable(out, findings);
    }
    for (const auto& section : report.sections)
    {
        out << "## " << section.title << "\n\n";
        for (const auto& block : section.blocks)
        {
            if (const auto* paragraph = std::get_if<Paragraph>(&block))
            {
                out << paragraph->text << "\n\n";
            }
            else if (const auto* table = std::get_if<Table>(&block))
            {
                WriteMarkdownTable(out, *table);
            }
            else if (const auto* chart = std::get_if<Chart>(&block))
            {
                WriteMarkdownTable(out, ChartAsTable(*chart));
            }
            else if (const auto* figure = std::get_if<Figure>(&block))
            {
                bool ended = !figure->text.empty() && figure->text.back() == '\n';
                out << "**" << figure->title << "**\n\n```text\n"
                    << figure->text << (ended ? "" : "\n") << "```\n\n";
            }
        }
    }
    return out.str();
}

} // namespace fab::telemetry
