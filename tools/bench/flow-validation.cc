// Validation of the flow engine against the packet engine: the same scenarios run by
// `fabricscope simulate` with --engine packet and --engine flow, and per case the error of each
// collective's completion time and of each iteration (flow ÷ packet − 1), with both engines'
// simulation wall time (summary.json's sim.wall_s) and their ratio. The packet engine is the
// reference: it is measured in the same run.
//
//   flow-validation FABRICSCOPE [--design D] [--gpus N] [--bytes B] [--keep DIR] [--case NAME]...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

struct Case
{
    std::string name;
    json scenario;
};

json
CollectiveScenario(const std::string& design,
                   std::uint32_t gpus,
                   const std::string& bytes,
                   const std::string& op,
                   const std::string& algorithm)
{
    json job = {{"kind", "collective"},
                {"name", op + "-" + algorithm},
                {"op", op},
                {"algorithm", algorithm},
                {"bytes", bytes},
                {"gpus", gpus}};
    return {{"schema", 1},
            {"name", op + " " + algorithm + " over " + std::to_string(gpus) + " GPUs"},
            {"design", design},
            {"jobs", json::array({job})},
            {"stop", {{"iterations", 1}}},
            {"seed", 1},
            {"outputs", {{"series", false}, {"trace", false}}}};
}

/** Runs one engine; the summary, or null when the command failed. */
json
Run(const std::string& binary, const fs::path& folder, const json& scenario, const std::string& engine)
{
    fs::create_directories(folder);
    fs::path file = folder / "scenario.json";
    std::ofstream(file) << scenario.dump(2);
    fs::path out = folder / engine;
    std::string command = "'" + binary + "' simulate '" + file.string() + "' --engine " + engine
                          + " --out '" + out.string() + "' --format json --no-progress 2>'"
                          + (folder / (engine + ".log")).string() + "' >/dev/null";
    int status = std::system(command.c_str());
    if (status != 0)
    {
        std::fprintf(stderr, "%s: %s exited %d (see its log)\n", folder.c_str(), engine.c_str(), status);
        return nullptr;
    }
    std::ifstream in(out / "summary.json");
    return json::parse(in);
}

double
ErrorPercent(double flow, double packet)
{
    return packet <= 0 ? 0 : (flow / packet - 1) * 100;
}

double
Percentile(std::vector<double> values, double p)
{
    if (values.empty())
    {
        return 0;
    }
    std::sort(values.begin(), values.end());
    auto at = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1;
    return values[std::min(at, values.size() - 1)];
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::fprintf(stderr,
                     "usage: flow-validation FABRICSCOPE [--design D] [--gpus N] [--bytes B] "
                     "[--keep DIR] [--case NAME]...\n");
        return 2;
    }
    std::string binary = argv[1];
    std::string design = "builtin:roce-128-rail";
    std::uint32_t gpus = 128;
    std::string bytes = "16MiB";
    fs::path keep;
    std::vector<std::string> only;
    for (int i = 2; i + 1 < argc; i += 2)
    {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (flag == "--design")
        {
            design = value;
        }
        else if (flag == "--gpus")
        {
            gpus = static_cast<std::uint32_t>(std::stoul(value));
        }
        else if (flag == "--bytes")
        {
            bytes = value;
        }
        else if (flag == "--keep")
        {
            keep = value;
        }
        else if (flag == "--case")
        {
            only.push_back(value);
        }
        else
        {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }

    std::vector<Case> cases;
    for (auto [op, algorithm] : {std::pair{"allreduce", "ring"},
                                 std::pair{"allreduce", "tree"},
                                 std::pair{"allreduce", "halving-doubling"},
                                 std::pair{"allreduce", "hierarchical"},
                                 std::pair{"alltoall", "direct"},
                                 std::pair{"alltoall", "pairwise"}})
    {
        cases.push_back({std::string(op) + "-" + algorithm + "-" + std::to_string(gpus),
                         CollectiveScenario(design, gpus, bytes, op, algorithm)});
    }
    {
        // One GPU per server: every step of the ring crosses the fabric.
        json scenario = CollectiveScenario(design, gpus / 8, bytes, "allreduce", "ring");
        scenario["jobs"][0]["gpus_per_server"] = 1;
        cases.push_back({"allreduce-ring-" + std::to_string(gpus / 8) + "-one-per-server",
                         scenario});
    }
    {
        // The built-in scenario's two training jobs, without its failure (not modelled yet).
        std::string text;
        std::string command = "'" + binary + "' simulate --print-scenario";
        if (FILE* pipe = popen(command.c_str(), "r"))
        {
            char buffer[4096];
            std::size_t n;
            while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
            {
                text.append(buffer, n);
            }
            pclose(pipe);
        }
        json scenario = json::parse(text, nullptr, false);
        if (!scenario.is_discarded())
        {
            scenario.erase("failures");
            scenario["outputs"] = {{"series", false}, {"trace", false}};
            cases.push_back({"default-training-no-failure", scenario});
        }
    }

    fs::path root = keep.empty() ? fs::temp_directory_path() / "flow-validation" : keep;
    std::vector<double> collectiveErrors;
    std::vector<double> iterationErrors;
    std::printf("%-32s %10s %14s %14s %9s %12s %12s %9s\n",
                "case", "what", "packet_ns", "flow_ns", "error_%", "packet_wall_s",
                "flow_wall_s", "speedup");
    for (const auto& c : cases)
    {
        if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end())
        {
            continue;
        }
        json packet = Run(binary, root / c.name, c.scenario, "packet");
        json flow = Run(binary, root / c.name, c.scenario, "flow");
        if (packet.is_null() || flow.is_null())
        {
            continue;
        }
        double packetWall = packet["sim"]["wall_s"].get<double>();
        double flowWall = flow["sim"]["wall_s"].get<double>();
        double speedup = flowWall > 0 ? packetWall / flowWall : 0;
        const auto& pc = packet["collectives"];
        const auto& fc = flow["collectives"];
        for (std::size_t i = 0; i < std::min(pc.size(), fc.size()); ++i)
        {
            double p = pc[i]["end_ns"].get<double>() - pc[i]["start_ns"].get<double>();
            double f = fc[i]["end_ns"].get<double>() - fc[i]["start_ns"].get<double>();
            double error = ErrorPercent(f, p);
            // Collectives that never left their servers run in closed form in both engines.
            if (pc[i]["bytes"].get<std::uint64_t>() >= (1u << 20) && !pc[i]["bound_gbps"].is_null())
            {
                collectiveErrors.push_back(std::fabs(error));
            }
            if (pc.size() <= 4 || i < 2)
            {
                std::printf("%-32s %10s %14.0f %14.0f %+9.2f %12.3f %12.3f %9.1f\n",
                            c.name.c_str(), ("coll" + std::to_string(i)).c_str(), p, f, error,
                            packetWall, flowWall, speedup);
            }
        }
        if (pc.size() != fc.size())
        {
            std::printf("%-32s collectives differ: packet %zu, flow %zu\n",
                        c.name.c_str(), pc.size(), fc.size());
        }
        if (pc.size() > 4)
        {
            std::vector<double> errors;
            for (std::size_t i = 0; i < std::min(pc.size(), fc.size()); ++i)
            {
                if (pc[i]["bound_gbps"].is_null())
                {
                    continue;
                }
                double p = pc[i]["end_ns"].get<double>() - pc[i]["start_ns"].get<double>();
                double f = fc[i]["end_ns"].get<double>() - fc[i]["start_ns"].get<double>();
                errors.push_back(std::fabs(ErrorPercent(f, p)));
            }
            std::printf("%-32s %10s %14zu %14s %9.2f (median |error| of those over the fabric, "
                        "p90 %.2f)\n",
                        c.name.c_str(), "colls", errors.size(), "", Percentile(errors, 0.5),
                        Percentile(errors, 0.9));
        }
        const auto& pi = packet["iterations"];
        const auto& fi = flow["iterations"];
        for (std::size_t i = 0; i < std::min(pi.size(), fi.size()); ++i)
        {
            double p = pi[i]["end_ns"].get<double>() - pi[i]["start_ns"].get<double>();
            double f = fi[i]["end_ns"].get<double>() - fi[i]["start_ns"].get<double>();
            iterationErrors.push_back(std::fabs(ErrorPercent(f, p)));
            std::printf("%-32s %10s %14.0f %14.0f %+9.2f %12.3f %12.3f %9.1f\n",
                        c.name.c_str(), ("iter" + std::to_string(i)).c_str(), p, f,
                        ErrorPercent(f, p), packetWall, flowWall, speedup);
        }
    }
    std::printf("\ncollectives >= 1 MiB: %zu, median |error| %.2f%%, p90 %.2f%%; iterations: %zu, "
                "median |error| %.2f%%, max %.2f%%\n",
                collectiveErrors.size(), Percentile(collectiveErrors, 0.5),
                Percentile(collectiveErrors, 0.9), iterationErrors.size(),
                Percentile(iterationErrors, 0.5), Percentile(iterationErrors, 1.0));
    return 0;
}
