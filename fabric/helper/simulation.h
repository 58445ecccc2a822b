#ifndef FABRICSCOPE_FABRIC_SIMULATION_H
#define FABRICSCOPE_FABRIC_SIMULATION_H

#include "fabric/helper/fabric-sampler.h"
#include "fabric/helper/fault-injector.h"
#include "fabric/helper/scenario.h"
#include "fabric/helper/schedule-runner.h"
#include "telemetry/model/report.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** Where a run is, for a progress line. */
struct SimulationProgress
{
    std::int64_t simNs{0};
    std::uint64_t events{0};
    double wallSeconds{0};
    std::uint32_t iterationsDone{0};
    std::uint32_t iterationsTotal{0}; ///< 0: the run stops on time
    std::int64_t stopTimeNs{0};
    double fraction{0};    ///< of the run done, 0..1, from iterations and the time limit
    std::uint32_t run{0};  ///< a sweep's run, from 1; 0 outside sweeps
    std::uint32_t runs{0}; ///< runs in the sweep
    std::string label;     ///< what the run varies ("dpfr", "leaf-0-0:4", "baseline")
};

/**
 * What a live view may read while a run goes on: called on the simulation's thread, before the
 * first event, between events and once after Simulator::Run has returned, so everything is
 * consistent; nothing may be kept past the call.
 */
struct SimulationLiveView
{
    const SimulationProgress& progress;
    const FabricBuilder& fabric;
    const ScheduleRunner& runner;
    const FaultInjector& faults;
    bool finished; ///< the last call of a run: Simulator::Run has returned
};

struct SimulationOptions
{
    std::string outDirectory;          ///< series, captures and trace go here; empty: none written
    std::optional<std::uint64_t> seed; ///< overrides the scenario's
    std::function<void(const SimulationProgress&)> progress;
    double progressEverySeconds{0.5}; ///< wall time between progress calls
    /** Called before the first event, every liveEverySeconds of wall time, and once when the
     *  run ends (Prometheus). */
    std::function<void(const SimulationLiveView&)> live;
    double liveEverySeconds{0.5};
    /** Gets every sFlow datagram of the scenario's "outputs"/"sflow" (the collector's socket). */
    std::function<void(const std::uint8_t* data, std::size_t size)> sflowSink;
    /** Flow engine: ring collectives of at least this many transfers are solved as patterns
     *  (FlowEngine::SetPatternMinTransfers; UINT64_MAX: never). */
    std::uint64_t flowPatternMinTransfers{65'536};
};

/** What a job was, as results name it. */
struct JobSummary
{
    std::string name;
    std::string kind; ///< "training" or "collective"
    std::uint32_t gpus{0};
    std::vector<fab::traffic::TaskGroup> groups;
    std::vector<RankPlacement> ranks;
    std::uint64_t tasks{0};
};

struct PortSummary
{
    std::string name;
    std::string link;
    std::uint64_t rateBps{0};
    PortCounters counters;
};

struct SimulationStats
{
    std::uint64_t events{0};
    std::uint64_t packetHops{0}; ///< frames transmitted by all ports (one per port a frame leaves)
    double wallSeconds{0};
    std::uint64_t peakRssBytes{0}; ///< the process's peak resident memory, so far
    std::int64_t simTimeNs{0};
    std::uint32_t hosts{0};
    std::uint32_t switches{0};
    std::uint64_t flows{0};    ///< flow engine: transfers run as flows of their own
    std::uint64_t patterns{0}; ///< flow engine: ring phases solved once for all their steps
};

struct SimulationResult
{
    std::string engine{"packet"}; ///< what ran it: "packet" or "flow"
    std::string scenarioName;
    std::string designName;
    std::string designSource;
    std::uint64_t seed{0};
    std::vector<JobSummary> jobs;
    std::vector<CollectiveRecord> collectives;
    std::vector<IterationRecord> iterations;
    std::vector<RankSpan> spans;
    std::vector<LinkClass> linkClasses;
    std::vector<FabricSample> samples;
    std::int64_t sampleIntervalNs{0};
    std::vector<PortSummary> ports; ///< ports that sent or received anything
    PortCounters totals;
    std::uint64_t cnpsGenerated{0};      ///< CNPs the NICs sent (each counted once)
    std::uint64_t payloadLineRateBps{0}; ///< NIC port rate × payload ÷ frame bytes
    std::uint64_t nicRateBps{0};
    bool completed{false}; ///< every job ran its iterations
    std::vector<FailureRecord> failures;
    std::uint64_t retransmittedPackets{0}; ///< by every NIC, go-back-N and timeouts
    std::uint64_t retransmitTimeouts{0};
    std::vector<std::string> files; ///< what the run wrote, relative to the out directory
    /** What the switches' sFlow agents sent. */
    std::optional<SflowExportStats> sflow;
    SimulationStats stats;
};

/** Builds the fabric, runs the scenario's jobs on its engine and collects what happened. */
SimulationResult RunSimulation(const Scenario& scenario, const SimulationOptions& options);

/** The same with the flow engine: no ns-3, no per-packet counters, captures or series. */
SimulationResult RunFlowSimulation(const Scenario& scenario, const SimulationOptions& options);

/** Refuses, naming the place in the scenario, what the flow engine does not model yet. */
void CheckFlowEngineScenario(const Scenario& scenario);

/** The ECMP hash seed of a run's fabric, from the run's seed. */
std::uint32_t FabricHashSeed(std::uint64_t seed);

/** The scenario's jobs as engines run them, appending what results name them to `summaries`. */
std::vector<FabricJob> ScenarioFabricJobs(const Scenario& scenario,
                                          std::vector<JobSummary>& summaries);

/** summary.json: collectives, iterations, jobs, ports and sim, as the issue names them. */
nlohmann::json SummaryJson(const SimulationResult& result);

/**
 * Writes summary.json as SummaryJson(result).dump(2) and a line break, byte for byte, one record
 * of the long lists at a time: no document of the whole, whatever the number of collectives.
 * Throws what dump throws (nlohmann::json::type_error for a name that is not UTF-8), possibly
 * after part of the text has been written.
 */
void WriteSummaryJson(const SimulationResult& result, std::ostream& out);

/** The `sflow` object of summary.json: what the switches' agents sent, in total and each. */
nlohmann::json SflowJson(const SflowExportStats& stats);

/** The `failures` list of summary.json: each fault's timeline and losses. */
nlohmann::json FailuresJson(const std::vector<FailureRecord>& records);

/** The collectives and compute phases of every rank, as a Chrome/Perfetto trace. */
void WriteTrace(const SimulationResult& result, std::ostream& out);

/** The simulation report: headline numbers, tables and charts. */
fab::telemetry::Report SimulationReport(const SimulationResult& result);

} // namespace ns3::fabric

#endif
