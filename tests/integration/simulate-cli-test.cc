// `fabricscope simulate` end to end: bad scenarios named by file and JSON pointer, reproducible
// outputs, the shape and numbers of summary.json, trace.json and ports.csv, and --print-scenario.
#include "support/run-command.h"
#include "support/sflow-scenario.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace fab::tests;
using nlohmann::json;

namespace
{

/** A ring AllReduce of 4 MiB over 16 GPUs, one per server, so that every step crosses the
 *  fabric; two iterations take about 0.3 ms of simulated time. */
json
CollectiveScenario()
{
    return json::parse(R"({
      "schema": 1,
      "name": "allreduce-4MiB",
      "design": "builtin:roce-128-rail",
      "fabric": {"transport": {"congestion_control": "dcqcn"}},
      "jobs": [{"kind": "collective", "name": "allreduce", "op": "allreduce", "bytes": "4MiB",
                "gpus": 16, "gpus_per_server": 1}],
      "stop": {"iterations": 2},
      "seed": 1,
      "outputs": {"interval": "20us"}
    })");
}

/** A small dense job, TP 8 inside servers and DP 4 across them, with a fixed layer time. */
json
TrainingScenario()
{
    return json::parse(R"({
      "schema": 1,
      "name": "dense-tp8-dp4",
      "design": "builtin:roce-128-rail",
      "fabric": {"transport": {"congestion_control": "dcqcn"}},
      "jobs": [{"kind": "training", "name": "dense", "gpus": 32,
                "model": {"name": "small", "layers": 2, "hidden": 512, "sequence": 512,
                          "vocabulary": 8000},
                "parallel": {"dp": 4, "tp": 8}, "micro_batch": 1,
                "compute": {"layer_time": "5us"}, "bucket": "4MiB"}],
      "stop": {"iterations": 2},
      "seed": 1,
      "outputs": {"interval": "20us"}
    })");
}

constexpr std::uint64_t kAllToAllBytes = 2u << 20;

/** The training job on servers 0-3 beside a pairwise All-to-All on servers 4-7 whose traffic
 *  crosses rails through the spines (so ECMP, and with it the seed, matters). */
json
TwoJobScenario()
{
    json scenario = TrainingScenario();
    scenario["name"] = "dense beside all-to-all";
    scenario["jobs"].push_back(json::parse(R"({"kind": "collective", "name": "a2a",
        "op": "alltoall", "algorithm": "pairwise", "bytes": "2MiB", "gpus": 32})"));
    scenario["outputs"]["capture"] = {"leaf-0-0:0"};
    return scenario;
}

void
WriteText(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

CommandResult
Simulate(const std::filesystem::path& dir,
         const json& scenario,
         const std::string& out,
         const std::string& arguments = "")
{
    WriteText(dir / (out + ".json"), scenario.dump(2));
    return RunFabricscope(dir,
                          "simulate " + out + ".json --out " + out + " --no-progress --format json "
                              + arguments);
}

json
ReadJson(const std::filesystem::path& path)
{
    return json::parse(ReadFile(path));
}

std::vector<std::string>
Lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
    {
        lines.push_back(line);
    }
    return lines;
}

/** Rows of a CSV file, each ended by CRLF as RFC 4180 asks; a row without one is reported as
 *  "unterminated". */
std::vector<std::string>
CsvRows(const std::string& text)
{
    std::vector<std::string> rows;
    for (std::size_t at = 0; at < text.size();)
    {
        auto end = text.find("\r\n", at);
        if (end == std::string::npos)
        {
            rows.emplace_back("unterminated");
            break;
        }
        rows.push_back(text.substr(at, end - at));
        at = end + 2;
    }
    return rows;
}

std::vector<std::string>
Fields(const std::string& line)
{
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, ',');)
    {
        fields.push_back(field);
    }
    return fields;
}

/** nccl-tests' busbw ÷ algbw. */
double
BusFactor(const std::string& op, double ranks)
{
    if (op == "allreduce")
    {
        return 2 * (ranks - 1) / ranks;
    }
    if (op == "sendrecv")
    {
        return 1;
    }
    return (ranks - 1) / ranks;
}

enum class Base
{
    Collective,
    Training,
};

/** A scenario that is wrong in one place: a JSON Patch of a valid one, and what stderr says. */
struct BadScenario
{
    const char* what;
    Base base;
    const char* patch;
    const char* mention;
};

} // namespace

TEST_CASE("the scenarios the tests start from are valid and complete", "[integration][simulate]")
{
    auto dir = TempDir("simulate-bases");
    for (const auto& [name, scenario] : std::map<std::string, json>{
             {"collective", CollectiveScenario()}, {"training", TrainingScenario()}})
    {
        INFO(name);
        auto result = Simulate(dir, scenario, name);
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        auto summary = ReadJson(dir / name / "summary.json");
        REQUIRE(summary["completed"] == true);
        REQUIRE(summary["iterations"].size() == 2);
        REQUIRE(summary["ports"]["totals"]["drops"] == 0);
    }
}

TEST_CASE("a bad scenario exits 2 and stderr names the file and the JSON pointer",
          "[integration][simulate]")
{
    using B = Base;
    auto c = GENERATE(values<BadScenario>({
        {"unknown built-in design",
         B::Collective,
         R"([{"op": "replace", "path": "/design", "value": "builtin:roce-9-rail"}])",
         "bad.json: /design: builtin:roce-9-rail: no such built-in design"},
        {"design file that does not exist",
         B::Collective,
         R"([{"op": "replace", "path": "/design", "value": "missing-design.json"}])",
         "bad.json: /design: no design file"},
        {"design file with an error in it",
         B::Collective,
         R"([{"op": "replace", "path": "/design", "value": "broken-design.json"}])",
         "broken-design.json: /servers/count"},
        {"inline design with an error in it",
         B::Collective,
         R"([{"op": "replace", "path": "/design", "value": {"schema": 1, "colour": 1}}])",
         "bad.json: /design/"},
        {"dp × tp × pp ≠ gpus",
         B::Training,
         R"([{"op": "replace", "path": "/jobs/0/parallel/dp", "value": 3}])",
         "bad.json: /jobs/0/parallel: dp × tp × pp = 3 × 8 × 1 must equal the job's 32 GPUs"},
        {"tp larger than a server",
         B::Training,
         R"([{"op": "replace", "path": "/jobs/0/parallel", "value": {"dp": 2, "tp": 16}}])",
         "bad.json: /jobs/0/parallel/tp: tensor parallelism of 16 does not fit"},
        {"bytes in parsecs",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/bytes", "value": "64 parsecs"}])",
         "bad.json: /jobs/0/bytes: "},
        {"bucket without a unit",
         B::Training,
         R"([{"op": "replace", "path": "/jobs/0/bucket", "value": 5}])",
         "bad.json: /jobs/0/bucket: "},
        {"layer time without a unit",
         B::Training,
         R"([{"op": "replace", "path": "/jobs/0/compute/layer_time", "value": "5 fortnights"}])",
         "bad.json: /jobs/0/compute/layer_time: "},
        {"unknown key in a job",
         B::Collective,
         R"([{"op": "add", "path": "/jobs/0/colour", "value": "red"}])",
         "bad.json: /jobs/0/colour: unknown key"},
        {"unknown key at the top",
         B::Training,
         R"([{"op": "add", "path": "/seeds", "value": 2}])",
         "bad.json: /seeds: unknown key"},
        {"unknown recovery policy",
         B::Collective,
         R"([{"op": "add", "path": "/recovery", "value": {"policy": "pray"}}])",
         "bad.json: /recovery/policy: expected \"dpfr\""},
        {"a failure of an unknown kind",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "meteor", "target": "spine-0-0", "at": "1ms"}]}])",
         "bad.json: /failures/0/kind: "},
        {"a link failure on a switch, not a port",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "link-down", "target": "spine-0-0", "at": "1ms"}]}])",
         "bad.json: /failures/0/target: expected a port"},
        {"a switch failure on a port that does not exist",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "switch-down", "target": "spine-9-9", "at": "1ms"}]}])",
         "bad.json: /failures/0/target: expected a switch"},
        {"a failure time without unit",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "switch-down", "target": "spine-0-0", "at": 5}]}])",
         "bad.json: /failures/0/at: "},
        {"a degraded link losing more than everything",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "degraded", "target": "leaf-0-0:32", "at": "1ms", "loss": 2}]}])",
         "bad.json: /failures/0/loss: "},
        {"a degraded link at no speed",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "degraded", "target": "leaf-0-0:32", "at": "1ms", "rate": "0Gbps"}]}])",
         "bad.json: /failures/0/rate: "},
        {"a blackhole in a direction that does not exist",
         B::Collective,
         R"([{"op": "add", "path": "/failures", "value": [{"kind": "blackhole", "target": "leaf-0-0:32", "at": "1ms", "direction": "sideways"}]}])",
         "bad.json: /failures/0/direction: expected \"both\" or \"one-way\""},
        {"link probes faster than a microsecond",
         B::Collective,
         R"([{"op": "add", "path": "/recovery", "value": {"policy": "dpfr", "probes": {"interval": "100ns"}}}])",
         "bad.json: /recovery/probes/interval: "},
        {"a sweep of policies and links at once",
         B::Collective,
         R"([{"op": "add", "path": "/sweep", "value": {"policies": ["dpfr"], "links": "leaf-spine"}}])",
         "bad.json: /sweep: expected one of \"policies\""},
        {"a sweep of an unknown policy",
         B::Collective,
         R"([{"op": "add", "path": "/sweep", "value": {"policies": ["dpfr", "hope"]}},
             {"op": "add", "path": "/failures", "value": [{"kind": "link-down", "target": "leaf-0-0:32", "at": "1ms"}]}])",
         "bad.json: /sweep/policies/1: "},
        {"a policy sweep with nothing to recover from",
         B::Collective,
         R"([{"op": "add", "path": "/sweep", "value": {"policies": ["dpfr", "none"]}}])",
         "bad.json: /sweep/policies: a policy sweep needs faults"},
        {"a link sweep of core links in a 2-tier design",
         B::Collective,
         R"([{"op": "add", "path": "/sweep", "value": {"links": "spine-core"}}])",
         "bad.json: /sweep/links: expected \"leaf-spine\", found \"spine-core\""},
        {"a link sweep whose failure names a target",
         B::Collective,
         R"([{"op": "add", "path": "/sweep", "value": {"links": "leaf-spine"}},
             {"op": "add", "path": "/failures", "value": [{"kind": "link-down", "target": "leaf-0-0:32", "at": "1ms"}]}])",
         "bad.json: /failures/0/target: a link sweep moves this failure"},
        {"a link sweep with two failures",
         B::Collective,
         R"([{"op": "add", "path": "/sweep", "value": {"links": "leaf-spine"}},
             {"op": "add", "path": "/failures", "value": [{"kind": "link-down", "at": "1ms"}, {"kind": "link-down", "at": "2ms"}]}])",
         "bad.json: /failures: a link sweep needs exactly one failure"},
        {"random failures without an MTBF",
         B::Collective,
         R"([{"op": "add", "path": "/random_failures", "value": {"repair": "1ms", "until": "1ms"}}])",
         "bad.json: /random_failures/link_mtbf_hours: "},
        {"random failures with no window to draw them in",
         B::Collective,
         R"([{"op": "add", "path": "/random_failures", "value": {"link_mtbf_hours": 1000}}])",
         "bad.json: /random_failures/until: "},
        {"schema 2",
         B::Collective,
         R"([{"op": "replace", "path": "/schema", "value": 2}])",
         "bad.json: /schema: "},
        {"no jobs",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs", "value": []}])",
         "bad.json: /jobs: "},
        {"unknown job kind",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/kind", "value": "inference"}])",
         "bad.json: /jobs/0/kind: "},
        {"two jobs on the same servers",
         B::Collective,
         R"([{"op": "add", "path": "/jobs/-", "value": {"kind": "collective", "name": "second",
              "bytes": "1MiB", "gpus": 8, "first_server": 1}}])",
         "bad.json: /jobs/1/first_server: server 1 already runs job \"allreduce\""},
        {"collective on servers beyond the design",
         B::Collective,
         R"([{"op": "add", "path": "/jobs/0/first_server", "value": 4}])",
         "bad.json: /jobs/0/first_server: the job needs servers 4 to 19 but the design has 16"},
        {"training job on servers beyond the design",
         B::Training,
         R"([{"op": "add", "path": "/jobs/0/first_server", "value": 13}])",
         "bad.json: /jobs/0/first_server: "},
        {"more GPUs per server than a server has",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/gpus_per_server", "value": 9}])",
         "bad.json: /jobs/0/gpus_per_server: "},
        {"EP not dividing DP",
         B::Training,
         R"([{"op": "add", "path": "/jobs/0/model/experts", "value": 12},
             {"op": "add", "path": "/jobs/0/parallel/ep", "value": 3}])",
         "bad.json: /jobs/0/parallel/ep: expert parallelism 3 must divide data parallelism 4"},
        {"EP on a dense model",
         B::Training,
         R"([{"op": "add", "path": "/jobs/0/parallel/ep", "value": 2}])",
         "bad.json: /jobs/0/parallel/ep: "},
        {"unknown op",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/op", "value": "allmix"}])",
         "bad.json: /jobs/0/op: expected one of"},
        {"unknown algorithm",
         B::Collective,
         R"([{"op": "add", "path": "/jobs/0/algorithm", "value": "butterfly"}])",
         "bad.json: /jobs/0/algorithm: expected one of"},
        {"unknown DP algorithm",
         B::Training,
         R"([{"op": "add", "path": "/jobs/0/dp_algorithm", "value": "butterfly"}])",
         "bad.json: /jobs/0/dp_algorithm: "},
        {"an algorithm the op does not have",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/op", "value": "alltoall"},
             {"op": "add", "path": "/jobs/0/algorithm", "value": "tree"}])",
         "bad.json: /jobs/0/algorithm: "},
        {"halving-doubling on 12 GPUs",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/gpus", "value": 12},
             {"op": "add", "path": "/jobs/0/algorithm", "value": "halving-doubling"}])",
         "bad.json: /jobs/0/algorithm: "},
        {"halving-doubling on 96 GPUs",
         B::Collective,
         R"([{"op": "replace", "path": "/jobs/0/gpus", "value": 96},
             {"op": "replace", "path": "/jobs/0/gpus_per_server", "value": 8},
             {"op": "add", "path": "/jobs/0/algorithm", "value": "halving-doubling"}])",
         "bad.json: /jobs/0/algorithm: "},
        {"unknown congestion control",
         B::Collective,
         R"([{"op": "replace", "path": "/fabric/transport/congestion_control",
              "value": "timely"}])",
         "bad.json: /fabric/transport/congestion_control: "},
        {"no way to stop",
         B::Collective,
         R"([{"op": "replace", "path": "/stop", "value": {"iterations": 0}}])",
         "bad.json: /stop/iterations: "},
        {"capture that is not a list",
         B::Collective,
         R"([{"op": "add", "path": "/outputs/capture", "value": "leaf-0-0"}])",
         "bad.json: /outputs/capture: "},
    }));
    INFO(c.what);
    auto dir = TempDir("simulate-bad");
    WriteText(dir / "broken-design.json", R"({
      "schema": 1,
      "servers": {"count": -64, "gpus": 8, "nic_speed": "400Gbps"},
      "switch_models": {"sw": {"ports": 32, "port_speed": "800Gbps", "breakout": 2}},
      "tiers": {"leaf": {"model": "sw"}}
    })");
    json base = c.base == Base::Collective ? CollectiveScenario() : TrainingScenario();
    WriteText(dir / "bad.json", base.patch(json::parse(c.patch)).dump(2));
    auto result = RunFabricscope(dir, "simulate bad.json --out out --no-progress");
    INFO(result.err);
    REQUIRE(result.exitCode == 2);
    REQUIRE(result.err.find(c.mention) != std::string::npos);
    // Reported once, before anything is written.
    REQUIRE(result.out.empty());
    REQUIRE_FALSE(std::filesystem::exists(dir / "out"));
}

TEST_CASE("a design file that does not exist is named with the scenario and /design",
          "[integration][simulate]")
{
    auto dir = TempDir("simulate-missing-design");
    auto scenario = CollectiveScenario();
    scenario["design"] = "missing-design.json";
    WriteText(dir / "bad.json", scenario.dump(2));
    auto result = RunFabricscope(dir, "simulate bad.json --out out --no-progress");
    INFO(result.err);
    REQUIRE(result.exitCode == 2);
    REQUIRE(result.err.find("bad.json: /design: ") != std::string::npos);
    REQUIRE(result.err.find("missing-design.json") != std::string::npos);
}

TEST_CASE("the same scenario and seed give byte-identical outputs", "[integration][simulate][slow]")
{
    auto dir = TempDir("simulate-determinism");
    auto scenario = TwoJobScenario();
    for (auto [out, seed] : {std::pair{"first", 7}, {"second", 7}, {"other-seed", 8}})
    {
        auto result = Simulate(dir, scenario, out, "--seed " + std::to_string(seed));
        INFO(out << "\n" << result.err);
        REQUIRE(result.exitCode == 0);
    }
    auto first = ReadJson(dir / "first" / "summary.json");
    auto second = ReadJson(dir / "second" / "summary.json");
    REQUIRE(first["seed"] == 7);
    // Wall time and peak memory depend on the machine and what else runs on it.
    for (const char* key : {"wall_s", "peak_rss_bytes"})
    {
        REQUIRE(first["sim"][key].is_number());
        first["sim"].erase(key);
        second["sim"].erase(key);
    }
    REQUIRE(first == second);
    for (const char* file : {"ports.csv", "qps.csv", "trace.json", "captures/leaf-0-0_0.pcap"})
    {
        INFO(file);
        auto text = ReadFile(dir / "first" / file);
        REQUIRE(text.size() > 100);
        REQUIRE(text == ReadFile(dir / "second" / file));
    }
    // Another seed changes the ECMP hash; the run still completes with the same work done.
    auto other = ReadJson(dir / "other-seed" / "summary.json");
    REQUIRE(other["seed"] == 8);
    REQUIRE(other["completed"] == true);
    REQUIRE(other["collectives"].size() == first["collectives"].size());
    REQUIRE(other["ports"]["totals"]["drops"] == 0);
}

TEST_CASE("summary.json, trace.json and ports.csv: shape and numbers", "[integration][simulate]")
{
    auto dir = TempDir("simulate-outputs");
    auto result = Simulate(dir, TwoJobScenario(), "out");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    // stdout lists what was written; logs go to stderr.
    auto written = Lines(result.out);
    REQUIRE(written.size() == 2);
    // Absolute paths, so they can be opened from anywhere.
    REQUIRE(std::filesystem::path(written[0]).is_absolute());
    REQUIRE(std::filesystem::equivalent(written[0], dir / "out" / "summary.json"));
    REQUIRE(std::filesystem::equivalent(written[1], dir / "out" / "report.json"));
    REQUIRE(result.err.find("simulated ") != std::string::npos);
    REQUIRE(ReadJson(dir / "out" / "report.json").is_object());

    auto summary = ReadJson(dir / "out" / "summary.json");
    REQUIRE(summary["schema"] == 1);
    REQUIRE(summary["scenario"] == "dense beside all-to-all");
    REQUIRE(summary["design"]["source"] == "builtin:roce-128-rail");
    REQUIRE(summary["seed"] == 1);
    REQUIRE(summary["completed"] == true);

    // Iterations: two per job, back to back; the run ends with the last one.
    std::map<std::string, std::vector<json>> iterations;
    std::int64_t lastEnd = 0;
    for (const auto& i : summary["iterations"])
    {
        REQUIRE(i.size() == 4);
        iterations[i["job"].get<std::string>()].push_back(i);
        lastEnd = std::max(lastEnd, i["end_ns"].get<std::int64_t>());
    }
    REQUIRE(iterations.size() == 2);
    for (const auto& [job, list] : iterations)
    {
        INFO(job);
        REQUIRE(list.size() == 2);
        REQUIRE(list[0]["index"] == 0);
        REQUIRE(list[1]["index"] == 1);
        REQUIRE(list[0]["start_ns"] == 0);
        REQUIRE(list[0]["end_ns"] > 0);
        REQUIRE(list[1]["start_ns"] == list[0]["end_ns"]);
        REQUIRE(list[1]["end_ns"] > list[1]["start_ns"]);
    }

    // Collectives: every field, nccl-tests' bandwidth definitions, inside their iteration.
    const json& collectives = summary["collectives"];
    std::map<std::pair<std::string, std::uint64_t>, int> count; // (job, ranks) → collectives
    for (const auto& c : collectives)
    {
        INFO(c.dump());
        for (const char* key : {"job",
                                "name",
                                "op",
                                "algorithm",
                                "ranks",
                                "bytes",
                                "start_ns",
                                "end_ns",
                                "algbw_gbps",
                                "busbw_gbps"})
        {
            REQUIRE(c.contains(key));
        }
        auto start = c["start_ns"].get<std::int64_t>();
        auto end = c["end_ns"].get<std::int64_t>();
        auto bytes = c["bytes"].get<std::uint64_t>();
        auto ranks = c["ranks"].get<std::uint64_t>();
        REQUIRE(end > start);
        const auto& iteration
            = iterations.at(c["job"].get<std::string>()).at(c["iteration"].get<std::size_t>());
        REQUIRE(start >= iteration["start_ns"].get<std::int64_t>());
        REQUIRE(end <= iteration["end_ns"].get<std::int64_t>());
        double algbw = c["algbw_gbps"].get<double>();
        REQUIRE(algbw == Approx(static_cast<double>(bytes) * 8 / static_cast<double>(end - start)));
        REQUIRE(
            c["busbw_gbps"].get<double>()
            == Approx(algbw * BusFactor(c["op"].get<std::string>(), static_cast<double>(ranks))));
        ++count[{c["job"].get<std::string>(), ranks}];
    }
    // Per iteration, the dense job runs in each of its 4 TP groups two TP AllReduces per layer
    // forward and two backward (2 layers: 32 in all), and one gradient bucket's AllReduce over 4
    // ranks in each of its 8 DP groups (one per rail); the other job its All-to-All.
    REQUIRE(count
            == std::map<std::pair<std::string, std::uint64_t>, int>{
                {{"dense", 8}, 2 * 32}, {{"dense", 4}, 2 * 8}, {{"a2a", 32}, 2}});
    for (const auto& c : collectives)
    {
        if (c["job"] == "a2a")
        {
            REQUIRE(c["name"] == "a2a");
            REQUIRE(c["op"] == "alltoall");
            REQUIRE(c["algorithm"] == "pairwise");
            REQUIRE(c["bytes"] == kAllToAllBytes);
            // Its traffic crosses 400G NICs; busbw counts the share inside servers too.
            REQUIRE(c["busbw_gbps"].get<double>() > 50);
            REQUIRE(c["busbw_gbps"].get<double>() < 8 * 400);
        }
    }

    for (const auto& job : summary["jobs"])
    {
        REQUIRE(job["gpus"] == 32);
        REQUIRE(job["iterations"] == 2);
    }

    // Ports: totals are the sum of the ports that carried anything; nothing was lost.
    const json& totals = summary["ports"]["totals"];
    for (const char* key :
         {"tx_packets", "rx_packets", "drops", "pfc_pause_tx", "ecn_marked", "cnp_tx"})
    {
        INFO(key);
        REQUIRE(totals[key].is_number_unsigned());
    }
    std::uint64_t tx = 0;
    std::uint64_t rx = 0;
    std::uint64_t pauses = 0;
    for (const auto& port : summary["ports"]["per_port"])
    {
        tx += port["tx_packets"].get<std::uint64_t>();
        rx += port["rx_packets"].get<std::uint64_t>();
        pauses += port["pfc_pause_tx"].get<std::uint64_t>();
    }
    REQUIRE(totals["tx_packets"] == tx);
    REQUIRE(totals["rx_packets"] == rx);
    REQUIRE(totals["pfc_pause_tx"] == pauses);
    // Two iterations move at least the All-to-All's 2 × 2 MiB × 3/4 across servers, in frames of
    // at most 4 KiB of payload.
    REQUIRE(totals["tx_packets"].get<std::uint64_t>() > 2 * kAllToAllBytes * 3 / 4 / 4096);
    REQUIRE(totals["rx_packets"].get<std::uint64_t>() > 0);
    REQUIRE(totals["rx_packets"] <= totals["tx_packets"]);
    REQUIRE(totals["drops"] == 0);

    const json& sim = summary["sim"];
    REQUIRE(sim["events"].get<std::uint64_t>() > 1000);
    // Every frame a port sent, data, ACKs, LLDP and pauses alike: the rate benchmarks quote.
    REQUIRE(sim["packet_hops"] == totals["tx_packets"]);
    REQUIRE(sim["wall_s"].get<double>() >= 0);
    REQUIRE(sim["peak_rss_bytes"].get<std::uint64_t>() > 1'000'000);
    REQUIRE(sim["sim_time_ns"] == lastEnd);
    REQUIRE(sim["hosts"] == 16);
    REQUIRE(sim["switches"] == 12);
    REQUIRE(summary["files"] == json({"captures/leaf-0-0_0.pcap", "ports.csv", "qps.csv"}));
    REQUIRE(std::filesystem::file_size(dir / "out" / "captures" / "leaf-0-0_0.pcap") > 24);

    // trace.json: slices on processes and threads that metadata names.
    auto trace = ReadJson(dir / "out" / "trace.json");
    REQUIRE(trace["traceEvents"].is_array());
    std::map<int, std::string> processes;
    std::map<std::pair<int, int>, std::string> threads;
    for (const auto& e : trace["traceEvents"])
    {
        if (e["ph"] == "M" && e["name"] == "process_name")
        {
            processes[e["pid"].get<int>()] = e["args"]["name"].get<std::string>();
        }
        if (e["ph"] == "M" && e["name"] == "thread_name")
        {
            threads[{e["pid"].get<int>(), e["tid"].get<int>()}]
                = e["args"]["name"].get<std::string>();
        }
    }
    REQUIRE(processes[1] == "job dense");
    REQUIRE(processes[2] == "job a2a");
    REQUIRE(threads[{1, 0}] == "iterations");
    REQUIRE(threads[{1, 1}] == "rank 0 (srv-0:nic0)");
    // Rank 31 of the All-to-All: server 4 + 3, GPU 7 on NIC 7.
    REQUIRE(threads[{2, 32}] == "rank 31 (srv-7:nic7)");
    std::map<std::string, int> slices; // per category
    int a2aRankSlices = 0;
    for (const auto& e : trace["traceEvents"])
    {
        if (e["ph"] != "X")
        {
            continue;
        }
        INFO(e.dump());
        int pid = e["pid"].get<int>();
        int tid = e["tid"].get<int>();
        REQUIRE(processes.count(pid) == 1);
        REQUIRE(threads.count({pid, tid}) == 1);
        REQUIRE(e["dur"].get<double>() >= 0);
        ++slices[e["cat"].get<std::string>()];
        if (pid == 2 && tid != 0)
        {
            REQUIRE(e["name"] == "a2a");
            REQUIRE(e["args"]["op"] == "alltoall");
            ++a2aRankSlices;
        }
        if (e["cat"] == "iteration")
        {
            // The iteration slices are summary.json's iterations, in microseconds.
            const auto& job = iterations[pid == 1 ? "dense" : "a2a"];
            int index
                = std::stoi(e["name"].get<std::string>().substr(std::string("iteration ").size()));
            const auto& i = job.at(index);
            REQUIRE(e["ts"].get<double>() == Approx(i["start_ns"].get<double>() / 1e3));
            REQUIRE(e["dur"].get<double>()
                    == Approx((i["end_ns"].get<double>() - i["start_ns"].get<double>()) / 1e3));
        }
    }
    REQUIRE(slices["iteration"] == 4);
    REQUIRE(slices["collective"] > 0);
    REQUIRE(slices["compute"] > 0);
    REQUIRE(a2aRankSlices == 2 * 32); // every rank, every iteration

    // ports.csv: the header as documented, one row per port and interval.
    auto rows = CsvRows(ReadFile(dir / "out" / "ports.csv"));
    REQUIRE(rows.size() > 1);
    REQUIRE(rows[0]
            == "time_ns,port,link,tx_bytes,tx_packets,utilisation,queue_bytes,pfc_pause_tx,"
               "pfc_pause_rx,paused_ns,ecn_marked,cnp_tx,drops");
    std::set<std::int64_t> times;
    for (std::size_t r = 1; r < rows.size(); ++r)
    {
        INFO(rows[r]);
        REQUIRE(rows[r] != "unterminated");
        auto fields = Fields(rows[r]);
        REQUIRE(fields.size() == 13);
        auto time = std::stoll(fields[0]);
        REQUIRE(time % 20'000 == 0); // "interval": "20us"
        REQUIRE(time <= lastEnd + 20'000);
        times.insert(time);
        double utilisation = std::stod(fields[5]);
        REQUIRE(utilisation >= 0);
        REQUIRE(utilisation <= 1.0001);
        REQUIRE(fields[12] == "0");
    }
    REQUIRE(times.size() >= 2);
    auto qps = CsvRows(ReadFile(dir / "out" / "qps.csv"));
    REQUIRE(qps.size() > 1);
    REQUIRE(qps[0].rfind("time_ns,job,", 0) == 0);
}

TEST_CASE("--print-scenario prints the built-in scenario, which runs", "[integration][simulate]")
{
    auto dir = TempDir("simulate-print");
    auto result = RunFabricscope(dir, "simulate --print-scenario");
    REQUIRE(result.exitCode == 0);
    auto scenario = json::parse(result.out);
    REQUIRE(scenario["schema"] == 1);
    REQUIRE(scenario["design"] == "builtin:roce-128-rail");
    REQUIRE(!scenario["jobs"].empty());
    // Its two iterations take seconds; 50 µs of it show that every key of it is read.
    scenario["stop"] = {{"iterations", 0}, {"time", "50us"}};
    result = Simulate(dir, scenario, "default");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    auto summary = ReadJson(dir / "default" / "summary.json");
    REQUIRE(summary["scenario"] == scenario["name"]);
    REQUIRE(summary["completed"] == true);
    REQUIRE(summary["sim"]["sim_time_ns"] == 50'000);
    // What it writes is listed, and exists.
    const json& files = summary["files"];
    REQUIRE(std::count(files.begin(), files.end(), "ports.csv") == 1);
    REQUIRE(std::count(files.begin(), files.end(), "qps.csv") == 1);
    for (const auto& file : files)
    {
        INFO(file);
        REQUIRE(std::filesystem::exists(dir / "default" / file.get<std::string>()));
    }
    REQUIRE(std::filesystem::exists(dir / "default" / "trace.json"));
}

TEST_CASE("a stop time alone repeats the jobs until then", "[integration][simulate]")
{
    auto dir = TempDir("simulate-stop-time");
    auto scenario = CollectiveScenario();
    scenario["stop"] = {{"time", "1ms"}};
    auto result = Simulate(dir, scenario, "out");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    auto summary = ReadJson(dir / "out" / "summary.json");
    REQUIRE(summary["completed"] == true);
    REQUIRE(summary["sim"]["sim_time_ns"] == 1'000'000);
    // About 0.15 ms an iteration: several fit, each starting where the last ended.
    const auto& iterations = summary["iterations"];
    REQUIRE(iterations.size() >= 4);
    for (std::size_t i = 1; i < iterations.size(); ++i)
    {
        REQUIRE(iterations[i]["start_ns"] == iterations[i - 1]["end_ns"]);
    }
    REQUIRE(iterations.back()["end_ns"].get<std::int64_t>() <= 1'000'000);
}

TEST_CASE("the link-sweep scenario writes a summary and a report of every run",
          "[integration][simulate][sweep]")
{
    auto dir = TempDir("simulate-link-sweep");
    auto result = RunFabricscope(dir,
                                 "simulate " + std::string(FABRICSCOPE_SOURCE_DIR)
                                     + "/fabric/scenarios/link-sweep.json --out out --no-progress "
                                       "--format md,json --sflow-rate 64 --sflow-pcap sflow.pcap");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    auto summary = ReadJson(dir / "out" / "summary.json");
    const auto& sweep = summary["sweep"];
    // Every run's sFlow datagrams in a pcap of its own, counted in its summary.
    auto datagrams = [&](const std::string& file)
    {
        return static_cast<std::uint64_t>(PcapPayloads(dir / file).size());
    };
    REQUIRE(sweep["baseline"]["sflow"]["datagrams"].get<std::uint64_t>() > 0);
    CHECK(datagrams("sflow.baseline.pcap") == sweep["baseline"]["sflow"]["datagrams"]);
    for (const auto& run : sweep["runs"])
    {
        std::string tag = run["label"].get<std::string>();
        std::replace(tag.begin(), tag.end(), ':', '-');
        CHECK(datagrams("sflow." + tag + ".pcap") == run["sflow"]["datagrams"]);
        CHECK(run["sflow"]["flow_samples"].get<std::uint64_t>() > 0);
    }
    CHECK_FALSE(std::filesystem::exists(dir / "sflow.pcap"));
    REQUIRE(sweep["vary"] == "link");
    REQUIRE(sweep["baseline"]["completed"] == true);
    REQUIRE(sweep["runs"].size() == 8);
    std::set<std::string> targets;
    for (const auto& run : sweep["runs"])
    {
        targets.insert(run["target"].get<std::string>());
        REQUIRE(run["completed"] == true);
        REQUIRE(run["converged_ns"] == 5'000);
        REQUIRE(run["jobs"][0]["slowdown"].get<double>() >= 1.0);
    }
    REQUIRE(targets.size() == 8);
    auto markdown = ReadFile(dir / "out" / "report.md");
    REQUIRE(markdown.find("| leaf-1-0:7 |") != std::string::npos);
    REQUIRE(markdown.find("**One failure per link**") != std::string::npos);
    REQUIRE(ReadJson(dir / "out" / "report.json")["sweep"]["runs"].size() == 8);
}
