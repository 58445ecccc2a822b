#ifndef FABRICSCOPE_FABRIC_SCENARIO_READING_H
#define FABRICSCOPE_FABRIC_SCENARIO_READING_H

// The parts of a scenario document's reader that live in files of their own.
#include "fabric/helper/scenario.h"
#include "telemetry/model/json-object-reader.h"

#include <cstdint>
#include <string>

namespace ns3::fabric
{

/** A count of at least `min`. */
inline std::uint32_t
Count(fab::telemetry::JsonObjectReader& reader,
      const std::string& key,
      std::int64_t min,
      std::int64_t fallback)
{
    return static_cast<std::uint32_t>(reader.Integer(key, min, 1'000'000'000, fallback));
}

/** "recovery": policy, detection and control-plane delay. */
void ReadRecovery(fab::telemetry::JsonObjectReader& reader, Scenario& scenario);
/** "sweep": before "failures", which a link sweep changes the rules of. */
void ReadSweep(fab::telemetry::JsonObjectReader& reader, Scenario& scenario);
/** "sweep"/"grid" and "sweep"/"seeds": the pointers' syntax and the values' shape. */
void ReadSweepGrid(fab::telemetry::JsonObjectReader& sweep, ScenarioSweep& s);
/**
 * Each value of the grid, set on its own, must make a scenario the reader accepts: the error
 * names the value by its place in the grid and what the reader said of the scenario.
 */
void CheckSweepGrid(const nlohmann::json& document,
                    const std::string& baseDirectory,
                    const Scenario& scenario);
/** "failures": scheduled faults on named ports and switches. */
void ReadFailures(fab::telemetry::JsonObjectReader& reader, Scenario& scenario);
/** "random_failures": MTBF figures; after "stop", whose time bounds the draws. */
void ReadRandomFailures(fab::telemetry::JsonObjectReader& reader, Scenario& scenario);
/** "outputs"/"sflow": the switches' sFlow agents; after the design, which must be Ethernet. */
void ReadSflow(fab::telemetry::JsonObjectReader& outputs, Scenario& scenario);

} // namespace ns3::fabric

#endif
