// `fabricscope collect` end to end, with real peers on loopback: sFlow datagrams in (our
// encoder's, pmacctd's), Prometheus text out, scraped by a real Prometheus server; findings
// raised and cleared as the window moves; malformed datagrams, stalled scrapers and floods do
// not stop ingest; SIGTERM writes the final report.
#include "dpi/sflow-decoder.h"
#include "support/child-process.h"
#include "support/local-sockets.h"
#include "support/metrics-scrape.h"
#include "support/pmacct.h"
#include "support/process-usage.h"
#include "support/prometheus.h"
#include "support/run-command.h"
#include "support/sflow-scenario.h"
#include "support/slowloris.h"
#include "support/udp-pcap.h"
#include "telemetry/export/sflow-encoder.h"
#include "dpi/roce-conversation.h"
#include "tests/dpi/frame-builder.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

using namespace fab::tests;
using namespace std::chrono_literals;
using nlohmann::json;
namespace telemetry = fab::telemetry;

namespace
{

std::uint16_t
FreeUdpPort()
{
    SocketHandle socket(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in address = Loopback(0);
    REQUIRE(::bind(socket.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(socket.Get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
    return ntohs(address.sin_port);
}

/** Sends datagrams to 127.0.0.1:`port` from one socket. */
class Sender
{
public:
    explicit Sender(std::uint16_t port)
    : m_socket(::socket(AF_INET, SOCK_DGRAM, 0))
    , m_to(Loopback(port))
    {
    }

    void Send(const std::vector<std::uint8_t>& datagram)
    {
        ::sendto(m_socket.Get(),
                 datagram.data(),
                 datagram.size(),
                 0,
                 reinterpret_cast<const sockaddr*>(&m_to),
                 sizeof m_to);
    }

private:
    SocketHandle m_socket;
    sockaddr_in m_to;
};

/** RoCE samples at 1 in 1000 on ifIndex 3 of agent 10.0.0.9: `marked` of them CE. */
std::vector<std::vector<std::uint8_t>>
RoceSampleDatagrams(int samples, int marked)
{
    std::vector<std::vector<std::uint8_t>> datagrams;
    telemetry::SflowEncoderConfig config;
    config.agent = telemetry::SflowAgentAddress::Ipv4(0x0A000009);
    telemetry::SflowEncoder encoder(config,
                                    [&](const std::uint8_t* data, std::size_t size)
                                    { datagrams.emplace_back(data, data + size); });
    encoder.SetUptimeMs(5'000);
    for (int i = 0; i < samples; ++i)
    {
        fab::dpi::test::RoceSpec spec;
        spec.opcode = 0x0A; // WRITE_ONLY
        spec.destQp = 0x100 + static_cast<std::uint32_t>(i % 4);
        spec.psn = static_cast<std::uint32_t>(i);
        spec.payload = 1024;
        spec.tos = i < marked ? 0x6B : 0x6A; // DSCP 26: CE, ECT(0)
        auto frame = fab::dpi::test::BuildRoceFrame(spec);
        telemetry::SflowPacketSample sample;
        sample.source = {0, 3};
        sample.samplingRate = 1000;
        sample.samplePool = static_cast<std::uint32_t>(1000 * (i + 1));
        sample.input = 3;
        sample.frame = frame.data();
        sample.capturedLength = frame.size();
        REQUIRE(encoder.AddFlowSample(sample));
    }
    encoder.Flush();
    return datagrams;
}

/** Counters of ifIndex 3 at `uptimeMs`: priority 3 paused for `pausedUs` so far. */
std::vector<std::uint8_t>
CounterDatagram(std::uint32_t uptimeMs, std::uint64_t inOctets, std::uint64_t pausedUs)
{
    std::vector<std::uint8_t> datagram;
    telemetry::SflowEncoderConfig config;
    config.agent = telemetry::SflowAgentAddress::Ipv4(0x0A000009);
    config.subAgentId = 1; // its own sequence numbers
    telemetry::SflowEncoder encoder(config,
                                    [&](const std::uint8_t* data, std::size_t size)
                                    { datagram.assign(data, data + size); });
    encoder.SetUptimeMs(uptimeMs);
    telemetry::SflowPortCounters port;
    port.source = {0, 3};
    telemetry::SflowInterfaceCounters generic;
    generic.ifIndex = 3;
    generic.ifSpeed = 400'000'000'000ULL;
    generic.ifInOctets = inOctets;
    generic.ifOutOctets = inOctets / 2;
    generic.ifInUcastPkts = static_cast<std::uint32_t>(inOctets / 1000);
    port.generic = generic;
    telemetry::SflowPfcCounters pfc;
    pfc.pfcEnabled = 1u << 3;
    pfc.priorities[3].rxPauseFrames = pausedUs / 10;
    pfc.priorities[3].rxPauseDurationUs = pausedUs;
    port.pfc = pfc;
    REQUIRE(encoder.AddCounterSample(port));
    encoder.Flush();
    return datagram;
}

bool
Logged(const std::filesystem::path& log, const std::string& text)
{
    return ReadFile(log).find(text) != std::string::npos;
}

} // namespace

TEST_CASE("collect: sFlow in, Prometheus out (scraped by a real Prometheus), findings raised and "
          "cleared, the final report on SIGTERM",
          "[integration][collect][needs:prometheus][needs:promtool]")
{
    auto dir = TempDir("collect-cli");
    auto sflowPort = FreeUdpPort();
    auto httpPort = FreeTcpPort();
    ChildProcess collect({FABRICSCOPE_BINARY,
                          "collect",
                          "--sflow",
                          "127.0.0.1:" + std::to_string(sflowPort),
                          "--prometheus",
                          "127.0.0.1:" + std::to_string(httpPort),
                          "--window",
                          "2s",
                          "--format",
                          "json",
                          "-o",
                          (dir / "reports").string()},
                         dir / "collect.log");
    INFO(ReadFile(dir / "collect.log"));
    REQUIRE(Within(10s, [&] { return !Scrape(httpPort).empty(); }));
    auto prometheus = StartPrometheus(dir, {httpPort});

    // 200 RoCE samples at 1 in 1000, half of them CE; two counter readings 1 s apart in which
    // priority 3 was paused the whole second.
    Sender sender(sflowPort);
    auto samples = RoceSampleDatagrams(200, 100);
    for (const auto& datagram : samples)
    {
        sender.Send(datagram);
    }
    sender.Send(CounterDatagram(10'000, 1'000'000'000, 0));
    sender.Send(CounterDatagram(11'000, 1'500'000'000, 1'000'000));
    std::size_t sent = samples.size() + 2;

    auto metrics = ScrapeUntil(httpPort,
                               [&](const auto& m)
                               {
                                   return Value(m, "fabricscope_sflow_datagrams_total")
                                              == static_cast<double>(sent)
                                          && Value(m, "fabricscope_findings_raised_total") >= 2;
                               });
    CHECK(Value(metrics, "fabricscope_sflow_datagrams_total") == sent);
    CHECK(PromtoolComplaints(dir, HttpGet(httpPort, "/metrics").body).empty());
    CHECK(Value(metrics, "fabricscope_sflow_samples_total{kind=\"flow\"}") == 200);
    CHECK(Value(metrics, "fabricscope_sflow_samples_total{kind=\"counter\"}") == 2);
    CHECK(Value(metrics, "fabricscope_rdma_packets_estimated_total{class=\"dscp26\"}") == 200'000);
    CHECK(Value(metrics, "fabricscope_rdma_ecn_ce_ratio{class=\"dscp26\"}") == 0.5);
    CHECK(Value(metrics,
                "fabricscope_interface_octets_total{agent=\"10.0.0.9/1\",ifindex=\"3\","
                "direction=\"in\"}")
          == 1'500'000'000);
    // 500,000,000 octets in 1 s of the agent's clock.
    CHECK(Value(metrics,
                "fabricscope_interface_bytes_per_second{agent=\"10.0.0.9/1\",ifindex=\"3\","
                "direction=\"in\"}")
          == 5e8);
    CHECK(Value(metrics,
                "fabricscope_interface_pfc_rx_paused_ratio{agent=\"10.0.0.9/1\",ifindex=\"3\","
                "priority=\"3\"}")
          == 1);
    CHECK(Value(metrics,
                "fabricscope_finding_active{rule=\"capture.ecn-ce-ratio\",severity=\"warning\","
                "subject=\"traffic class dscp26\"}")
          == 1);
    CHECK(Value(metrics,
                "fabricscope_finding_active{rule=\"capture.pfc-storm\",severity=\"error\","
                "subject=\"10.0.0.9/1 ifIndex 3, priority 3\"}")
          == 1);
    CHECK(Logged(dir / "collect.log", "raised rule=capture.ecn-ce-ratio"));

    // Garbage, a scraper that never sends, one that never reads: ingest goes on, the endpoint
    // answers.
    SocketHandle silent = ConnectTcp(httpPort);
    SocketHandle deaf = ConnectTcp(httpPort);
    SendAll(deaf, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    std::uint32_t seed = 7;
    for (int i = 0; i < 500; ++i)
    {
        std::vector<std::uint8_t> garbage(static_cast<std::size_t>(8 + i % 200));
        for (auto& byte : garbage)
        {
            seed = seed * 1103515245U + 12345U;
            byte = static_cast<std::uint8_t>(seed >> 16);
        }
        if (i % 7 == 0)
        {
            // Version 5, then an address type no agent sends.
            garbage[0] = garbage[1] = garbage[2] = 0;
            garbage[3] = 5;
            garbage[7] = 9;
        }
        sender.Send(garbage);
    }
    sender.Send(RoceSampleDatagrams(1, 0).front());
    sent += 501;
    metrics = ScrapeUntil(
        httpPort,
        [&](const auto& m)
        { return Value(m, "fabricscope_sflow_datagrams_total") == static_cast<double>(sent); });
    CHECK(Value(metrics, "fabricscope_sflow_datagrams_total") == sent);
    double errors = 0;
    for (const auto& [series, value] : metrics)
    {
        if (series.rfind("fabricscope_sflow_decode_errors_total{", 0) == 0)
        {
            errors += value;
        }
    }
    CHECK(errors >= 500);
    CHECK(Value(metrics, "fabricscope_collector_datagrams_dropped_total{reason=\"queue_full\"}")
          == 0);

    // A real Prometheus scrapes the same numbers.
    auto polled = PollQuery(*prometheus.process,
                            prometheus.webPort,
                            "fabricscope_rdma_packets_estimated_total",
                            std::chrono::steady_clock::now() + 30s,
                            [](const json& result) {
                                return result.size() == 1 && result[0]["value"][1] == "201000";
                            });
    INFO(ReadFile(prometheus.log));
    REQUIRE(polled.result.size() == 1);
    CHECK(polled.result[0]["metric"]["class"] == "dscp26");
    CHECK(polled.result[0]["value"][1] == "201000");
    auto up = Query(prometheus.webPort, "up{job=\"fabricscope\"}");
    REQUIRE(up.size() == 1);
    CHECK(up[0]["value"][1] == "1");
    

    // Two seconds without traffic: the window empties and the findings clear.
    CHECK(Within(10s,
                 [&]
                 {
                     return Logged(dir / "collect.log", "cleared rule=capture.ecn-ce-ratio")
                            && Logged(dir / "collect.log", "cleared rule=capture.pfc-storm");
                 }));

    REQUIRE(collect.Stop() == 0);
    auto report = json::parse(ReadFile(dir / "reports" / "fabricscope-collect.json"));
    CHECK(report["sflow"]["datagrams"] == sent);
    CHECK(report["sflow"]["flow_samples"] == 201);
    CHECK(report["classes"]["dscp26"]["total"]["packets"] == 201'000.0);
    CHECK(report["agents"].size() == 2);
    CHECK(Logged(dir / "collect.log", "stopping on SIGTERM"));
}

TEST_CASE("collect: pmacctd's sfprobe feeds it, and the counts equal sfacctd's for the same "
          "datagrams",
          "[integration][collect][pmacct][needs:pmacct]")
{
    auto dir = TempDir("collect-pmacct");
    // pmacctd sends to the test, which keeps every datagram, writes them into a capture for
    // sfacctd and passes them on to collect: the two collectors see the very same datagrams.
    REQUIRE(fab::dpi::test::WriteRoceConversation(dir / "conversation.pcap", 20));
    auto probe = RunPmacctdProbe(dir, dir / "conversation.pcap", 7, 5);
    INFO(probe.log);
    REQUIRE(probe.completed);
    REQUIRE_FALSE(probe.datagrams.empty());
    WriteUdpPcap(dir / "sflow.pcap", probe.datagrams);
    auto sfacctd = RunSfacctdOffline(
        dir, dir / "sflow.pcap", "src_host, dst_host, src_port, dst_port, proto");
    INFO(sfacctd.log);
    REQUIRE(sfacctd.exitCode == 0);
    double sfacctdPackets = 0;
    double sfacctdRoce = 0;
    for (const auto& row : sfacctd.flows)
    {
        double packets = std::stod(row.at("PACKETS"));
        sfacctdPackets += packets;
        sfacctdRoce += row.at("DST_PORT") == "4791" ? packets : 0;
    }

    auto sflowPort = FreeUdpPort();
    auto httpPort = FreeTcpPort();
    ChildProcess collect({FABRICSCOPE_BINARY,
                          "collect",
                          "--sflow",
                          "127.0.0.1:" + std::to_string(sflowPort),
                          "--prometheus",
                          "127.0.0.1:" + std::to_string(httpPort),
                          "--format",
                          "json",
                          "-o",
                          (dir / "reports").string()},
                         dir / "collect.log");
    INFO(ReadFile(dir / "collect.log"));
    REQUIRE(Within(10s, [&] { return !Scrape(httpPort).empty(); }));
    Sender sender(sflowPort);
    for (const auto& datagram : probe.datagrams)
    {
        sender.Send(datagram);
    }
    auto metrics = ScrapeUntil(httpPort,
                               [&](const auto& m)
                               {
                                   return Value(m, "fabricscope_sflow_datagrams_total")
                                          == static_cast<double>(probe.datagrams.size());
                               });
    REQUIRE(collect.Stop() == 0);
    auto report = json::parse(ReadFile(dir / "reports" / "fabricscope-collect.json"));
    INFO("pmacctd sent " << probe.datagrams.size() << " datagrams; sfacctd counted "
                         << sfacctdPackets << " packets, " << sfacctdRoce << " to port 4791");
    CHECK(report["sflow"]["datagrams"] == probe.datagrams.size());
    CHECK(report["sflow"]["bad_datagrams"] == 0);
    CHECK(report["sflow"]["flow_samples"].get<double>() == sfacctdPackets);
    CHECK(report["sflow"]["estimated_packets"].get<double>() == sfacctdPackets);
    CHECK(report["sflow"]["rdma"].get<double>() == sfacctdRoce);
    CHECK(report["agents"].size() == 1);
    CHECK(report["agents"][0]["agent"] == "127.0.0.1/7");
}

TEST_CASE("collect: a flood of 200,000 datagrams keeps memory bounded, counts its drops, and the "
          "endpoint keeps answering",
          "[integration][collect][slow]")
{
    auto dir = TempDir("collect-flood");
    auto sflowPort = FreeUdpPort();
    auto httpPort = FreeTcpPort();
    ChildProcess collect({FABRICSCOPE_BINARY,
                          "collect",
                          "--sflow",
                          "127.0.0.1:" + std::to_string(sflowPort),
                          "--prometheus",
                          "127.0.0.1:" + std::to_string(httpPort),
                          "--queue",
                          "1024",
                          "--format",
                          "json",
                          "-o",
                          (dir / "reports").string()},
                         dir / "collect.log");
    INFO(ReadFile(dir / "collect.log"));
    REQUIRE(Within(10s, [&] { return !Scrape(httpPort).empty(); }));
    auto resident = [&]
    {
        std::ifstream status("/proc/" + std::to_string(collect.Pid()) + "/status");
        std::string line;
        while (std::getline(status, line))
        {
            if (line.rfind("VmRSS:", 0) == 0)
            {
                return std::stol(line.substr(6));
            }
        }
        return 0L;
    };
    long before = resident();

    // Scrapes go on during the flood; the slowest is kept.
    std::atomic<bool> flooding{true};
    std::atomic<long> slowestMs{0};
    std::atomic<int> scrapes{0};
    std::thread scraper(
        [&]
        {
            while (flooding)
            {
                auto started = std::chrono::steady_clock::now();
                if (!Scrape(httpPort).empty())
                {
                    scrapes++;
                }
                long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
                slowestMs = std::max(slowestMs.load(), ms);
                std::this_thread::sleep_for(20ms);
            }
        });
    auto pool = RoceSampleDatagrams(400, 40);
    Sender sender(sflowPort);
    constexpr int kFlood = 200'000;
    for (int i = 0; i < kFlood; ++i)
    {
        sender.Send(pool[static_cast<std::size_t>(i) % pool.size()]);
    }
    auto metrics = ScrapeUntil(
        httpPort,
        [&](const auto& m)
        {
            return Value(m, "fabricscope_collector_datagrams_received_total")
                       + Value(m,
                               "fabricscope_collector_datagrams_dropped_total{reason=\"kernel\"}")
                   == kFlood;
        });
    flooding = false;
    scraper.join();
    long after = resident();
    double received = Value(metrics, "fabricscope_collector_datagrams_received_total");
    double kernel
        = Value(metrics, "fabricscope_collector_datagrams_dropped_total{reason=\"kernel\"}");
    double queueFull
        = Value(metrics, "fabricscope_collector_datagrams_dropped_total{reason=\"queue_full\"}");
    double decoded = Value(metrics, "fabricscope_sflow_datagrams_total");
    WARN("flood of " << kFlood << ": received " << received << ", decoded " << decoded
                     << ", dropped " << queueFull << " (queue full) and " << kernel
                     << " (kernel); resident " << before << " → " << after << " KiB; "
                     << scrapes.load() << " scrapes during it, the slowest " << slowestMs.load()
                     << " ms");
    CHECK(received + kernel == kFlood);
    CHECK(decoded + queueFull == received);
    CHECK(scrapes.load() > 0);
    CHECK(slowestMs.load() < 2'000);
    // The queue's buffers (1,024 × 9 KiB) and the flow table of 400 QPs: nothing per datagram.
    CHECK(after - before < 64 * 1024);
    REQUIRE(collect.Stop() == 0);
}

TEST_CASE("the simulator feeds collect, and Prometheus scrapes what collect made of it",
          "[integration][collect][sim][needs:prometheus]")
{
    auto dir = TempDir("collect-sim");
    WriteJson(dir / "scenario.json", SmallScenario());
    auto sflowPort = FreeUdpPort();
    auto httpPort = FreeTcpPort();
    ChildProcess collect({FABRICSCOPE_BINARY,
                          "collect",
                          "--sflow",
                          "127.0.0.1:" + std::to_string(sflowPort),
                          "--prometheus",
                          "127.0.0.1:" + std::to_string(httpPort),
                          "--window",
                          "60s",
                          "--design",
                          "builtin:roce-128-rail", // 400G links: the simulated ones run at 100G
                          "--format",
                          "json",
                          "-o",
                          (dir / "reports").string()},
                         dir / "collect.log");
    INFO(ReadFile(dir / "collect.log"));
    REQUIRE(Within(10s, [&] { return !Scrape(httpPort).empty(); }));
    // Prometheus scrapes the simulation too: its progress and port counters.
    auto simPort = FreeTcpPort();
    auto prometheus = StartPrometheus(dir, {httpPort, simPort});

    ChildProcess simulate({FABRICSCOPE_BINARY,
                           "simulate",
                           (dir / "scenario.json").string(),
                           "--out",
                           (dir / "out").string(),
                           "--format",
                           "json",
                           "--no-progress",
                           "--sflow",
                           "127.0.0.1:" + std::to_string(sflowPort),
                           "--sflow-rate",
                           "16",
                           "--sflow-pcap",
                           (dir / "sflow.pcap").string(),
                           "--prometheus",
                           "127.0.0.1:" + std::to_string(simPort),
                           "--prometheus-linger",
                           "60s"},
                          dir / "simulate.log");
    INFO(ReadFile(dir / "simulate.log"));
    // The outputs are written before it lingers.
    REQUIRE(Within(60s, [&] { return Logged(dir / "simulate.log", "run over;"); }));
    auto summary = json::parse(ReadFile(dir / "out" / "summary.json"));
    // What the switches sent, decoded from the copy the simulator kept.
    auto sent = PcapPayloads(dir / "sflow.pcap");
    REQUIRE_FALSE(sent.empty());
    std::uint64_t flowSamples = 0;
    std::uint64_t counterSamples = 0;
    std::set<std::string> agents;
    fab::dpi::SflowDatagram datagram;
    for (const auto& bytes : sent)
    {
        REQUIRE(fab::dpi::DecodeSflowDatagram(bytes.data(), bytes.size(), datagram).Ok());
        flowSamples += datagram.flowSamples.size();
        counterSamples += datagram.counterSamples.size();
        agents.insert(std::to_string(datagram.header.agentAddress[15]));
    }
    auto metrics = ScrapeUntil(httpPort,
                               [&](const auto& m)
                               {
                                   return Value(m, "fabricscope_sflow_datagrams_total")
                                              == static_cast<double>(sent.size())
                                          && Value(m, "fabricscope_findings_raised_total") > 0;
                               });
    CHECK(Value(metrics, "fabricscope_sflow_datagrams_total") == sent.size());
    CHECK(Value(metrics, "fabricscope_sflow_samples_total{kind=\"flow\"}") == flowSamples);
    CHECK(Value(metrics, "fabricscope_sflow_samples_total{kind=\"counter\"}") == counterSamples);
    // Switches sample what they receive to forward: RDMA only (no PFC or LLDP).
    CHECK(Value(metrics, "fabricscope_sflow_sampled_headers_total{kind=\"rdma\"}") == flowSamples);
    std::size_t agentSeries = 0;
    std::size_t ports = 0;
    std::size_t slowPorts = 0;
    double estimated = 0;
    for (const auto& [series, value] : metrics)
    {
        agentSeries += series.rfind("fabricscope_sflow_agent_datagrams_total{", 0) == 0 ? 1 : 0;
        if (series.rfind("fabricscope_rdma_packets_estimated_total{", 0) == 0)
        {
            estimated += value;
        }
        if (series.rfind("fabricscope_interface_speed_bytes_per_second{", 0) == 0)
        {
            ports++;
            CHECK(value == 100e9 / 8);
        }
        if (series.rfind("fabricscope_finding_active{rule=\"inventory.speed\"", 0) == 0)
        {
            slowPorts++;
        }
    }
    CHECK(agentSeries == agents.size());
    CHECK(estimated == 16.0 * static_cast<double>(flowSamples)); // every sample 1 in 16
    // Every port runs at 100G, which none of the design's links do.
    CHECK(ports > 0);
    CHECK(slowPorts == ports);
    auto polled = PollQuery(*prometheus.process,
                            prometheus.webPort,
                            "fabricscope_sflow_datagrams_total",
                            std::chrono::steady_clock::now() + 30s,
                            [&](const json& result) {
                                return result.size() == 1
                                       && result[0]["value"][1] == std::to_string(sent.size());
                            });
    INFO(ReadFile(prometheus.log));
    REQUIRE(polled.result.size() == 1);
    CHECK(polled.result[0]["value"][1] == std::to_string(sent.size()));
    // The simulation's final numbers, as summary.json has them.
    std::string events = summary["sim"]["events"].dump();
    auto finished = PollQuery(*prometheus.process,
                              prometheus.webPort,
                              "fabricscope_sim_events_total",
                              std::chrono::steady_clock::now() + 30s,
                              [&](const json& result) {
                                  return result.size() == 1 && result[0]["value"][1] == events;
                              });
    REQUIRE(finished.result.size() == 1);
    CHECK(finished.result[0]["value"][1] == events);
    auto sentBytes = PollQuery(*prometheus.process,
                               prometheus.webPort,
                               "sum(fabricscope_sim_port_octets_total{direction=\"out\"})",
                               std::chrono::steady_clock::now() + 10s,
                               [](const json& result) { return result.size() == 1; });
    REQUIRE(sentBytes.result.size() == 1);
    CHECK(std::stod(sentBytes.result[0]["value"][1].get<std::string>())
          == summary["ports"]["totals"]["tx_bytes"].get<double>());
    
    CHECK(summary["sflow"]["datagrams"] == sent.size());
    CHECK(summary["sflow"]["flow_samples"] == flowSamples);
    CHECK(simulate.Stop() == 0); // SIGTERM ends the lingering early
    REQUIRE(collect.Stop() == 0);
}

TEST_CASE("collect: a slowloris of 400 connections from 8 addresses, idle and trickling, does not "
          "stop the scrapes, and the endpoint counts what it closed",
          "[integration][collect][slowloris]")
{
    auto dir = TempDir("collect-slowloris");
    auto httpPort = FreeTcpPort();
    ChildProcess collect({FABRICSCOPE_BINARY,
                          "collect",
                          "--sflow",
                          "127.0.0.1:" + std::to_string(FreeUdpPort()),
                          "--prometheus",
                          "127.0.0.1:" + std::to_string(httpPort),
                          "--format",
                          "json",
                          "-o",
                          (dir / "reports").string()},
                         dir / "collect.log");
    INFO(ReadFile(dir / "collect.log"));
    REQUIRE(Within(10s, [&] { return !Scrape(httpPort).empty(); }));
    std::size_t descriptorsBefore = OpenDescriptors(collect.Pid());
    long residentBefore = ResidentKiB(collect.Pid());

    // 8 peers at the default 16 each fill the default 128: both limits are met. The scraper is
    // 127.0.0.1, a peer of its own.
    SlowlorisOptions options;
    options.port = httpPort;
    options.sources = LoopbackSources(2, 8);
    options.connections = 400;
    options.trickleEvery = 2;
    Slowloris slowloris(options);
    REQUIRE(
        Within(20s, [&] { return slowloris.Opened() >= 400 && slowloris.ClosedByServer() > 0; }));

    int scrapes = 0;
    int answered = 0;
    std::size_t mostDescriptors = 0;
    for (; scrapes < 40; ++scrapes)
    {
        answered += Scrape(httpPort).empty() ? 0 : 1;
        mostDescriptors = std::max(mostDescriptors, OpenDescriptors(collect.Pid()));
        std::this_thread::sleep_for(25ms);
    }
    auto metrics = ScrapeUntil(
        httpPort,
        [](const auto& m)
        {
            return Value(m,
                         "fabricscope_collector_http_connections_evicted_total{limit=\"total\"}")
                   > 0;
        });
    long residentGrowth = ResidentKiB(collect.Pid()) - residentBefore;
    double evictedTotal
        = Value(metrics, "fabricscope_collector_http_connections_evicted_total{limit=\"total\"}");
    double evictedPeer
        = Value(metrics, "fabricscope_collector_http_connections_evicted_total{limit=\"peer\"}");
    WARN("slowloris against collect: opened "
         << slowloris.Opened() << ", closed by it " << slowloris.ClosedByServer()
         << "; scrapes answered " << answered << "/" << scrapes << "; evicted " << evictedPeer
         << " (peer) + " << evictedTotal << " (total); descriptors +"
         << mostDescriptors - descriptorsBefore << ", resident +" << residentGrowth << " KiB");
    CHECK(answered == scrapes);
    CHECK(evictedTotal > 0);
    CHECK(evictedPeer >= 0); // the series is there (Value gives -1 for a missing one)
    CHECK(Value(metrics, "fabricscope_collector_http_connections_refused_total{limit=\"total\"}")
          == 0);
    CHECK(Value(metrics, "fabricscope_collector_http_connections") <= 128);
    CHECK(PromtoolComplaints(dir, HttpGet(httpPort, "/metrics").body).empty());
    // At most 128 connections and the one being accepted, whatever the attack holds.
    CHECK(mostDescriptors <= descriptorsBefore + 128 + 2);
#if !defined(__SANITIZE_ADDRESS__)
    CHECK(residentGrowth < 64 * 1024);
#endif
    slowloris.Stop();
    REQUIRE(collect.Stop() == 0);
}
