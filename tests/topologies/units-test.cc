#include "topologies/model/units.h"

#include <catch2/catch.hpp>

using namespace fab::topo;

TEST_CASE("rates", "[topologies][units]")
{
    REQUIRE(ParseRate("400Gbps") == 400'000'000'000ULL);
    REQUIRE(ParseRate("400Gb/s") == 400'000'000'000ULL);
    REQUIRE(ParseRate("400G") == 400'000'000'000ULL);
    REQUIRE(ParseRate("1.6Tbps") == 1'600'000'000'000ULL);
    REQUIRE(ParseRate("100Mbps") == 100'000'000ULL);
    auto bad = GENERATE("", "Gbps", "400", "400 Mbits", "-400G", "0G", "abc", "4e40G");
    REQUIRE_FALSE(ParseRate(bad).has_value());
}

TEST_CASE("lengths, sizes, power and ratios", "[topologies][units]")
{
    REQUIRE(ParseLengthMetres("3m") == Approx(3));
    REQUIRE(ParseLengthMetres("2km") == Approx(2000));
    REQUIRE(ParseLengthMetres("150cm") == Approx(1.5));
    REQUIRE_FALSE(ParseLengthMetres("3").has_value());
    REQUIRE_FALSE(ParseLengthMetres("-3m").has_value());
    REQUIRE(ParseBytes("32MiB") == 32ULL * 1024 * 1024);
    REQUIRE(ParseBytes("160MB") == 160'000'000ULL);
    REQUIRE(ParseBytes("9216B") == 9216ULL);
    REQUIRE_FALSE(ParseBytes("1.5B").has_value());
    REQUIRE(ParseWatts("17W") == Approx(17));
    REQUIRE(ParseWatts("1.2kW") == Approx(1200));
    REQUIRE_FALSE(ParseWatts("17").has_value());
    REQUIRE(ParseRatio("3:1") == Approx(3));
    REQUIRE(ParseRatio("1:2") == Approx(0.5));
    REQUIRE(ParseRatio("1") == Approx(1));
    REQUIRE_FALSE(ParseRatio("3:").has_value());
    REQUIRE_FALSE(ParseRatio("0:1").has_value());
    REQUIRE_FALSE(ParseRatio("a:b").has_value());
}
