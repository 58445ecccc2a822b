// A simulation's switches export sFlow to a UDP socket and a pcap; our decoder, tshark and
// pmacct's sfacctd read it back, and the numbers agree with the ports' counters.
#include "dpi/sflow-decoder.h"
#include "fabric/helper/simulation.h"
#include "support/pmacct.h"
#include "support/run-command.h"
#include "support/udp-receiver.h"
#include "telemetry/net/udp-sender.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <thread>

using namespace ns3::fabric;
using nlohmann::json;

namespace
{

constexpr std::uint32_t kRate = 64;

/** 8 single-NIC servers at 100G on 2 leaves and 4 spines; a ring AllReduce of 4 MiB. */
json
SflowScenario()
{
    return json::parse(R"({
      "schema": 1,
      "name": "sflow over 8 servers",
      "design": {
        "schema": 1, "name": "8 servers, 2 leaves", "fabric": "roce",
        "servers": {"count": 8, "gpus": 1, "nics": 1, "nic_speed": "100Gbps"},
        "switch_models": {"sw": {"ports": 8, "port_speed": "100Gbps", "ecmp_max_paths": 64}},
        "tiers": {"count": 2, "leaf": {"model": "sw"}, "spine": {"model": "sw"}}
      },
      "fabric": {"transport": {"congestion_control": "dcqcn", "retransmit_timeout": "1ms"},
                 "lldp": true},
      "jobs": [{"kind": "collective", "name": "ring", "op": "allreduce", "bytes": "4MiB",
                "gpus": 8, "gpus_per_server": 1}],
      "stop": {"iterations": 1, "time": "5ms"},
      "outputs": {"interval": "10us", "series": false, "trace": false,
                  "sflow": {"sampling_rate": 64, "counter_interval": "100us",
                            "header_bytes": 128, "pcap": "sflow.pcap"}}
    })");
}

struct Run
{
    std::filesystem::path dir;
    SimulationResult result;
    std::vector<std::vector<std::uint8_t>> received; ///< by the test's UDP socket
    fab::telemetry::UdpSenderStats sender;
};

const Run&
SflowRun()
{
    static const Run run = []
    {
        Run r;
        r.dir = fab::tests::TempDir("sflow-export");
        fab::tests::UdpReceiver receiver;
        REQUIRE(receiver.Open());
        fab::telemetry::UdpSender sender("127.0.0.1:" + std::to_string(receiver.Port()));
        std::atomic<bool> done{false};
        std::thread drain(
            [&]
            {
                std::vector<std::uint8_t> datagram;
                while (!done.load())
                {
                    if (receiver.Receive(datagram, 20))
                    {
                        r.received.push_back(datagram);
                    }
                }
                while (receiver.Receive(datagram, 200))
                {
                    r.received.push_back(datagram);
                }
            });
        SimulationOptions options;
        options.outDirectory = r.dir.string();
        options.sflowSink = [&](const std::uint8_t* data, std::size_t size)
        {
            sender.Send(data, size);
        };
        r.result = RunSimulation(ScenarioFromJson(SflowScenario(), "."), options);
        done = true;
        drain.join();
        r.sender = sender.Stats();
        return r;
    }();
    return run;
}

/** The UDP payloads of a classic pcap of Ethernet/IPv4/UDP frames. */
std::vector<std::vector<std::uint8_t>>
PcapPayloads(const std::filesystem::path& path)
{
    std::string bytes = fab::tests::ReadFile(path);
    std::vector<std::vector<std::uint8_t>> payloads;
    std::size_t at = 24;
    while (at + 16 <= bytes.size())
    {
        std::uint32_t captured = 0;
        std::memcpy(&captured, bytes.data() + at + 8, 4); // written little-endian, as read here
        at += 16;
        REQUIRE(at + captured <= bytes.size());
        REQUIRE(captured > 42);
        payloads.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(at + 42),
                              bytes.begin() + static_cast<std::ptrdiff_t>(at + captured));
        at += captured;
    }
    return payloads;
}

std::string
Ipv4Text(std::uint32_t address)
{
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255) + "."
           + std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255);
}

} // namespace

TEST_CASE("simulated switches export sFlow that matches their ports", "[fabric][sim][sflow]")
{
    const Run& run = SflowRun();
    const SimulationResult& result = run.result;
    REQUIRE(result.completed);
    REQUIRE(result.sflow);
    const SflowExportStats& stats = *result.sflow;
    REQUIRE(stats.agents.size() == result.stats.switches);

    // The socket got what the pcap holds, byte for byte, and nothing failed to send.
    auto datagrams = PcapPayloads(run.dir / "sflow.pcap");
    CHECK(datagrams.size() == stats.datagrams);
    CHECK(run.sender.sendFailures == 0);
    CHECK(run.sender.datagramsSent == stats.datagrams);
    CHECK(run.received == datagrams);
    CHECK(std::find(result.files.begin(), result.files.end(), "sflow.pcap") != result.files.end());

    std::map<std::uint32_t, std::string> switchOf;
    for (const auto& agent : stats.agents)
    {
        switchOf[agent.agentAddress] = agent.switchName;
    }
    // (switch, ifIndex) → last pool and last counters.
    using Source = std::pair<std::string, std::uint32_t>;
    std::map<Source, std::uint32_t> lastPool;
    std::map<Source, fab::telemetry::SflowInterfaceCounters> lastGeneric;
    std::map<Source, fab::telemetry::SflowPfcCounters> lastPfc;
    std::map<std::string, std::uint32_t> lastUptime;
    std::uint64_t flowSamples = 0;
    std::uint64_t counterSamples = 0;
    fab::dpi::SflowDatagram datagram;
    for (const auto& bytes : datagrams)
    {
        auto status = fab::dpi::DecodeSflowDatagram(bytes.data(), bytes.size(), datagram);
        REQUIRE(status.Ok());
        CHECK(datagram.notes.Empty());
        CHECK(datagram.skippedSamples == 0);
        const auto& a = datagram.header.agentAddress;
        std::uint32_t address = (std::uint32_t{a[12]} << 24) | (std::uint32_t{a[13]} << 16)
                                | (std::uint32_t{a[14]} << 8) | a[15];
        REQUIRE(switchOf.count(address) == 1);
        const std::string& name = switchOf[address];
        CHECK(datagram.header.uptimeMs >= lastUptime[name]);
        CHECK(datagram.header.uptimeMs <= result.stats.simTimeNs / 1'000'000);
        lastUptime[name] = datagram.header.uptimeMs;
        for (const auto& sample : datagram.flowSamples)
        {
            ++flowSamples;
            CHECK(sample.samplingRate == kRate);
            CHECK(sample.drops == 0);
            CHECK(sample.input == sample.sourceIdIndex);
            CHECK(sample.output != 0);
            CHECK(sample.skippedRecords == 0);
            lastPool[{name, sample.sourceIdIndex}] = sample.samplePool;
        }
        for (const auto& sample : datagram.counterSamples)
        {
            ++counterSamples;
            REQUIRE(sample.hasGeneric);
            REQUIRE(sample.hasEthernet);
            REQUIRE(sample.hasPfc);
            Source source{name, sample.sourceIdIndex};
            if (lastGeneric.count(source) != 0)
            {
                CHECK(sample.generic.ifInUcastPkts >= lastGeneric[source].ifInUcastPkts);
                CHECK(sample.generic.ifOutOctets >= lastGeneric[source].ifOutOctets);
            }
            lastGeneric[source] = sample.generic;
            lastPfc[source] = sample.pfc;
        }
    }
    CHECK(flowSamples == stats.flowSamples);
    CHECK(counterSamples == stats.counterSamples);
    CHECK(stats.drops == 0);

    // The pools count exactly the frames switch ports received to forward: not PFC, not LLDP.
    // The last poll came at the end: the last counters are the ports' totals.
    std::uint64_t forwarded = 0;
    std::size_t switchPorts = 0;
    for (const PortSummary& port : result.ports)
    {
        auto colon = port.name.find(':');
        std::string node = port.name.substr(0, colon);
        if (node.rfind("srv-", 0) == 0)
        {
            continue;
        }
        ++switchPorts;
        Source source{node,
                      static_cast<std::uint32_t>(std::stoul(port.name.substr(colon + 1))) + 1};
        INFO(port.name);
        const PortCounters& c = port.counters;
        std::uint64_t eligible = c.rxPackets - c.pfcRx - c.lldpRx;
        forwarded += eligible;
        if (lastPool.count(source) != 0)
        {
            CHECK(lastPool[source] <= eligible);
            CHECK(lastPool[source] + 2 * kRate > eligible);
        }
        REQUIRE(lastGeneric.count(source) == 1);
        CHECK(lastGeneric[source].ifInOctets == c.rxBytes);
        CHECK(lastGeneric[source].ifInUcastPkts == c.rxPackets);
        CHECK(lastGeneric[source].ifOutOctets == c.txBytes);
        CHECK(lastGeneric[source].ifOutUcastPkts == c.txPackets);
        CHECK(lastGeneric[source].ifInDiscards == c.TotalDrops());
        CHECK(lastGeneric[source].ifSpeed == port.rateBps);
        for (std::size_t p = 0; p < 8; ++p)
        {
            CHECK(lastPfc[source].priorities[p].rxPauseFrames
                  == c.pfcPauseRx[p] + c.pfcResumeRx[p]);
            // Counted up to the last poll, at the end: at least the holds that had ended.
            CHECK(lastPfc[source].priorities[p].rxPauseDurationUs
                  >= static_cast<std::uint64_t>(c.pausedNs[p]) / 1000);
            CHECK(lastPfc[source].priorities[p].txPauseDurationUs
                  >= static_cast<std::uint64_t>(c.pauseRequestedNs[p]) / 1000);
            CHECK(lastPfc[source].priorities[p].txPauseFrames
                  == c.pfcPauseTx[p] + c.pfcResumeTx[p]);
        }
    }
    CHECK(switchPorts > 0);
    CHECK(stats.samplePool == forwarded);
    // Samples × rate estimate the forwarded frames: the count's standard deviation is about
    // sqrt(samples / 3), so 10 % is several of them at these counts.
    double estimate = static_cast<double>(flowSamples) * kRate;
    INFO(flowSamples << " samples × " << kRate << " vs " << forwarded << " forwarded");
    CHECK(flowSamples > 500);
    CHECK(std::abs(estimate - static_cast<double>(forwarded)) < 0.1 * forwarded);
    std::printf("sflow-export: datagrams=%zu flow_samples=%llu counter_samples=%llu "
                "forwarded=%llu estimate=%.0f\n",
                datagrams.size(),
                static_cast<unsigned long long>(flowSamples),
                static_cast<unsigned long long>(counterSamples),
                static_cast<unsigned long long>(forwarded),
                estimate);
}

TEST_CASE("the same seed exports the same datagrams", "[fabric][sim][sflow]")
{
    const Run& run = SflowRun();
    auto dir = fab::tests::TempDir("sflow-export-again");
    SimulationOptions options;
    options.outDirectory = dir.string();
    RunSimulation(ScenarioFromJson(SflowScenario(), "."), options);
    CHECK(fab::tests::ReadFile(dir / "sflow.pcap") == fab::tests::ReadFile(run.dir / "sflow.pcap"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("tshark reads the simulator's sFlow without a warning", "[fabric][sim][sflow][tshark][needs:tshark]")
{
    const Run& run = SflowRun();
    auto problems = fab::tests::RunIn(
        run.dir,
        "tshark -r sflow.pcap -Y 'sflow && (_ws.malformed || _ws.expert.severity >= warning)' "
        "-T fields -e frame.number");
    REQUIRE(problems.exitCode == 0);
    CHECK(problems.out.empty());
    auto types = fab::tests::RunIn(run.dir,
                                   "tshark -r sflow.pcap -Y sflow -T fields -e sflow_245.sampletype"
                                   " -E occurrence=a -E aggregator=/s");
    REQUIRE(types.exitCode == 0);
    std::map<std::string, std::uint64_t> count;
    std::uint64_t datagrams = 0;
    std::stringstream lines(types.out);
    std::string line;
    while (std::getline(lines, line))
    {
        ++datagrams;
        std::stringstream words(line);
        std::string word;
        while (words >> word)
        {
            ++count[word];
        }
    }
    INFO(types.out.substr(0, 400));
    CHECK(datagrams == run.result.sflow->datagrams);
    std::uint64_t flows = count["1"] + count["3"];
    std::uint64_t counters = count["2"] + count["4"];
    CHECK(flows == run.result.sflow->flowSamples);
    CHECK(counters == run.result.sflow->counterSamples);
    std::printf("sflow-export tshark: datagrams=%llu flow_samples=%llu counter_samples=%llu\n",
                static_cast<unsigned long long>(datagrams),
                static_cast<unsigned long long>(flows),
                static_cast<unsigned long long>(counters));
}

TEST_CASE("sfacctd decodes the simulator's sFlow", "[fabric][sim][sflow][pmacct][needs:pmacct]")
{
    const Run& run = SflowRun();
    auto collector = run.dir / "sfacctd";
    std::filesystem::create_directories(collector);
    fab::tests::CollectorRun sfacctd = fab::tests::RunSfacctdOffline(
        collector, run.dir / "sflow.pcap", "peer_src_ip, in_iface, out_iface");
    {
        INFO(sfacctd.log);
        REQUIRE(sfacctd.exitCode == 0);
        CHECK(sfacctd.log.find("ERROR") == std::string::npos);
        CHECK(sfacctd.log.find("WARN") == std::string::npos);
    }
    // No renormalisation: a sample is a packet to sfacctd.
    std::uint64_t packets = 0;
    std::map<std::string, std::uint64_t> byAgent;
    for (const auto& row : sfacctd.flows)
    {
        packets += std::stoull(row.at("PACKETS"));
        byAgent[row.at("PEER_SRC_IP")] += std::stoull(row.at("PACKETS"));
    }
    CHECK(packets == run.result.sflow->flowSamples);
    for (const auto& agent : run.result.sflow->agents)
    {
        CHECK(byAgent[Ipv4Text(agent.agentAddress)] == agent.flowSamples);
    }
    std::uint64_t generic = 0;
    for (const std::string& line : sfacctd.counterLines)
    {
        auto record = json::parse(line, nullptr, false);
        REQUIRE(!record.is_discarded());
        generic += record.value("sf_cnt_type", "") == "sflow_cnt_generic" ? 1 : 0;
    }
    CHECK(generic == run.result.sflow->counterSamples);
    std::printf("sflow-export sfacctd: packets=%llu generic_counters=%llu\n",
                static_cast<unsigned long long>(packets),
                static_cast<unsigned long long>(generic));
}
