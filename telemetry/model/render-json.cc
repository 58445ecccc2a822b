#include "telemetry/model/report.h"

namespace fab::telemetry
{

nlohmann::json
ReportToJson(const Report& report)
{
    nlohmann::json out = nlohmann::json::object();
    out["title"] = report.title;
    for (const auto& item : report.data.items())
    {
        out[item.key()] = item.value();
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& finding : report.findings)
    {
        nlohmann::json evidence = nlohmann::json::object();
        for (const auto& [key, value] : finding.evidence)
        {
            evidence[key] = value;
        }
        findings.push_back({{"rule", finding.rule},
                            {"severity", SeverityName(finding.severity)},
                            {"subject", finding.subject},
                            {"message", finding.message},
                            {"evidence", evidence}});
    }
    out["findings"] = findings;
    auto counts = CountBySeverity(report.findings);
    out["finding_counts"] = {{"info", counts[0]}, {"warning", counts[1]}, {"error", counts[2]}};
    return out;
}

std::string
RenderJson(const Report& report)
{
    // Names read off the wire (LLDP system names, port ids) need not be UTF-8: a byte that is
    // not becomes U+FFFD rather than an exception.
    return ReportToJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
           + "\n";
}

} // namespace fab::telemetry
