#include "telemetry/net/http-response.h"

#include <catch2/catch.hpp>

using namespace fab::telemetry;

TEST_CASE("HTTP dates are IMF-fixdates in GMT", "[telemetry][http]")
{
    REQUIRE(HttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"); // RFC 9110's example
    REQUIRE(HttpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    REQUIRE(HttpDate(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST_CASE("a response head says its length and whether the connection stays", "[telemetry][http]")
{
    HttpResponseHeadFields fields;
    fields.status = 405;
    fields.reason = "Method Not Allowed";
    fields.contentType = "text/plain; charset=utf-8";
    fields.contentLength = 18;
    fields.extraHeaders = "Allow: GET, HEAD\r\n";
    fields.date = 784111777;
    REQUIRE(FormatHttpResponseHead(fields)
            == "HTTP/1.1 405 Method Not Allowed\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Length: 18\r\n"
               "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
               "Allow: GET, HEAD\r\n"
               "Connection: close\r\n"
               "\r\n");
    fields.keepAlive = true;
    fields.extraHeaders = "";
    auto head = FormatHttpResponseHead(fields);
    REQUIRE(head.find("Connection: keep-alive\r\n\r\n") == head.size() - 26);
}
