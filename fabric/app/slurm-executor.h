#ifndef FABRICSCOPE_FABRIC_APP_SLURM_EXECUTOR_H
#define FABRICSCOPE_FABRIC_APP_SLURM_EXECUTOR_H

// The Slurm executor: a sweep's runs as the tasks of one job array (several past the cluster's
// MaxArraySize), submitted with sbatch and watched with squeue. Every Slurm command reads the
// cluster from the environment (SLURM_CONF, or the client's default), so nothing here names one.

#include "fabric/app/sweep-work.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3::fabric::app
{

/** `--executor slurm:KEY=VALUE,...`. */
struct SlurmOptions
{
    std::string partition;        ///< partition=NAME; empty: the cluster's default
    std::string timeLimit;        ///< time=MINUTES or D-HH:MM:SS; empty: the partition's
    std::string account;          ///< account=NAME
    std::string qos;              ///< qos=NAME
    std::uint32_t cpusPerTask{1}; ///< cpus=N
    std::optional<std::uint64_t> memoryBytes; ///< mem=SIZE; default: the run's estimate
    std::uint32_t parallel{0};                ///< parallel=M: at most M tasks at once (%M); 0: any
    /** runs=K: K runs one after another per array task, for runs too short to be worth a
     *  task's start-up each (about half a second on a lightly loaded cluster). */
    std::uint32_t runsPerTask{1};
};

/** Reads the text after "slurm:"; throws telemetry::InputError naming --executor. */
SlurmOptions ParseSlurmOptions(const std::string& text);

/** One submitted array: its job id and the runs its tasks run, `runsPerTask` to a task. */
struct SlurmArray
{
    std::string jobId;
    std::filesystem::path taskList;
    std::vector<SweepTask> tasks;
    std::uint32_t runsPerTask{1};
};

/** The cluster's MaxArraySize (scontrol show config); Slurm's default 1001 when not shown. */
std::uint64_t SlurmMaxArraySize();

/**
 * Writes sweep/slurm/sweep.sbatch and a task list per array, and submits the arrays. Throws
 * telemetry::InputError (naming --executor) when sbatch is missing or refuses.
 */
std::vector<SlurmArray> SubmitToSlurm(const SweepWork& work, const SlurmOptions& options);

/** The --mem value sbatch gets for a task: the estimate with room to spare, in MiB. */
std::uint64_t SlurmMemoryMiB(std::uint64_t estimateBytes);

/** Polls squeue until none of the arrays' tasks is pending or running. */
void WaitForSlurm(const std::vector<SlurmArray>& arrays, std::chrono::milliseconds poll);

/** The arrays' tasks whose run did not finish, with the log Slurm wrote for each. */
std::vector<FailedRun> SlurmFailures(const SweepWork& work, const std::vector<SlurmArray>& arrays);

} // namespace ns3::fabric::app

#endif
