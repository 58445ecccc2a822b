#ifndef FABRICSCOPE_FABRIC_SIMULATION_SWEEP_H
#define FABRICSCOPE_FABRIC_SIMULATION_SWEEP_H

#include "fabric/helper/simulation.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** One run of a sweep and what it varied. */
struct SweepRun
{
    std::string label;  ///< "baseline", a policy name or the failed link's lower port
    std::string policy; ///< the recovery policy it ran with
    std::string target; ///< the link a link sweep failed; empty otherwise
    SimulationResult result;
};

/** What a run cost against the fault-free baseline. */
struct SweepOutcome
{
    bool completed{false};
    std::int64_t detectedNs{-1};  ///< after the first fault; -1: never
    std::int64_t convergedNs{-1}; ///< after the first fault, the last switch's change
    std::int64_t lastLossNs{-1};  ///< after the first fault
    std::uint64_t packetsLost{0};
    std::uint64_t retransmitted{0};
    std::uint64_t timeouts{0};
    std::uint64_t pauses{0};
    std::vector<std::int64_t> jobTimeNs; ///< per job: first iteration's start to last's end; -1
    std::vector<double> jobSlowdown;     ///< per job: against the baseline; 0 when unfinished
    double worstCollectiveSlowdown{0};   ///< the collective that lost most, against itself
    std::string worstCollective;         ///< "job group #iteration"
};

struct SweepResult
{
    ScenarioSweep::Vary vary{ScenarioSweep::Vary::Nothing};
    std::string scenarioName;
    std::string designName;
    SweepRun baseline; ///< the scenario without its faults
    std::vector<SweepRun> runs;
    double wallSeconds{0};
    std::uint64_t peakRssBytes{0}; ///< the process's peak resident memory over every run
};

/** The links a link sweep fails, named by their lower port, `limit` of them spread evenly. */
std::vector<std::string> SweptLinks(const Scenario& scenario);

/**
 * Runs a scenario's sweep: the fault-free baseline, then one run per policy or per link. Runs
 * keep their samples and records but not their per-rank spans; nothing is written to disk.
 */
SweepResult RunSweep(const Scenario& scenario, const SimulationOptions& options);

SweepOutcome CompareWithBaseline(const SweepRun& run, const SweepRun& baseline);

/** summary.json of a sweep: the baseline and each run's outcome and failures. */
nlohmann::json SweepJson(const SweepResult& sweep);

/** The sweep report: a table of runs, throughput over time by policy or slow-down by link. */
fab::telemetry::Report SweepReport(const SweepResult& sweep);

} // namespace ns3::fabric

#endif
