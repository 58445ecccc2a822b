#ifndef FABRICSCOPE_TOOLS_OUTPUT_H
#define FABRICSCOPE_TOOLS_OUTPUT_H

#include "telemetry/model/report.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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

/** Writes a whole file; throws InputError naming it when it cannot. */
void WriteTextFile(const std::filesystem::path& path, const std::string& text);

/** --format (json, md, html; several) and --fail-on of the commands that write report files. */
void AddReportFileOptions(CLI::App& command,
                          std::vector<std::string>& formats,
                          std::string& failOn);

/**
 * Writes a command's report into the folder `out` as report.<extension>, once per format, lists
 * summary.json and those files on stdout, and turns the findings into the exit code.
 */
int WriteReportFiles(const telemetry::Report& report,
                     const std::string& out,
                     const std::vector<std::string>& formats,
                     const std::string& failOn);

/** A positive duration given to `option` ("1s", "500ms"); throws InputError naming the option. */
std::int64_t ParseDurationOption(const char* option, const std::string& text);

/** Parses --fail-on: "warning", "error" or "none". */
std::optional<telemetry::Severity> ParseFailOn(const std::string& text);

/**
 * Checks a whole number given to an option as written: decimal digits only, in [min, max].
 * CLI11 reads unsigned options with strtoull, which takes "-1" as 2^64 - 1, numbers past 2^64
 * as 2^64 - 1 and "010" as octal.
 */
CLI::Validator WholeNumberIn(std::uint64_t min, std::uint64_t max);

/**
 * Makes sure `path` is a folder that outputs can be written to, creating it if need be, before
 * any work is done: an empty path, a file, or a place that cannot be created or written is an
 * InputError naming `option`.
 */
void PrepareOutputFolder(const char* option, const std::string& path);

/** The same for a file `option` names: not empty, not a folder, in a folder it can be written to.
 */
void PrepareOutputFile(const char* option, const std::string& path);

} // namespace fab::tools

#endif
