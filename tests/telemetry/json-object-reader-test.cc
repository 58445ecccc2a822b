#include "telemetry/model/json-object-reader.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

using namespace fab::telemetry;
using nlohmann::json;

namespace
{

std::string
PlaceOf(const std::function<void()>& action)
{
    try
    {
        action();
    }
    catch (const InputError& error)
    {
        return error.Place();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("JSON pointers escape ~ and /", "[telemetry][json]")
{
    REQUIRE(JsonPointerChild("", "a") == "/a");
    REQUIRE(JsonPointerChild("/x", "a/b") == "/x/a~1b");
    REQUIRE(JsonPointerChild("/x", "m~n") == "/x/m~0n");
    REQUIRE(JsonPointerChild("/x", std::size_t{3}) == "/x/3");
}

TEST_CASE("strict reader names the offender", "[telemetry][json]")
{
    json doc = {{"count", 4}, {"name", "n"}, {"ratio", 0.5}, {"nested", {{"deep", "x"}}}};
    SECTION("unknown key")
    {
        REQUIRE(PlaceOf(
                    [&]
                    {
                        JsonObjectReader reader(doc, "");
                        reader.Integer("count", 0, 10);
                        reader.String("name");
                        reader.Number("ratio", 0, 1);
                        reader.Finish();
                    })
                == "/nested");
    }
    SECTION("missing key")
    {
        REQUIRE(PlaceOf(
                    [&]
                    {
                        JsonObjectReader reader(doc, "/root");
                        reader.Required("absent");
                    })
                == "/root/absent");
    }
    SECTION("wrong type")
    {
        REQUIRE(PlaceOf(
                    [&]
                    {
                        JsonObjectReader reader(doc, "");
                        reader.Integer("name", 0, 10);
                    })
                == "/name");
        REQUIRE(PlaceOf(
                    [&]
                    {
                        JsonObjectReader reader(doc, "");
                        reader.Integer("ratio", 0, 10);
                    })
                == "/ratio");
    }
    SECTION("out of range")
    {
        REQUIRE(PlaceOf(
                    [&]
                    {
                        JsonObjectReader reader(doc, "");
                        reader.Integer("count", 5, 10);
                    })
                == "/count");
    }
    SECTION("nested objects carry their pointer")
    {
        REQUIRE(PlaceOf(
                    [&]
                    {
                        JsonObjectReader reader(doc, "");
                        auto nested = reader.Object("nested");
                        nested.Integer("deep", 0, 1);
                    })
                == "/nested/deep");
    }
    SECTION("not an object")
    {
        REQUIRE(PlaceOf([&] { JsonObjectReader reader(json::array(), "/list"); }) == "/list");
    }
}

TEST_CASE("parse errors give the byte offset", "[telemetry][json]")
{
    try
    {
        ParseJsonText("{\"a\": 1,,}");
        FAIL("no error");
    }
    catch (const InputError& error)
    {
        REQUIRE(error.Place() == "byte 9");
        REQUIRE(std::string(error.what()).find("not valid JSON") != std::string::npos);
    }
}

TEST_CASE("missing files are named", "[telemetry][json]")
{
    try
    {
        ReadJsonFile("/nonexistent/design.json");
        FAIL("no error");
    }
    catch (const InputError& error)
    {
        REQUIRE(error.File() == "/nonexistent/design.json");
        REQUIRE(std::string(error.what()) == "/nonexistent/design.json: cannot open the file");
    }
}

namespace
{

/** The error a JSON text is rejected with; fails the test if it parses. */
InputError
ParseFailure(const std::string& text)
{
    try
    {
        ParseJsonText(text);
    }
    catch (const InputError& error)
    {
        return error;
    }
    FAIL("parsed: " << text.substr(0, 80));
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("numbers past a double's range name their pointer and line", "[telemetry][json]")
{
    std::string huge = GENERATE(std::string("1e400"),
                                std::string("-1e400"),
                                std::string("1e999999999"),
                                std::string("2e308"),
                                std::string(5000, '9'),
                                "-" + std::string(5000, '9'));
    INFO(huge.substr(0, 20));
    auto [text, pointer] = GENERATE_COPY(table<std::string, std::string>({
        {"{\n  \"servers\": {\"count\": " + huge + "}\n}", "/servers/count"},
        {"[1, " + huge + "]", "/1"},
        {"{\"a/b\": [{\"x\": 1}, {\"x\": " + huge + "}]}", "/a~1b/1/x"},
    }));
    auto error = ParseFailure(text);
    REQUIRE(error.Place() == pointer);
    std::string what = error.what();
    REQUIRE(what.find("double's range") != std::string::npos);
    REQUIRE(what.find("line ") != std::string::npos);
    // A 5,000-digit token is shortened, not quoted whole.
    REQUIRE(what.size() < 300);
    // Tiny numbers round to zero and are fine.
    REQUIRE(ParseJsonText("{\"x\": 1e-400}")["x"].get<double>() == 0.0);
}

TEST_CASE("a key twice in one object is rejected with its pointer", "[telemetry][json]")
{
    auto [text, pointer] = GENERATE(table<std::string, std::string>({
        {R"({"a": 1, "a": 2})", "/a"},
        {R"({"fabric": {"tiers": 2, "name": "x", "tiers": 3}})", "/fabric/tiers"},
        {R"([{"k": 1}, {"k": 1, "k": 1}])", "/1/k"},
        {R"({"a": {"x": 1}, "a": 2})", "/a"},
        {R"({"m~n/o": 1, "m~n/o": 1})", "/m~0n~1o"},
        {R"({"outer": [[{"deep": {"x": 1, "x": null}}]]})", "/outer/0/0/deep/x"},
    }));
    auto error = ParseFailure(text);
    REQUIRE(error.Place() == pointer);
    REQUIRE(std::string(error.what()).find("duplicate key") != std::string::npos);
    // The same key in different objects is no duplicate.
    REQUIRE(ParseJsonText(R"({"a": {"k": 1}, "b": {"k": 1}, "c": [{"k": 1}, {"k": 2}]})").size()
            == 3);
}

TEST_CASE("nesting is bounded and the byte named", "[telemetry][json]")
{
    auto nested = [](std::size_t depth, bool objects)
    {
        std::string open;
        std::string close;
        for (std::size_t i = 0; i < depth; ++i)
        {
            open += objects ? "{\"k\": " : "[";
            close += objects ? "}" : "]";
        }
        return open + "1" + close;
    };
    bool objects = GENERATE(false, true);
    REQUIRE_NOTHROW(ParseJsonText(nested(kMaxJsonDepth, objects)));
    std::size_t depth = GENERATE(kMaxJsonDepth + 1, std::size_t{100'000});
    auto error = ParseFailure(nested(depth, objects));
    std::size_t opener = objects ? 6 : 1; // bytes per level
    REQUIRE(error.Place() == "byte " + std::to_string(kMaxJsonDepth * opener));
    REQUIRE(std::string(error.what()).find("nested deeper than 64") != std::string::npos);
}

TEST_CASE("JSON files are read up to a bound", "[telemetry][json]")
{
    auto dir = std::filesystem::temp_directory_path()
               / ("fabricscope-json-bound-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto failure = [](const std::string& path)
    {
        try
        {
            ReadJsonFile(path);
        }
        catch (const InputError& error)
        {
            REQUIRE(error.File() == path);
            return std::string(error.what());
        }
        return std::string("(no error)");
    };
    SECTION("a regular file past the limit is refused before it is read")
    {
        auto path = (dir / "huge.json").string();
        std::ofstream(path) << "{}";
        std::filesystem::resize_file(path, kMaxJsonFileBytes + 1); // sparse: costs no disk
        REQUIRE(failure(path).find("at most 64 MiB") != std::string::npos);
    }
    SECTION("a file of exactly the limit is read (and found not to be JSON)")
    {
        auto path = (dir / "limit.json").string();
        std::ofstream(path) << "{}";
        std::filesystem::resize_file(path, kMaxJsonFileBytes);
        REQUIRE(failure(path).find("not valid JSON") != std::string::npos);
    }
    SECTION("an endless device is read in chunks up to the limit")
    {
        std::string device = GENERATE(std::string("/dev/zero"), std::string("/dev/urandom"));
        REQUIRE(failure(device).find("more than 64 MiB") != std::string::npos);
    }
    SECTION("a folder is not a file")
    {
        REQUIRE(failure(dir.string()).find("folder") != std::string::npos);
    }
    SECTION("an empty file is not JSON")
    {
        auto path = (dir / "empty.json").string();
        std::ofstream{path};
        REQUIRE(failure(path).find("not valid JSON") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("integers out of reach name the range", "[telemetry][json]")
{
    auto value
        = GENERATE(json(1e308), json(-1.5), json(18446744073709551615ULL), json(-5), json("7"));
    json doc = {{"n", value}};
    try
    {
        JsonObjectReader reader(doc, "");
        reader.Integer("n", 0, 10);
        FAIL("accepted " << value.dump());
    }
    catch (const InputError& error)
    {
        REQUIRE(error.Place() == "/n");
        REQUIRE(std::string(error.what()).find("[0, 10]") != std::string::npos);
    }
}

TEST_CASE("error messages carry no control characters", "[telemetry][json]")
{
    InputError error("/switch_models/\x1b[2J", "unknown model \"evil\x07\xff\"");
    error.SetFile("design\x1b]0;title\x07.json");
    std::string what = error.what();
    REQUIRE(what.find('\x1b') == std::string::npos);
    REQUIRE(what.find('\x07') == std::string::npos);
    REQUIRE(what.find('\xff') == std::string::npos);
    REQUIRE(what
            == "design\\x1b]0;title\\x07.json: /switch_models/\\x1b[2J: unknown model "
               "\"evil\\x07\\xff\"");
    // The parts stay as given: callers compare places and compose new messages from them.
    REQUIRE(error.Place() == "/switch_models/\x1b[2J");
}

TEST_CASE("a NUL byte does not end the text early", "[telemetry][json]")
{
    auto error = ParseFailure(std::string("{\"a\": 1}\0{\"ignored\": ", 21));
    REQUIRE(error.Place() == "byte 8");
    REQUIRE(std::string(error.what()).find("NUL byte") != std::string::npos);
}
