// Sweep benchmark: every leaf-spine link of a 2-tier design failed once under each of the three
// recovery policies (a grid over /failures/0/target × /recovery/policy), run by `fabricscope
// simulate` with the executors asked for. The baseline, measured in the same run, is the same
// sweep's first runs in one process (--executor inproc): the figures are wall time per run and
// the speed-up over it.
//
//   sweep-bench FABRICSCOPE [--executor local:2] [--executor slurm[:runs=K]] [--servers N]
//               [--keep DIR]
//
// Slurm is the cluster SLURM_CONF names (or the client's default).
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace
{

namespace fs = std::filesystem;
using nlohmann::json;

/** 32-port switches: 16 servers and 16 uplinks per leaf; `servers` / 16 leaves. */
json
Scenario(std::uint32_t servers, std::size_t linksToUse)
{
    json scenario = json::parse(R"({
      "schema": 1,
      "name": "every leaf-spine link under each policy",
      "design": {
        "schema": 1, "name": "bench", "fabric": "roce",
        "servers": {"count": 8, "gpus": 1, "nics": 1, "nic_speed": "100Gbps"},
        "switch_models": {"sw": {"ports": 32, "port_speed": "100Gbps", "ecmp_max_paths": 64}},
        "tiers": {"count": 2, "leaf": {"model": "sw"}, "spine": {"model": "sw"}}
      },
      "fabric": {"transport": {"congestion_control": "dcqcn", "retransmit_timeout": "1ms"},
                 "lldp": false},
      "jobs": [{"kind": "collective", "name": "ring", "op": "allreduce", "bytes": "512KiB",
                "gpus": 32, "gpus_per_server": 1}],
      "recovery": {"policy": "dpfr", "detection": "5us"},
      "failures": [{"kind": "link-down", "target": "leaf-0-0:16", "at": "20us"}],
      "stop": {"iterations": 1, "time": "5ms"},
      "outputs": {"series": false, "trace": false}
    })");
    scenario["design"]["servers"]["count"] = servers;
    json targets = json::array();
    for (std::uint32_t leaf = 0; leaf < servers / 16; ++leaf)
    {
        for (int port = 16; port < 32; ++port)
        {
            // leaf-GROUP-RAIL: one NIC per server, so one rail.
            targets.push_back("leaf-" + std::to_string(leaf) + "-0:" + std::to_string(port));
        }
    }
    if (linksToUse < targets.size())
    {
        targets.erase(targets.begin() + static_cast<std::ptrdiff_t>(linksToUse), targets.end());
    }
    scenario["sweep"] = {{"grid",
                          {{"/failures/0/target", targets},
                           {"/recovery/policy", {"dpfr", "control-plane", "none"}}}}};
    return scenario;
}

struct Timed
{
    int exitCode{-1};
    double seconds{0};
    std::size_t runs{0};
};

Timed
Sweep(const std::string& program,
      const fs::path& dir,
      const json& scenario,
      const std::string& executor,
      const std::string& out)
{
    std::ofstream(dir / (out + ".json")) << scenario.dump(1);
    std::string command = "'" + program + "' simulate '" + (dir / (out + ".json")).string()
                          + "' --out '" + (dir / out).string()
                          + "' --no-progress --format json --executor " + executor + " >'"
                          + (dir / (out + ".log")).string() + "' 2>&1";
    auto start = std::chrono::steady_clock::now();
    int status = std::system(command.c_str());
    Timed timed;
    timed.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timed.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream summary(dir / out / "summary.json");
    if (summary)
    {
        timed.runs = json::parse(summary)["sweep"]["runs"].size();
    }
    return timed;
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::cerr
            << "usage: sweep-bench FABRICSCOPE [--executor E]... [--servers N] [--keep DIR]\n";
        return 2;
    }
    std::string program = fs::absolute(argv[1]).string();
    std::vector<std::string> executors;
    std::uint32_t servers = 384;
    fs::path dir;
    for (int i = 2; i + 1 < argc; i += 2)
    {
        std::string flag = argv[i];
        if (flag == "--executor")
        {
            executors.emplace_back(argv[i + 1]);
        }
        else if (flag == "--servers")
        {
            servers = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
        }
        else if (flag == "--keep")
        {
            dir = argv[i + 1];
        }
    }
    if (executors.empty())
    {
        executors = {"local:2"};
    }
    if (dir.empty())
    {
        dir = fs::temp_directory_path() / ("sweep-bench-" + std::to_string(::getpid()));
    }
    fs::create_directories(dir);
    std::size_t links = servers / 16 * 16;
    std::printf("design: %u servers, %zu leaf-spine links; sweep: %zu runs (links x 3 policies)\n",
                servers,
                links,
                links * 3);

    // The baseline: the first 30 runs, one after another in one process.
    auto baseline = Sweep(program, dir, Scenario(servers, 10), "inproc", "baseline");
    if (baseline.exitCode != 0 || baseline.runs == 0)
    {
        std::fprintf(stderr,
                     "baseline failed (exit %d); see %s\n",
                     baseline.exitCode,
                     (dir / "baseline.log").c_str());
        return 1;
    }
    double perRun = baseline.seconds / static_cast<double>(baseline.runs);
    std::printf("%-14s %6zu runs %9.1f s %8.3f s/run  (baseline)\n",
                "inproc",
                baseline.runs,
                baseline.seconds,
                perRun);
    int status = 0;
    for (const auto& executor : executors)
    {
        // A folder per executor: "slurm:runs=16" -> "slurm-runs-16".
        std::string out = executor;
        for (char& c : out)
        {
            c = std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '-';
        }
        auto timed = Sweep(program, dir, Scenario(servers, links), executor, out);
        if (timed.exitCode != 0)
        {
            std::fprintf(stderr,
                         "%s failed (exit %d); see %s\n",
                         executor.c_str(),
                         timed.exitCode,
                         (dir / (out + ".log")).c_str());
            status = 1;
            continue;
        }
        double mine = timed.seconds / static_cast<double>(timed.runs);
        std::printf("%-14s %6zu runs %9.1f s %8.3f s/run  %.2fx the baseline's rate\n",
                    executor.c_str(),
                    timed.runs,
                    timed.seconds,
                    mine,
                    perRun / mine);
    }
    return status;
}
