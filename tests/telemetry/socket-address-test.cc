#include "telemetry/net/socket-address.h"

#include <catch2/catch.hpp>
#include <string>

using namespace fab::telemetry;

TEST_CASE("listening addresses are parsed and written back", "[telemetry][socket-address]")
{
    auto [text, ipv6, port] = GENERATE(table<std::string, bool, int>({
        {"127.0.0.1:6343", false, 6343},
        {"0.0.0.0:0", false, 0},
        {"10.1.2.3:65535", false, 65535},
        {"[::1]:9464", true, 9464},
        {"[::]:6343", true, 6343},
        {"[2001:db8::42]:1", true, 1},
        {"[::ffff:10.0.0.1]:5", true, 5},
    }));
    CAPTURE(text);
    auto address = ParseSocketAddress(text);
    REQUIRE(address.isIpv6 == ipv6);
    REQUIRE(address.port == port);
    REQUIRE(address.ToString() == text);
    REQUIRE(ParseSocketAddress(address.ToString()) == address);
}

TEST_CASE("the address bytes are in network order", "[telemetry][socket-address]")
{
    auto v4 = ParseSocketAddress("192.168.1.20:80");
    REQUIRE(v4.address[0] == 192);
    REQUIRE(v4.address[3] == 20);
    auto v6 = ParseSocketAddress("[2001:db8::1]:80");
    REQUIRE(v6.address[0] == 0x20);
    REQUIRE(v6.address[1] == 0x01);
    REQUIRE(v6.address[15] == 0x01);
}

TEST_CASE("bad listening addresses are refused with the expected form",
          "[telemetry][socket-address]")
{
    auto text = GENERATE(as<std::string>{},
                         "",
                         "6343",
                         ":6343",
                         "127.0.0.1",
                         "127.0.0.1:",
                         "127.0.0.1:65536",
                         "127.0.0.1:-1",
                         "127.0.0.1:63x",
                         "localhost:6343",
                         "256.0.0.1:1",
                         "::1:6343",
                         "[::1]",
                         "[::1]6343",
                         "[::1:6343",
                         "[127.0.0.1]:1",
                         "[fe80::1%eth0]:1");
    CAPTURE(text);
    try
    {
        ParseSocketAddress(text);
        FAIL("accepted");
    }
    catch (const std::invalid_argument& error)
    {
        REQUIRE(std::string(error.what()).find("expected IPV4:PORT or [IPV6]:PORT")
                != std::string::npos);
    }
}
