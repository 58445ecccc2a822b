#ifndef FABRICSCOPE_TOPOLOGIES_UNITS_H
#define FABRICSCOPE_TOPOLOGIES_UNITS_H

#include <cstdint>
#include <optional>
#include <string>

namespace fab::topo
{

/**
 * Quantities written the way ns-3 writes them. Each parser returns nothing when the text is not
 * a positive quantity of its kind, so callers can name the place and the expectation.
 */

/** "400Gbps", "400Gb/s", "400G", "1.6Tbps", "100Mbps" → bits per second. */
std::optional<std::uint64_t> ParseRate(const std::string& text);

/** "3m", "0.5m", "2km", "150cm" → metres. */
std::optional<double> ParseLengthMetres(const std::string& text);

/** "32MiB", "160MB", "64KiB", "9216B" → bytes. */
std::optional<std::uint64_t> ParseBytes(const std::string& text);

/** "10us", "1.5ms", "2s", "800ns" → nanoseconds (whole). */
std::optional<std::int64_t> ParseDurationNs(const std::string& text);

/** "17W", "1.2kW" → watts. */
std::optional<double> ParseWatts(const std::string& text);

/** "3:1", "1:2", "1" → downlink ÷ uplink bandwidth (3, 0.5, 1). */
std::optional<double> ParseRatio(const std::string& text);

/** How many groups of `size` hold `count` things: count ÷ size rounded up (size > 0). */
constexpr std::uint64_t
CeilDiv(std::uint64_t count, std::uint64_t size)
{
    return (count + size - 1) / size;
}

} // namespace fab::topo

#endif
