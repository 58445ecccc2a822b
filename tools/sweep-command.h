#ifndef FABRICSCOPE_TOOLS_SWEEP_COMMAND_H
#define FABRICSCOPE_TOOLS_SWEEP_COMMAND_H

#include "fabric/helper/simulation.h"
#include "telemetry/model/report.h"
#include "tools/simulate-command.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fab::tools
{

/** Where a sweep's runs run: `--executor inproc | local:N | slurm[:OPTIONS]`. */
struct Executor
{
    enum class Kind
    {
        InProcess,
        Local,
        Slurm,
    };
    Kind kind{Kind::InProcess};
    unsigned workers{1};      ///< local:N
    std::string slurmOptions; ///< after "slurm:"
};

/** Reads --executor, --no-wait and --emit as a whole; throws InputError naming the flag. */
Executor ParseExecutor(const SimulateOptions& options);

/**
 * simulate's sweep: writes the plan, runs the runs that have not finished with the executor,
 * then merges them into summary.json and hands the report to `finish`. With --no-wait or --emit
 * it stops once the runs are submitted or described.
 */
int RunSweepSimulation(const SimulateOptions& options,
                       const ns3::fabric::Scenario& scenario,
                       const Executor& executor,
                       const ns3::fabric::SimulationOptions& run,
                       const std::function<int(const telemetry::Report&)>& finish);

/** `fabricscope sweep-run DIR`: one run of the sweep in DIR, as workers and array tasks run it. */
struct SweepRunOptions
{
    std::string out;
    std::optional<std::uint32_t> index;      ///< the run's index in the plan
    std::optional<std::string> taskList;     ///< or: a task list
    std::optional<std::uint32_t> taskIndex;  ///< and the line of it
    std::optional<std::string> taskIndexEnv; ///< or the variable that holds the line
};
void AddSweepRunOptions(CLI::App& command, SweepRunOptions& options);
int RunSweepWorker(const SweepRunOptions& options);

/** `fabricscope sweep-merge DIR`: the merged summary and report of a sweep's finished runs. */
struct SweepMergeOptions
{
    std::string out;
    std::vector<std::string> formats{"html", "md"};
    std::string failOn{"error"};
};
void AddSweepMergeOptions(CLI::App& command, SweepMergeOptions& options);
int RunSweepMerge(const SweepMergeOptions& options);

} // namespace fab::tools

#endif
