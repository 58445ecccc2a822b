#ifndef FABRICSCOPE_FABRIC_SIMULATION_SWEEP_H
#define FABRICSCOPE_FABRIC_SIMULATION_SWEEP_H

#include "fabric/helper/simulation.h"
#include "fabric/helper/sweep-run-record.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** One run of a sweep and what it varied. */
struct SweepRun
{
    std::string label;    ///< "baseline", a policy name, the failed link's lower port, "g03-s2"
    std::string policy;   ///< the recovery policy it ran with
    std::string target;   ///< the link a link sweep failed; empty otherwise
    nlohmann::json point; ///< a grid run's values: pointer → value; null otherwise
    SweepRunRecord record;
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
    std::vector<std::string> dimensions; ///< a grid's pointers, in order
    std::vector<std::uint64_t> seeds;    ///< a grid's seeds; empty: the scenario's
    SweepRun baseline;                   ///< the scenario without its faults; not in grids
    std::vector<SweepRun> runs;
    double wallSeconds{0};         ///< the runs' wall times, added up
    std::uint64_t peakRssBytes{0}; ///< the largest peak resident memory of any run
};

/** The links a link sweep fails, named by their lower port, `limit` of them spread evenly. */
std::vector<std::string> SweptLinks(const Scenario& scenario);

/**
 * Runs a policy or link sweep in this process: the fault-free baseline, then one run per policy
 * or per link, each kept as its record; nothing is written to disk.
 */
SweepResult RunSweep(const Scenario& scenario, const SimulationOptions& options);

/** A run's label as a file name: ':', '/' and ' ' become '-' ("leaf-0-0:4" → "leaf-0-0-4"). */
std::string SweepFolderName(const std::string& label);

/**
 * Gives a sweep run its own sFlow pcap, "sflow.pcap" → "sflow.<label>.pcap", placed in
 * `outDirectory` when relative; returns the name to list in the run's files ("" when absolute or
 * there is none).
 */
std::string UseSweepRunSflowPcap(Scenario& scenario,
                                 const std::string& label,
                                 const std::string& outDirectory);

/** The sweep's wall time (its runs' added up) and peak memory (the largest run's). */
void AddUpSweepCosts(SweepResult& sweep);

/** Sweeps' runs are told apart by this in their progress. */
SimulationOptions TagSweepRun(const SimulationOptions& options,
                              const std::string& label,
                              std::uint32_t index,
                              std::uint32_t runs);

SweepOutcome CompareWithBaseline(const SweepRun& run, const SweepRun& baseline);

/** summary.json of a sweep: the baseline and each run's outcome and failures, or a grid's
 *  points and runs. */
nlohmann::json SweepJson(const SweepResult& sweep);

/** The sweep report: a table of runs, throughput over time by policy or slow-down by link. */
fab::telemetry::Report SweepReport(const SweepResult& sweep);

/** The warning for a run whose jobs did not finish. */
fab::telemetry::Finding StalledRunFinding(const SweepRun& run);

/** A grid's summary.json: each point's busbw and iteration time over its seeds, and each run. */
nlohmann::json GridSweepJson(const SweepResult& sweep);

/** A grid's report: a table per dimension, one of points and a chart of busbw per point. */
fab::telemetry::Report GridSweepReport(const SweepResult& sweep);

} // namespace ns3::fabric

#endif
