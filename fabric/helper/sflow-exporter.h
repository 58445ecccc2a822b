#ifndef FABRICSCOPE_FABRIC_SFLOW_EXPORTER_H
#define FABRICSCOPE_FABRIC_SFLOW_EXPORTER_H

#include "fabric/helper/fabric-builder.h"
#include "fabric/model/sflow-agent.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ns3::fabric
{

class PcapFileWriter;

/** The collector's port by sFlow's IANA assignment. */
inline constexpr std::uint16_t kSflowPort = 6343;

/** sFlow export of a simulation ("outputs": {"sflow": {…}} of a scenario). */
struct SflowExportConfig
{
    /** "127.0.0.1:6343": where the command line sends datagrams; empty: not sent. */
    std::string collector;
    std::uint32_t samplingRate{1000};        ///< 1 in N packets; 0: counters only
    std::int64_t counterIntervalNs{100'000}; ///< simulation time between counter polls
    std::uint32_t headerBytes{128};          ///< of each sampled frame
    std::string pcap;                        ///< the datagrams as UDP frames; empty: none
};

/** What one switch's agent sent. */
struct SflowAgentSummary
{
    std::string switchName;
    std::uint32_t agentAddress{0}; ///< IPv4, host order
    std::uint32_t datagrams{0};
    std::uint64_t flowSamples{0};
    std::uint64_t counterSamples{0};
    std::uint64_t samplePool{0}; ///< packets seen by all its data sources
    std::uint64_t drops{0};
};

struct SflowExportStats
{
    std::uint64_t datagrams{0};
    std::uint64_t flowSamples{0};
    std::uint64_t counterSamples{0};
    std::uint64_t samplePool{0};
    std::uint64_t drops{0};
    std::vector<SflowAgentSummary> agents; ///< in switch order
};

/**
 * An sFlow agent (SflowAgent) on every switch of a fabric. The agent of the i-th switch (graph
 * order, from 0) has address 10.255.0.0 + i + 1 (10.255.0.1, 10.255.0.2, …, 10.255.1.0 for the
 * 256th) and sub-agent 0; a port's ifIndex is its port number + 1.
 *
 * Packets are sampled at ingress, when a switch port receives them: every frame the switch
 * forwards (RoCE data, ACKs, CNPs), not the PFC and LLDP frames its MAC consumes. The output
 * ifIndex is the port the switch's ECMP route picks. Every counterInterval of simulation time
 * each agent polls the counters of all its ports, then sends what it holds; Finish polls and
 * sends once more at the end of the run, so the last counters are the run's totals. Uptime is
 * simulation time.
 *
 * Counters: ifIn/OutOctets and ifIn/OutUcastPkts are the port's rx/tx bytes (FCS not counted,
 * as in the port's counters) and frames; ifInErrors and dot3StatsFCSErrors its FCS drops,
 * ifInDiscards its other drops; ifStatus down when the link is. The PFC record: rx and tx pause
 * frames are the XOFF and XON frames received and sent per priority; the rx pause duration is the
 * time the port's transmitter was held, the tx duration the time it asked its peer to hold
 * (PortCounters::pauseRequestedNs), both counted up to the poll.
 */
class SflowExporter
{
public:
    using DatagramSink = std::function<void(const std::uint8_t* data, std::size_t size)>;

    /**
     * `sink` (may be empty) gets every datagram; `pcapPath` (empty: none) receives them as
     * Ethernet/IPv4/UDP frames from the agent to the collector (127.0.0.1:6343 when none).
     */
    SflowExporter(FabricBuilder& fabric,
                  const SflowExportConfig& config,
                  std::uint64_t seed,
                  DatagramSink sink,
                  const std::string& pcapPath);
    ~SflowExporter();
    SflowExporter(const SflowExporter&) = delete;
    SflowExporter& operator=(const SflowExporter&) = delete;

    /** Connects to the switch ports and schedules the counter polls. */
    void Start();
    /** Polls counters and sends everything held, at the current simulation time. */
    void Finish();
    SflowExportStats Stats() const;

    /** The agent address of the switch with this index, host order. */
    static std::uint32_t AgentAddress(std::size_t switchIndex);

private:
    struct Tap;
    struct Agent;

    void OnReceive(Tap* tap, const Frame& frame);
    void PollAll();
    void Poll(Agent& agent);
    void Emit(std::uint32_t agentAddress, const std::uint8_t* data, std::size_t size);

    FabricBuilder& m_fabric;
    SflowExportConfig m_config;
    DatagramSink m_sink;
    std::unique_ptr<PcapFileWriter> m_pcap;
    std::uint32_t m_collectorIp{0x7F000001};
    std::uint16_t m_collectorPort{kSflowPort};
    std::uint8_t m_pfcEnabled{0};
    std::vector<std::unique_ptr<Agent>> m_agents;
    std::vector<std::unique_ptr<Tap>> m_taps;
    std::vector<std::uint8_t> m_header;
    std::vector<std::uint8_t> m_frame;
    bool m_finished{false};
};

} // namespace ns3::fabric

#endif
