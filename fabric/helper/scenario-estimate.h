#ifndef FABRICSCOPE_FABRIC_SCENARIO_ESTIMATE_H
#define FABRICSCOPE_FABRIC_SCENARIO_ESTIMATE_H

#include "fabric/helper/scenario.h"
#include "telemetry/model/process-memory.h"
#include "traffic/model/memory-estimate.h"

namespace ns3::fabric
{

/** What a scenario's run will hold, counted before anything is built, and what it will take. */
struct ScenarioEstimate
{
    ::fab::traffic::RunCounts counts;
    ::fab::traffic::MemoryEstimate memory;
    std::uint64_t transfersBetweenServers{0}; ///< per iteration, every job
};

/**
 * Counts a scenario's run in closed form (the fabric from the design's plan, each job's
 * iteration from its shape, records and events from the stop condition) and estimates its peak
 * resident memory with the figures of the scenario's engine. Takes no memory in proportion to
 * the run.
 */
ScenarioEstimate EstimateScenario(const Scenario& scenario);

/**
 * Throws an OverLimitError when the estimate exceeds `limit`, placed at the scenario value that
 * drives the size: /design when the fabric alone does not fit, else the value whose smallest
 * setting (a job's GPUs, channels, layers or micro-batches, the iterations, the stop time, ...)
 * would shrink the estimate most. The message gives the estimate, its largest items, the limit
 * and what to change.
 */
void CheckScenarioFits(const Scenario& scenario,
                       const ScenarioEstimate& estimate,
                       const ::fab::telemetry::MemoryLimit& limit);

} // namespace ns3::fabric

#endif
