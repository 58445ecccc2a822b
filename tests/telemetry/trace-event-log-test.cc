#include "telemetry/model/trace-event-log.h"

#include <catch2/catch.hpp>
#include <sstream>

using namespace fab::telemetry;

namespace
{

std::string
Text(const TraceEventLog& log)
{
    std::ostringstream out;
    log.Write(out);
    return out.str();
}

nlohmann::json
Parse(const TraceEventLog& log)
{
    return nlohmann::json::parse(Text(log));
}

/** Two ports of one switch, a counter and a failure, added before the names on purpose. */
TraceEventLog
SampleLog()
{
    TraceEventLog log;
    log.AddSlice(2, 7, "tx", "port", 1000, 250, {{"bytes", 4096}, {"psn", 17}});
    log.AddCounter(2, "queue", 1500, {{"bytes", 8192.0}, {"packets", 2.5}});
    log.AddInstant(2, 7, "link down", "failure", 2000, {{"reason", "cable"}});
    log.AddSlice(1, 0, "pause", "pfc", 0, 0);
    log.NameThread(2, 7, "port 7");
    log.NameProcess(2, "leaf-2");
    log.NameProcess(1, "spine-1");
    return log;
}

} // namespace

TEST_CASE("microseconds are exact decimals with three fraction digits", "[telemetry][trace]")
{
    auto [nanoseconds, text] = GENERATE(table<std::int64_t, std::string>({
        {0, "0.000"},
        {1, "0.001"},
        {999, "0.999"},
        {1000, "1.000"},
        {1001, "1.001"},
        {1234567, "1234.567"},
        {3'600'000'000'000, "3600000000.000"}, // an hour
        {-1, "-0.001"},
        {-1234567, "-1234.567"},
        {INT64_MAX, "9223372036854775.807"},
        {INT64_MIN, "-9223372036854775.808"},
    }));
    CAPTURE(nanoseconds);
    REQUIRE(FormatMicroseconds(nanoseconds) == text);
}

TEST_CASE("the file is a JSON object in nanosecond display units", "[telemetry][trace]")
{
    TraceEventLog empty;
    REQUIRE(empty.Events() == 0);
    REQUIRE(Text(empty) == "{\"traceEvents\":[\n],\"displayTimeUnit\":\"ns\"}\n");
    auto json = Parse(SampleLog());
    REQUIRE(json.is_object());
    REQUIRE(json["displayTimeUnit"] == "ns");
    REQUIRE(json["traceEvents"].is_array());
}

TEST_CASE("names and sort orders come first, processes in pid order", "[telemetry][trace]")
{
    auto log = SampleLog();
    auto events = Parse(log)["traceEvents"];
    REQUIRE(log.Events() == 10);
    REQUIRE(events.size() == 10);
    std::vector<std::string> names;
    for (const auto& event : events)
    {
        names.push_back(event["name"]);
    }
    REQUIRE(names
            == std::vector<std::string>{"process_name",
                                        "process_sort_index",
                                        "process_name",
                                        "process_sort_index",
                                        "thread_name",
                                        "thread_sort_index",
                                        "tx",
                                        "queue",
                                        "link down",
                                        "pause"});
    for (int i = 0; i < 6; ++i)
    {
        REQUIRE(events[i]["ph"] == "M");
        REQUIRE(events[i]["ts"] == 0);
    }
    REQUIRE(events[0]["pid"] == 1);
    REQUIRE(events[0]["args"] == nlohmann::json{{"name", "spine-1"}});
    REQUIRE(events[1]["args"] == nlohmann::json{{"sort_index", 1}});
    REQUIRE(events[2]["pid"] == 2);
    REQUIRE(events[2]["args"] == nlohmann::json{{"name", "leaf-2"}});
    REQUIRE(events[3]["args"] == nlohmann::json{{"sort_index", 2}});
    REQUIRE(events[4]["pid"] == 2);
    REQUIRE(events[4]["tid"] == 7);
    REQUIRE(events[4]["args"] == nlohmann::json{{"name", "port 7"}});
    REQUIRE(events[5]["args"] == nlohmann::json{{"sort_index", 7}});
}

TEST_CASE("naming again renames instead of adding", "[telemetry][trace]")
{
    TraceEventLog log;
    log.NameProcess(3, "old");
    log.NameProcess(3, "new");
    log.NameThread(3, 1, "old");
    log.NameThread(3, 1, "new");
    REQUIRE(log.Events() == 4);
    auto events = Parse(log)["traceEvents"];
    REQUIRE(events[0]["args"]["name"] == "new");
    REQUIRE(events[2]["args"]["name"] == "new");
}

TEST_CASE("each kind of event carries its fields", "[telemetry][trace]")
{
    auto events = Parse(SampleLog())["traceEvents"];

    SECTION("a slice is a complete event with a duration")
    {
        const auto& slice = events[6];
        REQUIRE(slice["ph"] == "X");
        REQUIRE(slice["pid"] == 2);
        REQUIRE(slice["tid"] == 7);
        REQUIRE(slice["cat"] == "port");
        REQUIRE(slice["ts"] == 1.0);
        REQUIRE(slice["dur"] == 0.25);
        REQUIRE(slice["args"] == nlohmann::json{{"bytes", 4096}, {"psn", 17}});
    }
    SECTION("a slice without arguments has none")
    {
        const auto& slice = events[9];
        REQUIRE(slice["ph"] == "X");
        REQUIRE(slice["ts"] == 0);
        REQUIRE(slice["dur"] == 0);
        REQUIRE_FALSE(slice.contains("args"));
    }
    SECTION("a counter holds one series per value")
    {
        const auto& counter = events[7];
        REQUIRE(counter["ph"] == "C");
        REQUIRE(counter["pid"] == 2);
        REQUIRE(counter["ts"] == 1.5);
        REQUIRE(counter["args"] == nlohmann::json{{"bytes", 8192.0}, {"packets", 2.5}});
        REQUIRE_FALSE(counter.contains("dur"));
    }
    SECTION("an instant is scoped to its thread")
    {
        const auto& instant = events[8];
        REQUIRE(instant["ph"] == "i");
        REQUIRE(instant["s"] == "t");
        REQUIRE(instant["pid"] == 2);
        REQUIRE(instant["tid"] == 7);
        REQUIRE(instant["cat"] == "failure");
        REQUIRE(instant["ts"] == 2.0);
        REQUIRE(instant["args"] == nlohmann::json{{"reason", "cable"}});
        REQUIRE_FALSE(instant.contains("dur"));
    }
}

TEST_CASE("times are written as exact microsecond text", "[telemetry][trace]")
{
    TraceEventLog log;
    log.AddSlice(0, 0, "a", "c", 1234567, 999);
    log.AddSlice(0, 0, "b", "c", 3'600'000'000'000, 1000);
    log.AddInstant(0, 0, "c", "c", 0);
    log.AddCounter(0, "d", 1001, {{"v", 1}});
    auto text = Text(log);
    REQUIRE(text.find("\"ts\":1234.567,\"dur\":0.999,") != std::string::npos);
    REQUIRE(text.find("\"ts\":3600000000.000,\"dur\":1.000,") != std::string::npos);
    REQUIRE(text.find("\"name\":\"c\",\"ph\":\"i\",\"pid\":0,\"tid\":0,\"ts\":0.000,")
            != std::string::npos);
    REQUIRE(text.find("\"ts\":1.001,\"args\":{\"v\":1.0}") != std::string::npos);
}

TEST_CASE("names, categories and arguments are escaped", "[telemetry][trace]")
{
    std::string awkward
        = std::string("quote \" backslash \\ newline \n tab \t nul ") + '\0' + " bell \x07 end";
    std::string notUtf8 = "bad \xff byte";
    TraceEventLog log;
    log.NameProcess(1, awkward);
    log.NameThread(1, 2, "</script>");
    log.AddSlice(1, 2, awkward, awkward, 0, 1, {{awkward, awkward}});
    log.AddCounter(1, awkward, 0, {{awkward, 1.0}});
    log.AddInstant(1, 2, notUtf8, "c", 0);
    auto text = Text(log);
    REQUIRE(text.find("\\u0000") != std::string::npos);
    REQUIRE(text.find("\\u0007") != std::string::npos);
    REQUIRE(text.find("quote \\\" backslash \\\\ newline \\n tab \\t") != std::string::npos);

    auto events = nlohmann::json::parse(text)["traceEvents"];
    REQUIRE(events[0]["args"]["name"] == awkward);
    REQUIRE(events[2]["args"]["name"] == "</script>");
    REQUIRE(events[4]["name"] == awkward);
    REQUIRE(events[4]["cat"] == awkward);
    REQUIRE(events[4]["args"][awkward] == awkward);
    REQUIRE(events[5]["name"] == awkward);
    REQUIRE(events[5]["args"][awkward] == 1.0);
    REQUIRE(events[6]["name"] == "bad \xEF\xBF\xBD byte"); // U+FFFD
}

TEST_CASE("the same calls give the same bytes", "[telemetry][trace]")
{
    auto first = Text(SampleLog());
    REQUIRE(first == Text(SampleLog()));
    // One event per line: metadata, then events, in a layout fixed down to the key order.
    REQUIRE(first.find("{\"traceEvents\":[\n"
                       "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"ts\":0.000,"
                       "\"args\":{\"name\":\"spine-1\"}},\n")
            == 0);
    REQUIRE(first.find(",\n{\"name\":\"tx\",\"ph\":\"X\",\"pid\":2,\"tid\":7,\"ts\":1.000,"
                       "\"dur\":0.250,\"cat\":\"port\",\"args\":{\"bytes\":4096,\"psn\":17}},\n")
            != std::string::npos);
}
