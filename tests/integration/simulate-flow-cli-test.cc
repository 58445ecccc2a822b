#include "support/run-command.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace fs = std::filesystem;
using fab::tests::RunFabricscope;
using fab::tests::RunFabricscopeBounded;

namespace
{

/** A scenario file in `folder`: a 4 MiB ring over 16 GPUs of the 128-GPU rail design. */
fs::path
WriteRingScenario(const fs::path& folder, const nlohmann::json& extra = nlohmann::json::object())
{
    nlohmann::json scenario = {
        {"schema", 1},
        {"name", "ring"},
        {"design", "builtin:roce-128-rail"},
        {"jobs",
         {{{"kind", "collective"},
           {"name", "ring"},
           {"op", "allreduce"},
           {"bytes", "4MiB"},
           {"gpus", 16},
           {"gpus_per_server", 2}}}},
        {"stop", {{"iterations", 2}}},
        {"outputs", {{"series", false}}}};
    scenario.update(extra);
    fs::create_directories(folder);
    fs::path file = folder / "scenario.json";
    std::ofstream(file) << scenario.dump(2);
    return file;
}

nlohmann::json
ReadSummary(const fs::path& out)
{
    std::ifstream in(out / "summary.json");
    return nlohmann::json::parse(in);
}

} // namespace

TEST_CASE("simulate --engine flow writes the packet engine's summary keys, null where it has no "
          "packets",
          "[integration][flow]")
{
    fs::path dir = fab::tests::TempDir("flow-cli");
    WriteRingScenario(dir);
    auto flow = RunFabricscope(
        dir, "simulate scenario.json --engine flow --out flow --format json --no-progress");
    REQUIRE(flow.exitCode == 0);
    auto packet
        = RunFabricscope(dir, "simulate scenario.json --out packet --format json --no-progress");
    REQUIRE(packet.exitCode == 0);
    auto f = ReadSummary(dir / "flow");
    auto p = ReadSummary(dir / "packet");
    CHECK(f["engine"] == "flow");
    CHECK(p["engine"] == "packet");
    for (const auto& item : p.items())
    {
        INFO(item.key());
        CHECK(f.contains(item.key()));
    }
    REQUIRE(f["collectives"].size() == p["collectives"].size());
    REQUIRE(f["iterations"].size() == 2);
    CHECK(f["completed"] == true);
    const auto& totals = f["ports"]["totals"];
    for (const char* key : {"pfc_pause_tx", "cnp_tx", "ecn_marked", "drops"})
    {
        INFO(key);
        CHECK(totals[key].is_null());
        CHECK(p["ports"]["totals"][key].is_number());
    }
    REQUIRE_FALSE(f["ports"]["per_port"].empty());
    for (const auto& port : f["ports"]["per_port"])
    {
        CHECK(port["tx_bytes"].get<std::uint64_t>() + port["rx_bytes"].get<std::uint64_t>() > 0);
        CHECK(port["utilisation"].get<double>() >= 0);
        CHECK(port["utilisation"].get<double>() <= 1.0);
    }
    // The same ports carry the ring in both engines: the same ECMP paths.
    std::set<std::string> flowPorts;
    std::set<std::string> packetPorts;
    for (const auto& port : f["ports"]["per_port"])
    {
        flowPorts.insert(port["port"].get<std::string>());
    }
    for (const auto& port : p["ports"]["per_port"])
    {
        if (port["tx_bytes"].get<std::uint64_t>() > 1'000'000)
        {
            packetPorts.insert(port["port"].get<std::string>());
        }
    }
    CHECK(std::includes(
        flowPorts.begin(), flowPorts.end(), packetPorts.begin(), packetPorts.end()));
    fs::remove_all(dir);
}

TEST_CASE("the flow engine refuses what it does not model, naming the place", "[integration][flow]")
{
    fs::path dir = fab::tests::TempDir("flow-refusals");
    SECTION("failures")
    {
        WriteRingScenario(
            dir,
            {{"failures", {{{"kind", "link-down"}, {"target", "leaf-0-0:63"}, {"at", "10us"}}}}});
        auto run = RunFabricscope(dir, "simulate scenario.json --engine flow --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("/failures") != std::string::npos);
    }
    SECTION("the built-in scenario, whose link fails")
    {
        fs::create_directories(dir);
        auto run = RunFabricscope(dir, "simulate --engine flow --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("/failures") != std::string::npos);
    }
    SECTION("an engine that does not exist, in the scenario")
    {
        WriteRingScenario(dir, {{"engine", "fluid"}});
        auto run = RunFabricscope(dir, "simulate scenario.json --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("/engine") != std::string::npos);
    }
    SECTION("a run too large for memory is refused before it is built")
    {
        WriteRingScenario(dir,
                          {{"design", "builtin:fat-tree-k128"},
                           {"jobs",
                            {{{"kind", "collective"},
                              {"name", "all"},
                              {"op", "alltoall"},
                              {"algorithm", "direct"},
                              {"bytes", "1GiB"},
                              {"gpus", 524288}}}}});
        auto run = RunFabricscopeBounded(
            dir, "simulate scenario.json --engine flow --max-memory 8GiB --out out --no-progress");
        INFO(run.err);
        CHECK(run.exitCode == 2);
        CHECK_FALSE(fs::exists(dir / "out" / "summary.json"));
    }
    SECTION("the engine chosen in the scenario")
    {
        WriteRingScenario(dir, {{"engine", "flow"}});
        auto run
            = RunFabricscope(dir, "simulate scenario.json --out out --format json --no-progress");
        REQUIRE(run.exitCode == 0);
        CHECK(ReadSummary(dir / "out")["engine"] == "flow");
    }
    fs::remove_all(dir);
}

TEST_CASE("simulate --flow-patterns solves rings once per step pattern or flow by flow",
          "[integration][flow]")
{
    fs::path dir = fab::tests::TempDir("flow-patterns");
    WriteRingScenario(dir);
    auto on = RunFabricscope(dir,
                             "simulate scenario.json --engine flow --flow-patterns on --out on "
                             "--format json --no-progress");
    REQUIRE(on.exitCode == 0);
    auto off = RunFabricscope(dir,
                              "simulate scenario.json --engine flow --flow-patterns off --out off "
                              "--format json --no-progress");
    REQUIRE(off.exitCode == 0);
    auto patterns = ReadSummary(dir / "on");
    auto flows = ReadSummary(dir / "off");
    // Four channels, one ring phase each, two iterations; no transfer of its own.
    CHECK(patterns["sim"]["patterns"] == 8);
    CHECK(patterns["sim"]["flows"] == 0);
    CHECK(flows["sim"]["patterns"] == 0);
    // 2(n - 1) steps of 16 sends on 4 channels, two iterations; with two GPUs a server every
    // other hop stays inside its server.
    CHECK(flows["sim"]["flows"].get<std::uint64_t>() == 2 * 15 * 16 * 4 * 2 / 2);
    REQUIRE(patterns["collectives"].size() == flows["collectives"].size());
    for (std::size_t c = 0; c < flows["collectives"].size(); ++c)
    {
        auto ns = [c](const nlohmann::json& s)
        {
            return static_cast<double>(s["collectives"][c]["end_ns"].get<std::int64_t>()
                                       - s["collectives"][c]["start_ns"].get<std::int64_t>());
        };
        CHECK(ns(patterns) == Approx(ns(flows)).epsilon(0.05));
    }
    // The same bytes cross the same links either way.
    CHECK(patterns["ports"]["totals"]["tx_bytes"] == flows["ports"]["totals"]["tx_bytes"]);
    auto bad = RunFabricscope(dir, "simulate scenario.json --engine flow --flow-patterns maybe "
                                   "--out bad --no-progress");
    CHECK(bad.exitCode == 2);
    CHECK(bad.err.find("--flow-patterns") != std::string::npos);
    fs::remove_all(dir);
}
