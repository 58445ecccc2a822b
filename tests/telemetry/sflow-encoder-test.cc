// The sFlow v5 encoder: the bytes of a datagram word by word, packing and sequence numbers, and
// two independent readers of what it writes: tshark's dissector and pmacct's sfacctd.
#include "support/pmacct.h"
#include "support/run-command.h"
#include "support/udp-pcap.h"
#include "telemetry/export/sflow-encoder.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

using namespace fab::telemetry;

namespace
{

using Datagrams = std::vector<std::vector<std::uint8_t>>;

std::uint32_t
Word(const std::vector<std::uint8_t>& bytes, std::size_t at)
{
    return (std::uint32_t{bytes.at(at)} << 24) | (std::uint32_t{bytes.at(at + 1)} << 16)
           | (std::uint32_t{bytes.at(at + 2)} << 8) | bytes.at(at + 3);
}

std::vector<std::uint32_t>
Words(const std::vector<std::uint8_t>& bytes)
{
    std::vector<std::uint32_t> words;
    for (std::size_t at = 0; at + 4 <= bytes.size(); at += 4)
    {
        words.push_back(Word(bytes, at));
    }
    return words;
}

SflowEncoder
Collecting(const SflowEncoderConfig& config, Datagrams& datagrams)
{
    return SflowEncoder(config,
                        [&datagrams](const std::uint8_t* data, std::size_t size)
                        { datagrams.emplace_back(data, data + size); });
}

/** What the external checks are given: three RoCEv2 flows on three ports, and their counters. */
struct Workload
{
    static constexpr std::uint32_t kFlows = 3;
    static constexpr std::uint32_t kSamplingRate = 1000;

    Datagrams datagrams;
    std::vector<std::vector<std::uint8_t>> frames;
    std::vector<std::uint32_t> sampleFlow; ///< the flow of each flow sample, in order
    std::map<std::uint32_t, std::uint32_t> samplesPerFlow;
    std::map<std::uint32_t, std::uint64_t> bytesPerFlow; ///< frame lengths with FCS
    std::vector<SflowPortCounters> counters;
};

/** Port (and flow) f: ifIndex 3 + f, 10.0.1.(1+f) → 10.0.2.1, UDP 49152+f → 4791. */
fab::tests::UdpEndpoints
FlowEndpoints(std::uint32_t flow)
{
    fab::tests::UdpEndpoints at;
    at.sourceIp = 0x0A000101 + flow;
    at.destinationIp = 0x0A000201;
    at.sourcePort = static_cast<std::uint16_t>(49152 + flow);
    at.destinationPort = 4791;
    return at;
}

Workload
BuildWorkload()
{
    Workload w;
    SflowEncoderConfig config;
    config.agent = SflowAgentAddress::Ipv4(0x0A000001);
    config.subAgentId = 5;
    SflowEncoder encoder = Collecting(config, w.datagrams);
    encoder.SetUptimeMs(12345);
    // Flow f gets 5 * (f + 1) samples, interleaved; payload sizes vary so that some frames are
    // cut to 128 bytes and some are not.
    std::vector<std::uint32_t> order;
    for (std::uint32_t f = 0; f < Workload::kFlows; ++f)
    {
        for (std::uint32_t n = 0; n < 5 * (f + 1); ++n)
        {
            order.push_back(f);
        }
    }
    for (std::size_t i = 0; i < order.size(); ++i)
    {
        std::swap(order[i], order[(i * 7) % order.size()]);
    }
    w.frames.reserve(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
    {
        std::uint32_t flow = order[i];
        std::vector<std::uint8_t> payload(12 + 16 * i, 0xA5); // a BTH and some bytes
        payload[0] = 0x04;
        w.frames.push_back(
            fab::tests::UdpFrame(payload.data(), payload.size(), FlowEndpoints(flow)));
        SflowPacketSample sample;
        sample.source = {0, 3 + flow};
        sample.samplingRate = Workload::kSamplingRate;
        sample.samplePool = static_cast<std::uint32_t>(Workload::kSamplingRate * (i + 1));
        sample.input = 3 + flow;
        sample.output = 9;
        sample.frame = w.frames.back().data();
        sample.capturedLength = w.frames.back().size();
        if (i % 2 == 1)
        {
            sample.extendedSwitch = SflowSwitchData{10, 3, 20, 3};
        }
        REQUIRE(encoder.AddFlowSample(sample));
        w.sampleFlow.push_back(flow);
        ++w.samplesPerFlow[flow];
        w.bytesPerFlow[flow] += w.frames.back().size() + 4;
    }
    for (std::uint32_t flow = 0; flow < Workload::kFlows; ++flow)
    {
        SflowPortCounters c;
        std::uint32_t port = 3 + flow;
        c.source = {0, port};
        c.generic = SflowInterfaceCounters{};
        c.generic->ifIndex = port;
        c.generic->ifSpeed = 400'000'000'000ULL;
        c.generic->ifInOctets = 5'000'000'000ULL * port; // past 32 bits
        c.generic->ifInUcastPkts = 100 * port;
        c.generic->ifOutOctets = 7'000'000ULL * port;
        c.generic->ifOutUcastPkts = 200 * port;
        c.generic->ifInDiscards = port;
        c.ethernet = SflowEthernetCounters{};
        c.ethernet->dot3StatsFCSErrors = 10 + port;
        c.ethernet->dot3StatsSymbolErrors = 20 + port;
        c.pfc = SflowPfcCounters{};
        c.pfc->pfcEnabled = 0x08;
        c.pfc->priorities[3].rxPauseFrames = 30 + port;
        REQUIRE(encoder.AddCounterSample(c));
        w.counters.push_back(c);
    }
    encoder.Flush();
    return w;
}

std::vector<std::string>
Split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, separator))
    {
        parts.push_back(part);
    }
    return parts;
}

/** Runs tshark on a capture; one row per sFlow datagram, one list of values per field. */
std::vector<std::vector<std::vector<std::string>>>
TsharkFields(const std::filesystem::path& dir,
             const std::string& capture,
             const std::vector<std::string>& fields)
{
    std::string command = "tshark -r '" + capture + "' -Y sflow -T fields -E separator=/t";
    for (const std::string& field : fields)
    {
        command += " -e " + field;
    }
    fab::tests::CommandResult result = fab::tests::RunIn(dir, command);
    INFO(command << "\n" << result.err);
    REQUIRE(result.exitCode == 0);
    std::vector<std::vector<std::vector<std::string>>> rows;
    for (const std::string& line : Split(result.out, '\n'))
    {
        std::vector<std::vector<std::string>> row;
        std::vector<std::string> cells = Split(line, '\t');
        cells.resize(fields.size());
        for (const std::string& cell : cells)
        {
            row.push_back(Split(cell, ','));
        }
        rows.push_back(row);
    }
    return rows;
}

/** One field's values over every datagram, in order. */
std::vector<std::string>
Column(const std::vector<std::vector<std::vector<std::string>>>& rows, std::size_t field)
{
    std::vector<std::string> values;
    for (const auto& row : rows)
    {
        values.insert(values.end(), row[field].begin(), row[field].end());
    }
    return values;
}

template <typename T>
std::vector<std::string>
Texts(const std::vector<T>& values)
{
    std::vector<std::string> texts;
    for (const T& value : values)
    {
        texts.push_back(std::to_string(value));
    }
    return texts;
}

} // namespace

TEST_CASE("a flow sample datagram, word by word", "[telemetry][sflow]")
{
    SflowEncoderConfig config;
    config.agent = SflowAgentAddress::Ipv4(0x0A000001);
    config.subAgentId = 2;
    Datagrams datagrams;
    SflowEncoder encoder = Collecting(config, datagrams);
    encoder.SetUptimeMs(1000);
    const std::vector<std::uint8_t> frame = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    SflowPacketSample sample;
    sample.source = {0, 5};
    sample.samplingRate = 100;
    sample.samplePool = 500;
    sample.drops = 1;
    sample.input = 5;
    sample.outputFormat = kSflowInterfaceMultiple;
    sample.output = 2;
    sample.frame = frame.data();
    sample.capturedLength = frame.size();
    sample.wireLength = 60;
    sample.extendedSwitch = SflowSwitchData{1, 2, 3, 4};
    REQUIRE(encoder.AddFlowSample(sample));
    CHECK(datagrams.empty()); // nothing goes out before the datagram is full or flushed
    encoder.Flush();
    encoder.Flush(); // an empty datagram is not sent
    REQUIRE(datagrams.size() == 1);
    std::vector<std::uint32_t> expected;
    auto words = [&expected](std::initializer_list<std::uint32_t> more)
    {
        expected.insert(expected.end(), more);
    };
    words({5, 1, 0x0A000001, 2}); // version 5, IPv4 agent 10.0.0.1, sub-agent
    words({1, 1000, 1});          // datagram sequence, uptime, one sample
    words({1, 88});               // flow sample, its length
    words({1, 5, 100, 500, 1});   // sample sequence, ifIndex 5, rate, pool, drops
    words({5, 0x80000002, 2});    // input 5, output: 2 interfaces, two records
    words({1, 24, 1, 64, 4, 6});  // raw header: Ethernet, 60 + FCS, 4 stripped, 6 bytes
    words({0x01020304, 0x05060000});
    words({1001, 16, 1, 2, 3, 4}); // extended switch
    CHECK(Words(datagrams[0]) == expected);
}

TEST_CASE("counters samples carry the generic, Ethernet and PFC records", "[telemetry][sflow]")
{
    Datagrams datagrams;
    SflowEncoderConfig config;
    config.agent
        = SflowAgentAddress::Ipv6({0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    SflowEncoder encoder = Collecting(config, datagrams);
    SflowPortCounters counters;
    counters.source = {0, 0x01000000}; // needs the expanded format
    counters.generic = SflowInterfaceCounters{};
    counters.ethernet = SflowEthernetCounters{};
    counters.pfc = SflowPfcCounters{};
    counters.pfc->pfcEnabled = 0x18;
    counters.pfc->priorities[7].txPauseDurationUs = 0x0102030405060708ULL;
    REQUIRE(encoder.AddCounterSample(counters));
    encoder.Flush();
    REQUIRE(datagrams.size() == 1);
    const std::vector<std::uint8_t>& d = datagrams[0];
    CHECK(Word(d, 4) == 2); // IPv6 agent: 16 address bytes
    std::size_t sample = 4 * 2 + 16 + 4 * 4;
    CHECK(d.size() == sample + 8 + 16 + (8 + 88) + (8 + 52) + (8 + 260));
    CHECK(Word(d, sample) == 4); // counters sample, expanded
    CHECK(Word(d, sample + 8 + 8) == 0x01000000);
    CHECK(Word(d, sample + 8 + 12) == 3); // records
    std::size_t record = sample + 8 + 16;
    CHECK(Word(d, record) == 1);
    CHECK(Word(d, record + 4) == 88);
    record += 8 + 88;
    CHECK(Word(d, record) == 2);
    CHECK(Word(d, record + 4) == 52);
    record += 8 + 52;
    CHECK(Word(d, record) == ((kSflowPfcEnterprise << 12) | kSflowPfcFormat));
    CHECK(Word(d, record + 4) == 260);
    CHECK(Word(d, record + 8) == 0x18);
    CHECK(Word(d, d.size() - 8) == 0x01020304);
    CHECK(Word(d, d.size() - 4) == 0x05060708);
}

TEST_CASE("samples are packed into datagrams up to the size limit", "[telemetry][sflow]")
{
    SflowEncoderConfig config;
    config.maxDatagramBytes = 600;
    config.maxHeaderBytes = 64;
    Datagrams datagrams;
    SflowEncoder encoder = Collecting(config, datagrams);
    std::vector<std::uint8_t> frame(300, 0x5A);
    SflowPacketSample sample;
    sample.frame = frame.data();
    sample.capturedLength = frame.size();
    std::uint32_t added = 0;
    for (std::uint32_t i = 0; i < 20; ++i)
    {
        sample.source = {0, 1 + i % 2};
        REQUIRE(encoder.AddFlowSample(sample));
        ++added;
    }
    encoder.Flush();
    REQUIRE(datagrams.size() > 1);
    CHECK(encoder.DatagramsSent() == datagrams.size());
    std::uint32_t samples = 0;
    std::map<std::uint32_t, std::uint32_t> lastSequence;
    for (std::size_t i = 0; i < datagrams.size(); ++i)
    {
        const std::vector<std::uint8_t>& d = datagrams[i];
        CHECK(d.size() <= 600);
        CHECK(Word(d, 16) == i + 1); // datagram sequence
        std::uint32_t count = Word(d, 24);
        std::size_t at = 28;
        for (std::uint32_t s = 0; s < count; ++s)
        {
            std::uint32_t source = Word(d, at + 12);
            CHECK(Word(d, at + 8) == ++lastSequence[source]); // per source, from 1
            // header length word: after 8 sample words, 2 framing and 3 fields of the record
            CHECK(Word(d, at + 8 + 32 + 8 + 12) == 64);
            CHECK(Word(d, at + 8 + 32 + 8 + 4) == 304); // the frame length keeps the whole frame
            at += 8 + Word(d, at + 4);
        }
        CHECK(at == d.size());
        samples += count;
    }
    CHECK(samples == added);
    CHECK(lastSequence[1] == 10);
    CHECK(lastSequence[2] == 10);

    SECTION("a sample larger than a datagram is refused and does not use a sequence number")
    {
        std::size_t sent = datagrams.size();
        SflowEncoderConfig tiny;
        tiny.maxDatagramBytes = 100;
        SflowEncoder small = Collecting(tiny, datagrams);
        sample.source = {0, 1};
        CHECK(!small.AddFlowSample(sample));
        CHECK(small.SamplesRefused() == 1);
        sample.capturedLength = 4;
        CHECK(small.AddFlowSample(sample));
        small.Flush();
        REQUIRE(datagrams.size() == sent + 1);
        CHECK(Word(datagrams.back(), 28 + 8) == 1);
    }
}

TEST_CASE("tshark decodes the encoder's datagrams to the values encoded",
          "[telemetry][sflow][tshark][needs:tshark]")
{
    Workload w = BuildWorkload();
    auto dir = fab::tests::TempDir("sflow-encoder-tshark");
    auto capture = (dir / "sflow.pcap").string();
    REQUIRE(fab::tests::WriteUdpPcap(capture, w.datagrams));

    auto rows = TsharkFields(dir,
                             capture,
                             {"sflow_245.version",
                              "sflow_245.agent",
                              "sflow_245.sub_agent_id",
                              "sflow_245.sequence_number",
                              "sflow_245.sysuptime",
                              "sflow_245.numsamples",
                              "sflow.flow_sample.sampling_rate",
                              "sflow.flow_sample.input_interface",
                              "sflow_245.header_protocol",
                              "sflow_245.header.frame_length",
                              "sflow_245.header.payload_stripped",
                              "sflow_245.header.sampled_header_length",
                              "sflow_245.vlan.out",
                              "sflow.counters_sample.source_id_index",
                              "sflow_245.ifinoct",
                              "sflow_245.ifinpkt",
                              "sflow_245.ifoutoct",
                              "sflow_245.ifindisc",
                              "sflow_245.dot3StatsFCSErrors",
                              "sflow_245.dot3StatsSymbolErrors",
                              "sflow.enterprise.length"});
    REQUIRE(rows.size() == w.datagrams.size());
    std::vector<std::string> sequence;
    std::uint32_t samples = 0;
    for (std::size_t i = 0; i < rows.size(); ++i)
    {
        CHECK(rows[i][0] == std::vector<std::string>{"5"});
        CHECK(rows[i][1] == std::vector<std::string>{"10.0.0.1"});
        CHECK(rows[i][2] == std::vector<std::string>{"5"});
        CHECK(rows[i][3] == std::vector<std::string>{std::to_string(i + 1)});
        CHECK(rows[i][4] == std::vector<std::string>{"12345"});
        samples += static_cast<std::uint32_t>(std::stoul(rows[i][5].at(0)));
    }
    std::size_t flowSamples = w.sampleFlow.size();
    CHECK(samples == flowSamples + w.counters.size());

    std::vector<std::uint32_t> inputs;
    std::vector<std::uint32_t> frameLengths;
    std::vector<std::uint32_t> headerLengths;
    for (std::size_t i = 0; i < flowSamples; ++i)
    {
        inputs.push_back(3 + w.sampleFlow[i]);
        frameLengths.push_back(static_cast<std::uint32_t>(w.frames[i].size() + 4));
        headerLengths.push_back(
            static_cast<std::uint32_t>(std::min<std::size_t>(w.frames[i].size(), 128)));
    }
    CHECK(Column(rows, 6) == std::vector<std::string>(flowSamples, "1000"));
    CHECK(Column(rows, 7) == Texts(inputs));
    CHECK(Column(rows, 8) == std::vector<std::string>(flowSamples, "1"));
    CHECK(Column(rows, 9) == Texts(frameLengths));
    CHECK(Column(rows, 10) == std::vector<std::string>(flowSamples, "4"));
    CHECK(Column(rows, 11) == Texts(headerLengths));
    CHECK(Column(rows, 12) == std::vector<std::string>(flowSamples / 2, "20"));

    std::vector<std::uint32_t> ports;
    std::vector<std::uint64_t> inOctets;
    std::vector<std::uint32_t> inPackets;
    std::vector<std::uint64_t> outOctets;
    std::vector<std::uint32_t> inDiscards;
    std::vector<std::uint32_t> fcsErrors;
    std::vector<std::uint32_t> symbolErrors;
    for (const SflowPortCounters& c : w.counters)
    {
        ports.push_back(c.source.index);
        inOctets.push_back(c.generic->ifInOctets);
        inPackets.push_back(c.generic->ifInUcastPkts);
        outOctets.push_back(c.generic->ifOutOctets);
        inDiscards.push_back(c.generic->ifInDiscards);
        fcsErrors.push_back(c.ethernet->dot3StatsFCSErrors);
        symbolErrors.push_back(c.ethernet->dot3StatsSymbolErrors);
    }
    CHECK(Column(rows, 13) == Texts(ports));
    CHECK(Column(rows, 14) == Texts(inOctets));
    CHECK(Column(rows, 15) == Texts(inPackets));
    CHECK(Column(rows, 16) == Texts(outOctets));
    CHECK(Column(rows, 17) == Texts(inDiscards));
    CHECK(Column(rows, 18) == Texts(fcsErrors));
    CHECK(Column(rows, 19) == Texts(symbolErrors));
    // Our PFC record is shown as another enterprise's data, one per counters sample.
    CHECK(Column(rows, 20) == std::vector<std::string>(w.counters.size(), "260"));

    fab::tests::CommandResult problems = fab::tests::RunIn(
        dir,
        "tshark -r '" + capture + "' -Y '_ws.malformed || _ws.expert' -T fields -e frame.number");
    REQUIRE(problems.exitCode == 0);
    CHECK(problems.out.empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("sfacctd decodes the encoder's datagrams: flows and counters as encoded",
          "[telemetry][sflow][pmacct][slow][needs:pmacct]")
{
    Workload w = BuildWorkload();
    auto dir = fab::tests::TempDir("sflow-encoder-sfacctd");
    auto capture = dir / "sflow.pcap";
    REQUIRE(fab::tests::WriteUdpPcap(capture, w.datagrams));
    fab::tests::CollectorRun run = fab::tests::RunSfacctdOffline(
        dir,
        capture,
        "peer_src_ip, in_iface, out_iface, src_host, dst_host, src_port, dst_port, proto");
    {
        INFO(run.log);
        REQUIRE(run.exitCode == 0);
        CHECK(run.log.find("ERROR") == std::string::npos);
        CHECK(run.log.find("WARN") == std::string::npos);
    }

    std::map<std::uint32_t, std::uint64_t> packets;
    std::map<std::uint32_t, std::uint64_t> bytes;
    for (const auto& row : run.flows)
    {
        INFO(row.at("SRC_IP") << " → " << row.at("DST_IP"));
        CHECK(row.at("PEER_SRC_IP") == "10.0.0.1");
        CHECK(row.at("DST_IP") == "10.0.2.1");
        CHECK(row.at("DST_PORT") == "4791");
        CHECK(row.at("PROTOCOL") == "17");
        CHECK(row.at("OUT_IFACE") == "9");
        std::uint32_t flow = static_cast<std::uint32_t>(std::stoul(row.at("SRC_PORT")) - 49152);
        CHECK(row.at("IN_IFACE") == std::to_string(3 + flow));
        CHECK(row.at("SRC_IP") == "10.0.1." + std::to_string(1 + flow));
        packets[flow] += std::stoull(row.at("PACKETS"));
        bytes[flow] += std::stoull(row.at("BYTES"));
    }
    // No renormalisation: a sample is a packet, and its bytes the frame length with FCS.
    std::map<std::uint32_t, std::uint64_t> encodedPackets(w.samplesPerFlow.begin(),
                                                          w.samplesPerFlow.end());
    CHECK(packets == encodedPackets);
    CHECK(bytes == w.bytesPerFlow);

    std::map<std::string, int> recordTypes;
    std::map<std::uint64_t, nlohmann::json> generic;
    std::map<std::uint64_t, nlohmann::json> ethernet;
    for (const std::string& line : run.counterLines)
    {
        auto json = nlohmann::json::parse(line, nullptr, false);
        REQUIRE(!json.is_discarded());
        if (json.value("event_type", "") != "log")
        {
            continue;
        }
        std::string type = json.value("sf_cnt_type", "(unknown record)");
        ++recordTypes[type];
        auto port = json.at("source_id_index").get<std::uint64_t>();
        if (type == "sflow_cnt_generic")
        {
            generic[port] = json;
        }
        else if (type == "sflow_cnt_ethernet")
        {
            ethernet[port] = json;
        }
    }
    // Our PFC record is another enterprise's to sfacctd: logged with no type, fields skipped.
    CHECK(recordTypes
          == std::map<std::string, int>{
              {"(unknown record)", 3}, {"sflow_cnt_ethernet", 3}, {"sflow_cnt_generic", 3}});
    for (const SflowPortCounters& c : w.counters)
    {
        std::uint32_t port = c.source.index;
        INFO("port " << port);
        REQUIRE(generic.count(port) == 1);
        REQUIRE(ethernet.count(port) == 1);
        CHECK(generic[port].at("ifIndex").get<std::uint64_t>() == port);
        CHECK(generic[port].at("ifSpeed").get<std::uint64_t>() == c.generic->ifSpeed);
        CHECK(generic[port].at("ifInOctets").get<std::uint64_t>() == c.generic->ifInOctets);
        CHECK(generic[port].at("ifInUcastPkts").get<std::uint64_t>() == c.generic->ifInUcastPkts);
        CHECK(generic[port].at("ifOutOctets").get<std::uint64_t>() == c.generic->ifOutOctets);
        CHECK(generic[port].at("ifOutUcastPkts").get<std::uint64_t>() == c.generic->ifOutUcastPkts);
        CHECK(generic[port].at("ifInDiscards").get<std::uint64_t>() == c.generic->ifInDiscards);
        CHECK(generic[port].at("ifStatus").get<std::uint64_t>() == 3);
        CHECK(ethernet[port].at("dot3StatsFCSErrors").get<std::uint64_t>()
              == c.ethernet->dot3StatsFCSErrors);
        CHECK(ethernet[port].at("dot3StatsSymbolErrors").get<std::uint64_t>()
              == c.ethernet->dot3StatsSymbolErrors);
    }
    WARN("sfacctd: " << run.flows.size() << " flow rows, " << run.counterLines.size()
                     << " counter lines from " << w.datagrams.size() << " datagrams");
    std::filesystem::remove_all(dir);
}
