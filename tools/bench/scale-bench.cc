// Scale benchmark of the packet engine: one 64 MiB ring AllReduce over N GPUs of a design
// (roce-10k-rail by default: 1,024, 2,048, 4,096 and 10,240 GPUs), each run as a user runs it,
// `fabricscope simulate` with its outputs written, and optionally one training iteration of the
// default scenario's two jobs scaled to 1,024 GPUs. For every run: wall time and peak resident
// memory of the whole command (wait4), the estimate it printed before building, events and
// packet-hops (frames sent by every port) per second of the simulation itself (summary.json's
// sim.wall_s; the rest of the wall time is building the fabric and writing outputs), and busbw
// against its bound. The baseline,
// measured in the same run, is the first size: each later size prints its rates as a ratio of
// the baseline's, so a per-event cost that grows with the fabric shows as a ratio below 1.
//
//   scale-bench FABRICSCOPE [--gpus N]... [--design D] [--bytes B] [--training] [--keep DIR]
#include "tools/bench/child-run.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace
{

namespace fs = std::filesystem;
using nlohmann::json;

json
RingScenario(const std::string& design, std::uint32_t gpus, const std::string& bytes)
{
    json job = {{"kind", "collective"},
                {"name", "ring"},
                {"op", "allreduce"},
                {"bytes", bytes},
                {"gpus", gpus}};
    return {{"schema", 1},
            {"name", "ring AllReduce over " + std::to_string(gpus) + " GPUs"},
            {"design", design},
            {"jobs", json::array({job})},
            {"stop", {{"iterations", 1}}},
            {"seed", 1},
            {"outputs", {{"series", false}, {"trace", false}}}};
}

/** The default scenario's dense and MoE jobs, 512 GPUs each, on the design; no failure. */
json
TrainingScenario(const json& defaults, const std::string& design)
{
    json scenario = defaults;
    scenario["name"] = "the default scenario's jobs on 1,024 GPUs";
    scenario["design"] = design;
    for (auto& job : scenario["jobs"])
    {
        // Data parallelism grows eightfold; the batch per replica stays what it was.
        std::uint32_t dp = job["parallel"]["dp"].get<std::uint32_t>();
        job["gpus"] = job["gpus"].get<std::uint32_t>() * 8;
        job["parallel"]["dp"] = dp * 8;
        if (job.contains("global_batch"))
        {
            job["global_batch"] = job["global_batch"].get<std::uint32_t>() * 8;
        }
    }
    scenario.erase("failures");
    scenario["stop"] = {{"iterations", 1}};
    scenario["outputs"] = {{"series", false}, {"trace", false}};
    return scenario;
}

struct Measured
{
    int exitCode{-1};
    double wallS{0}; ///< the whole command
    double runS{0};  ///< the simulation alone (summary.json's sim.wall_s)
    std::uint64_t peakRssBytes{0};
    std::uint64_t estimateBytes{0};
    std::uint64_t events{0};
    std::uint64_t packetHops{0};
    std::uint64_t simNs{0};
    double busbwGbps{0};
    double boundGbps{0};
};

/** Runs the program with stdout and stderr to files; its wall time and peak RSS from wait4. */
Measured
RunCommand(const std::vector<std::string>& args, const fs::path& log)
{
    auto run = fab::bench::RunChild(args, log);
    Measured m;
    m.wallS = run.wallS;
    m.exitCode = run.exitCode;
    m.peakRssBytes = run.peakRssBytes;
    return m;
}

Measured
Simulate(const std::string& program, const fs::path& dir, const std::string& name, const json& s)
{
    fs::path file = dir / (name + ".json");
    std::ofstream(file) << s.dump(1);
    fs::path out = dir / name;
    fs::remove_all(out);
    fs::path log = dir / (name + ".log");
    auto m = RunCommand({program, "simulate", file.string(), "--out", out.string(), "--no-progress"},
                        log);
    m.estimateBytes = fab::bench::EstimateFromLog(log);
    std::ifstream summaryFile(out / "summary.json");
    if (m.exitCode != 0 || !summaryFile)
    {
        return m;
    }
    auto summary = json::parse(summaryFile);
    m.events = summary["sim"]["events"].get<std::uint64_t>();
    m.runS = summary["sim"]["wall_s"].get<double>();
    m.simNs = summary["sim"]["sim_time_ns"].get<std::uint64_t>();
    m.packetHops = summary["ports"]["totals"]["tx_packets"].get<std::uint64_t>();
    for (const auto& c : summary["collectives"])
    {
        // The slowest collective, for a ring the only one.
        if (m.busbwGbps == 0 || c["busbw_gbps"].get<double>() < m.busbwGbps)
        {
            m.busbwGbps = c["busbw_gbps"].get<double>();
            m.boundGbps = c["bound_gbps"].is_number() ? c["bound_gbps"].get<double>() : 0;
        }
    }
    return m;
}

std::string
Mib(std::uint64_t bytes)
{
    std::ostringstream s;
    s.precision(0);
    s << std::fixed << static_cast<double>(bytes) / (1 << 20) << " MiB";
    return s.str();
}

void
PrintHeader()
{
    std::printf("%-16s %8s %8s %10s %10s %8s %9s %10s %9s %10s %8s %8s %8s %8s\n",
                "run", "wall s", "run s", "peak RSS", "estimate", "est/RSS", "events M", "events/s M",
                "hops M", "hops/s M", "rate/1st", "sim ms", "busbw G", "bound G");
}

void
PrintRow(const std::string& name, const Measured& m, double baselineHopsPerS)
{
    // Rates are the engine's: per second of the simulation itself, not of building the fabric.
    double eventsPerS = static_cast<double>(m.events) / m.runS;
    double hopsPerS = static_cast<double>(m.packetHops) / m.runS;
    std::printf("%-16s %8.1f %8.1f %10s %10s %8.2f %9.1f %10.2f %9.1f %10.2f %8.2f %8.3f %8.1f %8.1f\n",
                name.c_str(),
                m.wallS,
                m.runS,
                Mib(m.peakRssBytes).c_str(),
                Mib(m.estimateBytes).c_str(),
                static_cast<double>(m.estimateBytes) / static_cast<double>(m.peakRssBytes),
                static_cast<double>(m.events) / 1e6,
                eventsPerS / 1e6,
                static_cast<double>(m.packetHops) / 1e6,
                hopsPerS / 1e6,
                baselineHopsPerS > 0 ? hopsPerS / baselineHopsPerS : 1.0,
                static_cast<double>(m.simNs) / 1e6,
                m.busbwGbps,
                m.boundGbps);
    std::fflush(stdout);
}

json
DefaultScenario(const std::string& program, const fs::path& dir)
{
    fs::path log = dir / "default-scenario.json";
    auto m = RunCommand({program, "simulate", "--print-scenario"}, log);
    if (m.exitCode != 0)
    {
        throw std::runtime_error("simulate --print-scenario failed");
    }
    std::ifstream in(log);
    return json::parse(in);
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::cerr << "usage: scale-bench FABRICSCOPE [--gpus N]... [--design D] [--bytes B] "
                     "[--training] [--keep DIR]\n";
        return 2;
    }
    std::string program = fs::absolute(argv[1]).string();
    std::vector<std::uint32_t> sizes;
    std::string design = "builtin:roce-10k-rail";
    std::string bytes = "64MiB";
    bool training = false;
    fs::path dir;
    for (int i = 2; i < argc; ++i)
    {
        std::string flag = argv[i];
        bool hasValue = i + 1 < argc;
        if (flag == "--training")
        {
            training = true;
        }
        else if (flag == "--gpus" && hasValue)
        {
            sizes.push_back(static_cast<std::uint32_t>(std::stoul(argv[++i])));
        }
        else if (flag == "--design" && hasValue)
        {
            design = argv[++i];
        }
        else if (flag == "--bytes" && hasValue)
        {
            bytes = argv[++i];
        }
        else if (flag == "--keep" && hasValue)
        {
            dir = argv[++i];
        }
        else
        {
            std::cerr << "scale-bench: unknown or incomplete option " << flag << "\n";
            return 2;
        }
    }
    if (sizes.empty())
    {
        sizes = {1024, 2048, 4096, 10240};
    }
    bool kept = !dir.empty();
    if (!kept)
    {
        dir = fs::temp_directory_path() / ("scale-bench-" + std::to_string(::getpid()));
    }
    fs::create_directories(dir);
    std::printf("%s, one %s ring AllReduce per size; the whole command, outputs written\n",
                design.c_str(),
                bytes.c_str());
    PrintHeader();
    int status = 0;
    double baseline = 0;
    for (auto gpus : sizes)
    {
        std::string name = "ring-" + std::to_string(gpus);
        auto m = Simulate(program, dir, name, RingScenario(design, gpus, bytes));
        if (m.exitCode != 0)
        {
            std::printf("%-16s exit %d after %.1f s, peak %s; see %s\n",
                        name.c_str(),
                        m.exitCode,
                        m.wallS,
                        Mib(m.peakRssBytes).c_str(),
                        (dir / (name + ".log")).c_str());
            status = 1;
            continue;
        }
        PrintRow(name, m, baseline);
        if (baseline == 0)
        {
            baseline = static_cast<double>(m.packetHops) / m.runS;
        }
    }
    if (training)
    {
        auto scenario = TrainingScenario(DefaultScenario(program, dir), design);
        auto m = Simulate(program, dir, "training-1024", scenario);
        if (m.exitCode != 0)
        {
            std::printf("training-1024 exit %d; see %s\n",
                        m.exitCode,
                        (dir / "training-1024.log").c_str());
            status = 1;
        }
        else
        {
            PrintRow("training-1024", m, baseline);
        }
    }
    if (!kept)
    {
        fs::remove_all(dir);
    }
    return status;
}
