// `fabricscope simulate --prometheus`: a run serves its progress and port counters while it goes
// on, and its final numbers, which equal summary.json's, for as long as it lingers.
#include "support/child-process.h"
#include "support/local-sockets.h"
#include "support/metrics-scrape.h"
#include "support/prometheus.h"
#include "support/run-command.h"
#include "support/sflow-scenario.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

using namespace fab::tests;
using namespace std::chrono_literals;
using nlohmann::json;

namespace
{

/** The family of a series: "a_total{x=\"1\"}" → "a_total". */
std::string
FamilyOf(const std::string& series)
{
    return series.substr(0, series.find('{'));
}

bool
EndsWith(const std::string& text, const std::string& end)
{
    return text.size() >= end.size()
           && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

} // namespace

TEST_CASE("simulate --prometheus serves the run's progress and port counters while it runs",
          "[integration][simulate][prometheus][slow][needs:promtool]")
{
    auto dir = TempDir("simulate-prometheus");
    // A ring AllReduce of 64 MiB four times, 2.5 to 4 s of wall time in an optimized build, with
    // an uplink down for 20 of its 39 ms.
    auto scenario = SmallScenario();
    scenario["jobs"][0]["bytes"] = "64MiB";
    scenario["stop"]["iterations"] = 4;
    scenario["failures"] = json::array(
        {{{"kind", "link-down"}, {"target", "leaf-0-0:4"}, {"at", "10ms"}, {"duration", "20ms"}}});
    WriteJson(dir / "scenario.json", scenario);
    auto port = FreeTcpPort();
    ChildProcess simulate({FABRICSCOPE_BINARY,
                           "simulate",
                           (dir / "scenario.json").string(),
                           "--out",
                           (dir / "out").string(),
                           "--format",
                           "json",
                           "--no-progress",
                           "--prometheus",
                           "127.0.0.1:" + std::to_string(port),
                           "--prometheus-linger",
                           "60s"},
                          dir / "simulate.log");

    // Scrape every 50 ms until the run says it has finished.
    std::vector<std::map<std::string, double>> during;
    std::map<std::string, double> last;
    std::string lastText;
    auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline && simulate.Running())
    {
        auto scraped = Scrape(port);
        if (!scraped.empty())
        {
            if (Value(scraped, "fabricscope_sim_finished") == 1)
            {
                last = std::move(scraped);
                lastText = HttpGet(port, "/metrics").body;
                break;
            }
            during.push_back(std::move(scraped));
        }
        std::this_thread::sleep_for(50ms);
    }
    INFO(ReadFile(dir / "simulate.log"));
    REQUIRE_FALSE(last.empty());

    // The run moved on between scrapes: several distinct updates, partial progress.
    std::set<double> simTimes;
    bool partial = false;
    bool faultSeen = false;
    for (const auto& m : during)
    {
        simTimes.insert(Value(m, "fabricscope_sim_time_seconds"));
        faultSeen = faultSeen
                    || (Value(m, "fabricscope_sim_faults_active") == 1
                        && Value(m, "fabricscope_sim_faults_injected_total") == 1);
        double progress = Value(m, "fabricscope_sim_progress_ratio");
        partial = partial
                  || (progress > 0 && progress < 1
                      && Value(m,
                               "fabricscope_sim_port_octets_total{port=\"leaf-0-0:0\","
                               "link=\"leaf→server\",direction=\"out\"}")
                             > 0);
    }
    CHECK(simTimes.size() >= 2);
    CHECK(partial);
    CHECK(faultSeen); // the link was down for half the run
    // Counters never go back, and a series once there stays.
    during.push_back(last);
    std::size_t compared = 0;
    for (std::size_t i = 1; i < during.size(); ++i)
    {
        for (const auto& [series, value] : during[i - 1])
        {
            auto now = during[i].find(series);
            REQUIRE(now != during[i].end());
            if (EndsWith(FamilyOf(series), "_total"))
            {
                INFO(series);
                CHECK(now->second >= value);
                ++compared;
            }
        }
    }
    CHECK(compared > 1000);
    WARN("simulate --prometheus: " << during.size() << " scrapes, " << simTimes.size()
                                   << " distinct updates, " << compared
                                   << " counter readings compared with the next");

    // The final numbers are the run's: summary.json is written before the run lingers.
    REQUIRE(Within(
        30s,
        [&] { return ReadFile(dir / "simulate.log").find("run over;") != std::string::npos; }));
    auto summary = json::parse(ReadFile(dir / "out" / "summary.json"));
    CHECK(Value(last, "fabricscope_sim_events_total") == summary["sim"]["events"].get<double>());
    CHECK(Value(last, "fabricscope_sim_time_seconds")
          == summary["sim"]["sim_time_ns"].get<double>() / 1e9);
    CHECK(Value(last, "fabricscope_sim_progress_ratio") == 1);
    CHECK(Value(last, "fabricscope_sim_iterations_completed_total") == 4);
    CHECK(Value(last, "fabricscope_sim_iterations_completed_total")
          == static_cast<double>(summary["iterations"].size()));
    CHECK(Value(last, "fabricscope_sim_collectives_completed_total")
          == static_cast<double>(summary["collectives"].size()));
    CHECK(Value(last, "fabricscope_sim_faults_injected_total") == 1);
    CHECK(Value(last, "fabricscope_sim_faults_active") == 0);
    CHECK(Value(last, "fabricscope_sim_fault_packets_lost_total")
          == summary["failures"][0]["packets_lost"].get<double>());
    const auto& ports = summary["ports"]["per_port"];
    REQUIRE(ports.size() > 0);
    CHECK(Value(last, "fabricscope_sim_ports_active") == static_cast<double>(ports.size()));
    for (const auto& p : ports)
    {
        std::string labels = "{port=\"" + p["port"].get<std::string>() + "\",link=\""
                             + p["link"].get<std::string>() + "\",direction=";
        INFO(labels);
        CHECK(Value(last, "fabricscope_sim_port_octets_total" + labels + "\"out\"}")
              == p["tx_bytes"].get<double>());
        CHECK(Value(last, "fabricscope_sim_port_octets_total" + labels + "\"in\"}")
              == p["rx_bytes"].get<double>());
        CHECK(Value(last, "fabricscope_sim_port_packets_total" + labels + "\"out\"}")
              == p["tx_packets"].get<double>());
    }

    // promtool finds nothing to say about the text.
    CHECK(PromtoolComplaints(dir, lastText).empty());
    CHECK(simulate.Stop() == 0); // SIGTERM ends the lingering early, with success
    std::filesystem::remove_all(dir);
}

TEST_CASE("simulate --prometheus names a bad address and a linger without an endpoint",
          "[integration][simulate][prometheus]")
{
    auto dir = TempDir("simulate-prometheus-bad");
    WriteJson(dir / "scenario.json", SmallScenario());
    auto bad = RunFabricscope(
        dir, "simulate scenario.json --out out --no-progress --prometheus nowhere");
    CHECK(bad.exitCode == 2);
    CHECK(bad.err.find("--prometheus") != std::string::npos);
    auto linger = RunFabricscope(
        dir, "simulate scenario.json --out out --no-progress --prometheus-linger 1s");
    CHECK(linger.exitCode == 2);
    CHECK(linger.err.find("--prometheus-linger: needs --prometheus") != std::string::npos);
    auto duration = RunFabricscope(dir,
                                   "simulate scenario.json --out out --no-progress --prometheus "
                                   "127.0.0.1:0 --prometheus-linger soon");
    CHECK(duration.exitCode == 2);
    CHECK(duration.err.find("--prometheus-linger") != std::string::npos);
    std::filesystem::remove_all(dir);
}
