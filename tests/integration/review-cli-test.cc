// `fabricscope review` end to end: outputs, exit codes, and bad input named by place.
#include "support/run-command.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace fab::tests;
using nlohmann::json;

namespace
{

const char* const kMinimal = R"({
  "schema": 1,
  "servers": {"count": 64, "gpus": 8, "nic_speed": "400Gbps"},
  "switch_models": {"sw": {"ports": 32, "port_speed": "800Gbps", "breakout": 2}},
  "tiers": {"leaf": {"model": "sw"}}
})";

void
WriteText(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path) << text;
}

} // namespace

TEST_CASE("review with no argument reviews the built-in design", "[integration][review]")
{
    auto dir = TempDir("review-default");
    auto result = RunFabricscope(dir, "review --format json -o -");
    REQUIRE(result.exitCode == 0);
    auto report = json::parse(result.out);
    REQUIRE(report["endpoints"] == 10240);
    REQUIRE(report["switches_by_tier"]["leaf"] == 160);
    for (const char* key :
         {"endpoints", "switches_by_tier", "links_by_tier", "transceivers", "totals", "findings"})
    {
        REQUIRE(report.contains(key));
    }
    for (const char* key : {"switches", "transceivers", "cables", "power_w"})
    {
        REQUIRE(report["totals"].contains(key));
    }
    for (const auto& line : report["transceivers"])
    {
        for (const char* key : {"location", "speed", "form_factor", "count"})
        {
            REQUIRE(line.contains(key));
        }
    }
    for (const auto& finding : report["findings"])
    {
        for (const char* key : {"rule", "severity", "subject", "message"})
        {
            REQUIRE(finding.contains(key));
        }
    }
    // Logs stay off stdout.
    REQUIRE(result.err.find("review design=") != std::string::npos);
}

TEST_CASE("flags alone describe a design: endpoints = GPUs", "[integration][review]")
{
    auto dir = TempDir("review-flags");
    auto result
        = RunFabricscope(dir, "review --gpus 65536 --switch-radix 64 --tiers 3 --format json -o -");
    REQUIRE(result.exitCode == 0);
    auto report = json::parse(result.out);
    REQUIRE(report["endpoints"] == 65536);
    REQUIRE(report["switches_by_tier"] == json({{"leaf", 2048}, {"spine", 2048}, {"core", 1024}}));
    REQUIRE(report["links_by_tier"]["spine-core"] == 65536);

    result = RunFabricscope(dir, "review --gpus 524288 --switch-radix 128 --format json -o -");
    REQUIRE(result.exitCode == 0);
    report = json::parse(result.out);
    REQUIRE(report["totals"]["switches"] == 20480);
    REQUIRE(report["tiers"] == 3);

    result = RunFabricscope(dir, "review --gpus 2048 --switch-radix 64 --format json -o -");
    report = json::parse(result.out);
    REQUIRE(report["tiers"] == 2);
    REQUIRE(report["switches_by_tier"] == json({{"leaf", 64}, {"spine", 32}}));
}

TEST_CASE("flags override a design file", "[integration][review]")
{
    auto dir = TempDir("review-override");
    WriteText(dir / "design.json", kMinimal);
    auto result = RunFabricscope(dir, "review design.json --gpus 1024 --format json -o -");
    REQUIRE(result.exitCode == 0);
    auto report = json::parse(result.out);
    REQUIRE(report["gpus"] == 1024);
    REQUIRE(report["switches_by_tier"]["leaf"] == 32);
}

TEST_CASE("bad usage and bad input exit 2 and name the place", "[integration][review]")
{
    auto dir = TempDir("review-bad");
    struct Case
    {
        const char* args;
        const char* mention;
    };
    WriteText(dir / "not-json.json", "{\"schema\": 1,");
    WriteText(dir / "negative.json",
              std::string(kMinimal).replace(std::string(kMinimal).find("64"), 2, "-64"));
    WriteText(
        dir / "unknown-key.json",
        std::string(kMinimal).replace(std::string(kMinimal).find("\"servers\""), 9, "\"server\""));
    WriteText(dir / "bad-rules.json", R"({"schema": 1, "rules": {"design.nope": {}}})");
    WriteText(dir / "list.json", "[1, 2]");
    const Case cases[] = {
        {"review missing.json", "missing.json: cannot open the file"},
        {"review not-json.json", "not-json.json: byte "},
        {"review negative.json", "negative.json: /servers/count"},
        {"review unknown-key.json", "unknown-key.json: /server"},
        {"review list.json", "list.json: /: expected an object"},
        {"review --rules bad-rules.json", "bad-rules.json: /rules/design.nope"},
        {"review --gpus 65536 --switch-radix 64 --tiers 2", "--tiers: contradicting flags"},
        {"review --gpus 100", "--gpus: contradicting flags"},
        {"review --gpus -5", "--gpus"},
        {"review --gpus 1024 --switch-radix 1", "--switch-radix"},
        {"review --gpus 1024 --nic-speed fast", "--nic-speed"},
        {"review --gpus 1024 --nic-speed 800G --switch-radix 64 design.json", "--nic-speed"},
        {"review --tiers 4", "--tiers"},
        {"review --gpus 1000000000 --switch-radix 64", "--gpus"},
        {"review --gpus 4194304 --switch-radix 64", "--gpus: contradicting flags"},
        {"review --format pdf", "--format"},
        {"review builtin:nope", "builtin:nope"},
        {"frobnicate", "frobnicate"},
    };
    WriteText(dir / "design.json", kMinimal);
    for (const auto& c : cases)
    {
        INFO(c.args);
        auto result = RunFabricscope(dir, c.args);
        INFO(result.err);
        REQUIRE(result.exitCode == 2);
        REQUIRE(result.err.find(c.mention) != std::string::npos);
        REQUIRE(result.err.find("Segmentation") == std::string::npos);
    }
}

TEST_CASE("--fail-on decides the exit code", "[integration][review]")
{
    auto dir = TempDir("review-fail-on");
    // A 3:1 oversubscribed leaf is a warning.
    std::string args = "review --gpus 2048 --oversubscription 3:1 --format json -o out.json";
    REQUIRE(RunFabricscope(dir, args).exitCode == 0);
    REQUIRE(RunFabricscope(dir, args + " --fail-on warning").exitCode == 1);
    REQUIRE(RunFabricscope(dir, args + " --fail-on none").exitCode == 0);
    auto report = json::parse(ReadFile(dir / "out.json"));
    REQUIRE(report["finding_counts"]["warning"].get<int>() >= 1);
    // A rules file can lift the threshold.
    WriteText(dir / "rules.json",
              R"({"schema": 1, "rules": {"design.oversubscription": {"max_leaf_ratio": 3}}})");
    REQUIRE(RunFabricscope(dir, args + " --rules rules.json --fail-on warning").exitCode == 0);
}

TEST_CASE("outputs by extension, list of designs", "[integration][review]")
{
    auto dir = TempDir("review-outputs");
    auto result = RunFabricscope(dir, "review builtin:ib-ndr-1024-superpod -o report.md");
    REQUIRE(result.exitCode == 0);
    auto md = ReadFile(dir / "report.md");
    REQUIRE(md.rfind("# Design review: 1,024-GPU InfiniBand NDR cluster", 0) == 0);
    REQUIRE(result.out.find("report.md") != std::string::npos);

    result = RunFabricscope(dir, "review --list-designs");
    REQUIRE(result.exitCode == 0);
    for (const char* name : {"builtin:fat-tree-k64",
                             "builtin:fat-tree-k128",
                             "builtin:roce-10k-rail",
                             "builtin:ib-ndr-1024-superpod"})
    {
        REQUIRE(result.out.find(name) != std::string::npos);
    }

    result = RunFabricscope(dir, "review --print-design");
    REQUIRE(result.exitCode == 0);
    REQUIRE(json::parse(result.out)["servers"]["count"] == 1280);
}

TEST_CASE("the demo reviews the built-in design and simulates the built-in scenario",
          "[integration][review][simulate][slow]")
{
    auto dir = TempDir("demo");
    auto result = RunFabricscope(dir, "demo -o demo");
    INFO(result.err);
    REQUIRE(result.exitCode == 0);
    for (const char* file : {"demo/review.html",
                             "demo/review.md",
                             "demo/review.json",
                             "demo/simulate/report.html",
                             "demo/simulate/report.md",
                             "demo/simulate/summary.json",
                             "demo/simulate/trace.json",
                             "demo/simulate/ports.csv",
                             "demo/analyze.html"})
    {
        INFO(file);
        REQUIRE(std::filesystem::file_size(dir / file) > 1000);
    }
    REQUIRE(result.out.find("review.html") != std::string::npos);
    REQUIRE(result.out.find("simulate/report.html") != std::string::npos);
    REQUIRE(result.out.find("analyze.html") != std::string::npos);
    auto summary = json::parse(ReadFile(dir / "demo/simulate/summary.json"));
    REQUIRE(summary["completed"] == true);
    REQUIRE(summary["iterations"].size() == 4);
    // The built-in leaf-uplink failure: detected and converged 5 us after it, and the only
    // frames lost are its own.
    REQUIRE(summary["failures"].size() == 1);
    const auto& failure = summary["failures"][0];
    REQUIRE(failure["policy"] == "dpfr");
    REQUIRE(failure["converged_ns"].get<std::int64_t>() - failure["at_ns"].get<std::int64_t>()
            == 5'000);
    REQUIRE(failure["packets_lost"].get<std::uint64_t>() > 0);
    REQUIRE(summary["ports"]["totals"]["drops"] == failure["packets_lost"]);
}
