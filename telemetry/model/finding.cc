#include "telemetry/model/finding.h"

namespace fab::telemetry
{

const char*
SeverityName(Severity severity)
{
    switch (severity)
    {
        case Severity::Info:
            return "info";
        case Severity::Warning:
            return "warning";
        case Severity::Error:
            return "error";
    }
    return "error";
}

std::optional<Severity>
ParseSeverity(const std::string& text)
{
    for (auto severity : {Severity::Info, Severity::Warning, Severity::Error})
    {
        if (text == SeverityName(severity))
        {
            return severity;
        }
    }
    return std::nullopt;
}

Finding&
Finding::With(std::string key, std::string value)
{
    evidence.emplace_back(std::move(key), std::move(value));
    return *this;
}

std::optional<Severity>
WorstSeverity(const std::vector<Finding>& findings)
{
    std::optional<Severity> worst;
    for (const auto& finding : findings)
    {
        if (!worst || finding.severity > *worst)
        {
            worst = finding.severity;
        }
    }
    return worst;
}

std::vector<std::size_t>
CountBySeverity(const std::vector<Finding>& findings)
{
    std::vector<std::size_t> counts(3, 0);
    for (const auto& finding : findings)
    {
        counts[static_cast<std::size_t>(finding.severity)]++;
    }
    return counts;
}

} // namespace fab::telemetry
