// Sweeps as files: each run in runs/<label>/, merged into one summary and report that are the
// same whichever executor ran the runs (in this process, local worker processes, a real
// single-node Slurm), in whatever order, and however often the sweep was stopped and resumed.
// Grids over scenario values by JSON pointer, checked before anything runs.
#include "support/child-process.h"
#include "support/run-command.h"
#include "support/sflow-scenario.h"
#include "support/slurm.h"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

using namespace fab::tests;
using nlohmann::json;
namespace fs = std::filesystem;

namespace
{

std::string
LinkSweepScenario()
{
    return std::string(FABRICSCOPE_SOURCE_DIR) + "/fabric/scenarios/link-sweep.json";
}

json
ReadJson(const fs::path& path)
{
    return json::parse(ReadFile(path));
}

/** A merged summary without what depends on the machine: wall times and peak memory. */
json
Comparable(json summary)
{
    auto& sweep = summary.at("sweep");
    for (const char* key : {"wall_s", "peak_rss_bytes"})
    {
        REQUIRE(sweep.at(key).is_number());
        sweep.erase(key);
    }
    for (auto& run : sweep.at("runs"))
    {
        run.at("sim").erase("wall_s");
        run.at("sim").erase("peak_rss_bytes");
    }
    return summary;
}

CommandResult
Sweep(const fs::path& dir,
      const std::string& scenario,
      const std::string& out,
      const std::string& extra = "")
{
    return RunFabricscopeBounded(dir,
                                 "simulate '" + scenario + "' --out " + out
                                     + " --no-progress --format md,json " + extra,
                                 600);
}

std::size_t
FinishedRuns(const fs::path& out)
{
    std::size_t count = 0;
    if (fs::exists(out / "runs"))
    {
        for (const auto& entry : fs::directory_iterator(out / "runs"))
        {
            count += fs::exists(entry.path() / "run.json") ? 1 : 0;
        }
    }
    return count;
}

/** The link sweep run in this process once per test binary: what other executors must match. */
const fs::path&
InProcessLinkSweep()
{
    static const fs::path dir = []
    {
        auto d = TempDir("sweep-inproc");
        auto result = Sweep(d, LinkSweepScenario(), "out");
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        return d / "out";
    }();
    return dir;
}

json
GridScenario()
{
    json scenario = SmallScenario();
    scenario["sweep"] = json::parse(R"({
      "grid": {"/fabric/transport/congestion_control": ["dcqcn", "dctcp"],
               "/jobs/0/bytes": ["1MiB", "2MiB"]},
      "seeds": [1, 2]
    })");
    scenario["fabric"] = json::parse(R"({"transport": {"congestion_control": "dcqcn"}})");
    return scenario;
}

} // namespace

TEST_CASE("a link sweep's runs are folders, and the merge is the same for inproc and local:2",
          "[integration][simulate][sweep]")
{
    const auto& inproc = InProcessLinkSweep();
    auto summary = ReadJson(inproc / "summary.json");
    REQUIRE(summary["sweep"]["runs"].size() == 8);
    for (const char* folder : {"baseline", "leaf-0-0-4", "leaf-1-0-7"})
    {
        INFO(folder);
        auto run = ReadJson(inproc / "runs" / folder / "summary.json");
        REQUIRE(run["completed"] == true);
        REQUIRE(fs::exists(inproc / "runs" / folder / "run.json"));
    }
    REQUIRE(summary["sweep"]["runs"][0]["files"][0] == "runs/leaf-0-0-4/summary.json");

    auto dir = TempDir("sweep-local");
    auto result = Sweep(dir, LinkSweepScenario(), "out", "--executor local:2");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    REQUIRE(result.err.find("finished_before=0 to_run=9 executor=local:2") != std::string::npos);
    REQUIRE(fs::exists(dir / "out" / "sweep" / "logs" / "leaf-0-0-4.log"));
    REQUIRE(Comparable(ReadJson(dir / "out" / "summary.json")) == Comparable(summary));
    REQUIRE(ReadFile(dir / "out" / "report.md") == ReadFile(inproc / "report.md"));

    SECTION("run again, nothing is left to run and the merge is the same")
    {
        auto again = Sweep(dir, LinkSweepScenario(), "out", "--executor local:2");
        INFO(again.err);
        REQUIRE(again.exitCode == 0);
        REQUIRE(again.err.find("finished_before=9 to_run=0") != std::string::npos);
        REQUIRE(ReadFile(dir / "out" / "report.md") == ReadFile(inproc / "report.md"));
    }
    SECTION("sweep-merge merges the same from the folder alone")
    {
        fs::remove(dir / "out" / "summary.json");
        auto merged = RunFabricscopeBounded(dir, "sweep-merge out --format md");
        INFO(merged.err);
        REQUIRE(merged.exitCode == 0);
        REQUIRE(Comparable(ReadJson(dir / "out" / "summary.json")) == Comparable(summary));
    }
    SECTION("a run whose record is gone runs again; sweep-merge names it until then")
    {
        fs::remove(dir / "out" / "runs" / "leaf-1-0-5" / "run.json");
        auto merged = RunFabricscopeBounded(dir, "sweep-merge out");
        REQUIRE(merged.exitCode == 2);
        REQUIRE(merged.err.find("1 of 9 runs have not finished (leaf-1-0:5)") != std::string::npos);
        auto again = Sweep(dir, LinkSweepScenario(), "out", "--executor inproc");
        INFO(again.err);
        REQUIRE(again.exitCode == 0);
        REQUIRE(again.err.find("finished_before=8 to_run=1") != std::string::npos);
        REQUIRE(Comparable(ReadJson(dir / "out" / "summary.json")) == Comparable(summary));
    }
}

TEST_CASE("a sweep stopped half-way runs only its missing runs when started again",
          "[integration][simulate][sweep]")
{
    auto executor = GENERATE(as<std::string>{}, "inproc", "local:2");
    INFO(executor);
    auto dir = TempDir("sweep-resume");
    std::map<std::string, fs::file_time_type> before;
    {
        ChildProcess sweep({FABRICSCOPE_BINARY,
                            "simulate",
                            LinkSweepScenario(),
                            "--out",
                            (dir / "out").string(),
                            "--no-progress",
                            "--executor",
                            executor},
                           dir / "first.log");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (FinishedRuns(dir / "out") < 3 && std::chrono::steady_clock::now() < deadline)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        sweep.Stop();
    }
    // Workers die with the command that started them: no run finishes after it.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::size_t finished = FinishedRuns(dir / "out");
    INFO(ReadFile(dir / "first.log"));
    REQUIRE(finished >= 3);
    REQUIRE(finished < 9);
    REQUIRE_FALSE(fs::exists(dir / "out" / "summary.json"));
    for (const auto& entry : fs::directory_iterator(dir / "out" / "runs"))
    {
        if (fs::exists(entry.path() / "run.json"))
        {
            before[entry.path().filename().string()]
                = fs::last_write_time(entry.path() / "run.json");
        }
    }
    REQUIRE(before.size() == finished);

    auto result = Sweep(dir, LinkSweepScenario(), "out", "--executor " + executor);
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    REQUIRE(result.err.find("finished_before=" + std::to_string(finished)
                            + " to_run=" + std::to_string(9 - finished))
            != std::string::npos);
    for (const auto& [folder, time] : before)
    {
        INFO(folder);
        REQUIRE(fs::last_write_time(dir / "out" / "runs" / folder / "run.json") == time);
    }
    REQUIRE(Comparable(ReadJson(dir / "out" / "summary.json"))
            == Comparable(ReadJson(InProcessLinkSweep() / "summary.json")));
    REQUIRE(ReadFile(dir / "out" / "report.md") == ReadFile(InProcessLinkSweep() / "report.md"));
}

TEST_CASE("another scenario in the same folder discards the earlier runs",
          "[integration][simulate][sweep]")
{
    auto dir = TempDir("sweep-replan");
    json scenario = GridScenario();
    scenario["sweep"].erase("grid");
    WriteJson(dir / "seeds.json", scenario);
    auto first = Sweep(dir, (dir / "seeds.json").string(), "out");
    INFO(first.err);
    REQUIRE(first.exitCode == 0);
    REQUIRE(ReadJson(dir / "out" / "summary.json")["sweep"]["runs"].size() == 2);
    scenario["sweep"]["seeds"] = {1, 2, 3};
    WriteJson(dir / "seeds.json", scenario);
    auto second = Sweep(dir, (dir / "seeds.json").string(), "out");
    INFO(second.err);
    REQUIRE(second.exitCode == 0);
    REQUIRE(second.err.find("finished_before=0 to_run=3") != std::string::npos);
}

TEST_CASE("a grid over scenario values and seeds: every point, spread over the seeds",
          "[integration][simulate][sweep][grid]")
{
    auto dir = TempDir("sweep-grid");
    WriteJson(dir / "grid.json", GridScenario());
    auto result = Sweep(dir, (dir / "grid.json").string(), "out", "--executor local:2");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    auto sweep = ReadJson(dir / "out" / "summary.json")["sweep"];
    REQUIRE(sweep["vary"] == "grid");
    REQUIRE(sweep["dimensions"] == json({"/fabric/transport/congestion_control", "/jobs/0/bytes"}));
    REQUIRE(sweep["runs"].size() == 8);
    REQUIRE(sweep["points"].size() == 4);
    std::set<std::string> seen;
    for (const auto& point : sweep["points"])
    {
        seen.insert(point["values"].dump());
        REQUIRE(point["runs"].size() == 2);
        REQUIRE(point["completed_runs"] == 2);
        REQUIRE(point["busbw_gbps"]["min"].get<double>() > 1.0);
        REQUIRE(point["busbw_gbps"]["min"] <= point["busbw_gbps"]["mean"]);
        REQUIRE(point["busbw_gbps"]["mean"] <= point["busbw_gbps"]["max"]);
    }
    REQUIRE(seen.size() == 4);
    // Each run ran its point's values: its own summary says so.
    for (const auto& run : sweep["runs"])
    {
        auto own
            = ReadJson(dir / "out" / "runs" / run["label"].get<std::string>() / "summary.json");
        REQUIRE(own["seed"] == run["seed"]);
        std::string bytes = run["values"]["/jobs/0/bytes"];
        REQUIRE(own["collectives"][0]["bytes"] == (bytes == "1MiB" ? 1u << 20 : 2u << 20));
    }
    REQUIRE(sweep["runs"][0]["label"] == "g0-s1");
    REQUIRE(sweep["runs"][1]["label"] == "g0-s2");
    auto markdown = ReadFile(dir / "out" / "report.md");
    REQUIRE(markdown.find("**/fabric/transport/congestion_control**") != std::string::npos);
    REQUIRE(markdown.find("**/jobs/0/bytes**") != std::string::npos);
    REQUIRE(markdown.find("Bus bandwidth per grid point") != std::string::npos);
    // The same grid in this process merges to the same summary.
    auto inproc = Sweep(dir, (dir / "grid.json").string(), "out-inproc");
    REQUIRE(inproc.exitCode == 0);
    REQUIRE(Comparable(ReadJson(dir / "out-inproc" / "summary.json"))
            == Comparable(ReadJson(dir / "out" / "summary.json")));
}

TEST_CASE("a bad grid, seed list or executor exits 2 naming the place before anything runs",
          "[integration][simulate][sweep][grid]")
{
    struct Case
    {
        const char* what;
        json sweep;
        std::string extra;
        const char* mention;
    };
    auto c = GENERATE(
        Case{"a value the reader refuses",
             {{"grid", {{"/fabric/transport/congestion_control", {"dcqcn", "hope"}}}}},
             "",
             "grid.json: /sweep/grid/~1fabric~1transport~1congestion_control/1: with "
             "/fabric/transport/congestion_control set to \"hope\", the scenario does not read: "
             "/fabric/transport/congestion_control: expected \"dcqcn\""},
        Case{"a pointer to nowhere",
             {{"grid", {{"/fabric/nowhere/x", {1}}}}},
             "",
             "grid.json: /sweep/grid/~1fabric~1nowhere~1x: the scenario has no object at "
             "/fabric/nowhere"},
        Case{"a job that is not there",
             {{"grid", {{"/jobs/3/bytes", {"1MiB"}}}}},
             "",
             "grid.json: /sweep/grid/~1jobs~13~1bytes: the scenario has no object at /jobs/3"},
        Case{"a key the reader does not know",
             {{"grid", {{"/fabric/colour", {"blue"}}}}},
             "",
             "/sweep/grid/~1fabric~1colour/0: with /fabric/colour set to \"blue\""},
        Case{"no pointer",
             {{"grid", {{"fabric", {1}}}}},
             "",
             "/sweep/grid/fabric: expected a JSON pointer"},
        Case{"the sweep itself",
             {{"grid", {{"/sweep/seeds", {1}}}}},
             "",
             "/sweep/grid/~1sweep~1seeds: a grid sets values inside"},
        Case{"no values",
             {{"grid", {{"/seed", json::array()}}}},
             "",
             "/sweep/grid/~1seed: expected a list"},
        Case{"a seed twice",
             {{"seeds", {1, 1}}},
             "",
             "grid.json: /sweep/seeds/1: seed 1 is listed twice"},
        Case{"a negative seed", {{"seeds", {-1}}}, "", "/sweep/seeds/0: expected a whole number"},
        Case{"seeds and --seed",
             {{"seeds", {1, 2}}},
             "--seed 3",
             "--seed: the sweep's /sweep/seeds"},
        Case{"local:0", {{"seeds", {1}}}, "--executor local:0", "--executor: expected local:N"},
        Case{"an unknown executor",
             {{"seeds", {1}}},
             "--executor cloud",
             "--executor: expected inproc"},
        Case{"an unknown Slurm option",
             {{"seeds", {1}}},
             "--executor slurm:colour=blue",
             "slurm: unknown option \"colour\""},
        Case{"no runs to a Slurm task",
             {{"seeds", {1}}},
             "--executor slurm:runs=0",
             "slurm: runs must be at least 1"},
        Case{"--no-wait in this process",
             {{"seeds", {1}}},
             "--no-wait",
             "--no-wait: only a Slurm sweep"});
    INFO(c.what);
    auto dir = TempDir("sweep-bad");
    json scenario = GridScenario();
    scenario["sweep"] = c.sweep;
    WriteJson(dir / "grid.json", scenario);
    auto result
        = RunFabricscopeBounded(dir, "simulate grid.json --out out --no-progress " + c.extra);
    INFO(result.err);
    REQUIRE(result.exitCode == 2);
    REQUIRE(result.err.find(c.mention) != std::string::npos);
    REQUIRE_FALSE(fs::exists(dir / "out" / "runs"));
}

TEST_CASE("--emit k8s writes an Indexed Job of the runs still to run",
          "[integration][simulate][sweep]")
{
    auto dir = TempDir("sweep-k8s");
    auto result = Sweep(dir, LinkSweepScenario(), "out", "--emit k8s:registry.example/fs:1");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    auto yaml = ReadFile(dir / "out" / "sweep" / "k8s" / "indexed-job.yaml");
    for (const char* line : {"kind: Job\n",
                             "  completionMode: Indexed\n",
                             "  completions: 9\n",
                             "      restartPolicy: Never\n",
                             "          image: \"registry.example/fs:1\"\n"})
    {
        INFO(line);
        REQUIRE(yaml.find(line) != std::string::npos);
    }
    REQUIRE(yaml.find("\"sweep-run\"") != std::string::npos);
    REQUIRE(yaml.find("\"--task-index-env\", \"JOB_COMPLETION_INDEX\"") != std::string::npos);
    REQUIRE(ReadFile(dir / "out" / "sweep" / "k8s" / "tasks.txt") == "0\n1\n2\n3\n4\n5\n6\n7\n8\n");
    REQUIRE(FinishedRuns(dir / "out") == 0);
    // What a pod runs, run here: completion index 4 is the plan's run 4.
    ::setenv("JOB_COMPLETION_INDEX", "4", 1);
    auto task = RunFabricscopeBounded(
        dir,
        "sweep-run out --task-list out/sweep/k8s/tasks.txt --task-index-env JOB_COMPLETION_INDEX");
    ::unsetenv("JOB_COMPLETION_INDEX");
    INFO(task.err);
    REQUIRE(task.exitCode == 0);
    REQUIRE(FinishedRuns(dir / "out") == 1);
    REQUIRE(fs::exists(dir / "out" / "runs" / "leaf-0-0-7" / "run.json"));
}

TEST_CASE("a link sweep as Slurm job arrays, split past MaxArraySize, merges as inproc does",
          "[integration][simulate][sweep][needs:slurm]")
{
    auto dir = TempDir("sweep-slurm");
    LocalSlurm slurm(dir / "slurm", 4);
    INFO(slurm.Logs());
    SECTION("waiting for the arrays")
    {
        auto result = Sweep(dir, LinkSweepScenario(), "out", "--executor slurm:parallel=2,cpus=1");
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        // 9 runs in arrays of at most 4 tasks: 3 jobs.
        std::size_t jobs = 0;
        for (auto at = result.err.find("slurm job="); at != std::string::npos;
             at = result.err.find("slurm job=", at + 1))
        {
            ++jobs;
        }
        REQUIRE(jobs == 3);
        auto shown = RunIn(dir, "scontrol --oneliner show job");
        std::size_t tasks = 0;
        for (auto at = shown.out.find("JobName=fabricscope-sweep"); at != std::string::npos;
             at = shown.out.find("JobName=fabricscope-sweep", at + 1))
        {
            ++tasks;
        }
        REQUIRE(tasks == 9);
        REQUIRE(shown.out.find("ArrayTaskId=3") != std::string::npos);
        REQUIRE(shown.out.find("JobState=COMPLETED") != std::string::npos);
        REQUIRE(fs::exists(dir / "out" / "sweep" / "slurm" / "sweep.sbatch"));
        REQUIRE(Comparable(ReadJson(dir / "out" / "summary.json"))
                == Comparable(ReadJson(InProcessLinkSweep() / "summary.json")));
        REQUIRE(ReadFile(dir / "out" / "report.md")
                == ReadFile(InProcessLinkSweep() / "report.md"));
    }
    SECTION("several runs to a task")
    {
        auto result = Sweep(dir, LinkSweepScenario(), "out", "--executor slurm:runs=4");
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        // 9 runs, 4 to a task: 3 tasks, in one array of at most 4.
        REQUIRE(result.err.find("array_tasks=3") != std::string::npos);
        REQUIRE(result.err.find("slurm job=", result.err.find("slurm job=") + 1)
                == std::string::npos);
        REQUIRE(ReadFile(dir / "out" / "sweep" / "slurm" / "array-0.tasks").find(" ")
                != std::string::npos);
        auto shown = RunIn(dir, "scontrol --oneliner show job");
        REQUIRE(shown.out.find("ArrayTaskId=2") != std::string::npos);
        REQUIRE(shown.out.find("ArrayTaskId=3") == std::string::npos);
        REQUIRE(FinishedRuns(dir / "out") == 9);
        REQUIRE(Comparable(ReadJson(dir / "out" / "summary.json"))
                == Comparable(ReadJson(InProcessLinkSweep() / "summary.json")));
    }
    SECTION("--no-wait, then sweep-merge")
    {
        auto result = Sweep(dir, LinkSweepScenario(), "out", "--executor slurm --no-wait");
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        REQUIRE_FALSE(fs::exists(dir / "out" / "summary.json"));
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
        while (RunIn(dir, "squeue --noheader").out.find_first_not_of(" \n") != std::string::npos
               && std::chrono::steady_clock::now() < deadline)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        auto merged = RunFabricscopeBounded(dir, "sweep-merge out --format md");
        INFO(merged.err);
        REQUIRE(merged.exitCode == 0);
        REQUIRE(ReadFile(dir / "out" / "report.md")
                == ReadFile(InProcessLinkSweep() / "report.md"));
    }
}

TEST_CASE("a Slurm task that fails is reported with its log",
          "[integration][simulate][sweep][needs:slurm]")
{
    auto dir = TempDir("sweep-slurm-fail");
    LocalSlurm slurm(dir / "slurm");
    INFO(slurm.Logs());
    // The runs need more memory than the node has: Slurm refuses the array at once.
    auto refused = Sweep(dir, LinkSweepScenario(), "out", "--executor slurm:mem=100000GiB");
    INFO(refused.err);
    REQUIRE(refused.exitCode == 2);
    REQUIRE(refused.err.find("--executor: slurm: sbatch refused the sweep: ") != std::string::npos);
}

TEST_CASE("the default scenario under each recovery policy: Slurm, local:2 and inproc agree",
          "[integration][simulate][sweep][slow][needs:slurm]")
{
    auto dir = TempDir("sweep-default-policies");
    json scenario = json::parse(
        ReadFile(std::string(FABRICSCOPE_SOURCE_DIR) + "/fabric/scenarios/default.json"));
    scenario["sweep"] = {{"policies", {"dpfr", "control-plane", "none"}}};
    scenario["outputs"]["series"] = false;
    scenario["outputs"]["trace"] = false;
    WriteJson(dir / "policies.json", scenario);
    std::map<std::string, json> summaries;
    std::map<std::string, std::string> reports;
    {
        LocalSlurm slurm(dir / "slurm");
        INFO(slurm.Logs());
        auto result = Sweep(dir, (dir / "policies.json").string(), "slurm", "--executor slurm");
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        auto shown = RunIn(dir, "scontrol --oneliner show job");
        REQUIRE(shown.out.find("ArrayTaskId=3") != std::string::npos);
    }
    for (const char* executor : {"slurm", "local:2", "inproc"})
    {
        std::string out = std::string(executor) == "local:2" ? "local" : executor;
        if (out != "slurm")
        {
            auto result = Sweep(
                dir, (dir / "policies.json").string(), out, std::string("--executor ") + executor);
            INFO(result.err);
            REQUIRE(result.exitCode == 0);
        }
        summaries[out] = Comparable(ReadJson(dir / out / "summary.json"));
        reports[out] = ReadFile(dir / out / "report.md");
    }
    REQUIRE(summaries["slurm"]["sweep"]["runs"].size() == 3);
    REQUIRE(summaries["slurm"] == summaries["inproc"]);
    REQUIRE(summaries["local"] == summaries["inproc"]);
    REQUIRE(reports["slurm"] == reports["inproc"]);
    REQUIRE(reports["local"] == reports["inproc"]);
}
