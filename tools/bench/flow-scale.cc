// Scale benchmark of the flow engine: one training iteration over N GPUs of a fat-tree (TP 8
// inside servers, PP 8, DP rings over N / 64 replicas; --moe: every layer a mixture of experts
// with EP 8), each run as a user runs it, `fabricscope simulate --engine flow` with its outputs
// written. Sizes up to 65,536 GPUs use fat-tree-k64, above it fat-tree-k128 (all 524,288). For
// every run: wall time and peak resident memory of the whole command (wait4), the estimate it
// logged, the simulation's own wall time (summary.json's sim.wall_s; the rest is building the
// fabric and writing outputs), the transfers run as flows of their own and the ring phases
// solved as patterns, and the iteration time. The baseline, measured in the same run, is the
// smallest size with every transfer a flow of its own (--flow-patterns off; the other rows
// --flow-patterns on): each row prints
// GPUs simulated per wall second as a ratio of the baseline's.
//
//   flow-scale FABRICSCOPE [--gpus N]... [--micro-batches M] [--moe] [--keep DIR]
#include "tools/bench/child-run.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace
{

namespace fs = std::filesystem;
using nlohmann::json;

/** The largest fat-tree built in: what a run of `gpus` GPUs fits on. */
std::string
DesignFor(std::uint32_t gpus)
{
    return gpus <= 65'536 ? "builtin:fat-tree-k64" : "builtin:fat-tree-k128";
}

json
TrainingScenario(std::uint32_t gpus, std::uint32_t microBatches, bool moe)
{
    std::uint32_t dp = gpus / 64;
    json model = {{"layers", 8}, {"hidden", 8192}, {"sequence", 4096}, {"vocabulary", 128000}};
    json parallel = {{"dp", dp}, {"tp", 8}, {"pp", 8}};
    if (moe)
    {
        model["experts"] = 64;
        model["top_k"] = 2;
        model["moe_every"] = 1;
        parallel["ep"] = 8;
    }
    json job = {{"kind", "training"},
                {"name", moe ? "moe" : "dense"},
                {"gpus", gpus},
                {"model", model},
                {"parallel", parallel},
                {"micro_batch", 1},
                {"global_batch", dp * microBatches},
                {"compute", {{"peak_tflops", 989}, {"mfu", 0.4}}},
                {"bucket", "256MiB"},
                {"channels", 4}};
    return {
        {"schema", 1},
        {"name",
         std::string(moe ? "MoE" : "dense") + " training over " + std::to_string(gpus) + " GPUs"},
        {"design", DesignFor(gpus)},
        {"engine", "flow"},
        {"jobs", json::array({job})},
        {"stop", {{"iterations", 1}}},
        {"seed", 1},
        {"outputs", {{"series", false}, {"trace", false}}}};
}

struct Measured
{
    fab::bench::ChildRun run;
    std::uint64_t estimateBytes{0};
    double simWallS{0};
    std::uint64_t flows{0};
    std::uint64_t patterns{0};
    std::uint64_t collectives{0};
    double iterationMs{0};
};

Measured
Simulate(const std::string& program,
         const fs::path& dir,
         const std::string& name,
         const json& scenario,
         const std::string& patterns)
{
    fs::path file = dir / (name + ".json");
    std::ofstream(file) << scenario.dump(1);
    fs::path out = dir / name;
    fs::remove_all(out);
    fs::path log = dir / (name + ".log");
    Measured m;
    m.run = fab::bench::RunChild({program,
                                  "simulate",
                                  file.string(),
                                  "--flow-patterns",
                                  patterns,
                                  "--out",
                                  out.string(),
                                  "--format",
                                  "json",
                                  "--no-progress"},
                                 log);
    m.estimateBytes = fab::bench::EstimateFromLog(log);
    std::ifstream summaryFile(out / "summary.json");
    if (m.run.exitCode != 0 || !summaryFile)
    {
        return m;
    }
    auto summary = json::parse(summaryFile);
    m.simWallS = summary["sim"]["wall_s"].get<double>();
    m.flows = summary["sim"]["flows"].get<std::uint64_t>();
    m.patterns = summary["sim"]["patterns"].get<std::uint64_t>();
    m.collectives = summary["collectives"].size();
    for (const auto& iteration : summary["iterations"])
    {
        m.iterationMs = static_cast<double>(iteration["end_ns"].get<std::int64_t>()
                                            - iteration["start_ns"].get<std::int64_t>())
                        / 1e6;
    }
    fs::remove_all(out); // hundreds of MB at the largest sizes
    return m;
}

double
Gb(std::uint64_t bytes)
{
    return static_cast<double>(bytes) / 1e9;
}

void
PrintRow(const std::string& name, std::uint32_t gpus, const Measured& m, double baseline)
{
    double gpusPerS = gpus / m.run.wallS;
    std::printf("%-22s %8u %8.1f %8.1f %8.2f %8.2f %10llu %9llu %9llu %10.3f %9.1f\n",
                name.c_str(),
                gpus,
                m.run.wallS,
                m.simWallS,
                Gb(m.run.peakRssBytes),
                Gb(m.estimateBytes),
                static_cast<unsigned long long>(m.flows),
                static_cast<unsigned long long>(m.patterns),
                static_cast<unsigned long long>(m.collectives),
                m.iterationMs,
                baseline > 0 ? gpusPerS / baseline : 1.0);
    std::fflush(stdout);
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::cerr << "usage: flow-scale FABRICSCOPE [--gpus N]... [--micro-batches M] [--moe] "
                     "[--keep DIR]\n";
        return 2;
    }
    std::string program = fs::absolute(argv[1]).string();
    std::vector<std::uint32_t> sizes;
    std::uint32_t microBatches = 2;
    bool moe = false;
    fs::path dir;
    for (int i = 2; i < argc; ++i)
    {
        std::string flag = argv[i];
        bool hasValue = i + 1 < argc;
        if (flag == "--moe")
        {
            moe = true;
        }
        else if (flag == "--gpus" && hasValue)
        {
            sizes.push_back(static_cast<std::uint32_t>(std::stoul(argv[++i])));
        }
        else if (flag == "--micro-batches" && hasValue)
        {
            microBatches = static_cast<std::uint32_t>(std::stoul(argv[++i]));
        }
        else if (flag == "--keep" && hasValue)
        {
            dir = argv[++i];
        }
        else
        {
            std::cerr << "flow-scale: unknown or incomplete option " << flag << "\n";
            return 2;
        }
    }
    if (sizes.empty())
    {
        sizes = {1'024, 4'096, 16'384, 65'536, 524'288};
    }
    for (auto gpus : sizes)
    {
        if (gpus < 64 || gpus % 64 != 0 || gpus > 524'288)
        {
            std::cerr << "flow-scale: --gpus " << gpus
                      << ": expected a multiple of 64 from 64 to 524,288\n";
            return 2;
        }
    }
    bool kept = !dir.empty();
    if (!kept)
    {
        dir = fs::temp_directory_path() / ("flow-scale-" + std::to_string(::getpid()));
    }
    fs::create_directories(dir);
    std::printf("%s training, TP 8 x PP 8 x DP N/64, 8 layers, %u micro-batches a replica; "
                "the whole command, outputs written\n",
                moe ? "MoE (64 experts, top-2, EP 8)" : "dense",
                microBatches);
    std::printf("%-22s %8s %8s %8s %8s %8s %10s %9s %9s %10s %9s\n",
                "run",
                "GPUs",
                "wall s",
                "sim s",
                "RSS GB",
                "est GB",
                "flows",
                "patterns",
                "colls",
                "iter ms",
                "GPU/s /1st");
    int status = 0;
    std::uint32_t first = sizes.front();
    auto baseline = Simulate(program,
                             dir,
                             "flat-" + std::to_string(first),
                             TrainingScenario(first, microBatches, moe),
                             "off");
    if (baseline.run.exitCode != 0)
    {
        std::printf("baseline exit %d; see %s\n",
                    baseline.run.exitCode,
                    (dir / ("flat-" + std::to_string(first) + ".log")).c_str());
        return 1;
    }
    double baselineRate = first / baseline.run.wallS;
    PrintRow("flow by flow " + std::to_string(first), first, baseline, 0);
    for (auto gpus : sizes)
    {
        std::string name = "patterns-" + std::to_string(gpus);
        auto m = Simulate(program, dir, name, TrainingScenario(gpus, microBatches, moe), "on");
        if (m.run.exitCode != 0)
        {
            std::printf("%-22s exit %d after %.1f s, peak %.2f GB; see %s\n",
                        name.c_str(),
                        m.run.exitCode,
                        m.run.wallS,
                        Gb(m.run.peakRssBytes),
                        (dir / (name + ".log")).c_str());
            status = 1;
            continue;
        }
        PrintRow(name + (gpus > 65'536 ? " (k128)" : " (k64)"), gpus, m, baselineRate);
    }
    if (!kept)
    {
        fs::remove_all(dir);
    }
    return status;
}
