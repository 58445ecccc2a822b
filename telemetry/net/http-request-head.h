#ifndef FABRICSCOPE_TELEMETRY_HTTP_REQUEST_HEAD_H
#define FABRICSCOPE_TELEMETRY_HTTP_REQUEST_HEAD_H

#include <cstddef>
#include <string_view>

namespace fab::telemetry
{

enum class HttpHeadStatus
{
    /** No empty line yet: read more (or answer 431 when the buffer is full). */
    Incomplete,
    Complete,
    /** Not HTTP/1.x syntax: answer 400 and close. */
    Malformed,
    /** Well formed but HTTP/2 or later in text: answer 505 and close. */
    UnsupportedVersion,
};

/** What the metrics server needs of a request head; the views point into the parsed bytes. */
struct HttpRequestHead
{
    HttpHeadStatus status{HttpHeadStatus::Incomplete};
    /** Bytes of the head, its empty line included, when Complete. */
    std::size_t length{0};
    std::string_view method;
    /** The target's path, without query and, for an absolute URL, without scheme and host. */
    std::string_view path;
    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    int minorVersion{1};
    /** After the response: HTTP/1.1 unless "Connection: close", HTTP/1.0 on "keep-alive". */
    bool keepAlive{false};
    /** A Content-Length other than 0, or any Transfer-Encoding. */
    bool hasBody{false};
};

/**
 * Parses the request line and headers at the start of `bytes` (RFC 9112). Lines may end in CRLF
 * or a bare LF and empty lines before the request line are skipped, as the RFC allows; folded
 * header lines, whitespace before a header's colon and a malformed Content-Length are refused.
 * A malformed request line is reported as soon as the line is complete.
 */
HttpRequestHead ParseHttpRequestHead(std::string_view bytes);

} // namespace fab::telemetry

#endif
