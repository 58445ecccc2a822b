#ifndef FABRICSCOPE_TOOLS_COLLECT_COMMAND_H
#define FABRICSCOPE_TOOLS_COLLECT_COMMAND_H

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace fab::tools
{

/** Options of `fabricscope collect`. */
struct CollectOptions
{
    std::string sflow{"127.0.0.1:6343"};
    std::string prometheus{"127.0.0.1:9464"};
    std::optional<std::string> design; ///< port speeds are checked against its links
    std::optional<std::string> rules;
    std::string window{"10s"};
    std::optional<std::string> reportEvery;
    std::optional<std::string> output; ///< folder for the reports
    std::optional<std::string> format;
    std::optional<std::string> duration; ///< stop by itself after this long
    std::size_t queue{4096};
};

void AddCollectOptions(CLI::App& command, CollectOptions& options);

/**
 * Collects sFlow until SIGINT or SIGTERM (or --duration), serving Prometheus metrics and
 * logging findings as they are raised and cleared; writes the final report on the way out.
 * Returns the exit code.
 */
int RunCollect(const CollectOptions& options);

} // namespace fab::tools

#endif
