#ifndef FABRICSCOPE_FABRIC_SWEEP_TASK_H
#define FABRICSCOPE_FABRIC_SWEEP_TASK_H

// A sweep's folder: sweep/plan.json says what to run, runs/<folder>/ holds each run's outputs,
// its summary.json and, written last, its run.json. A run is done when its run.json reads and
// belongs to the plan's task, so a sweep stopped half-way resumes with the runs it lacks, and
// the merge reads nothing but these files.

#include "fabric/helper/simulation-sweep.h"
#include "fabric/helper/sweep-plan.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** <out>/runs/<folder>. */
std::filesystem::path SweepTaskFolder(const std::string& outDirectory, const SweepTask& task);

/** <out>/sweep/plan.json. */
std::filesystem::path SweepPlanPath(const std::string& outDirectory);

/**
 * Writes the plan into <out>/sweep. A plan already there that differs (another scenario, other
 * runs) has its runs removed first; the same plan keeps them. Returns the runs kept.
 */
std::size_t PrepareSweepFolder(const SweepPlan& plan, const std::string& outDirectory);

/** The plan in <out>/sweep; errors name the file. */
SweepPlan LoadSweepPlan(const std::string& outDirectory);

/** The run's record when the task has finished in `outDirectory`; nullopt otherwise. */
std::optional<SweepRunRecord> FinishedRun(const std::string& outDirectory, const SweepTask& task);

/** The plan's tasks that have not finished, in order. */
std::vector<std::uint32_t> PendingTasks(const SweepPlan& plan, const std::string& outDirectory);

/**
 * Runs one task in this process: runs/<folder>/ gets what the scenario writes, summary.json
 * and, last, run.json. `options.progress` and `live` see the run tagged with its label.
 */
SweepRunRecord RunSweepTask(const SweepPlan& plan,
                            const SweepTask& task,
                            const std::string& outDirectory,
                            const SimulationOptions& options);

/**
 * Reads every task's record into one sweep. Throws telemetry::InputError listing the runs that
 * have not finished.
 */
SweepResult MergeSweep(const SweepPlan& plan, const std::string& outDirectory);

/** Writes a file whole or not at all: into a temporary beside it, then renamed over it. */
void WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

/**
 * The same for text made as it is written: `write` fills a buffered stream on the temporary,
 * which is removed if `write` throws or the stream fails.
 */
void WriteFileAtomically(const std::filesystem::path& path,
                         const std::function<void(std::ostream&)>& write);

} // namespace ns3::fabric

#endif
