#include "fabric/helper/simulation-metrics.h"

#include <algorithm>
#include <array>
#include <map>

namespace ns3::fabric
{

using fab::telemetry::MetricRegistry;

namespace
{

const std::vector<std::string> kPort = {"port", "link"};
const std::vector<std::string> kPortDirection = {"port", "link", "direction"};
const std::vector<std::string> kPortPriorityDirection = {"port", "link", "priority", "direction"};
const std::vector<std::string> kPortReason = {"port", "link", "reason"};

double
Seconds(std::int64_t ns)
{
    return static_cast<double>(ns) / 1e9;
}

} // namespace

SimulationMetrics::SimulationMetrics(MetricRegistry& registry,
                                     const std::string& scenario,
                                     const std::string& design)
: m_registry(registry)
, m_scenario(scenario)
, m_design(design)
, m_info(registry.AddGauge(
      "fabricscope_sim_info", "The scenario and design being simulated", {"scenario", "design"}))
, m_run(registry.AddGauge(
      "fabricscope_sim_run", "The run going on, from 1 (a sweep has several)", {"label"}))
, m_runs(registry.AddGauge("fabricscope_sim_runs", "Runs in the sweep (1 without a sweep)"))
, m_finished(registry.AddGauge("fabricscope_sim_finished", "1 once the run has ended"))
, m_simSeconds(
      registry.AddGauge("fabricscope_sim_time_seconds", "Simulated time the run has reached"))
, m_stopSeconds(registry.AddGauge("fabricscope_sim_stop_time_seconds",
                                  "Simulated time the run stops at (0: when the jobs are done)"))
, m_wallSeconds(
      registry.AddGauge("fabricscope_sim_wall_seconds", "Wall-clock time the run has taken"))
, m_events(registry.AddCounter("fabricscope_sim_events_total", "ns-3 events executed"))
, m_eventRate(registry.AddGauge("fabricscope_sim_events_per_second",
                                "Events per wall-clock second since the last update"))
, m_speedRatio(registry.AddGauge(
      "fabricscope_sim_speed_ratio",
      "Simulated seconds per wall-clock second since the last update (under 1: slower than real)"))
, m_progress(registry.AddGauge("fabricscope_sim_progress_ratio",
                               "Share of the run done, from iterations and the stop time"))
, m_iterations(registry.AddCounter("fabricscope_sim_iterations_completed_total",
                                   "Training iterations completed, every job together"))
, m_iterationsPlanned(registry.AddGauge("fabricscope_sim_iterations_planned",
                                        "Iterations the run will do (0: it stops on time)"))
, m_collectives(registry.AddCounter("fabricscope_sim_collectives_completed_total",
                                    "Collectives completed, every job together"))
, m_faultsInjected(registry.AddCounter("fabricscope_sim_faults_injected_total",
                                       "Faults that have struck so far"))
, m_faultsActive(registry.AddGauge("fabricscope_sim_faults_active", "Faults not restored yet"))
, m_faultPacketsLost(registry.AddCounter("fabricscope_sim_fault_packets_lost_total",
                                         "Traffic frames lost to faults"))
, m_ports(registry.AddGauge("fabricscope_sim_ports_active",
                            "Ports that have sent or received anything (those with port series)"))
, m_octets(registry.AddCounter("fabricscope_sim_port_octets_total",
                               "Bytes a port received (in) and sent (out)",
                               kPortDirection))
, m_packets(registry.AddCounter(
      "fabricscope_sim_port_packets_total", "Frames a port received and sent", kPortDirection))
, m_drops(registry.AddCounter(
      "fabricscope_sim_port_drops_total", "Frames a port dropped, by reason", kPortReason))
, m_pauseFrames(registry.AddCounter("fabricscope_sim_port_pfc_pause_frames_total",
                                    "PFC pause (XOFF) frames received (rx) and sent (tx)",
                                    kPortPriorityDirection))
, m_resumeFrames(registry.AddCounter("fabricscope_sim_port_pfc_resume_frames_total",
                                     "PFC resume (XON, zero quanta) frames received and sent",
                                     kPortPriorityDirection))
, m_pausedSeconds(registry.AddCounter(
      "fabricscope_sim_port_pfc_paused_seconds_total",
      "Simulated time the port's transmitter was held (rx) or it asked its peer to hold (tx)",
      kPortPriorityDirection))
, m_ecnMarked(registry.AddCounter(
      "fabricscope_sim_port_ecn_marked_packets_total", "Frames marked CE on this port", kPort))
, m_cnps(registry.AddCounter(
      "fabricscope_sim_port_cnps_sent_total", "Congestion notification packets sent", kPort))
, m_queueBytes(registry.AddGauge(
      "fabricscope_sim_port_queue_bytes", "Bytes waiting in the port's queues now", kPort))
, m_speed(registry.AddGauge(
      "fabricscope_sim_port_speed_bytes_per_second", "The port's line rate", kPort))
, m_byteRate(registry.AddGauge("fabricscope_sim_port_bytes_per_second",
                               "Rate in simulated time between the last two updates",
                               kPortDirection))
, m_utilisation(registry.AddGauge("fabricscope_sim_port_utilisation_ratio",
                                  "Sent rate over line rate, between the last two updates",
                                  kPort))
, m_classUtilisation(registry.AddGauge(
      "fabricscope_sim_link_utilisation_ratio",
      "Mean over a link class's ports of sent rate over line rate, between the last two updates",
      {"link"}))
, m_classByteRate(registry.AddGauge("fabricscope_sim_link_bytes_per_second",
                                    "What a link class's ports sent, between the last two updates",
                                    {"link"}))
{
}

void
SimulationMetrics::StartRun(const SimulationLiveView& view)
{
    m_runIndex = view.progress.run;
    m_runLabel = view.progress.label;
    m_lastSimNs = -1;
    m_lastEvents = view.progress.events;
    m_lastWallSeconds = 0;
    m_before.assign(view.fabric.Ports().size(), PortBefore{});
    for (auto family : {m_octets,
                        m_packets,
                        m_drops,
                        m_pauseFrames,
                        m_resumeFrames,
                        m_pausedSeconds,
                        m_ecnMarked,
                        m_cnps,
                        m_queueBytes,
                        m_speed,
                        m_byteRate,
                        m_utilisation,
                        m_eventRate,
                        m_speedRatio,
                        m_classUtilisation,
                        m_classByteRate})
    {
        m_registry.Clear(family);
    }
    m_registry.Clear(m_run);
    m_registry.Set(m_info, {m_scenario, m_design}, 1);
    m_registry.Set(m_run, {view.progress.label}, std::max<std::uint32_t>(1, view.progress.run));
    m_registry.Set(m_runs, std::max<std::uint32_t>(1, view.progress.runs));
    m_registry.Set(m_iterationsPlanned, view.progress.iterationsTotal);
    m_registry.Set(m_stopSeconds, Seconds(view.progress.stopTimeNs));
}

void
SimulationMetrics::Update(const SimulationLiveView& view)
{
    const SimulationProgress& p = view.progress;
    bool newRun = m_lastSimNs < 0 || p.run != m_runIndex || p.label != m_runLabel
                  || p.simNs < m_lastSimNs || m_before.size() != view.fabric.Ports().size();
    if (newRun)
    {
        StartRun(view);
    }
    double interval = m_lastSimNs < 0 ? 0 : Seconds(p.simNs - m_lastSimNs);
    UpdateRun(view, interval);
    UpdatePorts(view, interval);
    m_lastSimNs = p.simNs;
    m_lastEvents = p.events;
    m_lastWallSeconds = p.wallSeconds;
}

void
SimulationMetrics::UpdateRun(const SimulationLiveView& view, double intervalSeconds)
{
    const SimulationProgress& p = view.progress;
    m_registry.Set(m_finished, view.finished ? 1 : 0);
    m_registry.Set(m_simSeconds, Seconds(p.simNs));
    m_registry.Set(m_wallSeconds, p.wallSeconds);
    m_registry.Set(m_events, p.events);
    double wall = p.wallSeconds - m_lastWallSeconds;
    if (wall > 0 && m_lastSimNs >= 0)
    {
        m_registry.Set(m_eventRate, static_cast<double>(p.events - m_lastEvents) / wall);
        m_registry.Set(m_speedRatio, intervalSeconds / wall);
    }
    m_registry.Set(m_progress, view.finished ? 1.0 : std::clamp(p.fraction, 0.0, 1.0));
    m_registry.Set(m_iterations, view.runner.Iterations().size());
    m_registry.Set(m_collectives, view.runner.Collectives().size());
    std::uint64_t struck = 0;
    std::uint64_t active = 0;
    std::uint64_t lost = 0;
    for (const auto& record : view.faults.Records())
    {
        if (record.spec.atNs > p.simNs)
        {
            continue;
        }
        ++struck;
        // restoredNs is known from the start for a fault with a duration.
        active += record.restoredNs < 0 || record.restoredNs > p.simNs ? 1 : 0;
        lost += record.packetsLost;
    }
    m_registry.Set(m_faultsInjected, struck);
    m_registry.Set(m_faultsActive, active);
    m_registry.Set(m_faultPacketsLost, lost);
}

void
SimulationMetrics::UpdatePorts(const SimulationLiveView& view, double intervalSeconds)
{
    // Per link class, as the report's utilisation chart: the mean of every port's, idle or not.
    struct ClassSum
    {
        double bytesPerSecond{0};
        double utilisation{0};
        std::uint32_t ports{0};
    };

    std::map<std::string, ClassSum> classes;
    const auto& ports = view.fabric.Ports();
    std::uint64_t active = 0;
    for (std::size_t i = 0; i < ports.size(); ++i)
    {
        const PortRecord& record = ports[i];
        const PortCounters c = record.device->GetCountersNow();
        std::string link = LinkClass{record.tier, record.upward}.Name();
        double speed = static_cast<double>(record.device->GetDataRate().GetBitRate()) / 8;
        PortBefore& before = m_before[i];
        double out = intervalSeconds > 0
                         ? static_cast<double>(c.txBytes - before.txBytes) / intervalSeconds
                         : 0;
        double in = intervalSeconds > 0
                        ? static_cast<double>(c.rxBytes - before.rxBytes) / intervalSeconds
                        : 0;
        double utilisation = speed > 0 ? out / speed : 0;
        before.txBytes = c.txBytes;
        before.rxBytes = c.rxBytes;
        ClassSum& sum = classes[link];
        sum.bytesPerSecond += out;
        sum.utilisation += utilisation;
        sum.ports++;
        if (c.txPackets == 0 && c.rxPackets == 0)
        {
            continue; // series appear once a port has carried something
        }
        ++active;
        std::string name = record.device->GetPortName();
        m_registry.Set(m_octets, {name, link, "in"}, c.rxBytes);
        m_registry.Set(m_octets, {name, link, "out"}, c.txBytes);
        m_registry.Set(m_packets, {name, link, "in"}, c.rxPackets);
        m_registry.Set(m_packets, {name, link, "out"}, c.txPackets);
        for (std::size_t r = 0; r < c.drops.size(); ++r)
        {
            if (c.drops[r] > 0)
            {
                m_registry.Set(
                    m_drops, {name, link, DropReasonName(static_cast<DropReason>(r))}, c.drops[r]);
            }
        }
        // A priority's PFC series appear once it has any: most priorities never pause.
        for (std::uint8_t q = 0; q < 8; ++q)
        {
            std::string priority = std::to_string(q);
            if (c.pfcPauseRx[q] > 0)
            {
                m_registry.Set(m_pauseFrames, {name, link, priority, "rx"}, c.pfcPauseRx[q]);
            }
            if (c.pfcPauseTx[q] > 0)
            {
                m_registry.Set(m_pauseFrames, {name, link, priority, "tx"}, c.pfcPauseTx[q]);
            }
            if (c.pfcResumeRx[q] > 0)
            {
                m_registry.Set(m_resumeFrames, {name, link, priority, "rx"}, c.pfcResumeRx[q]);
            }
            if (c.pfcResumeTx[q] > 0)
            {
                m_registry.Set(m_resumeFrames, {name, link, priority, "tx"}, c.pfcResumeTx[q]);
            }
            if (c.pausedNs[q] > 0)
            {
                m_registry.Set(
                    m_pausedSeconds, {name, link, priority, "rx"}, Seconds(c.pausedNs[q]));
            }
            if (c.pauseRequestedNs[q] > 0)
            {
                m_registry.Set(
                    m_pausedSeconds, {name, link, priority, "tx"}, Seconds(c.pauseRequestedNs[q]));
            }
        }
        m_registry.Set(m_ecnMarked, {name, link}, c.ecnMarked);
        m_registry.Set(m_cnps, {name, link}, c.cnpTx);
        m_registry.Set(m_queueBytes, {name, link}, record.device->GetQueueBytes());
        m_registry.Set(m_speed, {name, link}, speed);
        if (intervalSeconds > 0)
        {
            m_registry.Set(m_byteRate, {name, link, "out"}, out);
            m_registry.Set(m_byteRate, {name, link, "in"}, in);
            m_registry.Set(m_utilisation, {name, link}, utilisation);
        }
    }
    m_registry.Set(m_ports, active);
    if (intervalSeconds <= 0)
    {
        return;
    }
    for (const auto& [link, sum] : classes)
    {
        m_registry.Set(m_classByteRate, {link}, sum.bytesPerSecond);
        m_registry.Set(m_classUtilisation, {link}, sum.utilisation / sum.ports);
    }
}

} // namespace ns3::fabric
