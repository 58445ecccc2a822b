// Scraping a Prometheus text endpoint from tests: parse, scrape, poll.
#ifndef FABRICSCOPE_TESTS_SUPPORT_METRICS_SCRAPE_H
#define FABRICSCOPE_TESTS_SUPPORT_METRICS_SCRAPE_H

#include "support/local-sockets.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <thread>

namespace fab::tests
{

/** `name{labels}` → value, from Prometheus text. */
inline std::map<std::string, double>
ParseMetrics(const std::string& text)
{
    std::map<std::string, double> values;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
    {
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        auto space = line.rfind(' ');
        values[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return values;
}

inline std::map<std::string, double>
Scrape(std::uint16_t port)
{
    try
    {
        auto response = HttpGet(port, "/metrics");
        if (response.status == 200)
        {
            return ParseMetrics(response.body);
        }
    }
    catch (const std::exception&)
    {
    }
    return {};
}

/** Scrapes until `accept` likes the metrics or 20 s pass; returns the last scrape. */
template <typename Accept>
std::map<std::string, double>
ScrapeUntil(std::uint16_t port, Accept accept)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::map<std::string, double> metrics;
    while (std::chrono::steady_clock::now() < deadline)
    {
        metrics = Scrape(port);
        if (!metrics.empty() && accept(metrics))
        {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return metrics;
}

inline double
Value(const std::map<std::string, double>& metrics, const std::string& series)
{
    auto found = metrics.find(series);
    return found == metrics.end() ? -1 : found->second;
}

template <typename Check>
bool
Within(std::chrono::seconds limit, Check check)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (check())
        {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return check();
}

} // namespace fab::tests

#endif
