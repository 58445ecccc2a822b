#include "telemetry/model/csv-writer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>

using namespace fab::telemetry;

TEST_CASE("a small table is written exactly", "[telemetry][csv]")
{
    std::ostringstream out;
    CsvWriter csv(out, {"time_ns", "port", "queue_bytes", "rate_gbps"});
    REQUIRE(out.str() == "time_ns,port,queue_bytes,rate_gbps\r\n"); // the header comes at once
    csv.AddRow({std::int64_t{0}, "leaf-1/p1", std::uint64_t{0}, 400.0});
    csv.AddRow({1500, "leaf-1/p2", 65536u, 123.456789});
    REQUIRE(csv.Rows() == 2);
    REQUIRE(csv.Columns() == 4);
    REQUIRE(out.str()
            == "time_ns,port,queue_bytes,rate_gbps\r\n"
               "0,leaf-1/p1,0,400\r\n"
               "1500,leaf-1/p2,65536,123.457\r\n");
}

TEST_CASE("text is quoted only when it must be", "[telemetry][csv]")
{
    auto [text, field] = GENERATE(table<std::string, std::string>({
        {"plain", "plain"},
        {"", ""},
        {" spaced ", " spaced "},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {"line\nbreak", "\"line\nbreak\""},
        {"carriage\rreturn", "\"carriage\rreturn\""},
        {"crlf\r\n", "\"crlf\r\n\""},
        {"semi;colon\ttab", "semi;colon\ttab"},
    }));
    CAPTURE(text);
    REQUIRE(CsvCell(text).Text() == field);
    REQUIRE(CsvCell(text.c_str()).Text() == field);
    REQUIRE(CsvCell(std::string_view(text)).Text() == field);
}

TEST_CASE("integers are exact", "[telemetry][csv]")
{
    REQUIRE(CsvCell(0).Text() == "0");
    REQUIRE(CsvCell(-42).Text() == "-42");
    REQUIRE(CsvCell(std::numeric_limits<std::int64_t>::min()).Text() == "-9223372036854775808");
    REQUIRE(CsvCell(std::numeric_limits<std::uint64_t>::max()).Text() == "18446744073709551615");
    REQUIRE(CsvCell(std::uint8_t{255}).Text() == "255");
    REQUIRE(CsvCell(std::int16_t{-7}).Text() == "-7");
}

TEST_CASE("doubles have at most six significant digits", "[telemetry][csv]")
{
    auto [value, text] = GENERATE(table<double, std::string>({
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {2.5, "2.5"},
        {-3.25, "-3.25"},
        {0.1, "0.1"},
        {1.0 / 3, "0.333333"},
        {0.1 + 0.2, "0.3"},
        {123456.0, "123456"},
        {1234567.0, "1.23457e+06"},
        {0.0001, "0.0001"},
        {0.00001234, "1.234e-05"},
        {1e300, "1e+300"},
        {std::numeric_limits<double>::quiet_NaN(), "nan"},
        {-std::numeric_limits<double>::quiet_NaN(), "nan"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
    }));
    CAPTURE(value);
    REQUIRE(CsvCell(value).Text() == text);
}

TEST_CASE("floats are written as the doubles they widen to", "[telemetry][csv]")
{
    REQUIRE(CsvCell(2.5f).Text() == "2.5");
    REQUIRE(CsvCell(0.1f).Text() == "0.1"); // 0.100000001490116 at six digits
}

TEST_CASE("column names are quoted like any text", "[telemetry][csv]")
{
    std::ostringstream out;
    CsvWriter csv(out, {"name", "rate, Gbps", "say \"x\""});
    REQUIRE(out.str() == "name,\"rate, Gbps\",\"say \"\"x\"\"\"\r\n");
}

TEST_CASE("an empty value alone on its line is quoted", "[telemetry][csv]")
{
    std::ostringstream out;
    CsvWriter csv(out, {"note"});
    csv.AddRow({""});
    csv.AddRow({"x"});
    REQUIRE(out.str() == "note\r\n\"\"\r\nx\r\n");

    std::ostringstream two;
    CsvWriter pair(two, {"a", "b"});
    pair.AddRow({"", ""});
    REQUIRE(two.str() == "a,b\r\n,\r\n");
}

TEST_CASE("a row with the wrong number of cells is refused", "[telemetry][csv]")
{
    std::ostringstream out;
    CsvWriter csv(out, {"a", "b", "c"});
    REQUIRE_THROWS_WITH(csv.AddRow({1, 2}), "CSV row has 2 cells, expected 3 (one per column)");
    REQUIRE_THROWS_AS(csv.AddRow({1, 2, 3, 4}), std::invalid_argument);
    REQUIRE_THROWS_AS(csv.AddRow({}), std::invalid_argument);
    REQUIRE(csv.Rows() == 0);
    REQUIRE(out.str() == "a,b,c\r\n"); // nothing half-written
}

TEST_CASE("a file needs columns", "[telemetry][csv]")
{
    std::ostringstream out;
    REQUIRE_THROWS_AS(CsvWriter(out, {}), std::invalid_argument);
}

TEST_CASE("the same rows give the same bytes", "[telemetry][csv]")
{
    auto write = []
    {
        std::ostringstream out;
        CsvWriter csv(out, {"t", "v", "label"});
        for (std::int64_t t = 0; t < 100; ++t)
        {
            csv.AddRow({t * 1000, std::sqrt(static_cast<double>(t)), "p," + std::to_string(t)});
        }
        return out.str();
    };
    auto first = write();
    REQUIRE(first == write());
    REQUIRE(first.find("\r\n2000,1.41421,\"p,2\"\r\n") != std::string::npos);
}
