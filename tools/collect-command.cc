#include "tools/collect-command.h"

#include "dpi/capture-rules.h"
#include "dpi/live-rules.h"
#include "dpi/sflow-collector.h"
#include "dpi/sflow-metrics.h"
#include "dpi/sflow-report.h"
#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/prometheus-text.h"
#include "telemetry/model/text-format.h"
#include "telemetry/net/metrics-server.h"
#include "telemetry/net/udp-receiver.h"
#include "tools/inventory-check.h"
#include "tools/output.h"
#include "topologies/model/reference-designs.h"
#include "topologies/model/units.h"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>

namespace fab::tools
{
namespace
{

using telemetry::InputError;

std::int64_t
WallNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/** The receiver's and the endpoint's own health, next to what they carry. */
class HealthMetrics
{
public:
    explicit HealthMetrics(telemetry::MetricRegistry& registry)
    : m_registry(registry)
    , m_received(registry.AddCounter("fabricscope_collector_datagrams_received_total",
                                     "UDP datagrams read from the socket"))
    , m_dropped(registry.AddCounter("fabricscope_collector_datagrams_dropped_total",
                                    "Datagrams not decoded, by reason",
                                    {"reason"}))
    , m_queueDepth(registry.AddGauge("fabricscope_collector_queue_depth",
                                     "Datagrams waiting for the decoder now"))
    , m_maxQueueDepth(registry.AddGauge("fabricscope_collector_queue_depth_max",
                                        "Deepest the decoder's queue has been"))
    , m_queueCapacity(
          registry.AddGauge("fabricscope_collector_queue_capacity", "Datagrams the queue holds"))
    , m_decodeSeconds(registry.AddCounter("fabricscope_collector_decode_seconds_total",
                                          "Time spent decoding datagrams"))
    , m_scrapes(
          registry.AddCounter("fabricscope_collector_scrapes_total", "Metrics responses served"))
    , m_timeouts(registry.AddCounter("fabricscope_collector_http_timeouts_total",
                                     "HTTP clients dropped for being too slow",
                                     {"phase"}))
    , m_connections(
          registry.AddGauge("fabricscope_collector_http_connections", "HTTP connections open now"))
    , m_evicted(registry.AddCounter("fabricscope_collector_http_connections_evicted_total",
                                    "Idle HTTP connections closed to make room for a new one, by "
                                    "the limit met (per peer or in total)",
                                    {"limit"}))
    , m_refused(registry.AddCounter("fabricscope_collector_http_connections_refused_total",
                                    "HTTP connections refused because every connection under "
                                    "the limit met was busy answering",
                                    {"limit"}))
    {
    }

    void Update(const telemetry::UdpReceiverStats& udp, const telemetry::MetricsServerStats& http)
    {
        m_registry.Set(m_received, udp.datagramsReceived);
        m_registry.Set(m_dropped, {"queue_full"}, udp.droppedQueueFull);
        m_registry.Set(m_dropped, {"too_large"}, udp.droppedTruncated);
        m_registry.Set(m_dropped, {"kernel"}, udp.kernelDrops);
        m_registry.Set(m_queueDepth, static_cast<std::uint64_t>(udp.queueDepth));
        m_registry.Set(m_maxQueueDepth, static_cast<std::uint64_t>(udp.maxQueueDepth));
        m_registry.Set(m_queueCapacity, static_cast<std::uint64_t>(udp.queueCapacity));
        m_registry.Set(m_decodeSeconds, static_cast<double>(udp.callbackTimeNs) / 1e9);
        m_registry.Set(m_scrapes, http.metricsResponses);
        m_registry.Set(m_timeouts, {"read"}, http.readTimeouts);
        m_registry.Set(m_timeouts, {"write"}, http.writeTimeouts);
        m_registry.Set(m_connections, http.activeConnections);
        m_registry.Set(m_evicted, {"peer"}, http.evictedAtPeerLimit);
        m_registry.Set(m_evicted, {"total"}, http.evictedAtTotalLimit);
        m_registry.Set(m_refused, {"peer"}, http.rejectedAtPeerLimit);
        m_registry.Set(m_refused, {"total"}, http.rejectedAtTotalLimit);
    }

private:
    telemetry::MetricRegistry& m_registry;
    telemetry::MetricFamilyId m_received;
    telemetry::MetricFamilyId m_dropped;
    telemetry::MetricFamilyId m_queueDepth;
    telemetry::MetricFamilyId m_maxQueueDepth;
    telemetry::MetricFamilyId m_queueCapacity;
    telemetry::MetricFamilyId m_decodeSeconds;
    telemetry::MetricFamilyId m_scrapes;
    telemetry::MetricFamilyId m_timeouts;
    telemetry::MetricFamilyId m_connections;
    telemetry::MetricFamilyId m_evicted;
    telemetry::MetricFamilyId m_refused;
};

/** Ports whose speed is none of the design's link speeds (NICs and switch ports). */
std::vector<telemetry::Finding>
CheckPortSpeeds(const dpi::SflowCollector& collector,
                const std::set<std::uint64_t>& speeds,
                const telemetry::RuleConfig& rules)
{
    std::vector<telemetry::Finding> out;
    if (speeds.empty() || !rules.Enabled("inventory.speed"))
    {
        return out;
    }
    std::string expected;
    for (auto speed : speeds)
    {
        expected += (expected.empty() ? "" : ", ") + telemetry::FormatRate(speed);
    }
    for (const auto& [key, port] : collector.Interfaces())
    {
        std::uint64_t speed = port.latest.hasGeneric ? port.latest.generic.ifSpeed : 0;
        if (speed != 0 && speeds.count(speed) == 0)
        {
            out.push_back(rules.MakeFinding("inventory.speed",
                                            dpi::FormatAgent(key.agent) + " ifIndex "
                                                + std::to_string(key.ifIndex),
                                            "runs at " + telemetry::FormatRate(speed)
                                                + "; the design's links run at " + expected));
        }
    }
    return out;
}

sigset_t
StopSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    return signals;
}

void
WriteCollectReport(const telemetry::Report& report,
                   const std::filesystem::path& folder,
                   telemetry::ReportFormat format)
{
    const char* extension = format == telemetry::ReportFormat::Json       ? ".json"
                            : format == telemetry::ReportFormat::Markdown ? ".md"
                                                                          : ".html";
    // Written beside, then renamed: a reader never sees half a report.
    std::filesystem::path path = folder / (std::string("fabricscope-collect") + extension);
    OutputChoice choice{format, (folder / ".fabricscope-collect.partial").string()};
    WriteReport(report, choice);
    std::filesystem::rename(*choice.path, path);
}

} // namespace

void
AddCollectOptions(CLI::App& command, CollectOptions& options)
{
    command.add_option(
        "--sflow", options.sflow, "address to receive sFlow on (default 127.0.0.1:6343)");
    command.add_option("--prometheus",
                       options.prometheus,
                       "address to serve /metrics on (default 127.0.0.1:9464)");
    command.add_option("--design", options.design, "design file or builtin:NAME: port speeds");
    command.add_option(
        "--rules", options.rules, "rules file overriding thresholds, severities or enabling rules");
    command.add_option("--window", options.window, "rules look this far back (default 10s)");
    command.add_option("--report-every",
                       options.reportEvery,
                       "write the report this often (e.g. 60s), and when stopping");
    command.add_option("-o,--output", options.output, "folder for the reports (default: .)");
    command.add_option("--format", options.format, "report format: html (default), json or md");
    command.add_option("--duration", options.duration, "stop by itself after this long");
    command.add_option("--queue", options.queue, "datagrams that may wait for the decoder (4096)");
}

int
RunCollect(const CollectOptions& options)
{
    try
    {
        dpi::SflowCollectorOptions collectorOptions;
        collectorOptions.windowNs = ParseDurationOption("--window", options.window);
        collectorOptions.stepNs = std::min<std::int64_t>(1'000'000'000, collectorOptions.windowNs);
        std::optional<std::int64_t> reportEveryNs;
        if (options.reportEvery)
        {
            reportEveryNs = ParseDurationOption("--report-every", *options.reportEvery);
        }
        std::optional<std::int64_t> durationNs;
        if (options.duration)
        {
            durationNs = ParseDurationOption("--duration", *options.duration);
        }
        telemetry::ReportFormat format = telemetry::ReportFormat::Html;
        if (options.format && !telemetry::ParseReportFormat(*options.format, format))
        {
            throw InputError("--format",
                             "expected html, json or md, found \"" + *options.format + "\"");
        }
        std::filesystem::path folder = options.output.value_or(".");
        PrepareOutputFolder("-o", folder.string());
        if (options.queue == 0)
        {
            throw InputError("--queue", "expected at least 1 datagram");
        }

        auto rules = dpi::DefaultCaptureRules();
        RegisterInventoryRules(rules);
        if (options.rules)
        {
            rules.ApplyOverridesFile(*options.rules);
        }
        std::set<std::uint64_t> designSpeeds;
        if (options.design)
        {
            auto design = topo::LoadDesign(*options.design);
            designSpeeds.insert(design.servers.nicSpeedBps);
            for (const auto& [name, model] : design.switchModels)
            {
                designSpeeds.insert(model.LinkSpeedBps());
            }
        }

        dpi::SflowCollector collector(collectorOptions);
        dpi::LiveRules live(rules);
        telemetry::MetricRegistry registry;
        dpi::SflowMetrics metrics(registry);
        HealthMetrics health(registry);
        telemetry::MetricsSnapshot snapshot;
        std::mutex mutex; // the collector, between the decoding thread and the ticks

        // Signals wait for this thread alone: the receiver's and server's threads inherit the
        // mask.
        sigset_t signals = StopSignals();
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        telemetry::UdpReceiverConfig udpConfig;
        udpConfig.listen = options.sflow;
        udpConfig.queueCapacity = options.queue;
        telemetry::UdpReceiver receiver(
            udpConfig,
            [&](const telemetry::Datagram& datagram)
            {
                std::lock_guard<std::mutex> lock(mutex);
                collector.Add(datagram.data, datagram.size, datagram.receiveTimeNs);
            });
        telemetry::MetricsServerConfig httpConfig;
        httpConfig.listen = options.prometheus;
        telemetry::MetricsServer server(httpConfig, [&] { return snapshot.Current(); });
        spdlog::info("collecting sflow={} prometheus=http://{}/metrics window={}",
                     receiver.LocalAddress().ToString(),
                     server.LocalAddress().ToString(),
                     options.window);

        auto tick = [&]
        {
            telemetry::Report report;
            {
                std::lock_guard<std::mutex> lock(mutex);
                collector.Advance(WallNs());
                for (const auto& change :
                     live.Evaluate(collector, CheckPortSpeeds(collector, designSpeeds, rules)))
                {
                    if (change.raised)
                    {
                        spdlog::warn("raised rule={} severity={} subject=\"{}\" {}",
                                     change.finding.rule,
                                     telemetry::SeverityName(change.finding.severity),
                                     change.finding.subject,
                                     change.finding.message);
                    }
                    else
                    {
                        spdlog::info("cleared rule={} subject=\"{}\"",
                                     change.finding.rule,
                                     change.finding.subject);
                    }
                }
                metrics.Update(collector, live);
                report = dpi::CollectReport(collector, live);
            }
            health.Update(receiver.Stats(), server.Stats());
            snapshot.Publish(registry.Render());
            return report;
        };

        auto started = std::chrono::steady_clock::now();
        auto lastReport = started;
        tick();
        timespec wait{0, 0};
        for (;;)
        {
            std::int64_t stepNs = collectorOptions.stepNs;
            wait.tv_sec = static_cast<time_t>(stepNs / 1'000'000'000);
            wait.tv_nsec = static_cast<long>(stepNs % 1'000'000'000);
            int signal = sigtimedwait(&signals, nullptr, &wait);
            if (signal == SIGINT || signal == SIGTERM)
            {
                spdlog::info("stopping on {}", signal == SIGINT ? "SIGINT" : "SIGTERM");
                break;
            }
            auto now = std::chrono::steady_clock::now();
            auto report = tick();
            if (reportEveryNs && now - lastReport >= std::chrono::nanoseconds(*reportEveryNs))
            {
                WriteCollectReport(report, folder, format);
                lastReport = now;
            }
            if (durationNs && now - started >= std::chrono::nanoseconds(*durationNs))
            {
                break;
            }
        }
        receiver.Stop(telemetry::StopMode::DeliverQueued);
        auto report = tick();
        server.Stop();
        WriteCollectReport(report, folder, format);
        auto udp = receiver.Stats();
        const auto& totals = collector.Totals();
        spdlog::info("collected datagrams={} bad={} flow_samples={} counter_samples={} "
                     "dropped_queue_full={} kernel_drops={} findings={}",
                     udp.datagramsReceived,
                     totals.badDatagrams,
                     totals.flowSamples,
                     totals.counterSamples,
                     udp.droppedQueueFull,
                     udp.kernelDrops,
                     live.Active().size());
        std::cout << std::filesystem::absolute(folder).string() << "\n";
        return kExitOk;
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
    catch (const std::system_error& error)
    {
        spdlog::error("collect: {}", error.what());
        return kExitBadInput;
    }
    catch (const std::invalid_argument& error)
    {
        spdlog::error("collect: {}", error.what());
        return kExitBadInput;
    }
}

} // namespace fab::tools
