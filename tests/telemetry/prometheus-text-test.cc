#include "support/child-process.h"
#include "support/prerequisites.h"
#include "support/run-command.h"
#include "telemetry/model/prometheus-text.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <limits>
#include <thread>

using namespace fab::telemetry;

namespace
{

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

} // namespace

TEST_CASE("families are written in registration order, samples by label value",
          "[telemetry][prometheus]")
{
    MetricRegistry registry;
    auto datagrams = registry.AddCounter(
        "fabricscope_sflow_datagrams_total", "sFlow datagrams received, by agent.", {"agent"});
    auto depth = registry.AddGauge("fabricscope_queue_depth", "Datagrams waiting.");
    auto other = registry.AddUntyped("fabricscope_other", "", {"port", "priority"});
    registry.Set(datagrams, {"10.0.0.2"}, std::uint64_t{7});
    registry.Set(datagrams, {"10.0.0.1"}, std::numeric_limits<std::uint64_t>::max());
    registry.Set(depth, 2.5);
    registry.Set(other, {"leaf-1/p2", "3"}, -4);
    registry.Set(other, {"leaf-1/p1", "3"}, 0.125);
    registry.Set(depth, 3); // replaces the value

    REQUIRE(registry.Families() == 3);
    REQUIRE(registry.Render()
            == "# HELP fabricscope_sflow_datagrams_total sFlow datagrams received, by agent.\n"
               "# TYPE fabricscope_sflow_datagrams_total counter\n"
               "fabricscope_sflow_datagrams_total{agent=\"10.0.0.1\"} 18446744073709551615\n"
               "fabricscope_sflow_datagrams_total{agent=\"10.0.0.2\"} 7\n"
               "# HELP fabricscope_queue_depth Datagrams waiting.\n"
               "# TYPE fabricscope_queue_depth gauge\n"
               "fabricscope_queue_depth 3\n"
               "# TYPE fabricscope_other untyped\n"
               "fabricscope_other{port=\"leaf-1/p1\",priority=\"3\"} 0.125\n"
               "fabricscope_other{port=\"leaf-1/p2\",priority=\"3\"} -4\n");

    SECTION("the order of Set calls does not reach the text")
    {
        MetricRegistry again;
        auto d = again.AddCounter(
            "fabricscope_sflow_datagrams_total", "sFlow datagrams received, by agent.", {"agent"});
        auto q = again.AddGauge("fabricscope_queue_depth", "Datagrams waiting.");
        auto o = again.AddUntyped("fabricscope_other", "", {"port", "priority"});
        again.Set(o, {"leaf-1/p1", "3"}, 0.125);
        again.Set(q, 3);
        again.Set(d, {"10.0.0.1"}, std::numeric_limits<std::uint64_t>::max());
        again.Set(o, {"leaf-1/p2", "3"}, -4);
        again.Set(d, {"10.0.0.2"}, std::uint64_t{7});
        REQUIRE(again.Render() == registry.Render());
    }

    SECTION("removing and clearing samples")
    {
        REQUIRE(registry.Remove(datagrams, {"10.0.0.1"}));
        REQUIRE_FALSE(registry.Remove(datagrams, {"10.0.0.9"}));
        registry.Clear(other);
        REQUIRE(registry.Render()
                == "# HELP fabricscope_sflow_datagrams_total sFlow datagrams received, by agent.\n"
                   "# TYPE fabricscope_sflow_datagrams_total counter\n"
                   "fabricscope_sflow_datagrams_total{agent=\"10.0.0.2\"} 7\n"
                   "# HELP fabricscope_queue_depth Datagrams waiting.\n"
                   "# TYPE fabricscope_queue_depth gauge\n"
                   "fabricscope_queue_depth 3\n"
                   "# TYPE fabricscope_other untyped\n");
    }
}

TEST_CASE("a histogram writes cumulative buckets, sum and count", "[telemetry][prometheus]")
{
    MetricRegistry registry;
    auto latency = registry.AddHistogram("fabricscope_callback_seconds",
                                         "Time in the datagram callback.",
                                         {"stage"},
                                         {0.0001, 0.001, 0.01});
    registry.SetHistogram(latency, {"decode"}, {5, 3, 0, 2}, 0.5);
    REQUIRE(registry.Render()
            == "# HELP fabricscope_callback_seconds Time in the datagram callback.\n"
               "# TYPE fabricscope_callback_seconds histogram\n"
               "fabricscope_callback_seconds_bucket{stage=\"decode\",le=\"0.0001\"} 5\n"
               "fabricscope_callback_seconds_bucket{stage=\"decode\",le=\"0.001\"} 8\n"
               "fabricscope_callback_seconds_bucket{stage=\"decode\",le=\"0.01\"} 8\n"
               "fabricscope_callback_seconds_bucket{stage=\"decode\",le=\"+Inf\"} 10\n"
               "fabricscope_callback_seconds_sum{stage=\"decode\"} 0.5\n"
               "fabricscope_callback_seconds_count{stage=\"decode\"} 10\n");

    REQUIRE_THROWS_AS(registry.SetHistogram(latency, {"decode"}, {1, 2, 3}, 0),
                      std::invalid_argument);
    REQUIRE_THROWS_AS(registry.Set(latency, {"decode"}, 1), std::invalid_argument);
    auto gauge = registry.AddGauge("fabricscope_gauge_value", "A gauge.");
    REQUIRE_THROWS_AS(registry.SetHistogram(gauge, {}, {1}, 0), std::invalid_argument);
}

TEST_CASE("label values and help text are escaped", "[telemetry][prometheus]")
{
    MetricRegistry registry;
    auto family = registry.AddGauge("escaped", "Back\\slash and\nnew line \"quoted\".", {"name"});
    registry.Set(family, {"a\\b\"c\nd"}, 1);
    registry.Set(family, {"tab\there, braces {} and = , stay"}, 2);
    registry.Set(family, {""}, 3);
    REQUIRE(registry.Render()
            == "# HELP escaped Back\\\\slash and\\nnew line \"quoted\".\n"
               "# TYPE escaped gauge\n"
               "escaped{name=\"\"} 3\n"
               "escaped{name=\"a\\\\b\\\"c\\nd\"} 1\n"
               "escaped{name=\"tab\there, braces {} and = , stay\"} 2\n");
}

TEST_CASE("label values that are not UTF-8 are repaired when stored", "[telemetry][prometheus]")
{
    MetricRegistry registry;
    auto family = registry.AddGauge("utf8", "", {"name"});
    registry.Set(family, {"caf\xC3\xA9"}, 1);  // valid: kept
    registry.Set(family, {"bad\xFF"}, 2);      // stray byte
    registry.Set(family, {"\xC0\xAF"}, 3);     // overlong '/'
    registry.Set(family, {"\xED\xA0\x80"}, 4); // surrogate
    registry.Set(family, {"cut\xE2\x82"}, 5);  // truncated sequence
    auto text = registry.Render();
    CHECK(text.find("utf8{name=\"caf\xC3\xA9\"} 1\n") != std::string::npos);
    CHECK(text.find("utf8{name=\"bad\xEF\xBF\xBD\"} 2\n") != std::string::npos);
    CHECK(text.find("utf8{name=\"\xEF\xBF\xBD\xEF\xBF\xBD\"} 3\n") != std::string::npos);
    CHECK(text.find("utf8{name=\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"} 4\n")
          != std::string::npos);
    CHECK(text.find("utf8{name=\"cut\xEF\xBF\xBD\xEF\xBF\xBD\"} 5\n") != std::string::npos);
    REQUIRE(registry.Remove(family, {"bad\xFF"})); // the same repair finds the sample
}

TEST_CASE("values are written as Prometheus' Go client writes them, integers exact",
          "[telemetry][prometheus]")
{
    auto [value, text] = GENERATE(table<MetricValue, std::string>({
        {0, "0"},
        {-42, "-42"},
        {std::numeric_limits<std::int64_t>::min(), "-9223372036854775808"},
        {std::numeric_limits<std::uint64_t>::max(), "18446744073709551615"},
        {std::uint64_t{9007199254740993}, "9007199254740993"}, // 2^53 + 1: no double has it
        {std::uint8_t{255}, "255"},
        {1.0, "1"},
        {2.5, "2.5"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"}, // every digit that makes the double
        {1e21, "1e+21"},
        {1e-7, "1e-07"},
        {0.0001, "0.0001"},
        {0.00001234, "1.234e-05"},
        {123456.0, "123456"},
        {1234567.0, "1.234567e+06"}, // as Go writes it, exponent from 6 on
        {-2.5e300, "-2.5e+300"},
        {5e-324, "5e-324"},
        {-0.0, "-0"},
        {kNaN, "NaN"},
        {-kNaN, "NaN"},
        {kInf, "+Inf"},
        {-kInf, "-Inf"},
    }));
    CAPTURE(text);
    REQUIRE(value.ToString() == text);
}

TEST_CASE("invalid names are refused at registration", "[telemetry][prometheus]")
{
    MetricRegistry registry;
    registry.AddGauge("taken", "");
    registry.AddHistogram("latency_seconds", "", {}, {1.0});

    SECTION("metric names")
    {
        auto name = GENERATE(as<std::string>{},
                             "",
                             "1starts_with_digit",
                             "has-dash",
                             "has space",
                             "dotted.name",
                             "unicodé",
                             "taken",
                             "latency_seconds_bucket",
                             "latency_seconds_sum",
                             "latency_seconds_count");
        CAPTURE(name);
        REQUIRE_THROWS_AS(registry.AddGauge(name, ""), std::invalid_argument);
        REQUIRE(registry.Families() == 2); // a refused family leaves nothing behind
    }

    SECTION("counters end in _total")
    {
        REQUIRE_THROWS_AS(registry.AddCounter("datagrams", ""), std::invalid_argument);
        REQUIRE_THROWS_AS(registry.AddCounter("_total", ""), std::invalid_argument);
        REQUIRE_THROWS_AS(registry.AddCounter("datagrams_total_x", ""), std::invalid_argument);
        REQUIRE_NOTHROW(registry.AddCounter("datagrams_total", ""));
        REQUIRE_NOTHROW(registry.AddCounter("recording:rule_total", ""));
    }

    SECTION("label names")
    {
        auto labels = GENERATE(as<std::vector<std::string>>{},
                               std::vector<std::string>{""},
                               std::vector<std::string>{"__reserved"},
                               std::vector<std::string>{"with:colon"},
                               std::vector<std::string>{"9lives"},
                               std::vector<std::string>{"a-b"},
                               std::vector<std::string>{"port", "port"});
        REQUIRE_THROWS_AS(registry.AddGauge("labelled", "", labels), std::invalid_argument);
        REQUIRE(registry.Families() == 2);
    }

    SECTION("le belongs to histograms")
    {
        REQUIRE_NOTHROW(registry.AddGauge("with_le", "", {"le"}));
        REQUIRE_THROWS_AS(registry.AddHistogram("h", "", {"le"}, {1.0}), std::invalid_argument);
    }

    SECTION("histogram bounds are finite and increasing")
    {
        REQUIRE_THROWS_AS(registry.AddHistogram("h1", "", {}, {1.0, 1.0}), std::invalid_argument);
        REQUIRE_THROWS_AS(registry.AddHistogram("h2", "", {}, {2.0, 1.0}), std::invalid_argument);
        REQUIRE_THROWS_AS(registry.AddHistogram("h3", "", {}, {1.0, kInf}), std::invalid_argument);
        REQUIRE_THROWS_AS(registry.AddHistogram("h4", "", {}, {kNaN}), std::invalid_argument);
    }

    SECTION("help text must be UTF-8")
    {
        REQUIRE_THROWS_AS(registry.AddGauge("bad_help", "\xFF"), std::invalid_argument);
    }
}

TEST_CASE("samples are checked against their family", "[telemetry][prometheus]")
{
    MetricRegistry registry;
    auto counter = registry.AddCounter("events_total", "", {"kind"});
    REQUIRE_THROWS_AS(registry.Set(counter, {}, 1), std::invalid_argument);
    REQUIRE_THROWS_AS(registry.Set(counter, {"a", "b"}, 1), std::invalid_argument);
    REQUIRE_THROWS_AS(registry.Set(counter, {"a"}, -1), std::invalid_argument);
    REQUIRE_THROWS_AS(registry.Set(counter, {"a"}, -0.5), std::invalid_argument);
    REQUIRE_NOTHROW(registry.Set(counter, {"a"}, 0));

    MetricRegistry other;
    other.AddGauge("one", "");
    auto foreign = other.AddGauge("two", "");
    REQUIRE_THROWS_AS(registry.Set(foreign, {}, 1), std::invalid_argument);
}

TEST_CASE("a snapshot swaps whole texts and keeps old ones alive for their readers",
          "[telemetry][prometheus]")
{
    MetricsSnapshot snapshot;
    REQUIRE(snapshot.Current() != nullptr);
    REQUIRE(snapshot.Current()->empty());
    REQUIRE(snapshot.Generation() == 0);

    snapshot.Publish("first 1\n");
    auto held = snapshot.Current();
    snapshot.Publish("second 2\n");
    REQUIRE(*held == "first 1\n");
    REQUIRE(*snapshot.Current() == "second 2\n");
    REQUIRE(snapshot.Generation() == 2);

    SECTION("readers on other threads see only whole texts")
    {
        // Every published text is one of two complete bodies; a torn read would show neither.
        const std::string a(4096, 'a');
        const std::string b(8192, 'b');
        std::atomic<bool> done{false};
        std::atomic<int> torn{0};
        std::vector<std::thread> readers;
        for (int r = 0; r < 2; ++r)
        {
            readers.emplace_back(
                [&]
                {
                    while (!done.load())
                    {
                        auto text = snapshot.Current();
                        if (*text != a && *text != b && *text != "second 2\n")
                        {
                            ++torn;
                        }
                    }
                });
        }
        for (int i = 0; i < 2000; ++i)
        {
            snapshot.Publish(i % 2 == 0 ? a : b);
        }
        done = true;
        for (auto& reader : readers)
        {
            reader.join();
        }
        REQUIRE(torn == 0);
        REQUIRE(snapshot.Generation() == 2002);
    }
}

TEST_CASE("promtool accepts what we write", "[telemetry][prometheus][promtool][needs:promtool]")
{
    auto promtool = fab::tests::ProgramPath("promtool");
    MetricRegistry registry;
    auto datagrams = registry.AddCounter(
        "fabricscope_sflow_datagrams_total", "sFlow datagrams received, by agent.", {"agent"});
    auto ratio = registry.AddGauge("fabricscope_port_utilization_ratio",
                                   "Port utilization, 0 to 1; NaN when unknown.",
                                   {"port", "description"});
    auto latency = registry.AddHistogram("fabricscope_callback_seconds",
                                         "Time in the datagram callback.",
                                         {"stage"},
                                         {0.0001, 0.001, 0.01});
    auto untyped = registry.AddUntyped("fabricscope_build_info", "Build \\ information\nline two.");
    registry.Set(datagrams, {"10.0.0.1"}, std::numeric_limits<std::uint64_t>::max());
    registry.Set(datagrams, {"[2001:db8::1]:6343"}, 0);
    registry.Set(ratio, {"leaf-1/p1", "quote \" backslash \\ newline \n end"}, 0.25);
    registry.Set(ratio, {"leaf-1/p2", "unknown"}, kNaN);
    registry.Set(ratio, {"leaf-1/p3", "up"}, kInf);
    registry.Set(ratio, {"leaf-1/p4", "down"}, -kInf);
    registry.Set(ratio, {"leaf-1/p5", "caf\xC3\xA9 \xFF"}, 1e-9);
    registry.SetHistogram(latency, {"decode"}, {5, 3, 0, 2}, 0.5);
    registry.Set(untyped, {}, 1);

    auto dir = fab::tests::TempDir("promtool");
    auto path = dir / "metrics.txt";
    std::ofstream(path, std::ios::binary) << registry.Render();
    auto result = fab::tests::RunIn(dir, "'" + promtool.string() + "' check metrics < metrics.txt");
    INFO(result.out << result.err);
    REQUIRE(result.exitCode == 0);
    std::filesystem::remove_all(dir);
}
