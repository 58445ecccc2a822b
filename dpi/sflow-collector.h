#ifndef FABRICSCOPE_DPI_SFLOW_COLLECTOR_H
#define FABRICSCOPE_DPI_SFLOW_COLLECTOR_H

#include "dpi/packet-decoder.h"
#include "dpi/rdma-flow-table.h"
#include "dpi/sflow-decoder.h"

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>

namespace fab::dpi
{

/** One switch (or host) that sends sFlow, told apart by the agent address and sub-agent. */
struct SflowAgentKey
{
    IpAddress address{};
    std::uint32_t subAgentId{0};

    bool operator<(const SflowAgentKey& other) const
    {
        return std::tie(address, subAgentId) < std::tie(other.address, other.subAgentId);
    }
};

std::string FormatAgent(const SflowAgentKey& agent);

struct SflowAgentState
{
    std::uint64_t datagrams{0};
    std::uint64_t flowSamples{0};
    std::uint64_t counterSamples{0};
    /** Datagrams missing from the agent's sequence numbers (sent, never received). */
    std::uint64_t lostDatagrams{0};
    /** Times the sequence or uptime went back: the agent restarted. */
    std::uint64_t restarts{0};
    std::uint32_t lastSequence{0};
    std::uint32_t uptimeMs{0};
    std::int64_t lastSeenNs{0};
};

/** A port of an agent: its data source index (an ifIndex for interfaces). */
struct SflowInterfaceKey
{
    SflowAgentKey agent;
    std::uint32_t ifIndex{0};

    bool operator<(const SflowInterfaceKey& other) const
    {
        return std::tie(agent, ifIndex) < std::tie(other.agent, other.ifIndex);
    }
};

/** The counters of one counter sample, and when the agent took them. */
struct SflowCounterReading
{
    std::uint32_t uptimeMs{0};
    std::int64_t receivedNs{0};
    bool hasGeneric{false};
    telemetry::SflowInterfaceCounters generic;
    bool hasEthernet{false};
    telemetry::SflowEthernetCounters ethernet;
    bool hasPfc{false};
    telemetry::SflowPfcCounters pfc;
};

/** Per-second rates between the last two readings of a port (the agent's clock). */
struct SflowInterfaceRates
{
    double inBitsPerSecond{0};
    double outBitsPerSecond{0};
    double inPacketsPerSecond{0};
    double outPacketsPerSecond{0};
    double errorsPerSecond{0};   ///< in and out
    double discardsPerSecond{0}; ///< in and out
    std::array<double, kSflowPfcPriorities> rxPauseFramesPerSecond{};
    std::array<double, kSflowPfcPriorities> txPauseFramesPerSecond{};
    /** Share of the interval priority p was held by pause frames the port received. */
    std::array<double, kSflowPfcPriorities> rxPausedShare{};
};

struct SflowInterfaceState
{
    std::uint64_t counterSamples{0};
    SflowCounterReading latest;
    /** Between the last two readings, by the collector's clock: the agent's polling interval. */
    std::int64_t readingIntervalNs{0};
    bool hasRates{false};
    SflowInterfaceRates rates;
    /** Consecutive readings, up to now, in which priority p was paused for the whole interval:
     *  how long its pause has lasted without a break (ms of the agent's clock). */
    std::array<std::int64_t, kSflowPfcPriorities> continuousPauseMs{};
};

/**
 * The RDMA traffic of one class: RoCE packets of one DSCP (operators map a DSCP to a lossless
 * priority), or native IB packets of one service level. Counts are of samples; estimates scale
 * each sample by its sampling rate.
 */
struct SflowTrafficClassKey
{
    bool ib{false};
    std::uint8_t value{0}; ///< DSCP, or IB SL

    bool operator<(const SflowTrafficClassKey& other) const
    {
        return std::tie(ib, value) < std::tie(other.ib, other.value);
    }
};

std::string FormatTrafficClass(const SflowTrafficClassKey& key);

struct SflowClassCounts
{
    std::uint64_t samples{0};
    double packets{0}; ///< estimated: samples × sampling rate
    double bytes{0};   ///< estimated, frame lengths
    double requests{0};
    double ecnCapable{0};
    double ecnCe{0};
    double cnps{0};
    double naks{0};
    /** Sampled requests at or behind a PSN already sampled on their QP: go-back-N. */
    double retransmitted{0};

    SflowClassCounts& operator+=(const SflowClassCounts& other);
};

/** Totals since the collector started. */
struct SflowCollectorTotals
{
    std::uint64_t datagrams{0};
    std::uint64_t bytes{0};
    std::uint64_t badDatagrams{0}; ///< ended at a fatal sFlow anomaly (samples before it kept)
    std::uint64_t flowSamples{0};
    std::uint64_t counterSamples{0};
    std::uint64_t headers{0};          ///< raw packet headers decoded
    std::uint64_t headersMalformed{0}; ///< decoded to an anomaly (other than the cut)
    std::uint64_t headersNotEthernet{0};
    double estimatedPackets{0}; ///< every sampled header × its rate
    double estimatedBytes{0};
    std::uint64_t roce{0}; ///< sampled headers, by kind
    std::uint64_t cnp{0};
    std::uint64_t pfc{0};
    std::uint64_t other{0};
    /** Samples not added to the flow table because it was full. */
    std::uint64_t flowTableFull{0};
    /** Datagrams of agents, and counter samples of ports, past the limits. */
    std::uint64_t agentsUntracked{0};
    std::uint64_t interfacesUntracked{0};
};

struct SflowCollectorOptions
{
    /** Rules look at the traffic of the last windowNs, in steps of stepNs. */
    std::int64_t windowNs{10'000'000'000};
    std::int64_t stepNs{1'000'000'000};
    /** The flow table stops taking new QPs here, so that a flood cannot grow it without end. */
    std::size_t maxFlows{200'000};
    /** Agents and ports past these are counted, not kept: a flood of forged agent addresses
     *  must not grow the maps without end. */
    std::size_t maxAgents{10'000};
    std::size_t maxInterfaces{200'000};
    DecodeOptions decode;
};

/**
 * The state `collect` keeps of what agents send: per agent, per port (counters and the rates
 * between readings), per RDMA traffic class (sampled packets scaled by their sampling rates,
 * with ECN, CNP, NAK and retransmission estimates), and the sampled RDMA flows. Sampled
 * headers go through the same decoders and flow table as `analyze`. Fed from one thread; not
 * thread-safe.
 *
 * Traffic classes keep a sliding window: a ring of buckets of stepNs covering windowNs, which
 * Advance moves to the present and Window sums.
 */
class SflowCollector
{
public:
    explicit SflowCollector(const SflowCollectorOptions& options = {});

    /** Decodes one datagram received at `receivedNs` (wall clock) and takes what it carries. */
    SflowStatus Add(const std::uint8_t* data, std::size_t size, std::int64_t receivedNs);

    /** Moves the window to `nowNs`: buckets older than windowNs fall out. */
    void Advance(std::int64_t nowNs);

    /** Sum over the window, per class. */
    std::map<SflowTrafficClassKey, SflowClassCounts> Window() const;

    const SflowCollectorOptions& Options() const { return m_options; }
    std::int64_t NowNs() const { return m_nowNs; }
    /** A port whose last reading is older than the window and two polling intervals: its
     *  agent stopped sending counters for it, and its rates say nothing of the present. */
    bool Stale(const SflowInterfaceState& port) const;
    const SflowCollectorTotals& Totals() const { return m_totals; }
    const SflowAnomalyCounts& SflowAnomalies() const { return m_sflowAnomalies; }
    const AnomalyCounts& HeaderAnomalies() const { return m_headerAnomalies; }
    const std::map<SflowAgentKey, SflowAgentState>& Agents() const { return m_agents; }
    const std::map<SflowInterfaceKey, SflowInterfaceState>& Interfaces() const
    {
        return m_interfaces;
    }
    /** Per class, since the start. */
    const std::map<SflowTrafficClassKey, SflowClassCounts>& Classes() const { return m_classes; }
    const RdmaFlowTable& Flows() const { return m_flows; }
    /** Fatal sFlow anomalies in the window. */
    std::uint64_t WindowBadDatagrams() const;

private:
    struct Bucket
    {
        std::int64_t startNs{0};
        std::map<SflowTrafficClassKey, SflowClassCounts> classes;
        std::uint64_t badDatagrams{0};
    };

    /** False when the agent is new and there is no room for it. */
    bool TakeAgent(const SflowDatagramHeader& header, std::int64_t receivedNs);
    void TakeFlowSample(const std::uint8_t* data,
                        const SflowFlowSample& sample,
                        const SflowRawHeader& header);
    void TakeCounterSample(const SflowAgentKey& agent,
                           std::uint32_t uptimeMs,
                           std::int64_t receivedNs,
                           const SflowCounterSample& sample);
    Bucket& Current();

    SflowCollectorOptions m_options;
    SflowDatagram m_datagram; // reused: decoding does not allocate once it has grown
    DecodedPacket m_packet;
    SflowCollectorTotals m_totals;
    SflowAnomalyCounts m_sflowAnomalies;
    AnomalyCounts m_headerAnomalies;
    std::map<SflowAgentKey, SflowAgentState> m_agents;
    std::map<SflowInterfaceKey, SflowInterfaceState> m_interfaces;
    std::map<SflowTrafficClassKey, SflowClassCounts> m_classes;
    std::deque<Bucket> m_buckets;
    std::int64_t m_nowNs{0};
    RdmaFlowTable m_flows;
    std::uint64_t m_headerNumber{0};
};

} // namespace fab::dpi

#endif
