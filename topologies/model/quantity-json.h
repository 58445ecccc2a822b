#ifndef FABRICSCOPE_TOPOLOGIES_QUANTITY_JSON_H
#define FABRICSCOPE_TOPOLOGIES_QUANTITY_JSON_H

#include "telemetry/model/json-object-reader.h"

#include <cstdint>
#include <string>

namespace fab::topo
{

/**
 * Bounds of quantities in documents, far past any real fabric, so that the sums and products
 * made of them stay inside 64-bit integers: links of at most 10 Tb/s and 100 km, parts of at
 * most 100 kW, durations of at most 1,000,000 s (11.6 days). Lengths and powers start at a
 * thousandth, the precision designs are written back with.
 */
constexpr std::uint64_t kMaxRateBps = 10'000'000'000'000;
constexpr double kMinLengthMetres = 0.001;
constexpr double kMaxLengthMetres = 100'000;
constexpr double kMinWatts = 0.001;
constexpr double kMaxWatts = 100'000;
constexpr std::int64_t kMaxDurationNs = 1'000'000'000'000'000;

/**
 * Quantities in JSON documents, written with their unit as a string ("400Gbps", "32MiB", "3m",
 * "17W", "10us"). A missing key, a number without unit or text that is not a positive quantity
 * of the kind within the bounds above fails with the key's JSON pointer and an example of what
 * was expected.
 */
std::uint64_t ReadRate(telemetry::JsonObjectReader& reader, const std::string& key);
double ReadLength(telemetry::JsonObjectReader& reader, const std::string& key);
double ReadWatts(telemetry::JsonObjectReader& reader, const std::string& key);
std::uint64_t ReadBytes(telemetry::JsonObjectReader& reader, const std::string& key);
std::int64_t ReadDurationNs(telemetry::JsonObjectReader& reader, const std::string& key);

/** The same, or `fallback` when the key is absent. */
std::uint64_t ReadRate(telemetry::JsonObjectReader& reader,
                       const std::string& key,
                       std::uint64_t fallback);
std::uint64_t ReadBytes(telemetry::JsonObjectReader& reader,
                        const std::string& key,
                        std::uint64_t fallback);
std::int64_t ReadDurationNs(telemetry::JsonObjectReader& reader,
                            const std::string& key,
                            std::int64_t fallback);

} // namespace fab::topo

#endif
