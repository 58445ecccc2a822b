#include "dpi/sflow-metrics.h"

namespace fab::dpi
{

using telemetry::MetricRegistry;

namespace
{

const std::vector<std::string> kPort = {"agent", "ifindex"};
const std::vector<std::string> kPortDirection = {"agent", "ifindex", "direction"};
const std::vector<std::string> kPortPriority = {"agent", "ifindex", "priority", "direction"};

std::vector<std::string>
Labels(const SflowInterfaceKey& key)
{
    return {FormatAgent(key.agent), std::to_string(key.ifIndex)};
}

std::vector<std::string>
Labels(const SflowInterfaceKey& key, const char* extra)
{
    return {FormatAgent(key.agent), std::to_string(key.ifIndex), extra};
}

} // namespace

SflowMetrics::SflowMetrics(MetricRegistry& registry)
: m_registry(registry)
, m_datagrams(registry.AddCounter("fabricscope_sflow_datagrams_total",
                                  "sFlow datagrams decoded (or tried)"))
, m_datagramBytes(registry.AddCounter("fabricscope_sflow_datagram_bytes_total",
                                      "Bytes of the sFlow datagrams decoded"))
, m_decodeErrors(registry.AddCounter("fabricscope_sflow_decode_errors_total",
                                     "sFlow anomalies by reason (fatal ones end a datagram)",
                                     {"reason"}))
, m_samples(
      registry.AddCounter("fabricscope_sflow_samples_total", "Samples decoded, by kind", {"kind"}))
, m_headers(registry.AddCounter("fabricscope_sflow_sampled_headers_total",
                                "Sampled packet headers, by what they were",
                                {"kind"}))
, m_untracked(registry.AddCounter("fabricscope_sflow_untracked_total",
                                  "Samples or datagrams not kept because a table was full",
                                  {"table"}))
, m_agentDatagrams(registry.AddCounter(
      "fabricscope_sflow_agent_datagrams_total", "Datagrams received per agent", {"agent"}))
, m_agentLost(registry.AddCounter("fabricscope_sflow_agent_lost_datagrams_total",
                                  "Datagrams missing from an agent's sequence numbers",
                                  {"agent"}))
, m_agentRestarts(registry.AddCounter("fabricscope_sflow_agent_restarts_total",
                                      "Times an agent's sequence or uptime started again",
                                      {"agent"}))
, m_agentUptime(registry.AddGauge(
      "fabricscope_sflow_agent_uptime_seconds", "An agent's uptime as it reports it", {"agent"}))
, m_octets(registry.AddCounter("fabricscope_interface_octets_total",
                               "Interface octets as the agent counts them (ifIn/OutOctets)",
                               kPortDirection))
, m_packets(registry.AddCounter("fabricscope_interface_packets_total",
                                "Interface packets, unicast, multicast and broadcast",
                                kPortDirection))
, m_errors(registry.AddCounter(
      "fabricscope_interface_errors_total", "Interface errors (ifIn/OutErrors)", kPortDirection))
, m_discards(registry.AddCounter("fabricscope_interface_discards_total",
                                 "Interface discards (ifIn/OutDiscards)",
                                 kPortDirection))
, m_byteRate(registry.AddGauge("fabricscope_interface_bytes_per_second",
                               "Rate between the agent's last two counter readings",
                               kPortDirection))
, m_packetRate(registry.AddGauge("fabricscope_interface_packets_per_second",
                                 "Rate between the agent's last two counter readings",
                                 kPortDirection))
, m_speed(registry.AddGauge(
      "fabricscope_interface_speed_bytes_per_second", "Interface speed (ifSpeed ÷ 8)", kPort))
, m_pauseFrames(registry.AddCounter("fabricscope_interface_pfc_pause_frames_total",
                                    "PFC frames per priority, received (rx) and sent (tx)",
                                    kPortPriority))
, m_pausedSeconds(registry.AddCounter("fabricscope_interface_pfc_paused_seconds_total",
                                      "Time a priority was held (rx) or asked to hold (tx)",
                                      kPortPriority))
, m_pausedRatio(registry.AddGauge("fabricscope_interface_pfc_rx_paused_ratio",
                                  "Share of the last counter interval a priority was paused",
                                  {"agent", "ifindex", "priority"}))
, m_continuousPause(registry.AddGauge("fabricscope_interface_pfc_continuous_pause_seconds",
                                      "How long a priority has been paused without a break",
                                      {"agent", "ifindex", "priority"}))
, m_rdmaPackets(registry.AddCounter("fabricscope_rdma_packets_estimated_total",
                                    "RDMA packets: samples scaled by their sampling rate",
                                    {"class"}))
, m_rdmaBytes(registry.AddCounter("fabricscope_rdma_bytes_estimated_total",
                                  "RDMA frame bytes: samples scaled by their sampling rate",
                                  {"class"}))
, m_ceRatio(registry.AddGauge("fabricscope_rdma_ecn_ce_ratio",
                              "CE-marked over ECN-capable packets, over the window",
                              {"class"}))
, m_cnpRate(registry.AddGauge(
      "fabricscope_rdma_cnps_per_second", "Estimated CNPs per second, over the window", {"class"}))
, m_retransmissionRatio(registry.AddGauge(
      "fabricscope_rdma_retransmission_ratio",
      "Sampled requests behind a PSN already sampled, over sampled requests, over the window",
      {"class"}))
, m_flows(registry.AddGauge("fabricscope_rdma_flows", "Queue pairs seen in the samples"))
, m_findingActive(registry.AddGauge("fabricscope_finding_active",
                                    "1 for every rule finding that holds now",
                                    {"rule", "severity", "subject"}))
, m_findingsRaised(
      registry.AddCounter("fabricscope_findings_raised_total", "Findings raised since the start"))
{
}

void
SflowMetrics::Update(const SflowCollector& collector, const LiveRules& rules)
{
    const auto& totals = collector.Totals();
    m_registry.Set(m_datagrams, totals.datagrams);
    m_registry.Set(m_datagramBytes, totals.bytes);
    for (std::size_t a = 1; a < kSflowAnomalyCount; ++a)
    {
        auto anomaly = static_cast<SflowAnomaly>(a);
        m_registry.Set(m_decodeErrors,
                       {std::string(SflowAnomalyName(anomaly))},
                       collector.SflowAnomalies().Get(anomaly));
    }
    m_registry.Set(m_samples, {"flow"}, totals.flowSamples);
    m_registry.Set(m_samples, {"counter"}, totals.counterSamples);
    m_registry.Set(m_headers, {"rdma"}, totals.roce);
    m_registry.Set(m_headers, {"cnp"}, totals.cnp);
    m_registry.Set(m_headers, {"pause"}, totals.pfc);
    m_registry.Set(m_headers, {"other"}, totals.other);
    m_registry.Set(m_headers, {"malformed"}, totals.headersMalformed);
    m_registry.Set(m_headers, {"not_ethernet"}, totals.headersNotEthernet);
    m_registry.Set(m_untracked, {"flows"}, totals.flowTableFull);
    m_registry.Set(m_untracked, {"agents"}, totals.agentsUntracked);
    m_registry.Set(m_untracked, {"interfaces"}, totals.interfacesUntracked);
    for (const auto& [key, agent] : collector.Agents())
    {
        std::vector<std::string> labels = {FormatAgent(key)};
        m_registry.Set(m_agentDatagrams, labels, agent.datagrams);
        m_registry.Set(m_agentLost, labels, agent.lostDatagrams);
        m_registry.Set(m_agentRestarts, labels, agent.restarts);
        m_registry.Set(m_agentUptime, labels, agent.uptimeMs / 1e3);
    }
    UpdateInterfaces(collector);
    UpdateClasses(collector);
    m_registry.Set(m_flows, static_cast<std::uint64_t>(collector.Flows().Size()));
    m_registry.Clear(m_findingActive);
    for (const auto& finding : rules.Active())
    {
        m_registry.Set(m_findingActive,
                       {finding.rule, telemetry::SeverityName(finding.severity), finding.subject},
                       1);
    }
    m_registry.Set(m_findingsRaised, rules.RaisedTotal());
}

void
SflowMetrics::UpdateInterfaces(const SflowCollector& collector)
{
    for (const auto& [key, port] : collector.Interfaces())
    {
        const SflowCounterReading& reading = port.latest;
        if (reading.hasGeneric)
        {
            const auto& c = reading.generic;
            m_registry.Set(m_octets, Labels(key, "in"), c.ifInOctets);
            m_registry.Set(m_octets, Labels(key, "out"), c.ifOutOctets);
            m_registry.Set(m_packets,
                           Labels(key, "in"),
                           std::uint64_t{c.ifInUcastPkts} + c.ifInMulticastPkts
                               + c.ifInBroadcastPkts);
            m_registry.Set(m_packets,
                           Labels(key, "out"),
                           std::uint64_t{c.ifOutUcastPkts} + c.ifOutMulticastPkts
                               + c.ifOutBroadcastPkts);
            m_registry.Set(m_errors, Labels(key, "in"), c.ifInErrors);
            m_registry.Set(m_errors, Labels(key, "out"), c.ifOutErrors);
            m_registry.Set(m_discards, Labels(key, "in"), c.ifInDiscards);
            m_registry.Set(m_discards, Labels(key, "out"), c.ifOutDiscards);
            m_registry.Set(m_speed, Labels(key), static_cast<double>(c.ifSpeed) / 8);
        }
        if (port.hasRates)
        {
            m_registry.Set(m_byteRate, Labels(key, "in"), port.rates.inBitsPerSecond / 8);
            m_registry.Set(m_byteRate, Labels(key, "out"), port.rates.outBitsPerSecond / 8);
            m_registry.Set(m_packetRate, Labels(key, "in"), port.rates.inPacketsPerSecond);
            m_registry.Set(m_packetRate, Labels(key, "out"), port.rates.outPacketsPerSecond);
        }
        if (!reading.hasPfc)
        {
            continue;
        }
        for (std::size_t p = 0; p < kSflowPfcPriorities; ++p)
        {
            const auto& q = reading.pfc.priorities[p];
            std::string agent = FormatAgent(key.agent);
            std::string index = std::to_string(key.ifIndex);
            std::string priority = std::to_string(p);
            m_registry.Set(m_pauseFrames, {agent, index, priority, "rx"}, q.rxPauseFrames);
            m_registry.Set(m_pauseFrames, {agent, index, priority, "tx"}, q.txPauseFrames);
            m_registry.Set(
                m_pausedSeconds, {agent, index, priority, "rx"}, q.rxPauseDurationUs / 1e6);
            m_registry.Set(
                m_pausedSeconds, {agent, index, priority, "tx"}, q.txPauseDurationUs / 1e6);
            if (port.hasRates)
            {
                m_registry.Set(
                    m_pausedRatio, {agent, index, priority}, port.rates.rxPausedShare[p]);
                m_registry.Set(m_continuousPause,
                               {agent, index, priority},
                               static_cast<double>(port.continuousPauseMs[p]) / 1e3);
            }
        }
    }
}

void
SflowMetrics::UpdateClasses(const SflowCollector& collector)
{
    for (const auto& [key, counts] : collector.Classes())
    {
        std::vector<std::string> labels = {FormatTrafficClass(key)};
        m_registry.Set(m_rdmaPackets, labels, counts.packets);
        m_registry.Set(m_rdmaBytes, labels, counts.bytes);
    }
    // Window gauges: a class quiet for a whole window has nothing to say, and is dropped.
    m_registry.Clear(m_ceRatio);
    m_registry.Clear(m_cnpRate);
    m_registry.Clear(m_retransmissionRatio);
    double windowSeconds = static_cast<double>(collector.Options().windowNs) / 1e9;
    for (const auto& [key, counts] : collector.Window())
    {
        std::vector<std::string> labels = {FormatTrafficClass(key)};
        double marked = counts.ecnCe + counts.ecnCapable;
        m_registry.Set(m_ceRatio, labels, marked > 0 ? counts.ecnCe / marked : 0.0);
        m_registry.Set(m_cnpRate, labels, counts.cnps / windowSeconds);
        m_registry.Set(m_retransmissionRatio,
                       labels,
                       counts.requests > 0 ? counts.retransmitted / counts.requests : 0.0);
    }
}

} // namespace fab::dpi
