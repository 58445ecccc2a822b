#ifndef FABRICSCOPE_TELEMETRY_TEXT_FORMAT_H
#define FABRICSCOPE_TELEMETRY_TEXT_FORMAT_H

#include <cstdint>
#include <string>
#include <string_view>

namespace fab::telemetry
{

/** 65536 → "65,536". */
std::string GroupDigits(std::uint64_t value);

/** A number with at most `decimals` decimals, trailing zeros dropped: 1.50 → "1.5". */
std::string FormatDecimal(double value, int decimals);

/** Nanoseconds as milliseconds, at most three decimals, without the unit: 1'250'000 → "1.25". */
std::string FormatMilliseconds(double ns);

/** 17000 → "17 kW", 950 → "950 W", 1.2e6 → "1.2 MW". */
std::string FormatWatts(double watts);

/** 400e9 → "400G", 1.6e12 → "1.6T", 25e9 → "25G". */
std::string FormatRate(std::uint64_t bitsPerSecond);

/** Bytes with binary prefixes: 131072 → "128 KiB". */
std::string FormatBytes(double bytes);

/** Escapes &, <, >, " and ' for HTML text and attributes. */
std::string EscapeHtml(const std::string& text);

/** Escapes the characters that would break a Markdown table cell. */
std::string EscapeMarkdownCell(const std::string& text);

/**
 * Text from input files, flags or the wire made safe to print on a terminal: control characters
 * ("\n", "\x1b"), C1 controls and the invisible or direction-changing code points ("\u202e")
 * are written as escapes, bytes that are not UTF-8 as "\xff"; printable UTF-8 passes unchanged.
 * Backslashes are kept as they are, so that escaping twice changes nothing.
 */
std::string EscapeForTerminal(std::string_view text);

} // namespace fab::telemetry

#endif
