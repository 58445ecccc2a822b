#ifndef FABRICSCOPE_TELEMETRY_SFLOW_ENCODER_H
#define FABRICSCOPE_TELEMETRY_SFLOW_ENCODER_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace fab::telemetry
{

/**
 * Per-priority PFC counters. sFlow v5 and the structures sflow.org publishes since (interface,
 * Ethernet, LAG, SFP, InfiniBand, drop notifications, host and GPU counters) have no PFC record,
 * so this one is ours. It lives outside enterprise 0, which only sflow.org may extend. IANA keeps
 * no private-use enterprise number; 32473 is the one RFC 5612 reserves for documentation and
 * examples, which no vendor can hold, so no collector mistakes our record for a vendor's. A
 * number registered for fabricscope would replace it here.
 *
 *     // opaque = counter_data; enterprise = 32473; format = 1
 *     struct fabricscope_pfc_counters {
 *         unsigned int pfc_enabled;   // bit p: PFC enabled on priority p (802.1Qaz enable
 *                                     // vector); bits 8-31 zero
 *         pfc_priority priority[8];   // priority 0 first
 *     }
 *     struct pfc_priority {
 *         unsigned hyper rx_pause_frames;      // PFC frames received whose class-enable vector
 *                                              // has bit p set, XOFF and XON alike
 *         unsigned hyper tx_pause_frames;      // the same, sent
 *         unsigned hyper rx_pause_duration_us; // time priority p was held by received frames
 *         unsigned hyper tx_pause_duration_us; // time the peer was asked to hold priority p
 *     }
 *
 * 4 + 8 * 32 = 260 bytes. Counters are cumulative and wrap like the interface counters. Collectors
 * that do not know the record (tshark, sfacctd) skip it by its length.
 */
inline constexpr std::uint32_t kSflowPfcEnterprise = 32473;
inline constexpr std::uint32_t kSflowPfcFormat = 1;
inline constexpr std::size_t kSflowPfcPriorities = 8;

/** The sampling agent's address, as the datagram header carries it. */
struct SflowAgentAddress
{
    bool ipv6{false};
    /** IPv4: the first four bytes, network order; IPv6: all sixteen. */
    std::array<std::uint8_t, 16> bytes{};

    static SflowAgentAddress Ipv4(std::uint32_t address);
    static SflowAgentAddress Ipv6(const std::array<std::uint8_t, 16>& address);
};

struct SflowEncoderConfig
{
    SflowAgentAddress agent{SflowAgentAddress::Ipv4(0x7F000001)};
    std::uint32_t subAgentId{0};
    /** Datagrams are filled up to this many bytes of UDP payload. */
    std::size_t maxDatagramBytes{1400};
    /** Sampled frames are cut to this many bytes (sFlow's default). */
    std::size_t maxHeaderBytes{128};
    /**
     * Frames are given without their FCS; the record adds it to the frame length and reports it
     * as stripped, the way switch ASICs (and pmacct's probe) do.
     */
    std::uint32_t fcsBytes{4};
};

/** An sFlow data source: type 0 is an ifIndex, 1 a VLAN, 2 and 3 physical and logical entities. */
struct SflowDataSource
{
    std::uint32_t type{0};
    std::uint32_t index{0};

    bool operator<(const SflowDataSource& other) const
    {
        return std::pair(type, index) < std::pair(other.type, other.index);
    }
};

/** Interface formats of a flow sample's input and output. */
inline constexpr std::uint32_t kSflowInterfaceIndex = 0;
inline constexpr std::uint32_t kSflowInterfaceDiscarded = 1;
inline constexpr std::uint32_t kSflowInterfaceMultiple = 2;

/** The extended switch record: VLANs and 802.1p priorities in and out. */
struct SflowSwitchData
{
    std::uint32_t sourceVlan{0};
    std::uint32_t sourcePriority{0};
    std::uint32_t destinationVlan{0};
    std::uint32_t destinationPriority{0};
};

/** One sampled packet. The frame is read during AddFlowSample only, never kept. */
struct SflowPacketSample
{
    SflowDataSource source;
    std::uint32_t samplingRate{1};
    /** Packets the source could have sampled so far (skipped and sampled). */
    std::uint32_t samplePool{0};
    std::uint32_t drops{0};
    std::uint32_t inputFormat{kSflowInterfaceIndex};
    std::uint32_t input{0}; ///< ifIndex, 0 = unknown
    std::uint32_t outputFormat{kSflowInterfaceIndex};
    std::uint32_t output{0};
    std::uint32_t headerProtocol{1}; ///< 1 Ethernet, 11 IPv4, 12 IPv6
    const std::uint8_t* frame{nullptr};
    std::size_t capturedLength{0}; ///< bytes readable at `frame`
    /** The frame's length on the wire without FCS; 0 means capturedLength. */
    std::uint32_t wireLength{0};
    std::optional<SflowSwitchData> extendedSwitch;
};

/**
 * Generic interface counters (RFC 2233), sFlow counter record 0:1. These counter structures are
 * what the exporter encodes and what dpi's sFlow decoder fills. The defaults describe an up,
 * full-duplex Ethernet port.
 */
struct SflowInterfaceCounters
{
    std::uint32_t ifIndex{0};
    std::uint32_t ifType{6};      ///< ethernetCsmacd
    std::uint64_t ifSpeed{0};     ///< bits per second
    std::uint32_t ifDirection{1}; ///< full-duplex
    std::uint32_t ifStatus{3};    ///< admin and operationally up
    std::uint64_t ifInOctets{0};
    std::uint32_t ifInUcastPkts{0};
    std::uint32_t ifInMulticastPkts{0};
    std::uint32_t ifInBroadcastPkts{0};
    std::uint32_t ifInDiscards{0};
    std::uint32_t ifInErrors{0};
    std::uint32_t ifInUnknownProtos{0};
    std::uint64_t ifOutOctets{0};
    std::uint32_t ifOutUcastPkts{0};
    std::uint32_t ifOutMulticastPkts{0};
    std::uint32_t ifOutBroadcastPkts{0};
    std::uint32_t ifOutDiscards{0};
    std::uint32_t ifOutErrors{0};
    std::uint32_t ifPromiscuousMode{0};
};

/** Ethernet interface counters (RFC 2358), sFlow counter record 0:2. */
struct SflowEthernetCounters
{
    std::uint32_t dot3StatsAlignmentErrors{0};
    std::uint32_t dot3StatsFCSErrors{0};
    std::uint32_t dot3StatsSingleCollisionFrames{0};
    std::uint32_t dot3StatsMultipleCollisionFrames{0};
    std::uint32_t dot3StatsSQETestErrors{0};
    std::uint32_t dot3StatsDeferredTransmissions{0};
    std::uint32_t dot3StatsLateCollisions{0};
    std::uint32_t dot3StatsExcessiveCollisions{0};
    std::uint32_t dot3StatsInternalMacTransmitErrors{0};
    std::uint32_t dot3StatsCarrierSenseErrors{0};
    std::uint32_t dot3StatsFrameTooLongs{0};
    std::uint32_t dot3StatsInternalMacReceiveErrors{0};
    std::uint32_t dot3StatsSymbolErrors{0};
};

struct SflowPfcPriorityCounters
{
    std::uint64_t rxPauseFrames{0};
    std::uint64_t txPauseFrames{0};
    std::uint64_t rxPauseDurationUs{0};
    std::uint64_t txPauseDurationUs{0};
};

struct SflowPfcCounters
{
    std::uint32_t pfcEnabled{0}; ///< bit p: PFC enabled on priority p
    std::array<SflowPfcPriorityCounters, kSflowPfcPriorities> priorities{};
};

/** One port's counters; the records present are sent, in this order. */
struct SflowPortCounters
{
    SflowDataSource source;
    std::optional<SflowInterfaceCounters> generic;
    std::optional<SflowEthernetCounters> ethernet;
    std::optional<SflowPfcCounters> pfc;
};

/**
 * Builds sFlow version 5 datagrams and hands each finished one to a callback; sending it is the
 * caller's business. Samples are packed in the order given until the next would not fit
 * maxDatagramBytes. Datagram sequence numbers count from 1 per encoder, sample sequence numbers
 * from 1 per data source, so a collector sees every lost datagram and sample as a gap. A
 * source whose index, type or interfaces do not fit the compact sample formats (24-bit index,
 * 8-bit type, 30-bit interfaces) is sent in the expanded ones. The encoder reads no clock: the
 * caller sets the agent's uptime, which stamps each datagram as it is finished.
 */
class SflowEncoder
{
public:
    using DatagramSink = std::function<void(const std::uint8_t* data, std::size_t size)>;

    SflowEncoder(const SflowEncoderConfig& config, DatagramSink sink);

    void SetUptimeMs(std::uint32_t uptimeMs) { m_uptimeMs = uptimeMs; }

    /**
     * Adds a flow sample with a raw packet header record and, if given, an extended switch
     * record. False (and nothing sent or counted) when the sample would not fit an empty datagram.
     */
    bool AddFlowSample(const SflowPacketSample& sample);

    /** Adds a counters sample; false as above. */
    bool AddCounterSample(const SflowPortCounters& counters);

    /** Sends the datagram being filled, if it holds a sample. */
    void Flush();

    std::uint32_t DatagramsSent() const { return m_datagramSequence; }
    /** Samples refused because even alone they would not fit a datagram. */
    std::uint64_t SamplesRefused() const { return m_refused; }

private:
    bool Commit();
    void StartDatagram();

    SflowEncoderConfig m_config;
    DatagramSink m_sink;
    std::uint32_t m_uptimeMs{0};
    std::uint32_t m_datagramSequence{0};
    std::uint32_t m_samplesInDatagram{0};
    std::uint64_t m_refused{0};
    std::size_t m_headerBytes{0};
    std::size_t m_sequenceOffset{0};
    std::vector<std::uint8_t> m_datagram;
    std::vector<std::uint8_t> m_sample;
    std::map<SflowDataSource, std::uint32_t> m_flowSequence;
    std::map<SflowDataSource, std::uint32_t> m_counterSequence;
};

} // namespace fab::telemetry

#endif
