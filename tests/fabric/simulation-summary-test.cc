// summary.json written record by record is the document's dump(2), byte for byte, for every
// kind of run; and a file that cannot be finished is never left under its name.
#include "fabric/helper/simulation.h"
#include "fabric/helper/sweep-task.h"
#include "support/run-command.h"
#include "support/sflow-scenario.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <stdexcept>

using namespace ns3::fabric;
using nlohmann::json;

namespace
{

/** The sFlow tests' ring AllReduce over 8 servers, twice, with time to spare for faults. */
json
SummaryTestScenario()
{
    auto document = fab::tests::SmallScenario();
    document["stop"] = {{"iterations", 2}, {"time", "20ms"}};
    return document;
}

SimulationResult
RunSummaryScenario(const json& document)
{
    return RunSimulation(ScenarioFromJson(document, "."), {});
}

std::string
Streamed(const SimulationResult& result)
{
    std::ostringstream out;
    WriteSummaryJson(result, out);
    return out.str();
}

std::string
Dumped(const SimulationResult& result)
{
    return SummaryJson(result).dump(2) + "\n";
}

/** A result made by hand whose names hold what JSON must escape or pass through. */
SimulationResult
UnusualNamesResult()
{
    SimulationResult result;
    result.scenarioName = "quote \" backslash \\ slash / tab \t newline \n";
    result.designName = "bell \x07 escape \x1b unit \x1f delete \x7f";
    result.designSource = u8"caf\u00e9 \u65e5\u672c \U0001F680";
    result.seed = 18'446'744'073'709'551'615ULL;
    JobSummary job;
    job.name = "job \"one\"\r\n";
    job.kind = "collective";
    job.gpus = 2;
    fab::traffic::TaskGroup group;
    group.name = u8"all-reduce \u00bd";
    group.algorithm = "ring\b\f";
    group.ranks = {0, 1};
    group.bytes = 1 << 20;
    job.groups.push_back(group);
    result.jobs.push_back(job);
    result.collectives.push_back({0, 0, 0, 10, 2'000'010, 1.0 / 3.0, 2e-300, 0});
    result.collectives.push_back({0, 1, 0, -5, 7, 1e300, 0.1, 123.456});
    result.iterations.push_back({0, 0, 0, 2'000'010});
    PortSummary port;
    port.name = "sw\x01:0";
    port.link = "\xe2\x80\xa8 line separator";
    port.rateBps = 100'000'000'000ULL;
    port.counters.txBytes = 12'345;
    result.ports.push_back(port);
    result.stats.simTimeNs = 3;
    result.files = {"a\"b", "\\"};
    FailureRecord failure;
    failure.spec.kind = FaultKind::Degraded;
    failure.spec.target = "leaf\t0:1";
    failure.spec.loss = 1e-7;
    failure.policy = u8"\u00fcber";
    result.failures.push_back(failure);
    return result;
}

} // namespace

TEST_CASE("summary.json streamed is the document's dump(2) byte for byte", "[fabric][summary]")
{
    SECTION("a packet run with failures and sFlow")
    {
        auto document = SummaryTestScenario();
        document["failures"] = json::parse(R"([
          {"kind": "link-down", "at": "200us", "target": "leaf-0-0:4"},
          {"kind": "blackhole", "at": "300us", "target": "leaf-1-0:5", "direction": "one-way",
           "duration": "50us"},
          {"kind": "degraded", "at": "100us", "target": "leaf-0-0:6", "loss": 0.001,
           "rate": "50Gbps"}
        ])");
        document["outputs"]["sflow"] = {{"sampling_rate", 64}, {"counter_interval", "100us"}};
        auto result = RunSummaryScenario(document);
        REQUIRE(result.engine == "packet");
        REQUIRE(result.failures.size() == 3);
        REQUIRE(result.sflow);
        REQUIRE(!result.sflow->agents.empty());
        REQUIRE(!result.collectives.empty());
        REQUIRE(!result.ports.empty());
        REQUIRE(Streamed(result) == Dumped(result));
    }
    SECTION("a flow run, whose packet counters are null")
    {
        auto document = SummaryTestScenario();
        document["engine"] = "flow";
        auto result = RunSummaryScenario(document);
        REQUIRE(result.engine == "flow");
        REQUIRE(!result.collectives.empty());
        auto text = Streamed(result);
        REQUIRE(text == Dumped(result));
        REQUIRE(json::parse(text)["ports"]["totals"]["tx_packets"].is_null());
    }
    SECTION("an empty result")
    {
        SimulationResult result;
        auto text = Streamed(result);
        REQUIRE(text == Dumped(result));
        REQUIRE(text.find("\"collectives\": []") != std::string::npos);
    }
    SECTION("names with quotes, control characters and UTF-8")
    {
        auto result = UnusualNamesResult();
        auto text = Streamed(result);
        REQUIRE(text == Dumped(result));
        REQUIRE(json::parse(text)["scenario"] == result.scenarioName);
    }
}

TEST_CASE("summary.json's jobs count and average each job's own iterations", "[fabric][summary]")
{
    SimulationResult result;
    result.jobs.resize(3);
    result.jobs[0].name = "a";
    result.jobs[1].name = "b";
    result.jobs[2].name = "idle";
    result.iterations = {{0, 0, 0, 100}, {1, 0, 0, 1'000}, {0, 1, 100, 300}, {1, 1, 1'000, 4'000}};
    auto jobs = json::parse(Streamed(result))["jobs"];
    REQUIRE(jobs[0]["iterations"] == 2);
    REQUIRE(jobs[0]["mean_iteration_ns"] == 150);
    REQUIRE(jobs[1]["iterations"] == 2);
    REQUIRE(jobs[1]["mean_iteration_ns"] == 2'000);
    REQUIRE(jobs[2]["iterations"] == 0);
    REQUIRE(jobs[2]["mean_iteration_ns"] == 0);
}

TEST_CASE("a summary.json that cannot be finished is not left under its name", "[fabric][summary]")
{
    auto dir = fab::tests::TempDir("summary-stream");
    auto path = dir / "summary.json";
    SECTION("a name that is not UTF-8 stops the writer")
    {
        auto result = UnusualNamesResult();
        result.collectives.push_back(result.collectives.front());
        result.jobs[0].name = "bad \xff byte";
        auto write = [&result](std::ostream& out)
        {
            WriteSummaryJson(result, out);
        };
        REQUIRE_THROWS_AS(WriteFileAtomically(path, write), json::type_error);
        REQUIRE(std::filesystem::is_empty(dir));
    }
    SECTION("a writer that throws half way")
    {
        auto write = [](std::ostream& out)
        {
            out << "{\n  \"collectives\": [";
            throw std::runtime_error("stopped");
        };
        REQUIRE_THROWS_AS(WriteFileAtomically(path, write), std::runtime_error);
        REQUIRE(std::filesystem::is_empty(dir));
    }
    SECTION("a writer that finishes")
    {
        auto result = UnusualNamesResult();
        WriteFileAtomically(path, [&result](std::ostream& out) { WriteSummaryJson(result, out); });
        REQUIRE(fab::tests::ReadFile(path) == Dumped(result));
        REQUIRE(std::distance(std::filesystem::directory_iterator(dir),
                              std::filesystem::directory_iterator())
                == 1);
    }
    std::filesystem::remove_all(dir);
}
