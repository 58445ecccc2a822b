#ifndef FABRICSCOPE_TOPOLOGIES_QUANTITY_JSON_H
#define FABRICSCOPE_TOPOLOGIES_QUANTITY_JSON_H

#include "telemetry/model/json-object-reader.h"

#include <cstdint>
#include <string>

namespace fab::topo
{

/**
 * Quantities in JSON documents, written with their unit as a string ("400Gbps", "32MiB", "3m",
 * "17W", "10us"). A missing key, a number without unit or text that is not a positive quantity
 * of the kind fails with the key's JSON pointer and an example of what was expected.
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
