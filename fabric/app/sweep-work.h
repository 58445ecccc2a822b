#ifndef FABRICSCOPE_FABRIC_APP_SWEEP_WORK_H
#define FABRICSCOPE_FABRIC_APP_SWEEP_WORK_H

#include "fabric/helper/sweep-plan.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ns3::fabric::app
{

/**
 * The runs of a sweep that still have to run, and how a process runs one: `worker` followed by
 * the arguments that pick the task (`fabricscope sweep-run OUT` and `--index N`, or a task list
 * and the index in it). Executors differ only in where those processes run.
 */
struct SweepWork
{
    std::string outDirectory;            ///< absolute: workers may start elsewhere
    std::vector<std::string> worker;     ///< the program and its arguments before the task's
    std::vector<SweepTask> tasks;        ///< to run, in the plan's order
    std::uint64_t memoryPerTaskBytes{0}; ///< the largest run's estimate
};

/** A run whose process failed, and where to read why. */
struct FailedRun
{
    std::string label;
    std::string reason; ///< "exit 2", "signal 9", "no run.json"
    std::filesystem::path log;
};

/** <out>/sweep/logs. */
std::filesystem::path SweepLogFolder(const std::string& outDirectory);

/** Called as each run ends: its label, whether it finished, and how many have ended. */
using RunEnded = std::function<void(const SweepTask&, bool finished, std::size_t ended)>;

/**
 * The local executor: up to `workers` processes at a time on this machine, one per run, each
 * logging to sweep/logs/<folder>.log. Returns the runs that failed.
 */
std::vector<FailedRun> RunLocally(const SweepWork& work, unsigned workers, const RunEnded& ended);

/**
 * Writes a task list as workers read it: the plan indices of `tasks`, `perLine` to a line
 * (separated by spaces); line N is what the task of index N runs, in order.
 */
void WriteTaskList(const std::filesystem::path& path,
                   const std::vector<SweepTask>& tasks,
                   std::uint32_t perLine = 1);

} // namespace ns3::fabric::app

#endif
