#include "telemetry/export/sflow-encoder.h"

#include <algorithm>

namespace fab::telemetry
{
namespace
{

constexpr std::uint32_t kVersion5 = 5;
constexpr std::uint32_t kAddressIpv4 = 1;
constexpr std::uint32_t kAddressIpv6 = 2;

// data_format words: enterprise in the top 20 bits, format in the low 12.
constexpr std::uint32_t kFlowSample = 1;
constexpr std::uint32_t kCountersSample = 2;
constexpr std::uint32_t kFlowSampleExpanded = 3;
constexpr std::uint32_t kCountersSampleExpanded = 4;
constexpr std::uint32_t kRawPacketHeader = 1;
constexpr std::uint32_t kExtendedSwitch = 1001;
constexpr std::uint32_t kGenericInterfaceCounters = 1;
constexpr std::uint32_t kEthernetInterfaceCounters = 2;
constexpr std::uint32_t kPfcCounters = (kSflowPfcEnterprise << 12) | kSflowPfcFormat;

constexpr std::uint32_t kCompactSourceTypes = 1u << 8;
constexpr std::uint32_t kCompactSourceIndices = 1u << 24;
constexpr std::uint32_t kCompactInterfaceFormats = 1u << 2;
constexpr std::uint32_t kCompactInterfaceValues = 1u << 30;

void
Put32(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    out.push_back(static_cast<std::uint8_t>(value >> 24));
    out.push_back(static_cast<std::uint8_t>(value >> 16));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

void
Put64(std::vector<std::uint8_t>& out, std::uint64_t value)
{
    Put32(out, static_cast<std::uint32_t>(value >> 32));
    Put32(out, static_cast<std::uint32_t>(value));
}

void
Patch32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t value)
{
    out[at] = static_cast<std::uint8_t>(value >> 24);
    out[at + 1] = static_cast<std::uint8_t>(value >> 16);
    out[at + 2] = static_cast<std::uint8_t>(value >> 8);
    out[at + 3] = static_cast<std::uint8_t>(value);
}

/** XDR opaque<>: a byte count, the bytes, zeros up to a multiple of four. */
void
PutOpaque(std::vector<std::uint8_t>& out, const std::uint8_t* data, std::size_t size)
{
    Put32(out, static_cast<std::uint32_t>(size));
    out.insert(out.end(), data, data + size);
    out.insert(out.end(), (4 - size % 4) % 4, 0);
}

/** Starts a sample or record: its format word and a length to be patched by EndStructure. */
std::size_t
BeginStructure(std::vector<std::uint8_t>& out, std::uint32_t format)
{
    Put32(out, format);
    Put32(out, 0);
    return out.size();
}

void
EndStructure(std::vector<std::uint8_t>& out, std::size_t dataStart)
{
    Patch32(out, dataStart - 4, static_cast<std::uint32_t>(out.size() - dataStart));
}

/** The sequence number the next sample of `source` takes: they count from 1 per source. */
std::uint32_t
NextSequence(const std::map<SflowDataSource, std::uint32_t>& sequences,
             const SflowDataSource& source)
{
    auto found = sequences.find(source);
    return (found == sequences.end() ? 0 : found->second) + 1;
}

bool
IsCompact(const SflowDataSource& source)
{
    return source.type < kCompactSourceTypes && source.index < kCompactSourceIndices;
}

bool
IsCompactInterface(std::uint32_t format, std::uint32_t value)
{
    return format < kCompactInterfaceFormats && value < kCompactInterfaceValues;
}

void
PutSource(std::vector<std::uint8_t>& out, const SflowDataSource& source, bool compact)
{
    if (compact)
    {
        Put32(out, (source.type << 24) | source.index);
    }
    else
    {
        Put32(out, source.type);
        Put32(out, source.index);
    }
}

void
PutInterface(std::vector<std::uint8_t>& out,
             std::uint32_t format,
             std::uint32_t value,
             bool compact)
{
    if (compact)
    {
        Put32(out, (format << 30) | value);
    }
    else
    {
        Put32(out, format);
        Put32(out, value);
    }
}

void
PutGeneric(std::vector<std::uint8_t>& out, const SflowInterfaceCounters& c)
{
    std::size_t start = BeginStructure(out, kGenericInterfaceCounters);
    Put32(out, c.ifIndex);
    Put32(out, c.ifType);
    Put64(out, c.ifSpeed);
    Put32(out, c.ifDirection);
    Put32(out, c.ifStatus);
    Put64(out, c.ifInOctets);
    Put32(out, c.ifInUcastPkts);
    Put32(out, c.ifInMulticastPkts);
    Put32(out, c.ifInBroadcastPkts);
    Put32(out, c.ifInDiscards);
    Put32(out, c.ifInErrors);
    Put32(out, c.ifInUnknownProtos);
    Put64(out, c.ifOutOctets);
    Put32(out, c.ifOutUcastPkts);
    Put32(out, c.ifOutMulticastPkts);
    Put32(out, c.ifOutBroadcastPkts);
    Put32(out, c.ifOutDiscards);
    Put32(out, c.ifOutErrors);
    Put32(out, c.ifPromiscuousMode);
    EndStructure(out, start);
}

void
PutEthernet(std::vector<std::uint8_t>& out, const SflowEthernetCounters& c)
{
    std::size_t start = BeginStructure(out, kEthernetInterfaceCounters);
    for (std::uint32_t value : {c.dot3StatsAlignmentErrors,
                                c.dot3StatsFCSErrors,
                                c.dot3StatsSingleCollisionFrames,
                                c.dot3StatsMultipleCollisionFrames,
                                c.dot3StatsSQETestErrors,
                                c.dot3StatsDeferredTransmissions,
                                c.dot3StatsLateCollisions,
                                c.dot3StatsExcessiveCollisions,
                                c.dot3StatsInternalMacTransmitErrors,
                                c.dot3StatsCarrierSenseErrors,
                                c.dot3StatsFrameTooLongs,
                                c.dot3StatsInternalMacReceiveErrors,
                                c.dot3StatsSymbolErrors})
    {
        Put32(out, value);
    }
    EndStructure(out, start);
}

void
PutPfc(std::vector<std::uint8_t>& out, const SflowPfcCounters& c)
{
    std::size_t start = BeginStructure(out, kPfcCounters);
    Put32(out, c.pfcEnabled);
    for (const SflowPfcPriorityCounters& priority : c.priorities)
    {
        Put64(out, priority.rxPauseFrames);
        Put64(out, priority.txPauseFrames);
        Put64(out, priority.rxPauseDurationUs);
        Put64(out, priority.txPauseDurationUs);
    }
    EndStructure(out, start);
}

} // namespace

SflowAgentAddress
SflowAgentAddress::Ipv4(std::uint32_t address)
{
    SflowAgentAddress agent;
    agent.bytes[0] = static_cast<std::uint8_t>(address >> 24);
    agent.bytes[1] = static_cast<std::uint8_t>(address >> 16);
    agent.bytes[2] = static_cast<std::uint8_t>(address >> 8);
    agent.bytes[3] = static_cast<std::uint8_t>(address);
    return agent;
}

SflowAgentAddress
SflowAgentAddress::Ipv6(const std::array<std::uint8_t, 16>& address)
{
    SflowAgentAddress agent;
    agent.ipv6 = true;
    agent.bytes = address;
    return agent;
}

SflowEncoder::SflowEncoder(const SflowEncoderConfig& config, DatagramSink sink)
: m_config(config)
, m_sink(std::move(sink))
{
    m_datagram.reserve(m_config.maxDatagramBytes);
    StartDatagram();
    m_headerBytes = m_datagram.size();
}

void
SflowEncoder::StartDatagram()
{
    m_datagram.clear();
    m_samplesInDatagram = 0;
    Put32(m_datagram, kVersion5);
    const SflowAgentAddress& agent = m_config.agent;
    Put32(m_datagram, agent.ipv6 ? kAddressIpv6 : kAddressIpv4);
    m_datagram.insert(
        m_datagram.end(), agent.bytes.begin(), agent.bytes.begin() + (agent.ipv6 ? 16 : 4));
    Put32(m_datagram, m_config.subAgentId);
    // Sequence number, uptime and sample count are known when the datagram is finished.
    m_sequenceOffset = m_datagram.size();
    Put32(m_datagram, 0);
    Put32(m_datagram, 0);
    Put32(m_datagram, 0);
}

bool
SflowEncoder::Commit()
{
    if (m_headerBytes + m_sample.size() > m_config.maxDatagramBytes)
    {
        ++m_refused;
        return false;
    }
    if (m_datagram.size() + m_sample.size() > m_config.maxDatagramBytes)
    {
        Flush();
    }
    m_datagram.insert(m_datagram.end(), m_sample.begin(), m_sample.end());
    ++m_samplesInDatagram;
    return true;
}

void
SflowEncoder::Flush()
{
    if (m_samplesInDatagram == 0)
    {
        return;
    }
    ++m_datagramSequence;
    Patch32(m_datagram, m_sequenceOffset, m_datagramSequence);
    Patch32(m_datagram, m_sequenceOffset + 4, m_uptimeMs);
    Patch32(m_datagram, m_sequenceOffset + 8, m_samplesInDatagram);
    if (m_sink)
    {
        m_sink(m_datagram.data(), m_datagram.size());
    }
    StartDatagram();
}

bool
SflowEncoder::AddFlowSample(const SflowPacketSample& sample)
{
    bool compact = IsCompact(sample.source) && IsCompactInterface(sample.inputFormat, sample.input)
                   && IsCompactInterface(sample.outputFormat, sample.output);
    std::uint32_t sequence = NextSequence(m_flowSequence, sample.source);
    m_sample.clear();
    std::size_t start = BeginStructure(m_sample, compact ? kFlowSample : kFlowSampleExpanded);
    Put32(m_sample, sequence);
    PutSource(m_sample, sample.source, compact);
    Put32(m_sample, sample.samplingRate);
    Put32(m_sample, sample.samplePool);
    Put32(m_sample, sample.drops);
    PutInterface(m_sample, sample.inputFormat, sample.input, compact);
    PutInterface(m_sample, sample.outputFormat, sample.output, compact);
    Put32(m_sample, sample.extendedSwitch ? 2 : 1);

    std::size_t header = std::min(sample.capturedLength, m_config.maxHeaderBytes);
    std::size_t wire = sample.wireLength != 0 ? sample.wireLength : sample.capturedLength;
    std::size_t record = BeginStructure(m_sample, kRawPacketHeader);
    Put32(m_sample, sample.headerProtocol);
    Put32(m_sample, static_cast<std::uint32_t>(wire + m_config.fcsBytes));
    Put32(m_sample, m_config.fcsBytes);
    PutOpaque(m_sample, sample.frame, sample.frame != nullptr ? header : 0);
    EndStructure(m_sample, record);

    if (sample.extendedSwitch)
    {
        const SflowSwitchData& sw = *sample.extendedSwitch;
        record = BeginStructure(m_sample, kExtendedSwitch);
        Put32(m_sample, sw.sourceVlan);
        Put32(m_sample, sw.sourcePriority);
        Put32(m_sample, sw.destinationVlan);
        Put32(m_sample, sw.destinationPriority);
        EndStructure(m_sample, record);
    }
    EndStructure(m_sample, start);
    if (!Commit())
    {
        return false;
    }
    m_flowSequence[sample.source] = sequence;
    return true;
}

bool
SflowEncoder::AddCounterSample(const SflowPortCounters& counters)
{
    bool compact = IsCompact(counters.source);
    std::uint32_t sequence = NextSequence(m_counterSequence, counters.source);
    m_sample.clear();
    std::size_t start
        = BeginStructure(m_sample, compact ? kCountersSample : kCountersSampleExpanded);
    Put32(m_sample, sequence);
    PutSource(m_sample, counters.source, compact);
    Put32(m_sample,
          static_cast<std::uint32_t>(counters.generic.has_value() + counters.ethernet.has_value()
                                     + counters.pfc.has_value()));
    if (counters.generic)
    {
        PutGeneric(m_sample, *counters.generic);
    }
    if (counters.ethernet)
    {
        PutEthernet(m_sample, *counters.ethernet);
    }
    if (counters.pfc)
    {
        PutPfc(m_sample, *counters.pfc);
    }
    EndStructure(m_sample, start);
    if (!Commit())
    {
        return false;
    }
    m_counterSequence[counters.source] = sequence;
    return true;
}

} // namespace fab::telemetry
