#include "telemetry/net/http-request-head.h"

#include <charconv>
#include <cstdint>

namespace fab::telemetry
{

namespace
{

bool
IsTokenChar(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    {
        return true;
    }
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool
IsToken(std::string_view text)
{
    if (text.empty())
    {
        return false;
    }
    for (char c : text)
    {
        if (!IsTokenChar(c))
        {
            return false;
        }
    }
    return true;
}

char
LowerAscii(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool
EqualsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        if (LowerAscii(a[i]) != LowerAscii(b[i]))
        {
            return false;
        }
    }
    return true;
}

std::string_view
TrimSpaces(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    {
        text.remove_suffix(1);
    }
    return text;
}

/** The next line of `bytes` from `offset`, without its CRLF or LF; false when incomplete. */
bool
NextLine(std::string_view bytes, std::size_t& offset, std::string_view& line)
{
    auto end = bytes.find('\n', offset);
    if (end == std::string_view::npos)
    {
        return false;
    }
    line = bytes.substr(offset, end - offset);
    if (!line.empty() && line.back() == '\r')
    {
        line.remove_suffix(1);
    }
    offset = end + 1;
    return true;
}

bool
ParseRequestLine(std::string_view line, HttpRequestHead& head)
{
    auto firstSpace = line.find(' ');
    auto lastSpace = line.rfind(' ');
    if (firstSpace == std::string_view::npos || lastSpace == firstSpace)
    {
        return false;
    }
    head.method = line.substr(0, firstSpace);
    auto target = line.substr(firstSpace + 1, lastSpace - firstSpace - 1);
    auto version = line.substr(lastSpace + 1);
    if (!IsToken(head.method) || target.empty())
    {
        return false;
    }
    for (char c : target)
    {
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F)
        {
            return false;
        }
    }
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.'
        || version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
    {
        return false;
    }
    if (version[5] != '1')
    {
        head.status = HttpHeadStatus::UnsupportedVersion;
    }
    head.minorVersion = version[7] - '0';

    for (std::string_view scheme : {"http://", "https://"})
    {
        if (target.size() >= scheme.size()
            && EqualsIgnoringCase(target.substr(0, scheme.size()), scheme))
        {
            auto slash = target.find('/', scheme.size());
            target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
        }
    }
    head.path = target.substr(0, target.find('?'));
    return true;
}

} // namespace

HttpRequestHead
ParseHttpRequestHead(std::string_view bytes)
{
    HttpRequestHead head;
    std::size_t offset = 0;
    std::string_view line;
    do
    {
        if (!NextLine(bytes, offset, line))
        {
            return head;
        }
    } while (line.empty());

    if (!ParseRequestLine(line, head))
    {
        head.status = HttpHeadStatus::Malformed;
        return head;
    }
    if (head.status == HttpHeadStatus::UnsupportedVersion)
    {
        return head;
    }

    bool connectionClose = false;
    bool connectionKeepAlive = false;
    for (;;)
    {
        if (!NextLine(bytes, offset, line))
        {
            return head; // Incomplete
        }
        if (line.empty())
        {
            break;
        }
        auto colon = line.find(':');
        if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos
            || !IsToken(line.substr(0, colon)))
        {
            head.status = HttpHeadStatus::Malformed;
            return head;
        }
        auto name = line.substr(0, colon);
        auto value = TrimSpaces(line.substr(colon + 1));
        if (EqualsIgnoringCase(name, "Connection"))
        {
            while (!value.empty())
            {
                auto comma = value.find(',');
                auto option = TrimSpaces(value.substr(0, comma));
                connectionClose = connectionClose || EqualsIgnoringCase(option, "close");
                connectionKeepAlive
                    = connectionKeepAlive || EqualsIgnoringCase(option, "keep-alive");
                value = comma == std::string_view::npos ? std::string_view()
                                                        : value.substr(comma + 1);
            }
        }
        else if (EqualsIgnoringCase(name, "Content-Length"))
        {
            std::uint64_t length = 0;
            auto parsed = std::from_chars(value.data(), value.data() + value.size(), length);
            if (value.empty() || parsed.ec != std::errc()
                || parsed.ptr != value.data() + value.size())
            {
                head.status = HttpHeadStatus::Malformed;
                return head;
            }
            head.hasBody = head.hasBody || length > 0;
        }
        else if (EqualsIgnoringCase(name, "Transfer-Encoding"))
        {
            head.hasBody = true;
        }
    }
    head.status = HttpHeadStatus::Complete;
    head.length = offset;
    head.keepAlive
        = head.minorVersion >= 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    return head;
}

} // namespace fab::telemetry
