#ifndef FABRICSCOPE_FABRIC_SCENARIO_H
#define FABRICSCOPE_FABRIC_SCENARIO_H

#include "fabric/helper/fabric-builder.h"
#include "fabric/helper/fault-injector.h"
#include "fabric/helper/schedule-runner.h"
#include "fabric/helper/sflow-exporter.h"
#include "traffic/model/collective-job.h"
#include "traffic/model/job.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** One job of a scenario: a training job, or a collective run on its own (nccl-tests style). */
struct ScenarioJob
{
    enum class Kind : std::uint8_t
    {
        Training,
        Collective,
    };
    Kind kind{Kind::Training};
    traffic::JobSpec training;
    traffic::CollectiveJobSpec collective;
    std::uint8_t priority{3};

    const std::string& Name() const
    {
        return kind == Kind::Training ? training.name : collective.name;
    }
    /** Its ranks on servers and GPUs. */
    std::vector<traffic::RankPlace> Places(std::uint32_t gpusPerServer) const;
    /** One iteration's schedule; a training job's is streamed, layer by layer. */
    traffic::Schedule Iteration(const std::vector<traffic::RankPlace>& places,
                                const traffic::ScaleUpLink& scaleUp) const;
};

/** What a simulation writes besides the summary. */
struct ScenarioOutputs
{
    std::int64_t intervalNs{10'000};   ///< time-series sampling interval
    std::vector<std::string> captures; ///< port patterns to capture ("leaf-0-0", "spine-*:3")
    std::uint32_t snapLength{0};       ///< bytes kept of each captured frame; 0: all
    bool series{true};                 ///< ports.csv and qps.csv
    bool trace{true};                  ///< trace.json (Perfetto)
    /** The switches export sFlow. */
    std::optional<SflowExportConfig> sflow;
};

/**
 * Runs of one scenario side by side: one per recovery policy (the same faults under each), or
 * one per link of a tier (the scenario's single failure moved to each link in turn). Both add a
 * fault-free baseline run that slow-downs are measured against. A grid instead sets values of
 * the scenario document itself, by JSON pointer, and runs every combination once per seed.
 */
struct ScenarioSweep
{
    enum class Vary : std::uint8_t
    {
        Nothing,
        Policy,
        Link,
        Grid,
    };
    /** One axis of a grid: where in the scenario document, and the values it takes there. */
    struct Dimension
    {
        std::string pointer; ///< "/fabric/transport/congestion_control"
        std::vector<nlohmann::json> values;
    };
    Vary vary{Vary::Nothing};
    std::vector<RecoveryPolicy> policies;
    topo::LinkTier linkTier{topo::LinkTier::LeafSpine}; ///< links swept, by their lower end
    std::uint32_t limit{0}; ///< at most this many links (evenly spread over the tier); 0: all
    std::vector<Dimension> grid;      ///< in the order of their pointers
    std::vector<std::uint64_t> seeds; ///< a grid's points run once per seed; empty: the scenario's

    /** Grid points: the product of the dimensions' value counts (1 with no dimension). */
    std::uint64_t GridPoints() const;
};

/** A grid sweep holds at most this many runs (points × seeds). */
constexpr std::uint64_t kMaxGridRuns = 100'000;

/**
 * A simulation: a design, how its fabric is configured, the jobs that run on it, when to stop,
 * the seed and the outputs (schema 1).
 */
struct Scenario
{
    std::string name{"scenario"};
    std::string description;
    std::string designSource; ///< "builtin:NAME", a file path, or "inline"
    topo::Design design;
    FabricOptions fabric;
    traffic::ScaleUpLink scaleUp;
    std::vector<ScenarioJob> jobs;
    std::vector<FaultSpec> failures; ///< recovery policy and detection are in fabric.recovery
    std::optional<RandomFaultSpec> randomFailures; ///< drawn per run from the run's seed
    ScenarioSweep sweep;
    std::uint32_t iterations{1}; ///< per job; 0: until stopTimeNs
    std::int64_t stopTimeNs{0};  ///< 0: no time limit
    std::uint64_t seed{1};
    ScenarioOutputs outputs;
    std::string engine{"packet"}; ///< "packet" (ns-3) or "flow" (max-min fair flows)
};

/** Seeds run from 0 to this, in a scenario and on the command line. */
constexpr std::uint64_t kMaxSeed = 1'000'000'000'000;

/**
 * Reads a scenario document. A design given by path is read relative to `baseDirectory`. Every
 * error is a telemetry::InputError naming the JSON pointer and what was expected, including jobs
 * that do not fit the design (parallelism product ≠ GPUs, TP larger than a server, servers that
 * do not exist or that two jobs share).
 */
Scenario ScenarioFromJson(const nlohmann::json& document, const std::string& baseDirectory);

/** Reads a scenario file; errors name the file. */
Scenario LoadScenarioFile(const std::string& path);

/**
 * The document of one grid point: `document` without its sweep, each pointer set to its value.
 * Throws telemetry::InputError naming the pointer when there is no place for it.
 */
nlohmann::json ScenarioAtGridPoint(
    const nlohmann::json& document,
    const std::vector<std::pair<std::string, nlohmann::json>>& values);

/** The built-in scenario `simulate` runs when given none. */
Scenario DefaultScenario();
/** Its text, for users to start their own from. */
const char* DefaultScenarioText();

} // namespace ns3::fabric

#endif
