// A real Prometheus (Debian's prometheus package) scrapes our metrics server: the end-to-end
// proof that the text, the content type and the HTTP side are what Prometheus expects. See
// research/local-peers-slurm-prometheus-pmacct.md, section 2.

#include "support/prometheus.h"
#include "support/run-command.h"
#include "telemetry/model/prometheus-text.h"
#include "telemetry/net/metrics-server.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

using namespace fab::telemetry;
using namespace std::chrono_literals;
using fab::tests::PollQuery;
using fab::tests::Query;
using fab::tests::SeriesValues;

TEST_CASE("a real Prometheus scrapes what the server serves", "[telemetry][prometheus][scrape][needs:prometheus]")
{
    MetricRegistry registry;
    auto datagrams = registry.AddCounter("fabricscope_test_datagrams_total", "Datagrams seen.");
    auto depth = registry.AddGauge("fabricscope_test_queue_depth", "Queue depth.", {"port"});
    registry.Set(datagrams, std::uint64_t{12345});
    registry.Set(depth, {"leaf-1/p1"}, 42.5);
    registry.Set(depth, {"leaf-1/p2"}, -3);
    registry.Set(depth, {"we\"ird\\one\nline"}, 0.125);
    MetricsSnapshot snapshot;
    snapshot.Publish(registry.Render());
    MetricsServer server(MetricsServerConfig{}, [&] { return snapshot.Current(); });

    auto dir = fab::tests::TempDir("prometheus-scrape");
    auto started = fab::tests::StartPrometheus(dir, {server.LocalPort()});
    REQUIRE(started.process);
    auto& prometheus = *started.process;
    auto webPort = started.webPort;
    INFO("Prometheus log: " << (dir / "prometheus.log").string());

    // The first scrape comes about 5 s after the start, whatever the interval.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    auto counter = PollQuery(prometheus,
                             webPort,
                             "fabricscope_test_datagrams_total",
                             deadline,
                             [](const nlohmann::json& result) { return !result.empty(); });
    INFO(fab::tests::ReadFile(dir / "prometheus.log"));
    REQUIRE_FALSE(counter.prometheusExited);
    REQUIRE(counter.result.size() == 1);
    REQUIRE(counter.result[0]["metric"]["job"] == "fabricscope");
    REQUIRE(counter.result[0]["metric"]["instance"]
            == "127.0.0.1:" + std::to_string(server.LocalPort()));
    REQUIRE(counter.result[0]["value"][1] == "12345");

    auto up = Query(webPort, "up{job=\"fabricscope\"}");
    REQUIRE(up.size() == 1);
    REQUIRE(up[0]["value"][1] == "1");

    auto gauges = SeriesValues(Query(webPort, "fabricscope_test_queue_depth"));
    REQUIRE(gauges
            == std::map<std::string, std::string>{
                {"__name__=fabricscope_test_queue_depth;port=leaf-1/p1;", "42.5"},
                {"__name__=fabricscope_test_queue_depth;port=leaf-1/p2;", "-3"},
                {"__name__=fabricscope_test_queue_depth;port=we\"ird\\one\nline;", "0.125"},
            });

    // A newly published snapshot reaches Prometheus at its next scrape.
    registry.Set(datagrams, std::uint64_t{12346});
    snapshot.Publish(registry.Render());
    auto updated = PollQuery(prometheus,
                             webPort,
                             "fabricscope_test_datagrams_total",
                             std::chrono::steady_clock::now() + 20s,
                             [](const nlohmann::json& result)
                             { return result.size() == 1 && result[0]["value"][1] == "12346"; });
    REQUIRE_FALSE(updated.prometheusExited);
    REQUIRE(updated.result.size() == 1);
    REQUIRE(updated.result[0]["value"][1] == "12346");

    REQUIRE(prometheus.Stop() == 0); // SIGTERM: a clean shutdown
    auto stats = server.Stats();
    REQUIRE(stats.metricsResponses >= 2);
    REQUIRE(stats.badRequests == 0);
    REQUIRE(stats.headerTooLarge == 0);
    std::filesystem::remove_all(dir);
}
