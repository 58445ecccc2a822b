#include "fabric/app/slurm-executor.h"

#include "fabric/app/child-command.h"
#include "fabric/helper/sweep-task.h"
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/units.h"

#include <algorithm>
#include <sstream>
#include <thread>

namespace ns3::fabric::app
{

using fab::telemetry::InputError;
namespace fs = std::filesystem;

namespace
{

constexpr const char* kPlace = "--executor";

/** A name Slurm takes as it is: letters, digits and "-_.:", as partitions and accounts are. */
bool
PlainWord(const std::string& text)
{
    return !text.empty() && text.size() <= 128
           && std::all_of(text.begin(),
                          text.end(),
                          [](unsigned char c) {
                              return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.'
                                     || c == ':';
                          });
}

std::uint32_t
SmallCount(const std::string& key, const std::string& value, std::uint32_t min)
{
    if (value.empty() || value.size() > 6
        || !std::all_of(
            value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
    {
        throw InputError(kPlace,
                         "slurm: expected a whole number for " + key + ", found \"" + value + "\"");
    }
    auto number = static_cast<std::uint32_t>(std::stoul(value));
    if (number < min)
    {
        throw InputError(kPlace, "slurm: " + key + " must be at least " + std::to_string(min));
    }
    return number;
}

std::string
FailureText(const ProgramOutput& output)
{
    std::string text = output.out;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    {
        text.pop_back();
    }
    return text.size() <= 400 ? text : text.substr(0, 400) + "...";
}

} // namespace

SlurmOptions
ParseSlurmOptions(const std::string& text)
{
    SlurmOptions options;
    std::stringstream items(text);
    std::string item;
    while (std::getline(items, item, ','))
    {
        auto equals = item.find('=');
        if (equals == std::string::npos)
        {
            throw InputError(kPlace,
                             "slurm: expected KEY=VALUE (partition, time, account, qos, cpus, mem, "
                             "parallel, runs), found \""
                                 + item + "\"");
        }
        std::string key = item.substr(0, equals);
        std::string value = item.substr(equals + 1);
        if (key == "partition" || key == "account" || key == "qos" || key == "time")
        {
            if (!PlainWord(value))
            {
                throw InputError(kPlace,
                                 "slurm: expected a plain name for " + key + ", found \"" + value
                                     + "\"");
            }
            (key == "partition" ? options.partition
             : key == "account" ? options.account
             : key == "qos"     ? options.qos
                                : options.timeLimit)
                = value;
        }
        else if (key == "cpus")
        {
            options.cpusPerTask = SmallCount(key, value, 1);
        }
        else if (key == "parallel")
        {
            options.parallel = SmallCount(key, value, 1);
        }
        else if (key == "runs")
        {
            options.runsPerTask = SmallCount(key, value, 1);
        }
        else if (key == "mem")
        {
            auto bytes = fab::topo::ParseBytes(value);
            if (!bytes || *bytes < (std::uint64_t{1} << 20))
            {
                throw InputError(
                    kPlace,
                    "slurm: expected a size of at least 1MiB for mem, such as 4GiB, found \""
                        + value + "\"");
            }
            options.memoryBytes = *bytes;
        }
        else
        {
            throw InputError(kPlace,
                             "slurm: unknown option \"" + key
                                 + "\"; expected partition, time, account, qos, cpus, mem, "
                                   "parallel or runs");
        }
    }
    return options;
}

std::uint64_t
SlurmMaxArraySize()
{
    auto output = RunProgram({"scontrol", "show", "config"});
    if (output.exitCode != 0)
    {
        throw InputError(kPlace,
                         "slurm: scontrol show config failed (is SLURM_CONF right?): "
                             + FailureText(output));
    }
    std::istringstream lines(output.out);
    std::string line;
    while (std::getline(lines, line))
    {
        if (line.rfind("MaxArraySize", 0) == 0)
        {
            auto equals = line.find('=');
            if (equals != std::string::npos)
            {
                try
                {
                    auto size = std::stoull(line.substr(equals + 1));
                    return std::max<std::uint64_t>(1, size);
                }
                catch (const std::exception&)
                {
                    break;
                }
            }
        }
    }
    return 1001;
}

std::uint64_t
SlurmMemoryMiB(std::uint64_t estimateBytes)
{
    // The estimate is calibrated to within about 2x of the measured peak; half again on top,
    // and never under 256 MiB, which the process itself needs.
    std::uint64_t withRoom = estimateBytes + estimateBytes / 2;
    return std::max<std::uint64_t>(256, (withRoom + (1u << 20) - 1) >> 20);
}

std::vector<SlurmArray>
SubmitToSlurm(const SweepWork& work, const SlurmOptions& options)
{
    auto folder = fs::path(work.outDirectory) / "sweep" / "slurm";
    std::error_code error;
    fs::create_directories(folder, error);
    fs::create_directories(SweepLogFolder(work.outDirectory), error);
    auto script = folder / "sweep.sbatch";
    std::string text = "#!/bin/sh\n"
                       "# Runs of a fabricscope sweep as array tasks: line N of the task list\n"
                       "# given as the first argument holds the runs (indices into\n"
                       "# sweep/plan.json) that the task of array index N runs, in turn.\n"
                       "exec";
    for (const auto& word : work.worker)
    {
        text += " " + ShellQuote(word);
    }
    text += " --task-list \"$1\" --task-index-env SLURM_ARRAY_TASK_ID\n";
    WriteFileAtomically(script, text);
    fs::permissions(
        script, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read, error);

    std::uint64_t maxArray = SlurmMaxArraySize();
    std::uint64_t memoryMiB = options.memoryBytes ? (*options.memoryBytes + (1u << 20) - 1) >> 20
                                                  : SlurmMemoryMiB(work.memoryPerTaskBytes);
    std::uint64_t perTask = std::max<std::uint32_t>(1, options.runsPerTask);
    std::vector<SlurmArray> arrays;
    for (std::size_t first = 0; first < work.tasks.size(); first += maxArray * perTask)
    {
        SlurmArray array;
        std::size_t runs = std::min<std::size_t>(maxArray * perTask, work.tasks.size() - first);
        std::size_t count = fab::topo::CeilDiv(runs, perTask);
        array.tasks.assign(work.tasks.begin() + static_cast<std::ptrdiff_t>(first),
                           work.tasks.begin() + static_cast<std::ptrdiff_t>(first + runs));
        array.runsPerTask = static_cast<std::uint32_t>(perTask);
        array.taskList = folder / ("array-" + std::to_string(arrays.size()) + ".tasks");
        WriteTaskList(array.taskList, array.tasks, array.runsPerTask);
        std::string range = "0-" + std::to_string(count - 1);
        if (options.parallel > 0)
        {
            range += "%" + std::to_string(options.parallel);
        }
        std::vector<std::string> command
            = {"sbatch",
               "--parsable",
               "--job-name=fabricscope-sweep",
               "--array=" + range,
               "--output=" + (SweepLogFolder(work.outDirectory) / "slurm-%A_%a.log").string(),
               "--cpus-per-task=" + std::to_string(options.cpusPerTask),
               "--mem=" + std::to_string(memoryMiB) + "M"};
        if (!options.partition.empty())
        {
            command.push_back("--partition=" + options.partition);
        }
        if (!options.timeLimit.empty())
        {
            command.push_back("--time=" + options.timeLimit);
        }
        if (!options.account.empty())
        {
            command.push_back("--account=" + options.account);
        }
        if (!options.qos.empty())
        {
            command.push_back("--qos=" + options.qos);
        }
        command.push_back(script.string());
        command.push_back(array.taskList.string());
        auto output = RunProgram(command);
        std::string id = output.out.substr(0, output.out.find_first_of(";\n"));
        if (output.exitCode != 0 || id.empty()
            || !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); }))
        {
            throw InputError(kPlace, "slurm: sbatch refused the sweep: " + FailureText(output));
        }
        array.jobId = id;
        arrays.push_back(std::move(array));
    }
    return arrays;
}

void
WaitForSlurm(const std::vector<SlurmArray>& arrays, std::chrono::milliseconds poll)
{
    if (arrays.empty())
    {
        return;
    }
    std::string ids;
    for (const auto& array : arrays)
    {
        ids += (ids.empty() ? "" : ",") + array.jobId;
    }
    int unreachable = 0;
    for (;;)
    {
        auto output = RunProgram({"squeue", "--noheader", "--format=%i", "--jobs=" + ids});
        if (output.exitCode == 0)
        {
            unreachable = 0;
            if (output.out.find_first_not_of(" \n") == std::string::npos)
            {
                return;
            }
        }
        else if (output.out.find("Invalid job id") != std::string::npos)
        {
            return; // every job ended long enough ago to be forgotten
        }
        else if (++unreachable * poll > std::chrono::minutes(5))
        {
            throw InputError(kPlace, "slurm: squeue failed for 5 minutes: " + FailureText(output));
        }
        std::this_thread::sleep_for(poll);
    }
}

std::vector<FailedRun>
SlurmFailures(const SweepWork& work, const std::vector<SlurmArray>& arrays)
{
    std::vector<FailedRun> failed;
    for (const auto& array : arrays)
    {
        for (std::size_t run = 0; run < array.tasks.size(); ++run)
        {
            const auto& task = array.tasks[run];
            std::size_t k = run / std::max<std::uint32_t>(1, array.runsPerTask);
            if (!FinishedRun(work.outDirectory, task))
            {
                failed.push_back(
                    {task.label,
                     "array task " + array.jobId + "_" + std::to_string(k) + " left no run.json",
                     SweepLogFolder(work.outDirectory)
                         / ("slurm-" + array.jobId + "_" + std::to_string(k) + ".log")});
            }
        }
    }
    return failed;
}

} // namespace ns3::fabric::app
