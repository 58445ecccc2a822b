#include "topologies/model/pfc-headroom.h"

#include <catch2/catch.hpp>

using namespace fab::topo;

TEST_CASE("802.1Qbb response delay in bit times", "[topologies][pfc]")
{
    REQUIRE(PfcResponseBitTimes(100'000'000'000ULL) == 201'728);
    REQUIRE(PfcResponseBitTimes(25'000'000'000ULL) == 201'728);
    REQUIRE(PfcResponseBitTimes(400'000'000'000ULL) == 463'360);
    REQUIRE(PfcResponseBitTimes(800'000'000'000ULL) == 926'720);
}

TEST_CASE("PFC headroom: 400G over 100 m of SMF with 9,216 B frames is about 128 KB",
          "[topologies][pfc]")
{
    // Terms: 2 × 9,216 B + 400 Gb/s × 2 × 513 ns / 8 + 463,360 bits / 8.
    double expected = 2 * 9216.0 + 400e9 * 2 * 513e-9 / 8 + 463360.0 / 8;
    double headroom = PfcHeadroomBytes(400'000'000'000ULL, 100, Media::SmfDr, 9216);
    REQUIRE(headroom == Approx(expected));
    REQUIRE(headroom == Approx(127'650).margin(100));
}

TEST_CASE("PFC headroom grows with cable length and uses copper's faster propagation",
          "[topologies][pfc]")
{
    double copper = PfcHeadroomBytes(100'000'000'000ULL, 100, Media::Dac, 9216);
    double fibre = PfcHeadroomBytes(100'000'000'000ULL, 100, Media::SmfDr, 9216);
    REQUIRE(fibre - copper == Approx(100e9 * 2 * 100 * (5.13 - 4.76) * 1e-9 / 8));
    double longRun = PfcHeadroomBytes(400'000'000'000ULL, 500, Media::SmfDr, 9216);
    double shortRun = PfcHeadroomBytes(400'000'000'000ULL, 100, Media::SmfDr, 9216);
    // The wire term is linear in length: 500 m has 5 × the 100 m wire term.
    REQUIRE(longRun - shortRun == Approx(4 * 400e9 * 2 * 100 * 5.13e-9 / 8));
}
