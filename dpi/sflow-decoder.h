#ifndef FABRICSCOPE_DPI_SFLOW_DECODER_H
#define FABRICSCOPE_DPI_SFLOW_DECODER_H

#include "dpi/ip-fields.h"
#include "telemetry/export/sflow-encoder.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fab::dpi
{

/** The UDP port sFlow agents send to (IANA "sflow"). */
inline constexpr std::uint16_t kSflowUdpPort = 6343;
inline constexpr std::uint32_t kSflowVersion5 = 5;

/** A data_format word: IANA enterprise number in the top 20 bits, format in the low 12. */
constexpr std::uint32_t
SflowDataFormat(std::uint32_t enterprise, std::uint32_t format)
{
    return (enterprise << 12) | (format & 0x0FFF);
}

/** Agent address types (sFlow v5 "address"). */
inline constexpr std::uint32_t kSflowAddressUnknown = 0;
inline constexpr std::uint32_t kSflowAddressIpv4 = 1;
inline constexpr std::uint32_t kSflowAddressIpv6 = 2;

/** Sample formats of enterprise 0 (sflow.org). */
inline constexpr std::uint32_t kSflowFlowSample = SflowDataFormat(0, 1);
inline constexpr std::uint32_t kSflowCountersSample = SflowDataFormat(0, 2);
inline constexpr std::uint32_t kSflowFlowSampleExpanded = SflowDataFormat(0, 3);
inline constexpr std::uint32_t kSflowCountersSampleExpanded = SflowDataFormat(0, 4);

/** Flow record formats of enterprise 0. */
inline constexpr std::uint32_t kSflowRawPacketHeader = SflowDataFormat(0, 1);
inline constexpr std::uint32_t kSflowExtendedSwitch = SflowDataFormat(0, 1001);

/** Counter record formats of enterprise 0. */
inline constexpr std::uint32_t kSflowGenericInterfaceCounters = SflowDataFormat(0, 1);
inline constexpr std::uint32_t kSflowEthernetInterfaceCounters = SflowDataFormat(0, 2);

/**
 * Our per-priority PFC counter record: sFlow has no standard one. Its layout, and why enterprise
 * 32473, are written out with the counters it carries, in telemetry/export/sflow-encoder.h.
 */
inline constexpr std::uint32_t kSflowPfcCounters
    = SflowDataFormat(telemetry::kSflowPfcEnterprise, telemetry::kSflowPfcFormat);
inline constexpr std::size_t kSflowPfcPriorities = telemetry::kSflowPfcPriorities;

/** Header protocols of a raw packet header record. */
inline constexpr std::uint32_t kSflowHeaderEthernet = 1;
inline constexpr std::uint32_t kSflowHeaderIpv4 = 11;
inline constexpr std::uint32_t kSflowHeaderIpv6 = 12;

/** Interface formats (the top two bits of a compact flow sample's input and output words). */
inline constexpr std::uint32_t kSflowInterfaceIndex = 0;
inline constexpr std::uint32_t kSflowInterfaceDiscarded = 1; ///< value: the reason code
inline constexpr std::uint32_t kSflowInterfaceMultiple = 2;  ///< value: how many, 0 = unknown

/** Wire sizes of the fixed structures, data_format and length words excluded. */
inline constexpr std::size_t kSflowFlowSampleBytes = 8 * 4;
inline constexpr std::size_t kSflowFlowSampleExpandedBytes = 11 * 4;
inline constexpr std::size_t kSflowCountersSampleBytes = 3 * 4;
inline constexpr std::size_t kSflowCountersSampleExpandedBytes = 4 * 4;
inline constexpr std::size_t kSflowRawPacketHeaderBytes = 4 * 4; ///< before the header bytes
inline constexpr std::size_t kSflowExtendedSwitchBytes = 4 * 4;
inline constexpr std::size_t kSflowGenericInterfaceCountersBytes = 88;
inline constexpr std::size_t kSflowEthernetInterfaceCountersBytes = 13 * 4;
inline constexpr std::size_t kSflowPfcCountersBytes = 4 + kSflowPfcPriorities * 4 * 8;

/**
 * Why a datagram was not taken as it is. These are per datagram rather than per packet and the
 * packet decoders' Anomaly set is nearly full (one bit each in 64), so they have their own enum,
 * names and counts, built the same way. Fatal reasons end the datagram; notes (see IsSflowNote)
 * are taken and decoding goes on.
 */
enum class SflowAnomaly : std::uint8_t
{
    None,
    TruncatedHeader,     ///< fewer bytes than the datagram header
    BadVersion,          ///< not version 5
    BadAgentAddressType, ///< neither unknown, IPv4 nor IPv6
    TooManySamples,      ///< more samples than the decode limit
    SampleLength,        ///< a sample's format and length words, or its data, run past the datagram
    TooManyRecords,      ///< more records in a sample than the decode limit
    RecordLength,        ///< a record's format and length words, or its data, run past its sample
    // Notes: the boundaries still hold, so the structure is skipped and the rest decoded.
    ShortSample,   ///< a sample shorter than its fixed fields: skipped
    ShortRecord,   ///< a known record shorter than its structure: skipped
    HeaderLength,  ///< a raw header's byte count runs past its record: skipped
    TrailingBytes, ///< bytes after the last record of a sample or the last sample of a datagram
    Count          ///< not an anomaly: the number of names above
};

inline constexpr std::size_t kSflowAnomalyCount = static_cast<std::size_t>(SflowAnomaly::Count);

/** The snake_case name ("sflow_truncated_header"), stable for reports and metrics. */
std::string_view SflowAnomalyName(SflowAnomaly anomaly);

/** True for the reasons that leave the rest of the datagram decodable. */
constexpr bool
IsSflowNote(SflowAnomaly anomaly)
{
    return anomaly >= SflowAnomaly::ShortSample && anomaly < SflowAnomaly::Count;
}

/** The notes of one datagram, a bit each. */
class SflowAnomalySet
{
public:
    void Add(SflowAnomaly anomaly) { m_bits |= Bit(anomaly); }
    bool Has(SflowAnomaly anomaly) const { return (m_bits & Bit(anomaly)) != 0; }
    bool Empty() const { return m_bits == 0; }
    std::uint32_t Bits() const { return m_bits; }

private:
    static_assert(kSflowAnomalyCount <= 32, "one bit per sFlow anomaly in 32 bits");

    static std::uint32_t Bit(SflowAnomaly anomaly)
    {
        return anomaly == SflowAnomaly::None ? 0
                                             : std::uint32_t{1} << static_cast<unsigned>(anomaly);
    }

    std::uint32_t m_bits = 0;
};

/** Running totals per reason over many datagrams. */
class SflowAnomalyCounts
{
public:
    void Add(SflowAnomaly anomaly, std::uint64_t times = 1);
    void Add(const SflowAnomalySet& anomalies);
    void Merge(const SflowAnomalyCounts& other);

    std::uint64_t Get(SflowAnomaly anomaly) const
    {
        auto index = static_cast<std::size_t>(anomaly);
        return index < kSflowAnomalyCount ? m_counts[index] : 0;
    }

    std::uint64_t Total() const;

private:
    std::array<std::uint64_t, kSflowAnomalyCount> m_counts{};
};

/** The outcome of decoding a datagram: the fatal reason (None when none) and where it was. */
struct SflowStatus
{
    SflowAnomaly reason{SflowAnomaly::None};
    /** Bytes from the start of the datagram to the structure that failed. */
    std::uint32_t offset{0};

    bool Ok() const { return reason == SflowAnomaly::None; }
};

struct SflowDatagramHeader
{
    std::uint32_t version{0};
    std::uint32_t agentAddressType{kSflowAddressUnknown};
    /** IPv4 agents are stored IPv4-mapped (see IpAddress); all zero when unknown. */
    IpAddress agentAddress{};
    std::uint32_t subAgentId{0};
    std::uint32_t sequenceNumber{0};
    std::uint32_t uptimeMs{0};
    std::uint32_t sampleCount{0}; ///< as the datagram declares it
};

/**
 * A raw packet header record. The header bytes stay in the datagram: they are the
 * `headerLength` bytes at `headerOffset` from its start, ready for DecodePacket.
 */
struct SflowRawHeader
{
    std::uint32_t flowSample{0};  ///< index of its sample in SflowDatagram::flowSamples
    std::uint32_t protocol{0};    ///< kSflowHeaderEthernet, …
    std::uint32_t frameLength{0}; ///< the packet's length on the wire, FCS included
    std::uint32_t stripped{0};    ///< bytes removed before the header was taken (FCS: 4)
    std::uint32_t headerOffset{0};
    std::uint32_t headerLength{0};
};

struct SflowExtendedSwitch
{
    std::uint32_t sourceVlan{0};
    std::uint32_t sourcePriority{0};
    std::uint32_t destinationVlan{0};
    std::uint32_t destinationPriority{0};
};

/** A flow sample, compact (format 1) or expanded (format 3), in the expanded form. */
struct SflowFlowSample
{
    bool expanded{false};
    std::uint32_t offset{0}; ///< of its data_format word in the datagram
    std::uint32_t sequenceNumber{0};
    std::uint32_t sourceIdType{0}; ///< 0 ifIndex, 1 VLAN, 2 physical entity, 3 logical entity
    std::uint32_t sourceIdIndex{0};
    std::uint32_t samplingRate{0};
    std::uint32_t samplePool{0};
    std::uint32_t drops{0};
    std::uint32_t inputFormat{kSflowInterfaceIndex};
    std::uint32_t input{0}; ///< ifIndex, 0 = unknown (or the value of inputFormat)
    std::uint32_t outputFormat{kSflowInterfaceIndex};
    std::uint32_t output{0};
    std::uint32_t recordCount{0}; ///< as the sample declares it
    /** Its raw headers are SflowDatagram::rawHeaders[firstRawHeader, +rawHeaderCount). */
    std::uint32_t firstRawHeader{0};
    std::uint32_t rawHeaderCount{0};
    bool hasExtendedSwitch{false};
    SflowExtendedSwitch extendedSwitch;
    std::uint32_t skippedRecords{0}; ///< records of formats not decoded here
};

/** A counters sample, compact (format 2) or expanded (format 4). */
struct SflowCounterSample
{
    bool expanded{false};
    std::uint32_t offset{0};
    std::uint32_t sequenceNumber{0};
    std::uint32_t sourceIdType{0};
    std::uint32_t sourceIdIndex{0};
    std::uint32_t recordCount{0};
    // The records decode into telemetry's counters, the ones its exporter encodes from; each is
    // meaningful only when its flag is set.
    bool hasGeneric{false};
    telemetry::SflowInterfaceCounters generic;
    bool hasEthernet{false};
    telemetry::SflowEthernetCounters ethernet;
    bool hasPfc{false};
    telemetry::SflowPfcCounters pfc;
    std::uint32_t skippedRecords{0};
};

/**
 * Everything decoded from one datagram. A collector keeps one and decodes every datagram into
 * it: the lists are cleared, not freed, so a steady stream does not allocate. The raw headers
 * point into the datagram's bytes, which the caller keeps while it reads them.
 */
struct SflowDatagram
{
    SflowDatagramHeader header;
    std::vector<SflowFlowSample> flowSamples;
    std::vector<SflowRawHeader> rawHeaders;
    std::vector<SflowCounterSample> counterSamples;
    std::uint32_t skippedSamples{0}; ///< samples of formats not decoded here
    SflowAnomalySet notes;

    void Clear();
};

struct SflowDecodeLimits
{
    /** Above these a count is taken for garbage: agents fill 1400-byte datagrams. */
    std::uint32_t maxSamples{1024};
    std::uint32_t maxRecordsPerSample{256};
};

/**
 * Decodes one sFlow version 5 datagram (a UDP payload): XDR, big-endian, every structure behind
 * a format word and a byte length. Samples and records of formats not decoded here are skipped
 * by their length. Never throws, never reads outside [data, data + size). On failure `out`
 * holds what came before the failing structure.
 */
SflowStatus DecodeSflowDatagram(const std::uint8_t* data,
                                std::size_t size,
                                SflowDatagram& out,
                                const SflowDecodeLimits& limits = {});

} // namespace fab::dpi

#endif
