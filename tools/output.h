#ifndef FABRICSCOPE_TOOLS_OUTPUT_H
#define FABRICSCOPE_TOOLS_OUTPUT_H

#include "telemetry/model/report.h"

#include <cstdint>
#include <optional>
#include <string>

namespace fab::tools
{

/** Exit codes shared by every command. */
enum ExitCode
{
    kExitOk = 0,       ///< ran, nothing at or above the fail threshold
    kExitFindings = 1, ///< findings at or above --fail-on
    kExitBadInput = 2, ///< bad usage or bad input
};

/** Where a report goes and in what form. */
struct OutputChoice
{
    telemetry::ReportFormat format{telemetry::ReportFormat::Html};
    std::optional<std::string> path; ///< nothing: standard output
};

/**
 * Resolves --format and -o: the format is --format, else the extension of -o, else HTML; HTML
 * without -o goes to `defaultHtmlPath` (a page on a terminal helps nobody). Throws InputError.
 */
OutputChoice ChooseOutput(const std::optional<std::string>& format,
                          const std::optional<std::string>& path,
                          const std::string& defaultHtmlPath);

/** Writes the rendered report; returns the absolute path written, or nothing for stdout. */
std::optional<std::string> WriteReport(const telemetry::Report& report, const OutputChoice& choice);

/** A positive duration given to `option` ("1s", "500ms"); throws InputError naming the option. */
std::int64_t ParseDurationOption(const char* option, const std::string& text);

/** Parses --fail-on: "warning", "error" or "none". */
std::optional<telemetry::Severity> ParseFailOn(const std::string& text);

} // namespace fab::tools

#endif
