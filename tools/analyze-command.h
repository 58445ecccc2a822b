#ifndef FABRICSCOPE_TOOLS_ANALYZE_COMMAND_H
#define FABRICSCOPE_TOOLS_ANALYZE_COMMAND_H

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fab::tools
{

/** Options of `fabricscope analyze`. */
struct AnalyzeOptions
{
    std::vector<std::string> captures;
    std::optional<std::string> design;   ///< check LLDP's inventory against it
    std::vector<std::string> linkSpeeds; ///< "400G" for every capture, or "FILE=400G"
    std::optional<std::string> interval;
    std::optional<std::string> rules;
    std::optional<std::string> format;
    std::optional<std::string> output;
    std::string failOn{"error"};
    bool progress{true};
    bool noCrc{false};
};

void AddAnalyzeOptions(CLI::App& command, AnalyzeOptions& options);

/** Analyses captures; returns the exit code. Bad input is reported on stderr with code 2. */
int RunAnalyze(const AnalyzeOptions& options);

} // namespace fab::tools

#endif
