// The local executor: a sweep's runs as worker processes on this machine.
#include "fabric/app/child-command.h"
#include "fabric/app/sweep-work.h"
#include "fabric/helper/sweep-task.h"
#include "telemetry/model/json-object-reader.h"

#include <fstream>
#include <map>

namespace ns3::fabric::app
{

std::filesystem::path
SweepLogFolder(const std::string& outDirectory)
{
    return std::filesystem::path(outDirectory) / "sweep" / "logs";
}

void
WriteTaskList(const std::filesystem::path& path,
              const std::vector<SweepTask>& tasks,
              std::uint32_t perLine)
{
    std::string text;
    for (std::size_t k = 0; k < tasks.size(); ++k)
    {
        bool lineEnds = (k + 1) % perLine == 0 || k + 1 == tasks.size();
        text += std::to_string(tasks[k].index) + (lineEnds ? "\n" : " ");
    }
    WriteFileAtomically(path, text);
}

std::vector<FailedRun>
RunLocally(const SweepWork& work, unsigned workers, const RunEnded& ended)
{
    auto logs = SweepLogFolder(work.outDirectory);
    std::error_code error;
    std::filesystem::create_directories(logs, error);
    std::vector<FailedRun> failed;
    std::map<pid_t, const SweepTask*> running;
    std::size_t next = 0;
    std::size_t done = 0;
    auto reason = [](int code)
    {
        return code > 128 ? "signal " + std::to_string(code - 128) : "exit " + std::to_string(code);
    };
    while (next < work.tasks.size() || !running.empty())
    {
        while (next < work.tasks.size() && running.size() < std::max(1u, workers))
        {
            const SweepTask& task = work.tasks[next++];
            auto arguments = work.worker;
            arguments.push_back("--index");
            arguments.push_back(std::to_string(task.index));
            auto log = logs / (task.folder + ".log");
            pid_t pid = StartWorker(arguments, log);
            if (pid < 0)
            {
                throw fab::telemetry::InputError(
                    "--executor", "cannot start a worker (" + work.worker.front() + ")");
            }
            running[pid] = &task;
        }
        int code = 0;
        pid_t pid = WaitForWorker(code);
        if (pid < 0)
        {
            for (const auto& [lost, task] : running)
            {
                failed.push_back({task->label, "lost", logs / (task->folder + ".log")});
            }
            break;
        }
        auto it = running.find(pid);
        if (it == running.end())
        {
            continue; // a child that is not one of ours
        }
        const SweepTask& task = *it->second;
        running.erase(it);
        bool finished = code == 0 && FinishedRun(work.outDirectory, task).has_value();
        if (!finished)
        {
            failed.push_back({task.label,
                              code == 0 ? "no run.json" : reason(code),
                              logs / (task.folder + ".log")});
        }
        ++done;
        if (ended)
        {
            ended(task, finished, done);
        }
    }
    return failed;
}

} // namespace ns3::fabric::app
