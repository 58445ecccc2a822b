#ifndef FABRICSCOPE_FABRIC_SWEEP_RUN_RECORD_H
#define FABRICSCOPE_FABRIC_SWEEP_RUN_RECORD_H

#include "fabric/helper/simulation.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ns3::fabric
{

/**
 * What a sweep's merge needs of one run, and nothing more: the run writes it as
 * runs/<folder>/run.json once it has finished, and the merge reads only these files, so that
 * the merged summary and report are the same whichever process or machine ran the run.
 * Doubles survive the JSON round trip exactly.
 */
struct SweepRunRecord
{
    struct Job
    {
        std::string name;
        std::vector<std::string> groups; ///< names of its schedule's groups, by index
    };
    struct Collective
    {
        std::uint32_t job{0};
        std::uint32_t iteration{0};
        std::uint32_t group{0};
        std::int64_t startNs{0};
        std::int64_t endNs{0};
        double busbwGbps{0};
    };
    /** A fault's timeline, in simulated time; -1: never. */
    struct Fault
    {
        std::string target;
        std::int64_t atNs{0};
        std::int64_t detectedNs{-1};
        std::int64_t convergedNs{-1};
        std::int64_t lastLossNs{-1};
        std::uint64_t packetsLost{0};
    };

    bool completed{false};
    std::uint64_t seed{0};
    std::vector<Job> jobs;
    std::vector<IterationRecord> iterations;
    std::vector<Collective> collectives;
    std::vector<Fault> faults;
    std::uint64_t pfcPauses{0};
    std::uint64_t retransmitted{0};
    std::uint64_t timeouts{0};
    nlohmann::json failures; ///< the run's summary.json "failures", as the merge lists them
    nlohmann::json sflow;    ///< its "sflow"; null when the switches exported none
    std::uint64_t events{0};
    double wallSeconds{0};
    std::uint64_t peakRssBytes{0};
    std::int64_t simTimeNs{0};
    std::vector<std::string> files; ///< relative to the sweep's output folder
    std::int64_t sampleIntervalNs{0};
    std::vector<double> deliveredGbps; ///< per sampling interval, to the servers

    /** Mean busbw over the run's collectives; 0 without any. */
    double MeanBusbwGbps() const;
    /** Mean iteration time over every job; -1 without any iteration. */
    std::int64_t MeanIterationNs() const;
};

/** The record of a finished run; `files` relative to the sweep's folder. */
SweepRunRecord RecordRun(const SimulationResult& result);

nlohmann::json SweepRunRecordJson(const SweepRunRecord& record);

/** Reads a record back; throws telemetry::InputError naming the JSON pointer of what is wrong. */
SweepRunRecord SweepRunRecordFromJson(const nlohmann::json& document);

} // namespace ns3::fabric

#endif
