#ifndef FABRICSCOPE_FABRIC_SWEEP_PLAN_H
#define FABRICSCOPE_FABRIC_SWEEP_PLAN_H

#include "fabric/helper/scenario.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ns3::fabric
{

/**
 * One run of a sweep, as any process can run it from the plan alone: what it varies, the folder
 * it writes (runs/<folder>) and the engine that simulates it.
 */
struct SweepTask
{
    std::uint32_t index{0};
    std::string label;            ///< "baseline", "dpfr", "leaf-0-0:4", "g3-s2"
    std::string folder;           ///< a file name made of the label, unique in the sweep
    std::string engine{"packet"}; ///< the engine that runs it
    bool baseline{false};         ///< the fault-free run of a policy or link sweep
    std::string policy;           ///< the recovery policy it runs with (policy and link sweeps)
    std::string target;           ///< the link a link sweep fails in this run
    nlohmann::json point;         ///< a grid run's values: pointer → value; null otherwise
    std::optional<std::uint64_t> seed; ///< a grid run's seed when the grid lists seeds
};

/**
 * A sweep as files can carry it: the scenario document and every run, so that a worker process
 * on this machine or on a cluster node runs any of them by index, and the merge knows them all.
 */
struct SweepPlan
{
    nlohmann::json scenario;   ///< the scenario document, with the command line's changes
    std::string source;        ///< the scenario's file or "builtin:default", for messages
    std::string baseDirectory; ///< where a design path in the document is read from (absolute)
    std::string scenarioName;
    std::string designName;
    ScenarioSweep::Vary vary{ScenarioSweep::Vary::Nothing};
    std::vector<std::string> dimensions; ///< a grid's pointers
    std::vector<std::uint64_t> seeds;    ///< a grid's seeds
    std::vector<SweepTask> tasks;
};

/** The runs of `scenario`'s sweep, read from `document` (the same scenario, as JSON). */
SweepPlan PlanSweep(const nlohmann::json& document,
                    const Scenario& scenario,
                    const std::string& source,
                    const std::string& baseDirectory);

/** The scenario one task runs: the document read again, with the task's variation applied. */
Scenario TaskScenario(const SweepPlan& plan, const SweepTask& task);

nlohmann::json SweepTaskJson(const SweepTask& task);
nlohmann::json SweepPlanJson(const SweepPlan& plan);

/** Reads a plan back; throws telemetry::InputError naming the JSON pointer of what is wrong. */
SweepPlan SweepPlanFromJson(const nlohmann::json& document);

} // namespace ns3::fabric

#endif
