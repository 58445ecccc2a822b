#include "telemetry/net/socket-address.h"

#include <arpa/inet.h>
#include <charconv>
#include <stdexcept>

namespace fab::telemetry
{

namespace
{

[[noreturn]] void
ThrowBadAddress(std::string_view text, std::string_view why)
{
    throw std::invalid_argument("listening address '" + std::string(text) + "': " + std::string(why)
                                + " (expected IPV4:PORT or [IPV6]:PORT, e.g. 127.0.0.1:6343 or "
                                  "[::1]:6343; port 0 picks a free one)");
}

} // namespace

std::string
SocketAddress::ToString() const
{
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(isIpv6 ? AF_INET6 : AF_INET, address.data(), text, sizeof text);
    std::string host = isIpv6 ? "[" + std::string(text) + "]" : std::string(text);
    return host + ":" + std::to_string(port);
}

SocketAddress
ParseSocketAddress(std::string_view text)
{
    SocketAddress result;
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[')
    {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
        {
            ThrowBadAddress(text, "an IPv6 address needs brackets and a port");
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        result.isIpv6 = true;
    }
    else
    {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
        {
            ThrowBadAddress(text, "no port");
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
        {
            ThrowBadAddress(text, "an IPv6 address needs brackets");
        }
    }
    std::string hostText(host);
    if (::inet_pton(result.isIpv6 ? AF_INET6 : AF_INET, hostText.c_str(), result.address.data())
        != 1)
    {
        ThrowBadAddress(text, "'" + hostText + "' is not a numeric IP address");
    }
    unsigned value = 0;
    auto parsed = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || parsed.ec != std::errc() || parsed.ptr != port.data() + port.size()
        || value > 65535)
    {
        ThrowBadAddress(text, "the port must be a number from 0 to 65535");
    }
    result.port = static_cast<std::uint16_t>(value);
    return result;
}

} // namespace fab::telemetry
