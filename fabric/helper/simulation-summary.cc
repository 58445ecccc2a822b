// summary.json and the Perfetto trace of a simulation.
#include "fabric/helper/simulation.h"
#include "telemetry/model/trace-event-log.h"

#include <ns3/ipv4-address.h>
#include <numeric>
#include <sstream>

namespace ns3::fabric
{
namespace
{

std::uint64_t
SumPauses(const PortCounters& c)
{
    return std::accumulate(c.pfcPauseTx.begin(), c.pfcPauseTx.end(), std::uint64_t{0});
}

nlohmann::json
CountersJson(const PortCounters& c)
{
    return {{"tx_packets", c.txPackets},
            {"rx_packets", c.rxPackets},
            {"tx_bytes", c.txBytes},
            {"rx_bytes", c.rxBytes},
            {"drops", c.TotalDrops()},
            {"pfc_pause_tx", SumPauses(c)},
            {"ecn_marked", c.ecnMarked},
            {"cnp_tx", c.cnpTx}};
}

std::string
AddressText(std::uint32_t ipv4)
{
    std::ostringstream text;
    Ipv4Address(ipv4).Print(text);
    return text.str();
}

const fab::traffic::TaskGroup&
GroupOf(const SimulationResult& result, std::uint32_t job, std::uint32_t group)
{
    return result.jobs.at(job).groups.at(group);
}

} // namespace

nlohmann::json
SummaryJson(const SimulationResult& result)
{
    nlohmann::json summary;
    summary["schema"] = 1;
    summary["scenario"] = result.scenarioName;
    summary["design"] = {{"name", result.designName}, {"source", result.designSource}};
    summary["seed"] = result.seed;
    summary["completed"] = result.completed;

    nlohmann::json collectives = nlohmann::json::array();
    for (const auto& c : result.collectives)
    {
        const auto& group = GroupOf(result, c.job, c.group);
        collectives.push_back(
            {{"job", result.jobs[c.job].name},
             {"iteration", c.iteration},
             {"name", group.name},
             {"op", fab::traffic::CollectiveOpName(group.op)},
             {"algorithm", group.algorithm},
             {"ranks", group.ranks.size()},
             {"bytes", group.bytes},
             {"start_ns", c.startNs},
             {"end_ns", c.endNs},
             {"algbw_gbps", c.algbwGbps},
             {"busbw_gbps", c.busbwGbps},
             {"bound_gbps", c.boundGbps > 0 ? nlohmann::json(c.boundGbps) : nlohmann::json()}});
    }
    summary["collectives"] = std::move(collectives);

    nlohmann::json iterations = nlohmann::json::array();
    for (const auto& i : result.iterations)
    {
        iterations.push_back({{"job", result.jobs[i.job].name},
                              {"index", i.index},
                              {"start_ns", i.startNs},
                              {"end_ns", i.endNs}});
    }
    summary["iterations"] = std::move(iterations);

    nlohmann::json jobs = nlohmann::json::array();
    for (std::uint32_t j = 0; j < result.jobs.size(); ++j)
    {
        std::int64_t total = 0;
        std::uint32_t count = 0;
        for (const auto& i : result.iterations)
        {
            if (i.job == j)
            {
                total += i.endNs - i.startNs;
                ++count;
            }
        }
        jobs.push_back({{"name", result.jobs[j].name},
                        {"kind", result.jobs[j].kind},
                        {"gpus", result.jobs[j].gpus},
                        {"tasks_per_iteration", result.jobs[j].tasks},
                        {"iterations", count},
                        {"mean_iteration_ns", count == 0 ? 0 : total / count}});
    }
    summary["jobs"] = std::move(jobs);

    // The flow engine has bytes, not packets: what only packets have is null, not zero.
    bool flow = result.engine == "flow";
    auto withoutPackets = [flow](nlohmann::json& entry)
    {
        if (flow)
        {
            for (const char* key : {"tx_packets", "rx_packets", "drops", "pfc_pause_tx",
                                    "ecn_marked", "cnp_tx"})
            {
                entry[key] = nullptr;
            }
        }
    };
    double simSeconds = static_cast<double>(result.stats.simTimeNs) * 1e-9;
    nlohmann::json perPort = nlohmann::json::array();
    for (const auto& port : result.ports)
    {
        auto entry = CountersJson(port.counters);
        entry["port"] = port.name;
        entry["link"] = port.link;
        entry["utilisation"] = port.rateBps == 0 || simSeconds <= 0
                                   ? 0.0
                                   : static_cast<double>(port.counters.txBytes) * 8
                                         / (static_cast<double>(port.rateBps) * simSeconds);
        withoutPackets(entry);
        perPort.push_back(std::move(entry));
    }
    auto totals = CountersJson(result.totals);
    totals["cnp_tx"] = result.cnpsGenerated;
    withoutPackets(totals);
    summary["ports"] = {{"totals", totals}, {"per_port", std::move(perPort)}};
    summary["sim"] = {{"events", result.stats.events},
                      {"packet_hops", result.stats.packetHops},
                      {"wall_s", result.stats.wallSeconds},
                      {"peak_rss_bytes", result.stats.peakRssBytes},
                      {"sim_time_ns", result.stats.simTimeNs},
                      {"hosts", result.stats.hosts},
                      {"switches", result.stats.switches}};
    summary["transport"] = {{"retransmitted_packets", result.retransmittedPackets},
                            {"retransmit_timeouts", result.retransmitTimeouts}};
    if (flow)
    {
        summary["sim"]["flows"] = result.stats.flows;
        summary["sim"]["patterns"] = result.stats.patterns;
        summary["transport"] = {{"retransmitted_packets", nullptr},
                                {"retransmit_timeouts", nullptr}};
    }
    summary["engine"] = result.engine;
    summary["failures"] = FailuresJson(result.failures);
    if (result.sflow)
    {
        summary["sflow"] = SflowJson(*result.sflow);
    }
    summary["files"] = result.files;
    return summary;
}

nlohmann::json
SflowJson(const SflowExportStats& stats)
{
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& a : stats.agents)
    {
        agents.push_back({{"switch", a.switchName},
                          {"agent", AddressText(a.agentAddress)},
                          {"datagrams", a.datagrams},
                          {"flow_samples", a.flowSamples},
                          {"counter_samples", a.counterSamples},
                          {"sample_pool", a.samplePool},
                          {"dropped_samples", a.drops}});
    }
    return {{"datagrams", stats.datagrams},
            {"flow_samples", stats.flowSamples},
            {"counter_samples", stats.counterSamples},
            {"sample_pool", stats.samplePool},
            {"dropped_samples", stats.drops},
            {"agents", std::move(agents)}};
}

nlohmann::json
FailuresJson(const std::vector<FailureRecord>& records)
{
    nlohmann::json failures = nlohmann::json::array();
    auto time = [](std::int64_t ns)
    {
        return ns < 0 ? nlohmann::json() : nlohmann::json(ns);
    };
    for (const auto& f : records)
    {
        nlohmann::json entry = {{"at_ns", f.spec.atNs},
                                {"kind", FaultKindName(f.spec.kind)},
                                {"target", f.spec.target},
                                {"policy", f.policy},
                                {"detected_ns", time(f.detectedNs)},
                                {"converged_ns", time(f.convergedNs)},
                                {"restored_ns", time(f.restoredNs)},
                                {"packets_lost", f.packetsLost},
                                {"last_loss_ns", time(f.lastLossNs)},
                                {"notices_sent", f.noticesSent},
                                {"switches_converged", f.switchesConverged},
                                {"throughput_before_gbps", f.throughputBeforeGbps},
                                {"throughput_lowest_gbps", f.throughputLowestGbps},
                                {"throughput_dip_ns", time(f.throughputDipNs)},
                                {"throughput_recovered_ns", time(f.throughputRecoveredNs)}};
        if (f.spec.kind == FaultKind::Blackhole)
        {
            entry["direction"] = f.spec.oneWay ? "one-way" : "both";
        }
        if (f.spec.kind == FaultKind::Degraded)
        {
            entry["loss"] = f.spec.loss;
            entry["rate_bps"] = f.spec.rateBps;
        }
        failures.push_back(std::move(entry));
    }
    return failures;
}

void
WriteTrace(const SimulationResult& result, std::ostream& out)
{
    fab::telemetry::TraceEventLog log;
    // One process per job; thread 0 shows its iterations, thread r + 1 rank r.
    for (std::uint32_t j = 0; j < result.jobs.size(); ++j)
    {
        const auto& job = result.jobs[j];
        log.NameProcess(j + 1, "job " + job.name);
        log.NameThread(j + 1, 0, "iterations");
        for (std::uint32_t r = 0; r < job.ranks.size(); ++r)
        {
            log.NameThread(j + 1,
                           r + 1,
                           "rank " + std::to_string(r) + " (srv-"
                               + std::to_string(job.ranks[r].server) + ":nic"
                               + std::to_string(job.ranks[r].port) + ")");
        }
    }
    for (const auto& i : result.iterations)
    {
        log.AddSlice(i.job + 1,
                     0,
                     "iteration " + std::to_string(i.index),
                     "iteration",
                     i.startNs,
                     i.endNs - i.startNs);
    }
    for (const auto& span : result.spans)
    {
        const auto& group = GroupOf(result, span.job, span.group);
        bool collective = group.kind == fab::traffic::GroupKind::Collective;
        nlohmann::json args = {{"iteration", span.iteration}};
        if (collective)
        {
            args["op"] = fab::traffic::CollectiveOpName(group.op);
            args["algorithm"] = group.algorithm;
            args["bytes"] = group.bytes;
            args["ranks"] = group.ranks.size();
        }
        log.AddSlice(span.job + 1,
                     span.rank + 1,
                     group.name,
                     collective ? "collective" : "compute",
                     span.startNs,
                     span.endNs - span.startNs,
                     args);
    }
    log.NameProcess(0, "fabric");
    for (const auto& sample : result.samples)
    {
        std::vector<std::pair<std::string, double>> values;
        for (std::size_t k = 0; k < result.linkClasses.size(); ++k)
        {
            values.emplace_back(result.linkClasses[k].Name(), sample.utilisation[k] * 100);
        }
        log.AddCounter(0, "link utilisation %", sample.timeNs, values);
        log.AddCounter(0,
                       "deepest switch queue KiB",
                       sample.timeNs,
                       {{"queue", static_cast<double>(sample.maxSwitchQueueBytes) / 1024}});
        log.AddCounter(
            0, "PFC pauses", sample.timeNs, {{"pauses", static_cast<double>(sample.pauseFrames)}});
    }
    log.Write(out);
}

} // namespace ns3::fabric
