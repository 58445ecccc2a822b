#include "dpi/sflow-decoder.h"

#include "dpi/byte-reader.h"

#include <limits>

namespace fab::dpi
{
namespace
{

// Indexed by the enum: the static_assert below catches a name added to one list and not the other.
constexpr std::array<std::string_view, kSflowAnomalyCount> kNames = {
    "none",
    "sflow_truncated_header",
    "sflow_bad_version",
    "sflow_bad_agent_address_type",
    "sflow_too_many_samples",
    "sflow_sample_length",
    "sflow_too_many_records",
    "sflow_record_length",
    "sflow_short_sample",
    "sflow_short_record",
    "sflow_header_length",
    "sflow_trailing_bytes",
};

static_assert(kNames[kSflowAnomalyCount - 1] == "sflow_trailing_bytes",
              "every SflowAnomaly needs its name, in enum order");
static_assert(kSflowGenericInterfaceCountersBytes == 4 * 2 + 8 + 4 * 2 + 8 + 4 * 6 + 8 + 4 * 6,
              "generic interface counters: 19 fields, 3 of them 64-bit");
static_assert(kSflowPfcCountersBytes == 260, "PFC enable vector and 8 x 4 64-bit counters");

/** The datagram between `begin` and `begin + length`, with offsets still counted from its start. */
ByteReader
Window(const std::uint8_t* data, std::size_t begin, std::size_t length)
{
    ByteReader reader(data, begin + length);
    reader.Skip(begin);
    return reader;
}

/** Reads the framing of a sample or record and checks that its data lies within `outer`. */
bool
ReadFraming(ByteReader& outer, std::uint32_t& format, std::uint32_t& length)
{
    return outer.ReadU32(format) && outer.ReadU32(length) && outer.CanRead(length);
}

// The two readers below run after CanRead of the sample's fixed fields: each load succeeds.

/** A data source: expanded, a type word and an index word; compact, type in the top byte. */
void
ReadSource(ByteReader& sample, bool expanded, std::uint32_t& type, std::uint32_t& index)
{
    if (expanded)
    {
        sample.ReadU32(type);
        sample.ReadU32(index);
        return;
    }
    std::uint32_t word = 0;
    sample.ReadU32(word);
    type = word >> 24;
    index = word & 0x00FFFFFF;
}

/** An interface: expanded, a format word and a value word; compact, format in the top 2 bits. */
void
ReadInterface(ByteReader& sample, bool expanded, std::uint32_t& format, std::uint32_t& value)
{
    if (expanded)
    {
        sample.ReadU32(format);
        sample.ReadU32(value);
        return;
    }
    std::uint32_t word = 0;
    sample.ReadU32(word);
    format = word >> 30;
    value = word & 0x3FFFFFFF;
}

std::uint32_t
Offset32(const ByteReader& reader)
{
    return static_cast<std::uint32_t>(reader.Offset());
}

class DatagramDecoder
{
public:
    DatagramDecoder(const std::uint8_t* data, SflowDatagram& out, const SflowDecodeLimits& limits)
    : m_data(data)
    , m_out(out)
    , m_limits(limits)
    {
    }

    SflowStatus Header(ByteReader& reader);
    SflowStatus Sample(ByteReader& reader);

private:
    SflowStatus FlowSample(ByteReader& sample, std::uint32_t offset, bool expanded);
    SflowStatus CounterSample(ByteReader& sample, std::uint32_t offset, bool expanded);
    /** Reads a sample's records, calling decode(format, record reader) for each. */
    template <typename DecodeRecord>
    SflowStatus Records(ByteReader& sample, std::uint32_t count, DecodeRecord decode);

    void RawHeader(ByteReader& record, std::uint32_t flowSample);
    void GenericCounters(ByteReader& record, telemetry::SflowInterfaceCounters& out);
    void EthernetCounters(ByteReader& record, telemetry::SflowEthernetCounters& out);
    void PfcCounters(ByteReader& record, telemetry::SflowPfcCounters& out);

    const std::uint8_t* m_data;
    SflowDatagram& m_out;
    const SflowDecodeLimits& m_limits;
};

SflowStatus
DatagramDecoder::Header(ByteReader& reader)
{
    SflowDatagramHeader& header = m_out.header;
    if (!reader.ReadU32(header.version))
    {
        return {SflowAnomaly::TruncatedHeader, 0};
    }
    if (header.version != kSflowVersion5)
    {
        return {SflowAnomaly::BadVersion, 0};
    }
    std::uint32_t typeOffset = Offset32(reader);
    if (!reader.ReadU32(header.agentAddressType))
    {
        return {SflowAnomaly::TruncatedHeader, typeOffset};
    }
    switch (header.agentAddressType)
    {
        case kSflowAddressUnknown:
            break;
        case kSflowAddressIpv4:
        {
            std::uint32_t address = 0;
            if (!reader.ReadU32(address))
            {
                return {SflowAnomaly::TruncatedHeader, Offset32(reader)};
            }
            header.agentAddress = MakeIpv4Address(address);
            break;
        }
        case kSflowAddressIpv6:
            if (!reader.ReadBytes(header.agentAddress.data(), header.agentAddress.size()))
            {
                return {SflowAnomaly::TruncatedHeader, Offset32(reader)};
            }
            break;
        default:
            return {SflowAnomaly::BadAgentAddressType, typeOffset};
    }
    std::uint32_t rest = Offset32(reader);
    if (!reader.ReadU32(header.subAgentId) || !reader.ReadU32(header.sequenceNumber)
        || !reader.ReadU32(header.uptimeMs))
    {
        return {SflowAnomaly::TruncatedHeader, rest};
    }
    std::uint32_t countOffset = Offset32(reader);
    if (!reader.ReadU32(header.sampleCount))
    {
        return {SflowAnomaly::TruncatedHeader, countOffset};
    }
    if (header.sampleCount > m_limits.maxSamples)
    {
        return {SflowAnomaly::TooManySamples, countOffset};
    }
    return {};
}

SflowStatus
DatagramDecoder::Sample(ByteReader& reader)
{
    std::uint32_t offset = Offset32(reader);
    std::uint32_t format = 0;
    std::uint32_t length = 0;
    if (!ReadFraming(reader, format, length))
    {
        return {SflowAnomaly::SampleLength, offset};
    }
    ByteReader sample = Window(m_data, reader.Offset(), length);
    reader.Skip(length);
    switch (format)
    {
        case kSflowFlowSample:
            return FlowSample(sample, offset, false);
        case kSflowFlowSampleExpanded:
            return FlowSample(sample, offset, true);
        case kSflowCountersSample:
            return CounterSample(sample, offset, false);
        case kSflowCountersSampleExpanded:
            return CounterSample(sample, offset, true);
        default:
            ++m_out.skippedSamples;
            return {};
    }
}

template <typename DecodeRecord>
SflowStatus
DatagramDecoder::Records(ByteReader& sample, std::uint32_t count, DecodeRecord decode)
{
    for (std::uint32_t i = 0; i < count; ++i)
    {
        std::uint32_t offset = Offset32(sample);
        std::uint32_t format = 0;
        std::uint32_t length = 0;
        if (!ReadFraming(sample, format, length))
        {
            return {SflowAnomaly::RecordLength, offset};
        }
        ByteReader record = Window(m_data, sample.Offset(), length);
        sample.Skip(length);
        decode(format, record);
    }
    if (sample.Remaining() > 0)
    {
        m_out.notes.Add(SflowAnomaly::TrailingBytes);
    }
    return {};
}

SflowStatus
DatagramDecoder::FlowSample(ByteReader& sample, std::uint32_t offset, bool expanded)
{
    if (!sample.CanRead(expanded ? kSflowFlowSampleExpandedBytes : kSflowFlowSampleBytes))
    {
        m_out.notes.Add(SflowAnomaly::ShortSample);
        return {};
    }
    SflowFlowSample fields;
    fields.expanded = expanded;
    fields.offset = offset;
    sample.ReadU32(fields.sequenceNumber);
    ReadSource(sample, expanded, fields.sourceIdType, fields.sourceIdIndex);
    sample.ReadU32(fields.samplingRate);
    sample.ReadU32(fields.samplePool);
    sample.ReadU32(fields.drops);
    ReadInterface(sample, expanded, fields.inputFormat, fields.input);
    ReadInterface(sample, expanded, fields.outputFormat, fields.output);
    std::uint32_t countOffset = Offset32(sample);
    sample.ReadU32(fields.recordCount);
    if (fields.recordCount > m_limits.maxRecordsPerSample)
    {
        return {SflowAnomaly::TooManyRecords, countOffset};
    }
    fields.firstRawHeader = static_cast<std::uint32_t>(m_out.rawHeaders.size());
    m_out.flowSamples.push_back(fields);
    auto index = static_cast<std::uint32_t>(m_out.flowSamples.size() - 1);
    return Records(sample,
                   fields.recordCount,
                   [&](std::uint32_t format, ByteReader& record)
                   {
                       SflowFlowSample& out = m_out.flowSamples[index];
                       if (format == kSflowRawPacketHeader)
                       {
                           RawHeader(record, index);
                       }
                       else if (format == kSflowExtendedSwitch)
                       {
                           SflowExtendedSwitch& sw = out.extendedSwitch;
                           if (!record.CanRead(kSflowExtendedSwitchBytes))
                           {
                               m_out.notes.Add(SflowAnomaly::ShortRecord);
                               return;
                           }
                           record.ReadU32(sw.sourceVlan);
                           record.ReadU32(sw.sourcePriority);
                           record.ReadU32(sw.destinationVlan);
                           record.ReadU32(sw.destinationPriority);
                           out.hasExtendedSwitch = true;
                       }
                       else
                       {
                           ++out.skippedRecords;
                       }
                   });
}

void
DatagramDecoder::RawHeader(ByteReader& record, std::uint32_t flowSample)
{
    if (!record.CanRead(kSflowRawPacketHeaderBytes))
    {
        m_out.notes.Add(SflowAnomaly::ShortRecord);
        return;
    }
    SflowRawHeader header;
    header.flowSample = flowSample;
    record.ReadU32(header.protocol);
    record.ReadU32(header.frameLength);
    record.ReadU32(header.stripped);
    record.ReadU32(header.headerLength);
    header.headerOffset = Offset32(record);
    // XDR pads the bytes to a multiple of four; a record cut inside the padding still holds
    // every header byte, so only the bytes themselves are required.
    if (!record.CanRead(header.headerLength))
    {
        m_out.notes.Add(SflowAnomaly::HeaderLength);
        return;
    }
    m_out.rawHeaders.push_back(header);
    ++m_out.flowSamples[flowSample].rawHeaderCount;
}

SflowStatus
DatagramDecoder::CounterSample(ByteReader& sample, std::uint32_t offset, bool expanded)
{
    if (!sample.CanRead(expanded ? kSflowCountersSampleExpandedBytes : kSflowCountersSampleBytes))
    {
        m_out.notes.Add(SflowAnomaly::ShortSample);
        return {};
    }
    SflowCounterSample fields;
    fields.expanded = expanded;
    fields.offset = offset;
    sample.ReadU32(fields.sequenceNumber);
    ReadSource(sample, expanded, fields.sourceIdType, fields.sourceIdIndex);
    std::uint32_t countOffset = Offset32(sample);
    sample.ReadU32(fields.recordCount);
    if (fields.recordCount > m_limits.maxRecordsPerSample)
    {
        return {SflowAnomaly::TooManyRecords, countOffset};
    }
    m_out.counterSamples.push_back(fields);
    SflowCounterSample& out = m_out.counterSamples.back();
    return Records(sample,
                   fields.recordCount,
                   [&](std::uint32_t format, ByteReader& record)
                   {
                       if (format == kSflowGenericInterfaceCounters)
                       {
                           if (record.CanRead(kSflowGenericInterfaceCountersBytes))
                           {
                               GenericCounters(record, out.generic);
                               out.hasGeneric = true;
                               return;
                           }
                       }
                       else if (format == kSflowEthernetInterfaceCounters)
                       {
                           if (record.CanRead(kSflowEthernetInterfaceCountersBytes))
                           {
                               EthernetCounters(record, out.ethernet);
                               out.hasEthernet = true;
                               return;
                           }
                       }
                       else if (format == kSflowPfcCounters)
                       {
                           if (record.CanRead(kSflowPfcCountersBytes))
                           {
                               PfcCounters(record, out.pfc);
                               out.hasPfc = true;
                               return;
                           }
                       }
                       else
                       {
                           ++out.skippedRecords;
                           return;
                       }
                       m_out.notes.Add(SflowAnomaly::ShortRecord);
                   });
}

// The three readers below run after CanRead of the whole structure: each load succeeds.
void
DatagramDecoder::GenericCounters(ByteReader& record, telemetry::SflowInterfaceCounters& out)
{
    record.ReadU32(out.ifIndex);
    record.ReadU32(out.ifType);
    record.ReadU64(out.ifSpeed);
    record.ReadU32(out.ifDirection);
    record.ReadU32(out.ifStatus);
    record.ReadU64(out.ifInOctets);
    record.ReadU32(out.ifInUcastPkts);
    record.ReadU32(out.ifInMulticastPkts);
    record.ReadU32(out.ifInBroadcastPkts);
    record.ReadU32(out.ifInDiscards);
    record.ReadU32(out.ifInErrors);
    record.ReadU32(out.ifInUnknownProtos);
    record.ReadU64(out.ifOutOctets);
    record.ReadU32(out.ifOutUcastPkts);
    record.ReadU32(out.ifOutMulticastPkts);
    record.ReadU32(out.ifOutBroadcastPkts);
    record.ReadU32(out.ifOutDiscards);
    record.ReadU32(out.ifOutErrors);
    record.ReadU32(out.ifPromiscuousMode);
}

void
DatagramDecoder::EthernetCounters(ByteReader& record, telemetry::SflowEthernetCounters& out)
{
    record.ReadU32(out.dot3StatsAlignmentErrors);
    record.ReadU32(out.dot3StatsFCSErrors);
    record.ReadU32(out.dot3StatsSingleCollisionFrames);
    record.ReadU32(out.dot3StatsMultipleCollisionFrames);
    record.ReadU32(out.dot3StatsSQETestErrors);
    record.ReadU32(out.dot3StatsDeferredTransmissions);
    record.ReadU32(out.dot3StatsLateCollisions);
    record.ReadU32(out.dot3StatsExcessiveCollisions);
    record.ReadU32(out.dot3StatsInternalMacTransmitErrors);
    record.ReadU32(out.dot3StatsCarrierSenseErrors);
    record.ReadU32(out.dot3StatsFrameTooLongs);
    record.ReadU32(out.dot3StatsInternalMacReceiveErrors);
    record.ReadU32(out.dot3StatsSymbolErrors);
}

void
DatagramDecoder::PfcCounters(ByteReader& record, telemetry::SflowPfcCounters& out)
{
    record.ReadU32(out.pfcEnabled);
    for (telemetry::SflowPfcPriorityCounters& priority : out.priorities)
    {
        record.ReadU64(priority.rxPauseFrames);
        record.ReadU64(priority.txPauseFrames);
        record.ReadU64(priority.rxPauseDurationUs);
        record.ReadU64(priority.txPauseDurationUs);
    }
}

} // namespace

std::string_view
SflowAnomalyName(SflowAnomaly anomaly)
{
    auto index = static_cast<std::size_t>(anomaly);
    return index < kSflowAnomalyCount ? kNames[index] : std::string_view("unknown_sflow_anomaly");
}

void
SflowAnomalyCounts::Add(SflowAnomaly anomaly, std::uint64_t times)
{
    auto index = static_cast<std::size_t>(anomaly);
    if (anomaly != SflowAnomaly::None && index < kSflowAnomalyCount)
    {
        m_counts[index] += times;
    }
}

void
SflowAnomalyCounts::Add(const SflowAnomalySet& anomalies)
{
    std::uint32_t bits = anomalies.Bits();
    while (bits != 0)
    {
        auto index = static_cast<unsigned>(__builtin_ctz(bits));
        ++m_counts[index];
        bits &= bits - 1;
    }
}

void
SflowAnomalyCounts::Merge(const SflowAnomalyCounts& other)
{
    for (std::size_t i = 0; i < kSflowAnomalyCount; ++i)
    {
        m_counts[i] += other.m_counts[i];
    }
}

std::uint64_t
SflowAnomalyCounts::Total() const
{
    std::uint64_t total = 0;
    for (std::uint64_t count : m_counts)
    {
        total += count;
    }
    return total;
}

void
SflowDatagram::Clear()
{
    header = SflowDatagramHeader();
    flowSamples.clear();
    rawHeaders.clear();
    counterSamples.clear();
    skippedSamples = 0;
    notes = SflowAnomalySet();
}

SflowStatus
DecodeSflowDatagram(const std::uint8_t* data,
                    std::size_t size,
                    SflowDatagram& out,
                    const SflowDecodeLimits& limits)
{
    out.Clear();
    // Offsets are 32-bit: a UDP payload is far shorter, and a longer buffer is read in part.
    constexpr std::size_t kLongest = std::numeric_limits<std::uint32_t>::max();
    ByteReader reader(data, size < kLongest ? size : kLongest);
    DatagramDecoder decoder(data, out, limits);
    SflowStatus status = decoder.Header(reader);
    for (std::uint32_t i = 0; status.Ok() && i < out.header.sampleCount; ++i)
    {
        status = decoder.Sample(reader);
    }
    if (status.Ok() && reader.Remaining() > 0)
    {
        out.notes.Add(SflowAnomaly::TrailingBytes);
    }
    return status;
}

} // namespace fab::dpi
