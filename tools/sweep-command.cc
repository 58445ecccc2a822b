#include "tools/sweep-command.h"

#include "fabric/app/kubernetes-job.h"
#include "fabric/app/slurm-executor.h"
#include "fabric/app/sweep-work.h"
#include "fabric/helper/scenario-estimate.h"
#include "fabric/helper/sweep-task.h"
#include "telemetry/model/json-object-reader.h"
#include "tools/output.h"
#include "topologies/model/units.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <spdlog/spdlog.h>

namespace fab::tools
{

using telemetry::InputError;
namespace fabric = ns3::fabric;
namespace app = ns3::fabric::app;
namespace fs = std::filesystem;

namespace
{

constexpr unsigned kMaxLocalWorkers = 256;

/** The scenario as a document, as the plan carries it to other processes. */
nlohmann::json
ScenarioDocument(const SimulateOptions& options)
{
    if (!options.scenario)
    {
        return telemetry::ParseJsonText(fabric::DefaultScenarioText());
    }
    return telemetry::ReadJsonFile(*options.scenario);
}

/** The command line's changes to the scenario, written into the document workers read. */
void
ApplyOverrides(const SimulateOptions& options,
               const fabric::Scenario& scenario,
               nlohmann::json& document)
{
    if (options.seed)
    {
        if (!scenario.sweep.seeds.empty())
        {
            throw InputError("--seed", "the sweep's /sweep/seeds set each run's seed already");
        }
        document["seed"] = *options.seed;
    }
    if (options.sflowCollector || options.sflowRate || options.sflowPcap)
    {
        auto& sflow = document["outputs"]["sflow"];
        if (options.sflowCollector)
        {
            sflow["collector"] = *options.sflowCollector;
        }
        if (options.sflowRate)
        {
            sflow["sampling_rate"] = *options.sflowRate;
        }
        if (options.sflowPcap)
        {
            sflow["pcap"] = fs::absolute(*options.sflowPcap).string();
        }
    }
}

/**
 * Reads every run's scenario before anything runs, so that a grid's combinations that do not
 * read together fail now, naming the run; returns the largest run's estimated memory.
 */
std::uint64_t
CheckTasks(const fabric::SweepPlan& plan)
{
    std::uint64_t largest = 0;
    // Policy and link runs differ only in what the plan sets after reading: two stand for all.
    std::size_t count = plan.vary == fabric::ScenarioSweep::Vary::Grid
                            ? plan.tasks.size()
                            : std::min<std::size_t>(2, plan.tasks.size());
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto& task = plan.tasks[i];
        fabric::Scenario scenario;
        try
        {
            scenario = fabric::TaskScenario(plan, task);
        }
        catch (const InputError& e)
        {
            std::string values = task.point.is_null() ? "" : " " + task.point.dump();
            throw InputError("/sweep",
                             "run " + task.label + values + " does not read: " + e.what());
        }
        largest = std::max(largest, fabric::EstimateScenario(scenario).memory.PeakBytes());
    }
    return largest;
}

/** This program, as workers start it. */
std::string
ThisProgram()
{
    std::error_code error;
    auto path = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string("fabricscope") : path.string();
}

void
ReportFailures(const std::vector<app::FailedRun>& failed, std::size_t total)
{
    for (const auto& f : failed)
    {
        spdlog::error("run \"{}\" failed ({}); its log: {}", f.label, f.reason, f.log.string());
    }
    throw InputError("--executor",
                     std::to_string(failed.size()) + " of " + std::to_string(total)
                         + " runs failed (their logs are named above); run the same command "
                           "again to run only those");
}

/** The runs on the task's line of its task list: plan indices separated by spaces. */
std::vector<std::uint32_t>
TasksFromList(const SweepRunOptions& options)
{
    std::uint64_t line = 0;
    if (options.taskIndexEnv)
    {
        const char* value = std::getenv(options.taskIndexEnv->c_str());
        std::string text = value != nullptr ? value : "";
        if (text.empty() || text.size() > 9
            || text.find_first_not_of("0123456789") != std::string::npos)
        {
            throw InputError("--task-index-env",
                             *options.taskIndexEnv + " holds no array index (\"" + text + "\")");
        }
        line = std::stoull(text);
    }
    else if (options.taskIndex)
    {
        line = *options.taskIndex;
    }
    else
    {
        throw InputError("--task-list", "needs --task-index or --task-index-env");
    }
    std::ifstream list(*options.taskList);
    if (!list)
    {
        throw InputError(*options.taskList, "cannot read this task list");
    }
    std::string text;
    for (std::uint64_t k = 0; std::getline(list, text); ++k)
    {
        if (k != line)
        {
            continue;
        }
        std::vector<std::uint32_t> indices;
        std::istringstream words(text);
        std::string word;
        while (words >> word)
        {
            if (word.size() > 9 || word.find_first_not_of("0123456789") != std::string::npos)
            {
                indices.clear();
                break;
            }
            indices.push_back(static_cast<std::uint32_t>(std::stoul(word)));
        }
        if (!indices.empty())
        {
            return indices;
        }
        break;
    }
    throw InputError(*options.taskList,
                     "line " + std::to_string(line)
                         + ": expected the indices of runs, separated by spaces");
}

/** Runs one run of the plan unless it finished before; throws InputError when it cannot. */
void
RunOneOfPlan(const fabric::SweepPlan& plan, const std::string& out, std::uint32_t index)
{
    if (index >= plan.tasks.size())
    {
        throw InputError("--index",
                         "the sweep has runs 0 to " + std::to_string(plan.tasks.size() - 1)
                             + ", not " + std::to_string(index));
    }
    const auto& task = plan.tasks[index];
    if (fabric::FinishedRun(out, task))
    {
        spdlog::info("sweep-run label=\"{}\" finished before; nothing to do", task.label);
        return;
    }
    spdlog::info("sweep-run index={} label=\"{}\" engine={}", index, task.label, task.engine);
    auto record = fabric::RunSweepTask(plan, task, out, {});
    spdlog::info("sweep-run label=\"{}\" completed={} events={} wall_s={:.2f}",
                 task.label,
                 record.completed,
                 record.events,
                 record.wallSeconds);
}

} // namespace

Executor
ParseExecutor(const SimulateOptions& options)
{
    Executor executor;
    const std::string& text = options.executor;
    if (text == "inproc")
    {
        executor.kind = Executor::Kind::InProcess;
    }
    else if (text.rfind("local:", 0) == 0)
    {
        std::string count = text.substr(6);
        if (count.empty() || count.size() > 3
            || count.find_first_not_of("0123456789") != std::string::npos || std::stoul(count) < 1
            || std::stoul(count) > kMaxLocalWorkers)
        {
            throw InputError("--executor",
                             "expected local:N with N from 1 to " + std::to_string(kMaxLocalWorkers)
                                 + ", found \"" + text + "\"");
        }
        executor.kind = Executor::Kind::Local;
        executor.workers = static_cast<unsigned>(std::stoul(count));
    }
    else if (text == "slurm" || text.rfind("slurm:", 0) == 0)
    {
        executor.kind = Executor::Kind::Slurm;
        executor.slurmOptions = text.size() > 6 ? text.substr(6) : "";
        app::ParseSlurmOptions(executor.slurmOptions);
    }
    else
    {
        throw InputError("--executor",
                         "expected inproc, local:N or slurm[:OPTIONS], found \"" + text + "\"");
    }
    if (options.noWait && executor.kind != Executor::Kind::Slurm)
    {
        throw InputError("--no-wait", "only a Slurm sweep runs on without this command");
    }
    if (options.prometheus && executor.kind != Executor::Kind::InProcess)
    {
        throw InputError("--prometheus", "serves the runs of this process: use --executor inproc");
    }
    if (options.emit && options.emit->rfind("k8s", 0) != 0)
    {
        throw InputError("--emit", "expected k8s or k8s:IMAGE, found \"" + *options.emit + "\"");
    }
    return executor;
}

int
RunSweepSimulation(const SimulateOptions& options,
                   const fabric::Scenario& scenario,
                   const Executor& executor,
                   const fabric::SimulationOptions& run,
                   const std::function<int(const telemetry::Report&)>& finish)
{
    std::string source = options.scenario.value_or("builtin:default");
    nlohmann::json document = ScenarioDocument(options);
    ApplyOverrides(options, scenario, document);
    // A scenario named without a folder ("scenario.json") has an empty parent: this one.
    fs::path base = options.scenario ? fs::path(*options.scenario).parent_path() : fs::path();
    if (base.empty())
    {
        base = ".";
    }
    std::string out = fs::absolute(options.out).lexically_normal().string();
    auto plan = fabric::PlanSweep(document, scenario, source, fs::absolute(base).string());
    app::SweepWork work;
    work.outDirectory = out;
    work.memoryPerTaskBytes = CheckTasks(plan);
    work.worker = {ThisProgram(), "sweep-run", out};

    std::size_t kept = fabric::PrepareSweepFolder(plan, out);
    for (auto index : fabric::PendingTasks(plan, out))
    {
        work.tasks.push_back(plan.tasks[index]);
    }
    spdlog::info("sweep runs={} finished_before={} to_run={} executor={} out=\"{}\"",
                 plan.tasks.size(),
                 kept,
                 work.tasks.size(),
                 options.executor,
                 out);

    if (options.emit)
    {
        auto folder = fs::path(out) / "sweep" / "k8s";
        fs::create_directories(folder);
        auto list = folder / "tasks.txt";
        app::WriteTaskList(list, work.tasks);
        std::string image
            = options.emit->size() > 4 ? options.emit->substr(4) : "fabricscope:latest";
        fabric::WriteFileAtomically(
            folder / "indexed-job.yaml",
            app::KubernetesIndexedJob(work, list.string(), image, executor.workers));
        std::cout << (folder / "indexed-job.yaml").string() << "\n";
        spdlog::info("wrote a Kubernetes Indexed Job of {} runs; once it has completed, "
                     "`fabricscope sweep-merge {}` merges them",
                     work.tasks.size(),
                     out);
        return kExitOk;
    }

    switch (executor.kind)
    {
        case Executor::Kind::InProcess:
            for (const auto& task : work.tasks)
            {
                fabric::RunSweepTask(plan, task, out, run);
            }
            break;
        case Executor::Kind::Local:
        {
            auto failed = app::RunLocally(
                work,
                executor.workers,
                [&work](const fabric::SweepTask& task, bool finished, std::size_t ended)
                {
                    spdlog::info("run {}/{} label=\"{}\" finished={}",
                                 ended,
                                 work.tasks.size(),
                                 task.label,
                                 finished);
                });
            if (!failed.empty())
            {
                ReportFailures(failed, plan.tasks.size());
            }
            break;
        }
        case Executor::Kind::Slurm:
        {
            auto arrays = app::SubmitToSlurm(work, app::ParseSlurmOptions(executor.slurmOptions));
            for (const auto& array : arrays)
            {
                spdlog::info("slurm job={} array_tasks={} runs={}",
                             array.jobId,
                             fab::topo::CeilDiv(array.tasks.size(), array.runsPerTask),
                             array.tasks.size());
            }
            if (options.noWait)
            {
                std::cout << out << "\n";
                spdlog::info("submitted; once the jobs have ended, `fabricscope sweep-merge {}` "
                             "merges the runs",
                             out);
                return kExitOk;
            }
            app::WaitForSlurm(arrays, std::chrono::milliseconds(500));
            auto failed = app::SlurmFailures(work, arrays);
            if (!failed.empty())
            {
                ReportFailures(failed, plan.tasks.size());
            }
            break;
        }
    }
    auto sweep = fabric::MergeSweep(plan, out);
    WriteTextFile(fs::path(out) / "summary.json", fabric::SweepJson(sweep).dump(2) + "\n");
    spdlog::info("swept runs={} run_wall_s={:.2f} peak_rss_bytes={}",
                 plan.tasks.size(),
                 sweep.wallSeconds,
                 sweep.peakRssBytes);
    return finish(fabric::SweepReport(sweep));
}

void
AddSweepRunOptions(CLI::App& command, SweepRunOptions& options)
{
    command.add_option("dir", options.out, "the sweep's folder (simulate --out)")->required();
    command.add_option("--index", options.index, "the run's index in sweep/plan.json");
    command.add_option("--task-list", options.taskList, "a task list: per line, the indices of the runs of one task");
    command.add_option("--task-index", options.taskIndex, "the line of the task list, from 0");
    command.add_option("--task-index-env",
                       options.taskIndexEnv,
                       "the variable that holds the line (SLURM_ARRAY_TASK_ID, "
                       "JOB_COMPLETION_INDEX)");
}

int
RunSweepWorker(const SweepRunOptions& options)
{
    try
    {
        auto plan = fabric::LoadSweepPlan(options.out);
        std::vector<std::uint32_t> indices;
        if (options.index && !options.taskList)
        {
            indices.push_back(*options.index);
        }
        else if (options.taskList && !options.index)
        {
            indices = TasksFromList(options);
        }
        else
        {
            throw InputError("--index", "expected either --index or --task-list");
        }
        // A task of several runs goes on past one that fails: the others still land, and the
        // executor names the failed ones.
        int exitCode = kExitOk;
        for (auto index : indices)
        {
            try
            {
                RunOneOfPlan(plan, options.out, index);
            }
            catch (const InputError& error)
            {
                spdlog::error("{}", error.what());
                exitCode = kExitBadInput;
            }
        }
        return exitCode;
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
}

void
AddSweepMergeOptions(CLI::App& command, SweepMergeOptions& options)
{
    command.add_option("dir", options.out, "the sweep's folder (simulate --out)")->required();
    AddReportFileOptions(command, options.formats, options.failOn);
}

int
RunSweepMerge(const SweepMergeOptions& options)
{
    try
    {
        auto plan = fabric::LoadSweepPlan(options.out);
        auto sweep = fabric::MergeSweep(plan, options.out);
        WriteTextFile(fs::path(options.out) / "summary.json",
                      fabric::SweepJson(sweep).dump(2) + "\n");
        spdlog::info("merged runs={} run_wall_s={:.2f}", plan.tasks.size(), sweep.wallSeconds);
        return WriteReportFiles(
            fabric::SweepReport(sweep), options.out, options.formats, options.failOn);
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
}

} // namespace fab::tools
