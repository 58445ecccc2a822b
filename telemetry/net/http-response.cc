#include "telemetry/net/http-response.h"

#include <cstdio>

namespace fab::telemetry
{

std::string
HttpDate(std::time_t time)
{
    std::tm utc{};
    ::gmtime_r(&time, &utc);
    // By hand rather than strftime, whose day and month names follow the locale.
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[]
        = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[64];
    std::snprintf(text,
                  sizeof text,
                  "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  kDays[utc.tm_wday],
                  utc.tm_mday,
                  kMonths[utc.tm_mon],
                  utc.tm_year + 1900,
                  utc.tm_hour,
                  utc.tm_min,
                  utc.tm_sec);
    return text;
}

std::string
FormatHttpResponseHead(const HttpResponseHeadFields& fields)
{
    std::string head = "HTTP/1.1 ";
    head += std::to_string(fields.status);
    head += ' ';
    head += fields.reason;
    head += "\r\nContent-Type: ";
    head += fields.contentType;
    head += "\r\nContent-Length: ";
    head += std::to_string(fields.contentLength);
    head += "\r\nDate: ";
    head += HttpDate(fields.date);
    head += "\r\n";
    head += fields.extraHeaders;
    head += fields.keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return head;
}

} // namespace fab::telemetry
