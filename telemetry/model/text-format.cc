#include "telemetry/model/text-format.h"

#include <cmath>
#include <cstdio>
#include <optional>

namespace fab::telemetry
{

std::string
GroupDigits(std::uint64_t value)
{
    std::string digits = std::to_string(value);
    std::string out;
    int count = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it)
    {
        if (count > 0 && count % 3 == 0)
        {
            out.insert(out.begin(), ',');
        }
        out.insert(out.begin(), *it);
        ++count;
    }
    return out;
}

std::string
FormatDecimal(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    std::string out = buffer;
    if (out.find('.') != std::string::npos)
    {
        while (!out.empty() && out.back() == '0')
        {
            out.pop_back();
        }
        if (!out.empty() && out.back() == '.')
        {
            out.pop_back();
        }
    }
    return out == "-0" ? "0" : out;
}

std::string
FormatMilliseconds(double ns)
{
    return FormatDecimal(ns / 1e6, 3);
}

std::string
FormatWatts(double watts)
{
    if (std::fabs(watts) >= 1e6)
    {
        return FormatDecimal(watts / 1e6, 2) + " MW";
    }
    if (std::fabs(watts) >= 1e4)
    {
        return FormatDecimal(watts / 1e3, 1) + " kW";
    }
    return FormatDecimal(watts, 1) + " W";
}

std::string
FormatRate(std::uint64_t bitsPerSecond)
{
    if (bitsPerSecond >= 1'000'000'000'000ULL)
    {
        return FormatDecimal(bitsPerSecond / 1e12, 3) + "T";
    }
    if (bitsPerSecond >= 1'000'000'000ULL)
    {
        return FormatDecimal(bitsPerSecond / 1e9, 3) + "G";
    }
    if (bitsPerSecond >= 1'000'000ULL)
    {
        return FormatDecimal(bitsPerSecond / 1e6, 3) + "M";
    }
    return std::to_string(bitsPerSecond) + "bps";
}

std::string
FormatBytes(double bytes)
{
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (std::fabs(bytes) >= 1024 && unit < 4)
    {
        bytes /= 1024;
        ++unit;
    }
    return FormatDecimal(bytes, unit == 0 ? 0 : 1) + " " + kUnits[unit];
}

std::string
EscapeHtml(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text)
    {
        switch (c)
        {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string
EscapeMarkdownCell(const std::string& text)
{
    std::string out;
    for (char c : text)
    {
        if (c == '|')
        {
            out += "\\|";
        }
        else if (c == '\n')
        {
            out += ' ';
        }
        else
        {
            out += c;
        }
    }
    return out;
}

namespace
{

/** The code point of the UTF-8 sequence at `at` and its length, or nothing if it is not one. */
std::optional<std::pair<char32_t, std::size_t>>
DecodeUtf8(std::string_view text, std::size_t at)
{
    auto byte = [&](std::size_t i)
    {
        return static_cast<unsigned char>(text[i]);
    };
    unsigned char lead = byte(at);
    if (lead < 0x80)
    {
        return std::make_pair(char32_t{lead}, std::size_t{1});
    }
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || lead > 0xF4 || at + length > text.size())
    {
        return std::nullopt;
    }
    char32_t point = lead & (0x7F >> length);
    for (std::size_t i = 1; i < length; ++i)
    {
        if ((byte(at + i) & 0xC0) != 0x80)
        {
            return std::nullopt;
        }
        point = (point << 6) | (byte(at + i) & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past Unicode's last are not UTF-8.
    static const char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < kSmallest[length] || (point >= 0xD800 && point <= 0xDFFF) || point > 0x10FFFF)
    {
        return std::nullopt;
    }
    return std::make_pair(point, length);
}

/** Code points a terminal acts on or hides: controls, and formatting that reorders or hides. */
bool
IsUnprintable(char32_t point)
{
    return point < 0x20 || (point >= 0x7F && point <= 0x9F) || point == 0x61C
           || (point >= 0x200B && point <= 0x200F) || (point >= 0x2028 && point <= 0x202E)
           || (point >= 0x2066 && point <= 0x2069) || point == 0xFEFF;
}

} // namespace

std::string
EscapeForTerminal(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    char escape[16];
    for (std::size_t i = 0; i < text.size();)
    {
        auto decoded = DecodeUtf8(text, i);
        if (!decoded)
        {
            std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned char>(text[i]));
            out += escape;
            ++i;
            continue;
        }
        auto [point, length] = *decoded;
        if (!IsUnprintable(point))
        {
            out.append(text.substr(i, length));
        }
        else if (point == '\n' || point == '\r' || point == '\t')
        {
            out += point == '\n' ? "\\n" : point == '\r' ? "\\r" : "\\t";
        }
        else if (point < 0x80)
        {
            std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned>(point));
            out += escape;
        }
        else
        {
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(point));
            out += escape;
        }
        i += length;
    }
    return out;
}

} // namespace fab::telemetry
