#include "telemetry/model/report.h"

#include <catch2/catch.hpp>

using namespace fab::telemetry;

namespace
{

Report
SampleReport()
{
    Report report;
    report.title = "Sample <report>";
    report.keyFigures.push_back({"GPUs", "65,536", ""});
    report.findings.push_back(
        {"r.one", Severity::Warning, "leaf tier", "ratio 3:1 | too high", {{"ratio", "3"}}});
    report.findings.push_back({"r.two", Severity::Info, "fabric", "fine", {}});
    Section section{"Topology", {}};
    section.blocks.push_back(Paragraph{"Two tiers."});
    Chart chart;
    chart.title = "Switches per tier";
    chart.labels = {"leaf", "spine</script><b>"};
    chart.series = {{"switches", {64, 32}}};
    section.blocks.push_back(chart);
    Table table;
    table.columns = {"Tier", "Count"};
    table.numeric = {false, true};
    table.rows = {{"leaf", "64"}};
    section.blocks.push_back(table);
    report.sections.push_back(section);
    report.data = {{"endpoints", 2048}};
    return report;
}

} // namespace

TEST_CASE("JSON holds the data, the findings and their counts", "[telemetry][report]")
{
    auto json = nlohmann::json::parse(RenderJson(SampleReport()));
    REQUIRE(json["endpoints"] == 2048);
    REQUIRE(json["title"] == "Sample <report>");
    REQUIRE(json["findings"].size() == 2);
    REQUIRE(json["findings"][0]["rule"] == "r.one");
    REQUIRE(json["findings"][0]["severity"] == "warning");
    REQUIRE(json["findings"][0]["evidence"]["ratio"] == "3");
    REQUIRE(json["finding_counts"]["warning"] == 1);
    REQUIRE(json["finding_counts"]["info"] == 1);
}

TEST_CASE("Markdown keeps tables intact and charts as numbers", "[telemetry][report]")
{
    auto md = RenderMarkdown(SampleReport());
    REQUIRE(md.find("# Sample <report>") == 0);
    REQUIRE(md.find("ratio 3:1 \\| too high") != std::string::npos);
    REQUIRE(md.find("| Tier | Count |\n|---|---:|") != std::string::npos);
    REQUIRE(md.find("| leaf | 64 |") != std::string::npos); // the chart's numbers
    REQUIRE(md.find("0 error(s), 1 warning(s), 1 note(s).") != std::string::npos);
}

TEST_CASE("HTML is one self-contained page", "[telemetry][report]")
{
    auto html = RenderHtml(SampleReport());
    REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);
    // Nothing is fetched: no external scripts, styles or images.
    REQUIRE(html.find("<script src") == std::string::npos);
    REQUIRE(html.find("<link") == std::string::npos);
    REQUIRE(html.find("<img") == std::string::npos);
    // The charting library is inline, and each chart is drawn by it.
    REQUIRE(html.find("Chart.js v") != std::string::npos);
    REQUIRE(html.find("new Chart(document.getElementById('chart-0')") != std::string::npos);
    // Text is escaped, and a label cannot close the script early.
    REQUIRE(html.find("Sample &lt;report&gt;") != std::string::npos);
    REQUIRE(html.find("spine</script><b>") == std::string::npos);
    REQUIRE(html.find("spine<\\/script><b>") != std::string::npos);
    REQUIRE(html.find("class=\"sev sev-warning\">warning") != std::string::npos);
    REQUIRE(html.find("<td class=\"num\">64</td>") != std::string::npos);
}

TEST_CASE("report formats parse", "[telemetry][report]")
{
    ReportFormat format;
    REQUIRE(ParseReportFormat("md", format));
    REQUIRE(format == ReportFormat::Markdown);
    REQUIRE(ParseReportFormat("json", format));
    REQUIRE(format == ReportFormat::Json);
    REQUIRE_FALSE(ParseReportFormat("pdf", format));
}
