// A real Prometheus server (Debian's prometheus package) for tests: started as a child with a
// private configuration and data folder on loopback, and asked through its HTTP query API. See
// research/local-peers-slurm-prometheus-pmacct.md, section 2: the first scrape comes about 5 s
// after the start, so tests poll rather than sleep.
#ifndef FABRICSCOPE_TESTS_SUPPORT_PROMETHEUS_H
#define FABRICSCOPE_TESTS_SUPPORT_PROMETHEUS_H

#include "support/child-process.h"
#include "support/prerequisites.h"
#include "support/local-sockets.h"
#include "support/run-command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace fab::tests
{

using namespace std::chrono_literals;

inline std::string
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
inline nlohmann::json
Query(std::uint16_t prometheusPort, const std::string& query)
{
    HttpResponse response;
    try
    {
        response = HttpGet(prometheusPort, "/api/v1/query?query=" + PercentEncode(query));
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
inline Polled
PollQuery(ChildProcess& prometheus,
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
inline std::map<std::string, std::string>
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

/** A Prometheus that scrapes 127.0.0.1:`targetPorts` every second, as job "fabricscope". */
struct PrometheusServer
{
    std::uint16_t webPort{0};
    std::filesystem::path log;
    std::unique_ptr<ChildProcess> process;
};

/** Starts Prometheus in `dir` (cases that call it are tagged [needs:prometheus]). */
inline PrometheusServer
StartPrometheus(const std::filesystem::path& dir, const std::vector<std::uint16_t>& targetPorts)
{
    PrometheusServer server;
    auto program = ProgramPath("prometheus");
    if (program.empty())
    {
        throw std::logic_error("prometheus is not installed: the case lacks [needs:prometheus]");
    }
    server.webPort = FreeTcpPort();
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
                  "      - targets: [";
        for (std::size_t i = 0; i < targetPorts.size(); ++i)
        {
            config << (i > 0 ? ", " : "") << "'127.0.0.1:" << targetPorts[i] << "'";
        }
        config << "]\n";
    }
    server.log = dir / "prometheus.log";
    server.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{program.string(),
                                 "--config.file=" + (dir / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir / "data").string(),
                                 "--web.listen-address=127.0.0.1:"
                                     + std::to_string(server.webPort)},
        server.log);
    return server;
}

/**
 * What promtool's lint says of a scrape's text ("check metrics"): empty when it accepts it
 * (cases that call it are tagged [needs:promtool]).
 */
inline std::string
PromtoolComplaints(const std::filesystem::path& dir, const std::string& text)
{
    auto promtool = ProgramPath("promtool");
    if (promtool.empty())
    {
        return "promtool is not installed: the case lacks [needs:promtool]";
    }
    std::ofstream(dir / "promtool-input.txt", std::ios::binary) << text;
    auto lint = RunIn(dir, "'" + promtool.string() + "' check metrics < promtool-input.txt");
    return lint.exitCode == 0
               ? ""
               : "promtool exit " + std::to_string(lint.exitCode) + ": " + lint.out + lint.err;
}

} // namespace fab::tests

#endif
