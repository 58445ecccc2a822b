#ifndef FABRICSCOPE_TELEMETRY_HTTP_RESPONSE_H
#define FABRICSCOPE_TELEMETRY_HTTP_RESPONSE_H

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

namespace fab::telemetry
{

/** An IMF-fixdate (RFC 9110): "Sun, 06 Nov 1994 08:49:37 GMT", whatever the locale. */
std::string HttpDate(std::time_t time);

struct HttpResponseHeadFields
{
    int status{200};
    std::string_view reason{"OK"};
    std::string_view contentType;
    std::size_t contentLength{0};
    /** Complete header lines, each ending in CRLF ("Allow: GET, HEAD\r\n"). */
    std::string_view extraHeaders;
    bool keepAlive{false};
    std::time_t date{0};
};

/**
 * "HTTP/1.1 <status> <reason>", Content-Type, Content-Length, Date, the extra headers and
 * Connection (keep-alive or close, always said), then the empty line.
 */
std::string FormatHttpResponseHead(const HttpResponseHeadFields& fields);

} // namespace fab::telemetry

#endif
