#ifndef FABRICSCOPE_TELEMETRY_FINDING_H
#define FABRICSCOPE_TELEMETRY_FINDING_H

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fab::telemetry
{

/** How bad a finding is. Ordered: a larger value is worse. */
enum class Severity
{
    Info = 0,
    Warning = 1,
    Error = 2,
};

/** "info", "warning" or "error". */
const char* SeverityName(Severity severity);

/** Parses "info", "warning" or "error"; nothing for anything else. */
std::optional<Severity> ParseSeverity(const std::string& text);

/**
 * One result of a rule: what was checked (rule), on what (subject), what it found (message) and
 * the numbers behind it (evidence, in the order the rule wrote them).
 */
struct Finding
{
    std::string rule;
    Severity severity{Severity::Info};
    std::string subject;
    std::string message;
    std::vector<std::pair<std::string, std::string>> evidence;

    /** Appends one piece of evidence and returns *this, so evidence can be chained. */
    Finding& With(std::string key, std::string value);
};

/** The worst severity among the findings, or nothing when there are none. */
std::optional<Severity> WorstSeverity(const std::vector<Finding>& findings);

/** How many findings have each severity: [info, warning, error]. */
std::vector<std::size_t> CountBySeverity(const std::vector<Finding>& findings);

} // namespace fab::telemetry

#endif
