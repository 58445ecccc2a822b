#ifndef FABRICSCOPE_FABRIC_FABRIC_SAMPLER_H
#define FABRICSCOPE_FABRIC_FABRIC_SAMPLER_H

#include "fabric/helper/fabric-builder.h"
#include "fabric/helper/schedule-runner.h"
#include "fabric/model/activity-set.h"
#include "telemetry/model/csv-writer.h"

#include <array>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** Link classes the report plots: a link tier and a direction ("leaf→spine"). */
struct LinkClass
{
    topo::LinkTier tier{topo::LinkTier::ServerLeaf};
    bool upward{true};

    std::string Name() const;
};

/** Fabric-wide numbers of one sampling interval, for charts. */
struct FabricSample
{
    std::int64_t timeNs{0};               ///< end of the interval
    std::vector<double> utilisation;      ///< mean per link class, 0..1, in LinkClasses() order
    std::uint64_t maxSwitchQueueBytes{0}; ///< deepest egress queue of any switch port
    std::uint64_t pauseFrames{0};         ///< PFC pause frames sent in the interval
    std::uint64_t ecnMarked{0};
    std::uint64_t cnps{0};
    double deliveredGbps{0}; ///< what the leaves sent down to the servers
};

struct FailureRecord;

/** Fills each failure's throughput figures (before, lowest, recovered) from the samples;
 *  `windowEndNs[f]`: until when failure f's dip is looked at (the end of the collectives it
 *  struck). */
void MeasureThroughputDips(std::vector<FailureRecord>& failures,
                           const std::vector<FabricSample>& samples,
                           const std::vector<std::int64_t>& windowEndNs);

/** Points a report's time charts hold at most: enough for the eye, small in an HTML page. */
inline constexpr std::size_t kMaxChartPoints = 300;

/** Averages runs of consecutive samples (maxima for queue depth, sums for counts) so that at
 *  most `maxPoints` remain, for charts. */
std::vector<FabricSample> Downsample(const std::vector<FabricSample>& samples,
                                     std::size_t maxPoints);

/**
 * Samples every port and every runner queue pair each interval. Writes rows (long format, one
 * per port or queue pair that did something in the interval) to the CSV streams when given,
 * and keeps fabric-wide samples for charts.
 */
class FabricSampler
{
public:
    FabricSampler(FabricBuilder& fabric,
                  const ScheduleRunner& runner,
                  std::int64_t intervalNs,
                  std::ostream* ports,
                  std::ostream* queuePairs);
    FabricSampler(const FabricSampler&) = delete;
    FabricSampler& operator=(const FabricSampler&) = delete;
    ~FabricSampler();

    void Start();
    const std::vector<LinkClass>& LinkClasses() const { return m_classes; }
    const std::vector<FabricSample>& Samples() const { return m_samples; }
    std::size_t PortRows() const { return m_ports ? m_ports->Rows() : 0; }
    std::size_t QueuePairRows() const { return m_qps ? m_qps->Rows() : 0; }

private:
    struct PortBefore
    {
        std::uint64_t txBytes{0};
        std::uint64_t txPackets{0};
        std::uint64_t pauseTx{0};
        std::uint64_t pauseRx{0};
        std::int64_t pausedNs{0};
        std::uint64_t ecnMarked{0};
        std::uint64_t drops{0};
        std::uint64_t cnpTx{0};
    };
    struct QueuePairBefore
    {
        std::uint64_t sentBytes{0};
        std::uint64_t cnps{0};
    };

    void Sample();
    /** Adds port i's interval to `sample` and its row to the CSV; true if it still holds frames,
     *  so that the next sample reads it again even if nothing moves. */
    bool SamplePort(std::uint32_t i, std::int64_t now, FabricSample& sample);

    FabricBuilder& m_fabric;
    const ScheduleRunner& m_runner;
    std::int64_t m_intervalNs;
    std::unique_ptr<fab::telemetry::CsvWriter> m_ports;
    std::unique_ptr<fab::telemetry::CsvWriter> m_qps;
    std::vector<LinkClass> m_classes;
    std::vector<std::uint32_t> m_classOf; ///< per builder port
    std::vector<std::uint32_t> m_portsInClass;
    std::vector<PortBefore> m_portBefore;
    /** Ports whose counters moved or that had frames queued since the last sample: the only
     *  ones whose row or share of the fabric-wide figures can differ from nothing. */
    ActivitySet m_activePorts;
    std::vector<QueuePairBefore> m_qpBefore;
    std::vector<FabricSample> m_samples;
};

} // namespace ns3::fabric

#endif
