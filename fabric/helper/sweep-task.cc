#include "fabric/helper/sweep-task.h"

#include "telemetry/model/json-object-reader.h"

#include <fstream>
#include <functional>
#include <unistd.h>
#include <vector>

namespace ns3::fabric
{

using fab::telemetry::InputError;
namespace fs = std::filesystem;

namespace
{

constexpr const char* kRecordFile = "run.json";

std::optional<nlohmann::json>
ReadJsonIfThere(const fs::path& path)
{
    std::error_code error;
    if (!fs::is_regular_file(path, error))
    {
        return std::nullopt;
    }
    try
    {
        return fab::telemetry::ReadJsonFile(path.string());
    }
    catch (const InputError&)
    {
        return std::nullopt;
    }
}

} // namespace

fs::path
SweepTaskFolder(const std::string& outDirectory, const SweepTask& task)
{
    return fs::path(outDirectory) / "runs" / task.folder;
}

fs::path
SweepPlanPath(const std::string& outDirectory)
{
    return fs::path(outDirectory) / "sweep" / "plan.json";
}

void
WriteFileAtomically(const fs::path& path, const std::function<void(std::ostream&)>& write)
{
    fs::path temporary = path;
    temporary += ".partial-" + std::to_string(::getpid());
    std::error_code error;
    try
    {
        // Large files go out in few system calls.
        std::vector<char> buffer(std::size_t{1} << 20);
        std::ofstream out;
        out.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        out.open(temporary, std::ios::binary);
        write(out);
        out.flush();
        if (!out)
        {
            throw InputError(path.string(), "cannot write this file");
        }
    }
    catch (...)
    {
        fs::remove(temporary, error);
        throw;
    }
    fs::rename(temporary, path, error);
    if (error)
    {
        fs::remove(temporary, error);
        throw InputError(path.string(), "cannot write this file");
    }
}

void
WriteFileAtomically(const fs::path& path, const std::string& text)
{
    WriteFileAtomically(path, [&text](std::ostream& out) { out << text; });
}

std::size_t
PrepareSweepFolder(const SweepPlan& plan, const std::string& outDirectory)
{
    std::string text = SweepPlanJson(plan).dump(1) + "\n";
    auto path = SweepPlanPath(outDirectory);
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    auto earlier = ReadJsonIfThere(path);
    if (!earlier || *earlier != SweepPlanJson(plan))
    {
        // Runs of another plan would be merged as this one's.
        fs::remove_all(fs::path(outDirectory) / "runs", error);
    }
    fs::create_directories(fs::path(outDirectory) / "runs", error);
    if (error)
    {
        throw InputError(outDirectory, "cannot create the sweep's folders: " + error.message());
    }
    WriteFileAtomically(path, text);
    return plan.tasks.size() - PendingTasks(plan, outDirectory).size();
}

SweepPlan
LoadSweepPlan(const std::string& outDirectory)
{
    auto path = SweepPlanPath(outDirectory).string();
    try
    {
        if (!fs::is_regular_file(path))
        {
            throw InputError("", "no sweep here: expected the folder a sweep wrote (--out)");
        }
        return SweepPlanFromJson(fab::telemetry::ReadJsonFile(path));
    }
    catch (InputError& e)
    {
        if (e.File().empty())
        {
            e.SetFile(path);
        }
        throw;
    }
}

std::optional<SweepRunRecord>
FinishedRun(const std::string& outDirectory, const SweepTask& task)
{
    auto document = ReadJsonIfThere(SweepTaskFolder(outDirectory, task) / kRecordFile);
    if (!document || !document->is_object()
        || document->value("task", nlohmann::json()) != SweepTaskJson(task))
    {
        return std::nullopt;
    }
    try
    {
        return SweepRunRecordFromJson(document->at("record"));
    }
    catch (const std::exception&)
    {
        return std::nullopt; // run again what cannot be read
    }
}

std::vector<std::uint32_t>
PendingTasks(const SweepPlan& plan, const std::string& outDirectory)
{
    std::vector<std::uint32_t> pending;
    for (const auto& task : plan.tasks)
    {
        if (!FinishedRun(outDirectory, task))
        {
            pending.push_back(task.index);
        }
    }
    return pending;
}

SweepRunRecord
RunSweepTask(const SweepPlan& plan,
             const SweepTask& task,
             const std::string& outDirectory,
             const SimulationOptions& options)
{
    if (task.engine != "packet")
    {
        throw InputError("/tasks/" + std::to_string(task.index) + "/engine",
                         "this build runs the \"packet\" engine, not \"" + task.engine + "\"");
    }
    Scenario scenario = TaskScenario(plan, task);
    auto folder = SweepTaskFolder(outDirectory, task);
    std::error_code error;
    fs::remove_all(folder, error); // what an interrupted run left
    fs::create_directories(folder, error);
    if (error)
    {
        throw InputError(folder.string(), "cannot create this folder: " + error.message());
    }
    auto runs = static_cast<std::uint32_t>(plan.tasks.size());
    SimulationOptions runOptions = TagSweepRun(options, task.label, task.index + 1, runs);
    runOptions.outDirectory = folder.string();
    std::string sflowPcap = UseSweepRunSflowPcap(scenario, task.label, outDirectory);
    SimulationResult result = RunSimulation(scenario, runOptions);
    std::string prefix = "runs/" + task.folder + "/";
    for (auto& file : result.files)
    {
        file = prefix + file;
    }
    if (!sflowPcap.empty())
    {
        result.files.push_back(sflowPcap);
    }
    WriteFileAtomically(folder / "summary.json",
                        [&result](std::ostream& out) { WriteSummaryJson(result, out); });
    SweepRunRecord record = RecordRun(result);
    record.files.insert(record.files.begin(), prefix + "summary.json");
    nlohmann::json document
        = {{"task", SweepTaskJson(task)}, {"record", SweepRunRecordJson(record)}};
    WriteFileAtomically(folder / kRecordFile, document.dump() + "\n");
    return record;
}

SweepResult
MergeSweep(const SweepPlan& plan, const std::string& outDirectory)
{
    SweepResult sweep;
    sweep.vary = plan.vary;
    sweep.scenarioName = plan.scenarioName;
    sweep.designName = plan.designName;
    sweep.dimensions = plan.dimensions;
    sweep.seeds = plan.seeds;
    std::vector<std::string> missing;
    for (const auto& task : plan.tasks)
    {
        auto record = FinishedRun(outDirectory, task);
        if (!record)
        {
            missing.push_back(task.label);
            continue;
        }
        SweepRun run{task.label, task.policy, task.target, task.point, std::move(*record)};
        if (task.baseline)
        {
            sweep.baseline = std::move(run);
        }
        else
        {
            sweep.runs.push_back(std::move(run));
        }
    }
    if (!missing.empty())
    {
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 10; ++i)
        {
            list += (i > 0 ? ", " : "") + missing[i];
        }
        if (missing.size() > 10)
        {
            list += ", ...";
        }
        throw InputError(outDirectory,
                         std::to_string(missing.size()) + " of " + std::to_string(plan.tasks.size())
                             + " runs have not finished (" + list
                             + "); run the same simulate command again to run only those");
    }
    AddUpSweepCosts(sweep);
    return sweep;
}

} // namespace ns3::fabric
