// A real Prometheus (Debian's prometheus package) scrapes our metrics server: the end-to-end
// proof that the text, the content type and the HTTP side are what Prometheus expects. See
// research/local-peers-slurm-prometheus-pmacct.md, section 2.

#include "support/child-process.h"
#include "support/local-sockets.h"
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

namespace
{

std::string
PercentEncode(const std::string& text)
{
    std::string out;
    for (unsigned char c : text)
    {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
            || c == '-' || c == '.' || c == '~')
        {
            out += static_cast<char>(c);
        }
        else
        {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", c);
            out += escaped;
        }
    }
    return out;
}

/** The instant query's result vector, or an empty array while Prometheus has nothing yet. */
nlohmann::json
Query(std::uint16_t prometheusPort, const std::string& query)
{
    fab::tests::HttpResponse response;
    try
    {
        response
            = fab::tests::HttpGet(prometheusPort, "/api/v1/query?query=" + PercentEncode(query));
    }
    catch (const std::exception&)
    {
        return nlohmann::json::array(); // not listening yet
    }
    if (response.status != 200)
    {
        return nlohmann::json::array();
    }
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded() || body.value("status", "") != "success")
    {
        return nlohmann::json::array();
    }
    return body["data"]["result"];
}

struct Polled
{
    nlohmann::json result;
    bool prometheusExited{false};
};

/** Polls the query until `accept` likes its result, Prometheus dies or the deadline passes. */
template <typename Accept>
Polled
PollQuery(fab::tests::ChildProcess& prometheus,
          std::uint16_t port,
          const std::string& query,
          std::chrono::steady_clock::time_point deadline,
          Accept accept)
{
    Polled polled;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (!prometheus.Running())
        {
            polled.prometheusExited = true;
            return polled;
        }
        polled.result = Query(port, query);
        if (accept(polled.result))
        {
            return polled;
        }
        std::this_thread::sleep_for(200ms);
    }
    return polled;
}

/** label set (without job and instance) → value text, from a query result. */
std::map<std::string, std::string>
SeriesValues(const nlohmann::json& result)
{
    std::map<std::string, std::string> values;
    for (const auto& series : result)
    {
        std::string labels;
        for (const auto& [name, value] : series["metric"].items())
        {
            if (name != "job" && name != "instance")
            {
                labels += name + "=" + value.get<std::string>() + ";";
            }
        }
        values[labels] = series["value"][1].get<std::string>();
    }
    return values;
}

} // namespace

TEST_CASE("a real Prometheus scrapes what the server serves", "[telemetry][prometheus][scrape]")
{
    auto prometheusPath = fab::tests::FindOnPath("prometheus");
    if (prometheusPath.empty())
    {
        WARN("prometheus is not installed (Debian package prometheus): end-to-end scrape skipped");
        return;
    }

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
    auto webPort = fab::tests::FreeTcpPort();
    {
        std::ofstream config(dir / "prometheus.yml");
        config << "global:\n"
                  "  scrape_interval: 1s\n"
                  "  evaluation_interval: 1s\n"
                  "scrape_configs:\n"
                  "  - job_name: fabricscope\n"
                  "    scrape_interval: 1s\n"
                  "    scrape_timeout: 1s\n"
                  "    metrics_path: /metrics\n"
                  "    static_configs:\n"
                  "      - targets: ['127.0.0.1:"
               << server.LocalPort() << "']\n";
    }
    fab::tests::ChildProcess prometheus(
        {prometheusPath.string(),
         "--config.file=" + (dir / "prometheus.yml").string(),
         "--storage.tsdb.path=" + (dir / "data").string(),
         "--web.listen-address=127.0.0.1:" + std::to_string(webPort)},
        dir / "prometheus.log");
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
