#ifndef FABRICSCOPE_TOOLS_SIMULATE_COMMAND_H
#define FABRICSCOPE_TOOLS_SIMULATE_COMMAND_H

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fab::tools
{

/** Options of `fabricscope simulate`. */
struct SimulateOptions
{
    std::optional<std::string> scenario;
    std::string out{"fabricscope-sim"};
    std::optional<std::uint64_t> seed;
    std::vector<std::string> formats{"html", "md"};
    std::string failOn{"error"};
    bool printScenario{false};
    bool progress{true};
    std::optional<std::string> sflowCollector;   ///< overrides outputs/sflow/collector
    std::optional<std::uint32_t> sflowRate;      ///< overrides outputs/sflow/sampling_rate
    std::optional<std::string> sflowPcap;        ///< overrides outputs/sflow/pcap
    std::optional<std::string> prometheus;       ///< serve live metrics here while running
    std::optional<std::string> prometheusLinger; ///< and for this long after the run
    std::optional<std::string> maxMemory;        ///< refuse runs estimated above this ("8GiB")
    std::string executor{"inproc"};              ///< where a sweep's runs run
    bool noWait{false};                          ///< submit a Slurm sweep and return
    std::optional<std::string> emit;             ///< "k8s[:IMAGE]": describe the runs instead
    std::optional<std::string> engine;           ///< "packet" or "flow", overriding the scenario's
    std::string flowPatterns{"auto"};            ///< flow engine: solve ring steps once ("on"),
                                                 ///< never ("off") or for large rings ("auto")
};

void AddSimulateOptions(CLI::App& command, SimulateOptions& options);

/** Runs a scenario (the built-in one when none is given); returns the exit code. */
int RunSimulate(const SimulateOptions& options);

} // namespace fab::tools

#endif
