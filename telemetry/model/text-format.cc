#include "telemetry/model/text-format.h"

#include <cmath>
#include <cstdio>

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

} // namespace fab::telemetry
