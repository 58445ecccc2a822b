// sFlow v5 datagrams through DecodeSflowDatagram: hand-built datagrams for every sample and record
// format, the named failures of malformed and cut datagrams, the telemetry encoder's datagrams
// decoded back, and pmacct's probe decoded by us and by pmacct's own collector.
#include "dpi/packet-decoder.h"
#include "dpi/sflow-decoder.h"
#include "frame-builder.h"
#include "roce-conversation.h"
#include "support/pmacct.h"
#include "support/run-command.h"
#include "support/udp-pcap.h"
#include "telemetry/export/sflow-encoder.h"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <map>
#include <pcap/pcap.h>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace fab::dpi;
using fab::dpi::test::Bytes;

namespace
{

constexpr std::uint32_t kUnknownEnterprise = 4413;

/** A sample or record: its data_format word, its byte length, its data. */
Bytes
Framed(std::uint32_t format, const Bytes& body)
{
    Bytes framed;
    framed.U32(format).U32(static_cast<std::uint32_t>(body.Size())).Append(body.data);
    return framed;
}

Bytes
Ipv4DatagramHeader(std::uint32_t samples)
{
    Bytes header;
    header.U32(5).U32(1).U32(0xC0A80001); // version 5, agent 192.168.0.1
    header.U32(3).U32(77).U32(123456).U32(samples);
    return header;
}

/** A 62-byte frame: its header record needs two bytes of padding. */
std::vector<std::uint8_t>
SampledFrame()
{
    Bytes frame;
    for (std::uint32_t i = 0; i < 62; ++i)
    {
        frame.U8(0x10 + i);
    }
    return frame.data;
}

Bytes
RawHeaderRecord(const std::vector<std::uint8_t>& header, std::uint32_t frameLength)
{
    Bytes body;
    body.U32(kSflowHeaderEthernet)
        .U32(frameLength)
        .U32(4)
        .U32(static_cast<std::uint32_t>(header.size()));
    body.Append(header).Fill((4 - header.size() % 4) % 4, 0);
    return Framed(kSflowRawPacketHeader, body);
}

Bytes
CompactFlowSample()
{
    Bytes body;
    body.U32(10).U32(42).U32(1000).U32(50000).U32(2); // sequence, ifIndex 42, rate, pool, drops
    body.U32(42).U32(0x80000003);                     // input 42, output: 3 interfaces
    body.U32(3);
    body.Append(RawHeaderRecord(SampledFrame(), 1086).data);
    body.Append(Framed(kSflowExtendedSwitch, Bytes().U32(100).U32(3).U32(200).U32(5)).data);
    body.Append(
        Framed(SflowDataFormat(kUnknownEnterprise, 7), Bytes().U64(0x1122334455667788)).data);
    return Framed(kSflowFlowSample, body);
}

Bytes
GenericCounters(std::uint32_t base)
{
    Bytes body;
    body.U32(base + 1).U32(6).U64(400'000'000'000ULL).U32(1).U32(3);
    body.U64(0x0000000100000000ULL + base).U32(base + 2).U32(base + 3).U32(base + 4);
    body.U32(base + 5).U32(base + 6).U32(base + 7);
    body.U64(0x0000000200000000ULL + base).U32(base + 8).U32(base + 9).U32(base + 10);
    body.U32(base + 11).U32(base + 12).U32(1);
    return Framed(kSflowGenericInterfaceCounters, body);
}

Bytes
EthernetCounters()
{
    Bytes body;
    for (std::uint32_t i = 0; i < 13; ++i)
    {
        body.U32(100 + i);
    }
    return Framed(kSflowEthernetInterfaceCounters, body);
}

Bytes
PfcCounters()
{
    Bytes body;
    body.U32(0x18); // PFC on priorities 3 and 4
    for (std::uint64_t p = 0; p < 8; ++p)
    {
        body.U64(1000 * p + 1).U64(1000 * p + 2).U64(1000 * p + 3).U64(1000 * p + 4);
    }
    return Framed(kSflowPfcCounters, body);
}

Bytes
CompactCounterSample()
{
    Bytes body;
    body.U32(9).U32(42).U32(4); // sequence, ifIndex 42, 4 records
    body.Append(GenericCounters(1000).data);
    body.Append(EthernetCounters().data);
    body.Append(PfcCounters().data);
    body.Append(Framed(SflowDataFormat(0, 10), Bytes().U32(1).U32(2).U32(3)).data); // SFP: skipped
    return Framed(kSflowCountersSample, body);
}

/** The datagram of the first test: a flow sample, a counters sample, a sample of another vendor. */
std::vector<std::uint8_t>
FullDatagram()
{
    Bytes datagram = Ipv4DatagramHeader(3);
    datagram.Append(CompactFlowSample().data);
    datagram.Append(CompactCounterSample().data);
    datagram.Append(
        Framed(SflowDataFormat(kUnknownEnterprise, 5), Bytes().U32(1).U32(2).U32(3)).data);
    return datagram.data;
}

SflowStatus
Decode(const std::vector<std::uint8_t>& bytes,
       SflowDatagram& out,
       const SflowDecodeLimits& limits = {})
{
    return DecodeSflowDatagram(bytes.data(), bytes.size(), out, limits);
}

std::string
AddressText(const IpAddress& address)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (IsIpv4Mapped(address))
    {
        ::inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
    }
    else
    {
        ::inet_ntop(AF_INET6, address.data(), text, sizeof text);
    }
    return text;
}

} // namespace

TEST_CASE("sFlow anomalies have distinct sflow_ names; notes are told from failures",
          "[dpi][sflow]")
{
    std::set<std::string> names;
    for (std::size_t i = 0; i < kSflowAnomalyCount; ++i)
    {
        std::string name(SflowAnomalyName(static_cast<SflowAnomaly>(i)));
        INFO("anomaly " << i << " = " << name);
        CHECK((i == 0 ? name == "none" : name.rfind("sflow_", 0) == 0));
        for (char c : name)
        {
            REQUIRE(((c >= 'a' && c <= 'z') || c == '_'));
        }
        REQUIRE(names.insert(name).second);
    }
    CHECK(SflowAnomalyName(SflowAnomaly::TruncatedHeader) == "sflow_truncated_header");
    CHECK(SflowAnomalyName(SflowAnomaly::Count) == "unknown_sflow_anomaly");
    CHECK(!IsSflowNote(SflowAnomaly::RecordLength));
    CHECK(IsSflowNote(SflowAnomaly::ShortRecord));

    SflowAnomalySet set;
    set.Add(SflowAnomaly::TrailingBytes);
    set.Add(SflowAnomaly::ShortSample);
    set.Add(SflowAnomaly::None);
    SflowAnomalyCounts counts;
    counts.Add(set);
    counts.Add(SflowAnomaly::BadVersion, 3);
    SflowAnomalyCounts more;
    more.Merge(counts);
    CHECK(more.Get(SflowAnomaly::TrailingBytes) == 1);
    CHECK(more.Get(SflowAnomaly::BadVersion) == 3);
    CHECK(more.Total() == 5);
}

TEST_CASE("a hand-built datagram: flow sample, counters sample, another vendor's sample",
          "[dpi][sflow]")
{
    std::vector<std::uint8_t> bytes = FullDatagram();
    SflowDatagram datagram;
    SflowStatus status = Decode(bytes, datagram);
    REQUIRE(status.Ok());
    CHECK(datagram.notes.Empty());

    const SflowDatagramHeader& header = datagram.header;
    CHECK(header.version == 5);
    CHECK(header.agentAddressType == kSflowAddressIpv4);
    CHECK(AddressText(header.agentAddress) == "192.168.0.1");
    CHECK(header.subAgentId == 3);
    CHECK(header.sequenceNumber == 77);
    CHECK(header.uptimeMs == 123456);
    CHECK(header.sampleCount == 3);
    CHECK(datagram.skippedSamples == 1);

    REQUIRE(datagram.flowSamples.size() == 1);
    const SflowFlowSample& flow = datagram.flowSamples[0];
    CHECK(!flow.expanded);
    CHECK(flow.offset == 28);
    CHECK(flow.sequenceNumber == 10);
    CHECK(flow.sourceIdType == 0);
    CHECK(flow.sourceIdIndex == 42);
    CHECK(flow.samplingRate == 1000);
    CHECK(flow.samplePool == 50000);
    CHECK(flow.drops == 2);
    CHECK(flow.inputFormat == kSflowInterfaceIndex);
    CHECK(flow.input == 42);
    CHECK(flow.outputFormat == kSflowInterfaceMultiple);
    CHECK(flow.output == 3);
    CHECK(flow.recordCount == 3);
    CHECK(flow.skippedRecords == 1);
    REQUIRE(flow.hasExtendedSwitch);
    CHECK(flow.extendedSwitch.sourceVlan == 100);
    CHECK(flow.extendedSwitch.sourcePriority == 3);
    CHECK(flow.extendedSwitch.destinationVlan == 200);
    CHECK(flow.extendedSwitch.destinationPriority == 5);

    REQUIRE(flow.rawHeaderCount == 1);
    REQUIRE(datagram.rawHeaders.size() == 1);
    const SflowRawHeader& raw = datagram.rawHeaders[flow.firstRawHeader];
    CHECK(raw.flowSample == 0);
    CHECK(raw.protocol == kSflowHeaderEthernet);
    CHECK(raw.frameLength == 1086);
    CHECK(raw.stripped == 4);
    CHECK(raw.headerLength == 62);
    // datagram header 28, sample framing 8, fields 32, record framing 8, record fields 16
    CHECK(raw.headerOffset == 28 + 8 + 32 + 8 + 16);
    std::vector<std::uint8_t> frame = SampledFrame();
    CHECK(std::vector<std::uint8_t>(bytes.begin() + raw.headerOffset,
                                    bytes.begin() + raw.headerOffset + raw.headerLength)
          == frame);

    REQUIRE(datagram.counterSamples.size() == 1);
    const SflowCounterSample& counters = datagram.counterSamples[0];
    CHECK(!counters.expanded);
    CHECK(counters.sequenceNumber == 9);
    CHECK(counters.sourceIdIndex == 42);
    CHECK(counters.recordCount == 4);
    CHECK(counters.skippedRecords == 1);
    REQUIRE(counters.hasGeneric);
    const fab::telemetry::SflowInterfaceCounters& g = counters.generic;
    CHECK(g.ifIndex == 1001);
    CHECK(g.ifType == 6);
    CHECK(g.ifSpeed == 400'000'000'000ULL);
    CHECK(g.ifDirection == 1);
    CHECK(g.ifStatus == 3);
    CHECK(g.ifInOctets == 0x00000001000003E8ULL);
    CHECK(g.ifInUcastPkts == 1002);
    CHECK(g.ifInMulticastPkts == 1003);
    CHECK(g.ifInBroadcastPkts == 1004);
    CHECK(g.ifInDiscards == 1005);
    CHECK(g.ifInErrors == 1006);
    CHECK(g.ifInUnknownProtos == 1007);
    CHECK(g.ifOutOctets == 0x00000002000003E8ULL);
    CHECK(g.ifOutUcastPkts == 1008);
    CHECK(g.ifOutMulticastPkts == 1009);
    CHECK(g.ifOutBroadcastPkts == 1010);
    CHECK(g.ifOutDiscards == 1011);
    CHECK(g.ifOutErrors == 1012);
    CHECK(g.ifPromiscuousMode == 1);
    REQUIRE(counters.hasEthernet);
    const fab::telemetry::SflowEthernetCounters& e = counters.ethernet;
    CHECK(e.dot3StatsAlignmentErrors == 100);
    CHECK(e.dot3StatsFCSErrors == 101);
    CHECK(e.dot3StatsSingleCollisionFrames == 102);
    CHECK(e.dot3StatsMultipleCollisionFrames == 103);
    CHECK(e.dot3StatsSQETestErrors == 104);
    CHECK(e.dot3StatsDeferredTransmissions == 105);
    CHECK(e.dot3StatsLateCollisions == 106);
    CHECK(e.dot3StatsExcessiveCollisions == 107);
    CHECK(e.dot3StatsInternalMacTransmitErrors == 108);
    CHECK(e.dot3StatsCarrierSenseErrors == 109);
    CHECK(e.dot3StatsFrameTooLongs == 110);
    CHECK(e.dot3StatsInternalMacReceiveErrors == 111);
    CHECK(e.dot3StatsSymbolErrors == 112);
    REQUIRE(counters.hasPfc);
    CHECK(counters.pfc.pfcEnabled == 0x18);
    for (std::uint64_t p = 0; p < kSflowPfcPriorities; ++p)
    {
        INFO("priority " << p);
        CHECK(counters.pfc.priorities[p].rxPauseFrames == 1000 * p + 1);
        CHECK(counters.pfc.priorities[p].txPauseFrames == 1000 * p + 2);
        CHECK(counters.pfc.priorities[p].rxPauseDurationUs == 1000 * p + 3);
        CHECK(counters.pfc.priorities[p].txPauseDurationUs == 1000 * p + 4);
    }
}

TEST_CASE("expanded samples, an IPv6 agent and an agent of unknown address", "[dpi][sflow]")
{
    SECTION("IPv6 agent, expanded flow and counters samples")
    {
        Bytes datagram;
        datagram.U32(5).U32(2).U64(0x20010DB800000000).U64(0x0000000000000001);
        datagram.U32(0).U32(1).U32(2).U32(2);
        Bytes flow;
        flow.U32(11).U32(3).U32(0x01000000).U32(4096).U32(999).U32(0); // entity 3, 25-bit index
        flow.U32(0).U32(0x50000000).U32(1).U32(7); // input ifIndex 2^30 + 2^28, output dropped
        flow.U32(1).Append(RawHeaderRecord({0xAA, 0xBB, 0xCC}, 64).data);
        datagram.Append(Framed(kSflowFlowSampleExpanded, flow).data);
        Bytes counters;
        counters.U32(12).U32(0).U32(0x02000000).U32(1).Append(GenericCounters(0).data);
        datagram.Append(Framed(kSflowCountersSampleExpanded, counters).data);

        SflowDatagram out;
        REQUIRE(Decode(datagram.data, out).Ok());
        CHECK(out.header.agentAddressType == kSflowAddressIpv6);
        CHECK(AddressText(out.header.agentAddress) == "2001:db8::1");
        REQUIRE(out.flowSamples.size() == 1);
        const SflowFlowSample& f = out.flowSamples[0];
        CHECK(f.expanded);
        CHECK(f.sourceIdType == 3);
        CHECK(f.sourceIdIndex == 0x01000000);
        CHECK(f.samplingRate == 4096);
        CHECK(f.inputFormat == 0);
        CHECK(f.input == 0x50000000);
        CHECK(f.outputFormat == kSflowInterfaceDiscarded);
        CHECK(f.output == 7);
        REQUIRE(out.rawHeaders.size() == 1);
        CHECK(out.rawHeaders[0].headerLength == 3);
        CHECK(out.rawHeaders[0].frameLength == 64);
        REQUIRE(out.counterSamples.size() == 1);
        CHECK(out.counterSamples[0].expanded);
        CHECK(out.counterSamples[0].sourceIdIndex == 0x02000000);
        CHECK(out.counterSamples[0].hasGeneric);
        CHECK(!out.counterSamples[0].hasEthernet);
        CHECK(out.counterSamples[0].generic.ifIndex == 1);
    }
    SECTION("an agent of unknown address carries no address bytes")
    {
        Bytes datagram;
        datagram.U32(5).U32(0).U32(1).U32(2).U32(3).U32(0);
        SflowDatagram out;
        REQUIRE(Decode(datagram.data, out).Ok());
        CHECK(out.header.agentAddressType == kSflowAddressUnknown);
        CHECK(out.header.subAgentId == 1);
        CHECK(out.header.uptimeMs == 3);
        CHECK(out.flowSamples.empty());
    }
}

TEST_CASE("malformed datagrams fail with a named reason at the offending offset", "[dpi][sflow]")
{
    SflowDatagram out;
    SECTION("not version 5")
    {
        Bytes datagram = Ipv4DatagramHeader(0);
        datagram.data[3] = 4;
        SflowStatus status = Decode(datagram.data, out);
        CHECK(status.reason == SflowAnomaly::BadVersion);
        CHECK(status.offset == 0);
    }
    SECTION("an agent address type that is neither IPv4 nor IPv6")
    {
        Bytes datagram;
        datagram.U32(5).U32(3).U32(0).U32(0).U32(0).U32(0).U32(0);
        SflowStatus status = Decode(datagram.data, out);
        CHECK(status.reason == SflowAnomaly::BadAgentAddressType);
        CHECK(status.offset == 4);
    }
    SECTION("more samples than the limit")
    {
        SflowDecodeLimits limits;
        limits.maxSamples = 2;
        SflowStatus status = Decode(FullDatagram(), out, limits);
        CHECK(status.reason == SflowAnomaly::TooManySamples);
        CHECK(status.offset == 24);
    }
    SECTION("more records than the limit")
    {
        SflowDecodeLimits limits;
        limits.maxRecordsPerSample = 2;
        SflowStatus status = Decode(FullDatagram(), out, limits);
        CHECK(status.reason == SflowAnomaly::TooManyRecords);
        CHECK(status.offset == 28 + 8 + 28);
    }
    SECTION("a sample longer than the datagram")
    {
        std::vector<std::uint8_t> bytes = FullDatagram();
        bytes[28 + 5] = 0x01; // the flow sample's length, now past 64 KiB
        SflowStatus status = Decode(bytes, out);
        CHECK(status.reason == SflowAnomaly::SampleLength);
        CHECK(status.offset == 28);
    }
    SECTION("a record longer than its sample")
    {
        Bytes datagram = Ipv4DatagramHeader(1);
        Bytes flow;
        flow.U32(1).U32(1).U32(1).U32(1).U32(0).U32(1).U32(0).U32(1);
        flow.U32(kSflowExtendedSwitch).U32(20).U32(0).U32(0).U32(0).U32(0);
        datagram.Append(Framed(kSflowFlowSample, flow).data);
        SflowStatus status = Decode(datagram.data, out);
        CHECK(status.reason == SflowAnomaly::RecordLength);
        CHECK(status.offset == 28 + 8 + 32);
    }
    SECTION("a datagram claiming a sample it does not hold")
    {
        Bytes datagram = Ipv4DatagramHeader(1);
        SflowStatus status = Decode(datagram.data, out);
        CHECK(status.reason == SflowAnomaly::SampleLength);
        CHECK(status.offset == 28);
    }
}

TEST_CASE("structures too short for their format are skipped and noted", "[dpi][sflow]")
{
    SflowDatagram out;
    Bytes datagram = Ipv4DatagramHeader(3);
    // A flow sample of 8 bytes cannot hold its fields.
    datagram.Append(Framed(kSflowFlowSample, Bytes().U32(1).U32(2)).data);
    Bytes flow;
    flow.U32(1).U32(5).U32(1).U32(1).U32(0).U32(5).U32(0).U32(3);
    flow.Append(Framed(kSflowExtendedSwitch, Bytes().U32(1).U32(2)).data); // 8 of 16 bytes
    // A header record claiming 200 bytes in 8.
    flow.Append(Framed(kSflowRawPacketHeader, Bytes().U32(1).U32(64).U32(4).U32(200).U64(0)).data);
    flow.Append(RawHeaderRecord({1, 2, 3, 4}, 64).data);
    flow.U32(0xDEADBEEF); // after the last record
    datagram.Append(Framed(kSflowFlowSample, flow).data);
    Bytes counters;
    counters.U32(1).U32(5).U32(3);
    counters.Append(Framed(kSflowGenericInterfaceCounters, Bytes().U32(1)).data);
    counters.Append(Framed(kSflowEthernetInterfaceCounters, Bytes().U32(1)).data);
    counters.Append(Framed(kSflowPfcCounters, Bytes().U32(1)).data);
    datagram.Append(Framed(kSflowCountersSample, counters).data);
    datagram.U32(0); // after the last sample

    REQUIRE(Decode(datagram.data, out).Ok());
    CHECK(out.notes.Has(SflowAnomaly::ShortSample));
    CHECK(out.notes.Has(SflowAnomaly::ShortRecord));
    CHECK(out.notes.Has(SflowAnomaly::HeaderLength));
    CHECK(out.notes.Has(SflowAnomaly::TrailingBytes));
    REQUIRE(out.flowSamples.size() == 1);
    CHECK(!out.flowSamples[0].hasExtendedSwitch);
    CHECK(out.flowSamples[0].rawHeaderCount == 1);
    REQUIRE(out.rawHeaders.size() == 1);
    CHECK(out.rawHeaders[0].headerLength == 4);
    REQUIRE(out.counterSamples.size() == 1);
    CHECK(!out.counterSamples[0].hasGeneric);
    CHECK(!out.counterSamples[0].hasEthernet);
    CHECK(!out.counterSamples[0].hasPfc);
}

TEST_CASE("every cut of a full datagram fails with a name and reads nothing past the cut",
          "[dpi][sflow]")
{
    const std::vector<std::uint8_t> full = FullDatagram();
    auto length = GENERATE_COPY(range<std::size_t>(0, full.size()));
    // An exact-size copy: under AddressSanitizer any read past the cut is caught.
    std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
    SflowDatagram out;
    SflowStatus status = DecodeSflowDatagram(cut.data(), cut.size(), out);
    INFO("cut at " << length << ": " << SflowAnomalyName(status.reason) << " at " << status.offset);
    CHECK(!status.Ok());
    CHECK(!IsSflowNote(status.reason));
    CHECK(status.offset <= length);
    CHECK((length >= 28 || status.reason == SflowAnomaly::TruncatedHeader));
    for (const SflowRawHeader& raw : out.rawHeaders)
    {
        CHECK(raw.headerOffset + raw.headerLength <= length);
    }
}

TEST_CASE("the telemetry encoder's datagrams decode to what was encoded", "[dpi][sflow][roundtrip]")
{
    namespace tm = fab::telemetry;
    using fab::dpi::test::BuildRoceFrame;
    using fab::dpi::test::RoceSpec;

    tm::SflowEncoderConfig config;
    config.agent
        = tm::SflowAgentAddress::Ipv6({0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34});
    config.subAgentId = 9;
    std::vector<std::vector<std::uint8_t>> datagrams;
    tm::SflowEncoder encoder(config,
                             [&](const std::uint8_t* data, std::size_t size)
                             { datagrams.emplace_back(data, data + size); });
    encoder.SetUptimeMs(5000);

    // 40 RoCE frames on four ports, one of them on an index only the expanded format holds.
    std::vector<std::vector<std::uint8_t>> frames;
    const std::uint32_t ports[] = {1, 2, 3, 0x01000001};
    for (std::uint32_t i = 0; i < 40; ++i)
    {
        RoceSpec spec;
        spec.psn = 100 + i;
        spec.destQp = 0x000100 + i % 4;
        spec.payload = 64 + 40 * i;
        frames.push_back(BuildRoceFrame(spec));
        tm::SflowPacketSample sample;
        sample.source = {0, ports[i % 4]};
        sample.samplingRate = 4096;
        sample.samplePool = 4096 * (i + 1);
        sample.input = ports[i % 4];
        sample.output = 77;
        sample.frame = frames.back().data();
        sample.capturedLength = frames.back().size();
        if (i % 2 == 0)
        {
            sample.extendedSwitch = tm::SflowSwitchData{10, 3, 20, 3};
        }
        REQUIRE(encoder.AddFlowSample(sample));
    }
    for (std::uint32_t port : ports)
    {
        tm::SflowPortCounters counters;
        counters.source = {0, port};
        counters.generic = tm::SflowInterfaceCounters{};
        counters.generic->ifIndex = port;
        counters.generic->ifSpeed = 400'000'000'000ULL;
        counters.generic->ifInOctets = 0x123456789AULL + port;
        counters.generic->ifOutUcastPkts = port * 7;
        counters.ethernet = tm::SflowEthernetCounters{};
        counters.ethernet->dot3StatsFCSErrors = port;
        counters.pfc = tm::SflowPfcCounters{};
        counters.pfc->pfcEnabled = 0x08;
        counters.pfc->priorities[3].rxPauseFrames = port * 11;
        counters.pfc->priorities[3].txPauseDurationUs = port * 13;
        REQUIRE(encoder.AddCounterSample(counters));
    }
    encoder.Flush();
    REQUIRE(datagrams.size() > 1);
    CHECK(encoder.DatagramsSent() == datagrams.size());

    SflowDatagram out;
    AnomalyCounts packetAnomalies;
    DecodedPacket packet;
    std::map<std::uint32_t, std::uint32_t> lastSequence;
    std::size_t flows = 0;
    std::size_t counterSamples = 0;
    for (std::size_t d = 0; d < datagrams.size(); ++d)
    {
        INFO("datagram " << d);
        CHECK(datagrams[d].size() <= 1400);
        REQUIRE(Decode(datagrams[d], out).Ok());
        CHECK(out.notes.Empty());
        CHECK(out.header.sequenceNumber == d + 1);
        CHECK(out.header.subAgentId == 9);
        CHECK(out.header.uptimeMs == 5000);
        CHECK(AddressText(out.header.agentAddress) == "fd00::1234");
        for (const SflowFlowSample& f : out.flowSamples)
        {
            std::size_t i = flows++;
            CHECK(f.expanded == (i % 4 == 3));
            CHECK(f.sourceIdIndex == ports[i % 4]);
            CHECK(f.sequenceNumber == i / 4 + 1);
            CHECK(f.samplingRate == 4096);
            CHECK(f.samplePool == 4096 * (i + 1));
            CHECK(f.input == ports[i % 4]);
            CHECK(f.output == 77);
            CHECK(f.hasExtendedSwitch == (i % 2 == 0));
            REQUIRE(f.rawHeaderCount == 1);
            const SflowRawHeader& raw = out.rawHeaders[f.firstRawHeader];
            const std::vector<std::uint8_t>& frame = frames[i];
            CHECK(raw.frameLength == frame.size() + 4);
            CHECK(raw.stripped == 4);
            CHECK(raw.headerLength == std::min<std::size_t>(frame.size(), 128));
            CHECK(std::equal(frame.begin(),
                             frame.begin() + raw.headerLength,
                             datagrams[d].begin() + raw.headerOffset));
            DecodePacket(LinkKind::Ethernet,
                         datagrams[d].data() + raw.headerOffset,
                         raw.headerLength,
                         raw.frameLength - raw.stripped,
                         packet,
                         packetAnomalies);
            REQUIRE(packet.Has(Layer::Bth));
            CHECK(packet.bth.psn == 100 + i);
            CHECK(packet.bth.destinationQp == 0x000100 + i % 4);
        }
        for (const SflowCounterSample& c : out.counterSamples)
        {
            std::uint32_t port = ports[counterSamples++];
            CHECK(c.sourceIdIndex == port);
            CHECK(c.expanded == (port > 0xFFFFFF));
            CHECK(c.sequenceNumber == 1);
            REQUIRE(c.hasGeneric);
            CHECK(c.generic.ifIndex == port);
            CHECK(c.generic.ifType == 6);
            CHECK(c.generic.ifStatus == 3);
            CHECK(c.generic.ifSpeed == 400'000'000'000ULL);
            CHECK(c.generic.ifInOctets == 0x123456789AULL + port);
            CHECK(c.generic.ifOutUcastPkts == port * 7);
            REQUIRE(c.hasEthernet);
            CHECK(c.ethernet.dot3StatsFCSErrors == port);
            REQUIRE(c.hasPfc);
            CHECK(c.pfc.pfcEnabled == 0x08);
            CHECK(c.pfc.priorities[3].rxPauseFrames == port * 11);
            CHECK(c.pfc.priorities[3].txPauseDurationUs == port * 13);
            CHECK(c.pfc.priorities[2].rxPauseFrames == 0);
        }
    }
    CHECK(flows == 40);
    CHECK(counterSamples == 4);
}

namespace
{

/** A flow as pmacct's print plugin keys it: addresses, ports, protocol number. */
using FlowKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;

FlowKey
KeyOf(const DecodedPacket& packet)
{
    if (!packet.Has(Layer::Ipv4) && !packet.Has(Layer::Ipv6))
    {
        return {"0.0.0.0", "0.0.0.0", "0", "0", "0"};
    }
    std::uint16_t source = 0;
    std::uint16_t destination = 0;
    if (packet.Has(Layer::Udp))
    {
        source = packet.udp.sourcePort;
        destination = packet.udp.destinationPort;
    }
    else if (packet.Has(Layer::Tcp))
    {
        source = packet.tcp.sourcePort;
        destination = packet.tcp.destinationPort;
    }
    return {AddressText(packet.ip.source),
            AddressText(packet.ip.destination),
            std::to_string(source),
            std::to_string(destination),
            std::to_string(packet.ip.protocol)};
}

/** Each packet of an Ethernet capture: its first 128 bytes (as sFlow samples them) → length. */
std::multimap<std::vector<std::uint8_t>, std::uint32_t>
CapturePrefixes(const std::string& path)
{
    std::multimap<std::vector<std::uint8_t>, std::uint32_t> prefixes;
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline(path.c_str(), error);
    if (handle == nullptr)
    {
        return prefixes;
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1)
    {
        std::size_t keep = std::min<std::size_t>(header->caplen, 128);
        prefixes.emplace(std::vector<std::uint8_t>(data, data + keep), header->len);
    }
    pcap_close(handle);
    return prefixes;
}

} // namespace

TEST_CASE("pmacct's probe on a RoCE capture: our decoding agrees with sfacctd's",
          "[dpi][sflow][pmacct][slow][needs:pmacct]")
{
    auto dir = fab::tests::TempDir("sflow-pmacct-probe");
    const std::string capture = (dir / "conversation.pcap").string();
    REQUIRE(fab::dpi::test::WriteRoceConversation(capture, 20));
    constexpr std::uint32_t kSubAgent = 1402;
    constexpr std::uint32_t kIfIndex = 7;
    fab::tests::ProbeRun probe = fab::tests::RunPmacctdProbe(dir, capture, kSubAgent, kIfIndex);
    {
        INFO(probe.log);
        REQUIRE(probe.completed);
        REQUIRE(!probe.datagrams.empty());
    }

    // Our side: every datagram decodes cleanly, every header is a prefix of a packet of the file.
    auto prefixes = CapturePrefixes(capture);
    REQUIRE(!prefixes.empty());
    std::map<FlowKey, std::uint64_t> ours;
    std::uint64_t samples = 0;
    std::uint32_t previousSequence = 0;
    SflowDatagram out;
    DecodedPacket packet;
    AnomalyCounts packetAnomalies;
    for (const auto& bytes : probe.datagrams)
    {
        SflowStatus status = Decode(bytes, out);
        INFO(SflowAnomalyName(status.reason) << " at " << status.offset);
        REQUIRE(status.Ok());
        CHECK(out.notes.Empty());
        CHECK(out.header.agentAddressType == kSflowAddressIpv4);
        CHECK(AddressText(out.header.agentAddress) == "127.0.0.1");
        CHECK(out.header.subAgentId == kSubAgent);
        CHECK(out.header.sequenceNumber > previousSequence);
        previousSequence = out.header.sequenceNumber;
        // sfprobe also polls its interface counters now and then, when its timer fires.
        CHECK(out.header.sampleCount == out.flowSamples.size() + out.counterSamples.size());
        for (const SflowFlowSample& f : out.flowSamples)
        {
            ++samples;
            CHECK(f.samplingRate == 1);
            CHECK(f.input == kIfIndex);
            REQUIRE(f.rawHeaderCount == 1);
            const SflowRawHeader& raw = out.rawHeaders[f.firstRawHeader];
            CHECK(raw.protocol == kSflowHeaderEthernet);
            CHECK(raw.stripped == 4);
            std::vector<std::uint8_t> header(bytes.begin() + raw.headerOffset,
                                             bytes.begin() + raw.headerOffset + raw.headerLength);
            auto found = prefixes.equal_range(header);
            REQUIRE(found.first != found.second);
            CHECK(raw.frameLength == found.first->second + 4);
            DecodePacket(LinkKind::Ethernet,
                         header.data(),
                         header.size(),
                         raw.frameLength - raw.stripped,
                         packet,
                         packetAnomalies);
            ++ours[KeyOf(packet)];
        }
    }

    // pmacct's side: the same datagrams, as a capture, through sfacctd.
    auto sflowCapture = dir / "probe-sflow.pcap";
    REQUIRE(fab::tests::WriteUdpPcap(sflowCapture, probe.datagrams));
    fab::tests::CollectorRun collector = fab::tests::RunSfacctdOffline(
        dir, sflowCapture, "src_host, dst_host, src_port, dst_port, proto");
    {
        INFO(collector.log);
        REQUIRE(collector.exitCode == 0);
    }
    std::map<FlowKey, std::uint64_t> theirs;
    std::uint64_t theirSamples = 0;
    for (const auto& row : collector.flows)
    {
        FlowKey key{row.at("SRC_IP"),
                    row.at("DST_IP"),
                    row.at("SRC_PORT"),
                    row.at("DST_PORT"),
                    row.at("PROTOCOL")};
        std::uint64_t packets = std::stoull(row.at("PACKETS"));
        theirs[key] += packets;
        theirSamples += packets;
    }
    WARN("pmacctd sent " << probe.datagrams.size() << " datagrams, " << samples
                         << " flow samples in " << ours.size() << " flows; sfacctd counted "
                         << theirSamples << " packets in " << theirs.size() << " flows");
    // pmacctd's exit races its plugin (support/pmacct.h): the counts are not fixed, only equal.
    CHECK(samples > 0);
    CHECK(theirSamples == samples);
    CHECK(theirs == ours);
    std::filesystem::remove_all(dir);
}
