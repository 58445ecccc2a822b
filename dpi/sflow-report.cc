#include "dpi/sflow-report.h"

#include "telemetry/model/text-format.h"

#include <algorithm>

namespace fab::dpi
{

using telemetry::FormatDecimal;
using telemetry::GroupDigits;
using telemetry::Table;

namespace
{

/** Ports shown in the table, busiest first; the JSON has them all. */
constexpr std::size_t kPortRows = 50;

std::string
Share(double value)
{
    return FormatDecimal(value * 100, 2) + "%";
}

std::string
Count(double estimate)
{
    return GroupDigits(static_cast<std::uint64_t>(estimate));
}

telemetry::Section
AgentsSection(const SflowCollector& collector, nlohmann::json& data)
{
    Table table;
    table.caption = "Agents";
    table.columns
        = {"agent", "datagrams", "lost", "restarts", "flow samples", "counter samples", "uptime"};
    table.numeric = {false, true, true, true, true, true, true};
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& [key, agent] : collector.Agents())
    {
        table.rows.push_back({FormatAgent(key),
                              GroupDigits(agent.datagrams),
                              GroupDigits(agent.lostDatagrams),
                              GroupDigits(agent.restarts),
                              GroupDigits(agent.flowSamples),
                              GroupDigits(agent.counterSamples),
                              FormatDecimal(agent.uptimeMs / 1e3, 1) + " s"});
        agents.push_back({{"agent", FormatAgent(key)},
                          {"datagrams", agent.datagrams},
                          {"lost_datagrams", agent.lostDatagrams},
                          {"restarts", agent.restarts},
                          {"flow_samples", agent.flowSamples},
                          {"counter_samples", agent.counterSamples},
                          {"uptime_ms", agent.uptimeMs}});
    }
    data["agents"] = std::move(agents);
    return {"Agents", {table}};
}

telemetry::Section
PortsSection(const SflowCollector& collector, nlohmann::json& data)
{
    std::vector<std::pair<const SflowInterfaceKey*, const SflowInterfaceState*>> ports;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [key, port] : collector.Interfaces())
    {
        ports.emplace_back(&key, &port);
        nlohmann::json item = {{"agent", FormatAgent(key.agent)},
                               {"ifindex", key.ifIndex},
                               {"counter_samples", port.counterSamples}};
        if (port.latest.hasGeneric)
        {
            const auto& c = port.latest.generic;
            item["speed_bps"] = c.ifSpeed;
            item["in_octets"] = c.ifInOctets;
            item["out_octets"] = c.ifOutOctets;
            item["in_errors"] = c.ifInErrors;
            item["out_errors"] = c.ifOutErrors;
            item["in_discards"] = c.ifInDiscards;
            item["out_discards"] = c.ifOutDiscards;
        }
        if (port.hasRates)
        {
            item["in_bps"] = port.rates.inBitsPerSecond;
            item["out_bps"] = port.rates.outBitsPerSecond;
            item["rx_paused_share"] = port.rates.rxPausedShare;
        }
        if (port.latest.hasPfc)
        {
            nlohmann::json priorities = nlohmann::json::array();
            for (const auto& q : port.latest.pfc.priorities)
            {
                priorities.push_back({{"rx_pause_frames", q.rxPauseFrames},
                                      {"tx_pause_frames", q.txPauseFrames},
                                      {"rx_pause_us", q.rxPauseDurationUs},
                                      {"tx_pause_us", q.txPauseDurationUs}});
            }
            item["pfc"] = std::move(priorities);
            item["continuous_pause_ms"] = port.continuousPauseMs;
        }
        list.push_back(std::move(item));
    }
    data["interfaces"] = std::move(list);
    auto load = [](const SflowInterfaceState* port)
    {
        return port->rates.inBitsPerSecond + port->rates.outBitsPerSecond;
    };
    std::stable_sort(ports.begin(),
                     ports.end(),
                     [&](const auto& a, const auto& b) { return load(a.second) > load(b.second); });
    Table table;
    table.caption = "Ports, busiest first (rates between the agent's last two readings)";
    table.columns = {"port", "speed", "in", "out", "errors", "discards", "most paused priority"};
    table.numeric = {false, true, true, true, true, true, false};
    for (std::size_t i = 0; i < ports.size() && i < kPortRows; ++i)
    {
        const auto& [key, port] = ports[i];
        const auto& c = port->latest.generic;
        std::string paused = "-";
        if (port->hasRates && port->latest.hasPfc)
        {
            const auto& share = port->rates.rxPausedShare;
            auto most = std::max_element(share.begin(), share.end()) - share.begin();
            paused = "priority " + std::to_string(most) + ": " + Share(share[most]);
        }
        table.rows.push_back(
            {FormatAgent(key->agent) + " #" + std::to_string(key->ifIndex),
             telemetry::FormatRate(c.ifSpeed),
             telemetry::FormatRate(static_cast<std::uint64_t>(port->rates.inBitsPerSecond)),
             telemetry::FormatRate(static_cast<std::uint64_t>(port->rates.outBitsPerSecond)),
             GroupDigits(std::uint64_t{c.ifInErrors} + c.ifOutErrors),
             GroupDigits(std::uint64_t{c.ifInDiscards} + c.ifOutDiscards),
             paused});
    }
    return {"Ports", {table}};
}

nlohmann::json
ClassJson(const SflowClassCounts& counts)
{
    double marked = counts.ecnCe + counts.ecnCapable;
    return {{"samples", counts.samples},
            {"packets", counts.packets},
            {"bytes", counts.bytes},
            {"requests", counts.requests},
            {"ecn_ce", counts.ecnCe},
            {"ecn_ce_ratio", marked > 0 ? counts.ecnCe / marked : 0.0},
            {"cnps", counts.cnps},
            {"naks", counts.naks},
            {"retransmitted", counts.retransmitted},
            {"retransmission_ratio",
             counts.requests > 0 ? counts.retransmitted / counts.requests : 0.0}};
}

telemetry::Section
ClassesSection(const SflowCollector& collector, nlohmann::json& data)
{
    auto window = collector.Window();
    double seconds = static_cast<double>(collector.Options().windowNs) / 1e9;
    Table table;
    table.caption = "RDMA traffic classes over the last " + FormatDecimal(seconds, 0)
                    + " s (estimates: samples × sampling rate)";
    table.columns = {"class", "samples", "packets", "bytes", "ECN-CE", "CNP/s", "retransmitted"};
    table.numeric = {false, true, true, true, true, true, true};
    nlohmann::json classes = nlohmann::json::object();
    for (const auto& [key, counts] : collector.Classes())
    {
        auto in = window.find(key);
        SflowClassCounts recent = in != window.end() ? in->second : SflowClassCounts{};
        double marked = recent.ecnCe + recent.ecnCapable;
        table.rows.push_back(
            {FormatTrafficClass(key),
             GroupDigits(recent.samples),
             Count(recent.packets),
             telemetry::FormatBytes(recent.bytes),
             marked > 0 ? Share(recent.ecnCe / marked) : "-",
             Count(recent.cnps / seconds),
             recent.requests > 0 ? Share(recent.retransmitted / recent.requests) : "-"});
        classes[FormatTrafficClass(key)]
            = {{"total", ClassJson(counts)}, {"window", ClassJson(recent)}};
    }
    data["classes"] = std::move(classes);
    data["window_ns"] = collector.Options().windowNs;
    return {"RDMA traffic", {table}};
}

} // namespace

telemetry::Report
CollectReport(const SflowCollector& collector, const LiveRules& rules)
{
    telemetry::Report report;
    report.title = "fabricscope collect";
    const auto& totals = collector.Totals();
    report.subtitle = GroupDigits(totals.datagrams) + " sFlow datagrams from "
                      + GroupDigits(collector.Agents().size()) + " agents";
    report.keyFigures = {
        {"Datagrams", GroupDigits(totals.datagrams), GroupDigits(totals.badDatagrams) + " bad"},
        {"Agents", GroupDigits(collector.Agents().size()), ""},
        {"Ports", GroupDigits(collector.Interfaces().size()), "with counter samples"},
        {"Flow samples",
         GroupDigits(totals.flowSamples),
         "≈ " + Count(totals.estimatedPackets) + " packets"},
        {"RDMA queue pairs", GroupDigits(collector.Flows().Size()), "seen in samples"},
        {"Findings", GroupDigits(rules.Active().size()), "holding now"},
    };
    nlohmann::json& data = report.data;
    nlohmann::json anomalies = nlohmann::json::object();
    for (std::size_t a = 1; a < kSflowAnomalyCount; ++a)
    {
        auto anomaly = static_cast<SflowAnomaly>(a);
        if (collector.SflowAnomalies().Get(anomaly) > 0)
        {
            anomalies[std::string(SflowAnomalyName(anomaly))]
                = collector.SflowAnomalies().Get(anomaly);
        }
    }
    data["sflow"] = {{"datagrams", totals.datagrams},
                     {"bytes", totals.bytes},
                     {"bad_datagrams", totals.badDatagrams},
                     {"flow_samples", totals.flowSamples},
                     {"counter_samples", totals.counterSamples},
                     {"headers", totals.headers},
                     {"headers_malformed", totals.headersMalformed},
                     {"headers_not_ethernet", totals.headersNotEthernet},
                     {"rdma", totals.roce},
                     {"cnp", totals.cnp},
                     {"pause", totals.pfc},
                     {"other", totals.other},
                     {"estimated_packets", totals.estimatedPackets},
                     {"estimated_bytes", totals.estimatedBytes},
                     {"anomalies", std::move(anomalies)},
                     {"untracked",
                      {{"flows", totals.flowTableFull},
                       {"agents", totals.agentsUntracked},
                       {"interfaces", totals.interfacesUntracked}}}};
    data["rdma_flows"] = collector.Flows().Size();
    report.sections.push_back(AgentsSection(collector, data));
    report.sections.push_back(PortsSection(collector, data));
    report.sections.push_back(ClassesSection(collector, data));
    report.findings = rules.Active();
    return report;
}

} // namespace fab::dpi
