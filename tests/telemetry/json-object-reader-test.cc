#include "telemetry/model/json-object-reader.h"

#include <catch2/catch.hpp>
#include <functional>

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
