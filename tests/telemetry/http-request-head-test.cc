#include "telemetry/net/http-request-head.h"

#include <catch2/catch.hpp>
#include <string>

using namespace fab::telemetry;

TEST_CASE("a request head is parsed", "[telemetry][http]")
{
    std::string request = "GET /metrics?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";
    std::string bytes = request + "GET / HTTP/1.1\r\n"; // a pipelined next one
    auto head = ParseHttpRequestHead(bytes);            // its views point into bytes
    REQUIRE(head.status == HttpHeadStatus::Complete);
    REQUIRE(head.length == request.size());
    REQUIRE(head.method == "GET");
    REQUIRE(head.path == "/metrics");
    REQUIRE(head.minorVersion == 1);
    REQUIRE(head.keepAlive);
    REQUIRE_FALSE(head.hasBody);
}

TEST_CASE("every truncation of a head is Incomplete", "[telemetry][http]")
{
    const std::string request
        = "GET /metrics HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n";
    auto cut = GENERATE_COPY(range<std::size_t>(0, request.size()));
    CAPTURE(cut);
    REQUIRE(ParseHttpRequestHead(request.substr(0, cut)).status == HttpHeadStatus::Incomplete);
}

TEST_CASE("keep-alive follows the version and the Connection header", "[telemetry][http]")
{
    auto [request, keepAlive] = GENERATE(table<std::string, bool>({
        {"GET / HTTP/1.1\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nconnection: CLOSE\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection:Keep-Alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
    }));
    CAPTURE(request);
    auto head = ParseHttpRequestHead(request);
    REQUIRE(head.status == HttpHeadStatus::Complete);
    REQUIRE(head.keepAlive == keepAlive);
}

TEST_CASE("lenient where the RFC allows it", "[telemetry][http]")
{
    SECTION("bare LF line ends")
    {
        auto head = ParseHttpRequestHead("GET /metrics HTTP/1.1\nHost: x\n\n");
        REQUIRE(head.status == HttpHeadStatus::Complete);
        REQUIRE(head.length == 31);
        REQUIRE(head.path == "/metrics");
    }
    SECTION("empty lines before the request line")
    {
        auto head = ParseHttpRequestHead("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        REQUIRE(head.status == HttpHeadStatus::Complete);
        REQUIRE(head.length == 22);
    }
    SECTION("absolute form")
    {
        REQUIRE(ParseHttpRequestHead("GET http://host:9/metrics?a HTTP/1.1\r\n\r\n").path
                == "/metrics");
        REQUIRE(ParseHttpRequestHead("GET HTTPS://host HTTP/1.1\r\n\r\n").path == "/");
    }
}

TEST_CASE("a body is noticed", "[telemetry][http]")
{
    auto [header, hasBody] = GENERATE(table<std::string, bool>({
        {"Content-Length: 0", false},
        {"Content-Length: 5", true},
        {"content-length:  12 ", true},
        {"Transfer-Encoding: chunked", true},
        {"X-Other: 1", false},
    }));
    CAPTURE(header);
    auto head = ParseHttpRequestHead("POST / HTTP/1.1\r\n" + header + "\r\n\r\n");
    REQUIRE(head.status == HttpHeadStatus::Complete);
    REQUIRE(head.hasBody == hasBody);
}

TEST_CASE("malformed heads are refused", "[telemetry][http]")
{
    auto request = GENERATE(as<std::string>{},
                            "GET\r\n",
                            "GET /\r\n",
                            "GET / HTTP/1.1 extra\r\n",
                            " GET / HTTP/1.1\r\n",
                            "GET  HTTP/1.1\r\n",
                            "G(T / HTTP/1.1\r\n",
                            "GET / FTP/1.1\r\n",
                            "GET / HTTP/1\r\n",
                            "GET / HTTP/x.1\r\n",
                            "GET /a\x01 HTTP/1.1\r\n",
                            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
                            "GET / HTTP/1.1\r\nName : value\r\n\r\n",
                            "GET / HTTP/1.1\r\n: value\r\n\r\n",
                            "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
                            "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                            "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                            "GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
                            "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n");
    CAPTURE(request);
    REQUIRE(ParseHttpRequestHead(request).status == HttpHeadStatus::Malformed);
}

TEST_CASE("other HTTP versions are told apart from garbage", "[telemetry][http]")
{
    REQUIRE(ParseHttpRequestHead("GET / HTTP/2.0\r\n").status
            == HttpHeadStatus::UnsupportedVersion);
    REQUIRE(ParseHttpRequestHead("GET / HTTP/0.9\r\n").status
            == HttpHeadStatus::UnsupportedVersion);
    auto later = ParseHttpRequestHead("GET / HTTP/1.2\r\n\r\n");
    REQUIRE(later.status == HttpHeadStatus::Complete);
    REQUIRE(later.keepAlive);
}
