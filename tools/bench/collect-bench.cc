// Benchmark of `collect`'s ingest: sFlow datagrams as switches send them (16 agents, 8 RoCE
// samples of 100,000 QPs a datagram, CE marks, CNPs and ACKs among them, counter samples every
// 16th datagram), decoded on one core by the sFlow decoder alone (the baseline) and by the
// whole collector (headers through the packet decoders and the flow table, classes, ports);
// then a flood over loopback from one sender into the UDP receiver feeding the collector.
//   collect-bench [--datagrams=200000] [--queue=4096]
#include "dpi/sflow-collector.h"
#include "telemetry/export/sflow-encoder.h"
#include "telemetry/net/udp-receiver.h"
#include "tools/bench/roce-frame-maker.h"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace
{

using Clock = std::chrono::steady_clock;

double
Seconds(Clock::time_point since)
{
    return std::chrono::duration<double>(Clock::now() - since).count();
}

long
ResidentKiB()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return std::stol(line.substr(6));
        }
    }
    return 0;
}

struct Datagrams
{
    std::vector<std::vector<std::uint8_t>> list;
    std::uint64_t flowSamples{0};
    std::uint64_t counterSamples{0};
};

/** A varied pool of datagrams; the benchmark cycles through it. */
Datagrams
MakeDatagrams(std::size_t count)
{
    Datagrams out;
    fab::bench::FrameMaker make;
    std::vector<std::unique_ptr<fab::telemetry::SflowEncoder>> agents;
    for (std::uint32_t a = 0; a < 16; ++a)
    {
        fab::telemetry::SflowEncoderConfig config;
        config.agent = fab::telemetry::SflowAgentAddress::Ipv4(0x0AFF0000 | a);
        agents.push_back(std::make_unique<fab::telemetry::SflowEncoder>(
            config,
            [&out](const std::uint8_t* data, std::size_t size)
            { out.list.emplace_back(data, data + size); }));
    }
    std::uint32_t psn = 0;
    for (std::size_t d = 0; out.list.size() < count; ++d)
    {
        auto& encoder = *agents[d % agents.size()];
        encoder.SetUptimeMs(static_cast<std::uint32_t>(d));
        for (int s = 0; s < 8; ++s)
        {
            auto flow = static_cast<std::uint32_t>((d * 8 + s) * 7919 % 100'000);
            std::size_t length = 0;
            switch (s)
            {
                case 6:
                    length = make.Roce(2 + flow % 200, 1 + flow % 100, 0x81, flow, 0, false, 16, 0);
                    break;
                case 7:
                    length = make.Ack(2 + flow % 200, 1 + flow % 100, flow, psn, 0x1F);
                    break;
                default:
                    length = make.Roce(1 + flow % 100,
                                       2 + flow % 200,
                                       0x0A,
                                       flow,
                                       ++psn,
                                       s == 5,
                                       16,
                                       4096,
                                       s == 0);
            }
            fab::telemetry::SflowPacketSample sample;
            sample.source = {0, static_cast<std::uint32_t>(1 + flow % 64)};
            sample.samplingRate = 4096;
            sample.input = sample.source.index;
            sample.frame = make.Data();
            sample.capturedLength = length;
            encoder.AddFlowSample(sample);
            out.flowSamples++;
        }
        if (d % 16 == 15)
        {
            fab::telemetry::SflowPortCounters port;
            port.source = {0, static_cast<std::uint32_t>(1 + d % 64)};
            fab::telemetry::SflowInterfaceCounters generic;
            generic.ifIndex = port.source.index;
            generic.ifSpeed = 400'000'000'000ULL;
            generic.ifInOctets = d * 1'000'000;
            port.generic = generic;
            port.pfc = fab::telemetry::SflowPfcCounters{};
            encoder.AddCounterSample(port);
            out.counterSamples++;
        }
        encoder.Flush();
    }
    return out;
}

} // namespace

int
main(int argc, char** argv)
{
    std::size_t total = 200'000;
    std::size_t queue = 4096;
    for (int i = 1; i < argc; ++i)
    {
        std::string arg = argv[i];
        if (arg.rfind("--datagrams=", 0) == 0)
        {
            total = std::stoul(arg.substr(12));
        }
        else if (arg.rfind("--queue=", 0) == 0)
        {
            queue = std::stoul(arg.substr(8));
        }
        else
        {
            std::fprintf(stderr, "usage: collect-bench [--datagrams=200000] [--queue=4096]\n");
            return 2;
        }
    }
    auto pool = MakeDatagrams(4096);
    std::uint64_t bytes = 0;
    for (const auto& datagram : pool.list)
    {
        bytes += datagram.size();
    }
    double samplesPerDatagram
        = static_cast<double>(pool.flowSamples + pool.counterSamples) / pool.list.size();
    std::printf("datagrams: %zu distinct, %.0f bytes and %.2f samples each on average\n",
                pool.list.size(),
                static_cast<double>(bytes) / pool.list.size(),
                samplesPerDatagram);

    // One core: the decoder alone, then the whole collector.
    fab::dpi::SflowDatagram decoded;
    auto started = Clock::now();
    std::uint64_t ok = 0;
    for (std::size_t i = 0; i < total; ++i)
    {
        const auto& datagram = pool.list[i % pool.list.size()];
        ok += fab::dpi::DecodeSflowDatagram(datagram.data(), datagram.size(), decoded).Ok() ? 1 : 0;
    }
    double decodeRate = static_cast<double>(total) / Seconds(started);
    fab::dpi::SflowCollector collector;
    started = Clock::now();
    for (std::size_t i = 0; i < total; ++i)
    {
        const auto& datagram = pool.list[i % pool.list.size()];
        collector.Add(datagram.data(), datagram.size(), static_cast<std::int64_t>(i) * 1000);
    }
    double collectRate = static_cast<double>(total) / Seconds(started);
    if (ok != total || collector.Totals().badDatagrams != 0)
    {
        std::fprintf(stderr, "collect-bench: datagrams did not decode\n");
        return 1;
    }
    std::printf("one core, sFlow decoder alone: %.0f datagrams/s (%.0f samples/s)\n",
                decodeRate,
                decodeRate * samplesPerDatagram);
    std::printf("one core, whole collector:     %.0f datagrams/s (%.0f samples/s), %zu QPs\n",
                collectRate,
                collectRate * samplesPerDatagram,
                collector.Flows().Size());
    std::printf("ratio collector / decoder alone: %.2f\n", collectRate / decodeRate);

    // The flood: one sender as fast as it can, the receiver and the collector behind it.
    long residentBefore = ResidentKiB();
    fab::dpi::SflowCollector live;
    std::mutex mutex;
    fab::telemetry::UdpReceiverConfig config;
    config.listen = "127.0.0.1:0";
    config.queueCapacity = queue;
    fab::telemetry::UdpReceiver receiver(
        config,
        [&](const fab::telemetry::Datagram& datagram)
        {
            std::lock_guard<std::mutex> lock(mutex);
            live.Add(datagram.data, datagram.size, datagram.receiveTimeNs);
        });
    int sender = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(receiver.LocalPort());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    started = Clock::now();
    std::uint64_t sendFailures = 0;
    for (std::size_t i = 0; i < total; ++i)
    {
        const auto& datagram = pool.list[i % pool.list.size()];
        if (::sendto(sender,
                     datagram.data(),
                     datagram.size(),
                     0,
                     reinterpret_cast<const sockaddr*>(&to),
                     sizeof to)
            < 0)
        {
            sendFailures++;
        }
    }
    double sendSeconds = Seconds(started);
    receiver.Stop(fab::telemetry::StopMode::DeliverQueued);
    double seconds = Seconds(started);
    ::close(sender);
    auto stats = receiver.Stats();
    std::printf("flood: %zu datagrams sent in %.2f s (%.0f/s, %" PRIu64 " send failures)\n",
                total,
                sendSeconds,
                static_cast<double>(total) / sendSeconds,
                sendFailures);
    std::printf("flood: received %" PRIu64 ", decoded %" PRIu64 " (%.0f datagrams/s, %.0f "
                "samples/s), dropped: queue full %" PRIu64 ", kernel %" PRIu64 "%s\n",
                stats.datagramsReceived,
                live.Totals().datagrams,
                static_cast<double>(live.Totals().datagrams) / seconds,
                static_cast<double>(live.Totals().flowSamples + live.Totals().counterSamples)
                    / seconds,
                stats.droppedQueueFull,
                stats.kernelDrops,
                stats.kernelDropsKnown ? "" : " (not reported by this kernel)");
    std::printf("flood: max queue depth %zu of %zu; resident memory %+ld KiB\n",
                stats.maxQueueDepth,
                stats.queueCapacity,
                ResidentKiB() - residentBefore);
    std::uint64_t accounted = stats.datagramsReceived + stats.kernelDrops + sendFailures;
    std::printf("flood: accounted for %" PRIu64 " of %zu sent\n", accounted, total);
    return 0;
}
