// summary.json and the Perfetto trace of a simulation.
#include "fabric/helper/simulation.h"
#include "telemetry/model/trace-event-log.h"

#include <algorithm>
#include <functional>
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

/**
 * A member of summary.json as both of its forms need it: a small value kept whole, a list made
 * one element at a time (what grows with ranks, collectives or switches), or an object of such
 * members. The writer never holds more than one element; the document is the same members put
 * together.
 */
struct SummaryPart
{
    std::string key;
    nlohmann::json value;
    std::size_t length{0};
    std::function<nlohmann::json(std::size_t)> element;
    std::vector<SummaryPart> members;
    enum class Form
    {
        Value,
        List,
        Object
    } form{Form::Value};
};

SummaryPart
ValuePart(std::string key, nlohmann::json value)
{
    SummaryPart part;
    part.key = std::move(key);
    part.value = std::move(value);
    return part;
}

SummaryPart
ListPart(std::string key, std::size_t length, std::function<nlohmann::json(std::size_t)> element)
{
    SummaryPart part;
    part.key = std::move(key);
    part.form = SummaryPart::Form::List;
    part.length = length;
    part.element = std::move(element);
    return part;
}

SummaryPart
ObjectPart(std::string key, std::vector<SummaryPart> members)
{
    SummaryPart part;
    part.key = std::move(key);
    part.form = SummaryPart::Form::Object;
    part.members = std::move(members);
    return part;
}

nlohmann::json
AssembleSummaryPart(const SummaryPart& part)
{
    switch (part.form)
    {
        case SummaryPart::Form::List:
        {
            nlohmann::json list = nlohmann::json::array();
            for (std::size_t i = 0; i < part.length; ++i)
            {
                list.push_back(part.element(i));
            }
            return list;
        }
        case SummaryPart::Form::Object:
        {
            nlohmann::json object = nlohmann::json::object();
            for (const auto& member : part.members)
            {
                object[member.key] = AssembleSummaryPart(member);
            }
            return object;
        }
        case SummaryPart::Form::Value:
            break;
    }
    return part.value;
}

/** What nlohmann's dump(2) puts before a line at `depth`. */
void
WriteIndent(std::ostream& out, std::size_t depth)
{
    static const std::string kSpaces(64, ' ');
    for (std::size_t width = 2 * depth; width > 0;)
    {
        std::size_t n = std::min(width, kSpaces.size());
        out.write(kSpaces.data(), static_cast<std::streamsize>(n));
        width -= n;
    }
}

/**
 * A value as dump(2) prints it inside a document at `depth`: nlohmann prints it at depth 0,
 * and every line after the first moves right (strings hold no raw line breaks: they are escaped).
 */
void
WriteSummaryValue(std::ostream& out, const nlohmann::json& value, std::size_t depth)
{
    std::string text = value.dump(2);
    std::size_t from = 0;
    for (std::size_t to = text.find('\n'); to != std::string::npos; to = text.find('\n', from))
    {
        out.write(text.data() + from, static_cast<std::streamsize>(to + 1 - from));
        WriteIndent(out, depth);
        from = to + 1;
    }
    out.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
}

void
WriteSummaryPart(std::ostream& out, const SummaryPart& part, std::size_t depth)
{
    switch (part.form)
    {
        case SummaryPart::Form::Value:
            WriteSummaryValue(out, part.value, depth);
            return;
        case SummaryPart::Form::List:
            if (part.length == 0)
            {
                out << "[]";
                return;
            }
            out << "[\n";
            for (std::size_t i = 0; i < part.length; ++i)
            {
                WriteIndent(out, depth + 1);
                WriteSummaryValue(out, part.element(i), depth + 1);
                out << (i + 1 < part.length ? ",\n" : "\n");
            }
            WriteIndent(out, depth);
            out << ']';
            return;
        case SummaryPart::Form::Object:
            if (part.members.empty())
            {
                out << "{}";
                return;
            }
            // A document's object is a std::map: its keys come out sorted.
            std::vector<const SummaryPart*> members;
            for (const auto& member : part.members)
            {
                members.push_back(&member);
            }
            std::sort(members.begin(),
                      members.end(),
                      [](const SummaryPart* a, const SummaryPart* b) { return a->key < b->key; });
            out << "{\n";
            for (std::size_t i = 0; i < members.size(); ++i)
            {
                WriteIndent(out, depth + 1);
                out << nlohmann::json(members[i]->key).dump() << ": ";
                WriteSummaryPart(out, *members[i], depth + 1);
                out << (i + 1 < members.size() ? ",\n" : "\n");
            }
            WriteIndent(out, depth);
            out << '}';
            return;
    }
}

nlohmann::json
SummaryCollectiveJson(const SimulationResult& result, const CollectiveRecord& c)
{
    const auto& group = GroupOf(result, c.job, c.group);
    return {{"job", result.jobs[c.job].name},
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
            {"bound_gbps", c.boundGbps > 0 ? nlohmann::json(c.boundGbps) : nlohmann::json()}};
}

nlohmann::json
SummaryIterationJson(const SimulationResult& result, const IterationRecord& i)
{
    return {{"job", result.jobs[i.job].name},
            {"index", i.index},
            {"start_ns", i.startNs},
            {"end_ns", i.endNs}};
}

/** Each job's iterations and their summed length, in one pass over the iterations. */
std::vector<std::pair<std::uint32_t, std::int64_t>>
IterationsByJob(const SimulationResult& result)
{
    std::vector<std::pair<std::uint32_t, std::int64_t>> byJob(result.jobs.size());
    for (const auto& i : result.iterations)
    {
        if (i.job < byJob.size())
        {
            ++byJob[i.job].first;
            byJob[i.job].second += i.endNs - i.startNs;
        }
    }
    return byJob;
}

/** The flow engine has bytes, not packets: what only packets have is null, not zero. */
void
NullPacketCounters(nlohmann::json& entry)
{
    for (const char* key :
         {"tx_packets", "rx_packets", "drops", "pfc_pause_tx", "ecn_marked", "cnp_tx"})
    {
        entry[key] = nullptr;
    }
}

nlohmann::json
SummaryPortJson(const PortSummary& port, double simSeconds, bool flow)
{
    auto entry = CountersJson(port.counters);
    entry["port"] = port.name;
    entry["link"] = port.link;
    entry["utilisation"] = port.rateBps == 0 || simSeconds <= 0
                               ? 0.0
                               : static_cast<double>(port.counters.txBytes) * 8
                                     / (static_cast<double>(port.rateBps) * simSeconds);
    if (flow)
    {
        NullPacketCounters(entry);
    }
    return entry;
}

nlohmann::json
SflowAgentJson(const SflowAgentSummary& a)
{
    return {{"switch", a.switchName},
            {"agent", AddressText(a.agentAddress)},
            {"datagrams", a.datagrams},
            {"flow_samples", a.flowSamples},
            {"counter_samples", a.counterSamples},
            {"sample_pool", a.samplePool},
            {"dropped_samples", a.drops}};
}

SummaryPart
SflowPart(const SflowExportStats& stats)
{
    return ObjectPart(
        "sflow",
        {ValuePart("datagrams", stats.datagrams),
         ValuePart("flow_samples", stats.flowSamples),
         ValuePart("counter_samples", stats.counterSamples),
         ValuePart("sample_pool", stats.samplePool),
         ValuePart("dropped_samples", stats.drops),
         ListPart("agents",
                  stats.agents.size(),
                  [&stats](std::size_t i) { return SflowAgentJson(stats.agents[i]); })});
}

nlohmann::json
FailureJson(const FailureRecord& f)
{
    auto time = [](std::int64_t ns)
    {
        return ns < 0 ? nlohmann::json() : nlohmann::json(ns);
    };
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
    return entry;
}

SummaryPart
FailuresPart(const std::vector<FailureRecord>& records)
{
    return ListPart(
        "failures", records.size(), [&records](std::size_t i) { return FailureJson(records[i]); });
}

/** summary.json as members; the lists refer to `result` and `iterationsByJob`. */
SummaryPart
SummaryParts(const SimulationResult& result,
             const std::vector<std::pair<std::uint32_t, std::int64_t>>& iterationsByJob)
{
    bool flow = result.engine == "flow";
    double simSeconds = static_cast<double>(result.stats.simTimeNs) * 1e-9;
    auto totals = CountersJson(result.totals);
    totals["cnp_tx"] = result.cnpsGenerated;
    if (flow)
    {
        NullPacketCounters(totals);
    }
    nlohmann::json sim = {{"events", result.stats.events},
                          {"packet_hops", result.stats.packetHops},
                          {"wall_s", result.stats.wallSeconds},
                          {"peak_rss_bytes", result.stats.peakRssBytes},
                          {"sim_time_ns", result.stats.simTimeNs},
                          {"hosts", result.stats.hosts},
                          {"switches", result.stats.switches}};
    nlohmann::json transport = {{"retransmitted_packets", result.retransmittedPackets},
                                {"retransmit_timeouts", result.retransmitTimeouts}};
    if (flow)
    {
        sim["flows"] = result.stats.flows;
        sim["patterns"] = result.stats.patterns;
        transport = {{"retransmitted_packets", nullptr}, {"retransmit_timeouts", nullptr}};
    }
    std::vector<SummaryPart> members = {
        ValuePart("schema", 1),
        ValuePart("scenario", result.scenarioName),
        ValuePart("design", {{"name", result.designName}, {"source", result.designSource}}),
        ValuePart("seed", result.seed),
        ValuePart("completed", result.completed),
        ListPart("collectives",
                 result.collectives.size(),
                 [&result](std::size_t i)
                 { return SummaryCollectiveJson(result, result.collectives[i]); }),
        ListPart("iterations",
                 result.iterations.size(),
                 [&result](std::size_t i)
                 { return SummaryIterationJson(result, result.iterations[i]); }),
        ListPart("jobs",
                 result.jobs.size(),
                 [&result, &iterationsByJob](std::size_t j)
                 {
                     const auto& job = result.jobs[j];
                     auto [count, total] = iterationsByJob[j];
                     return nlohmann::json{{"name", job.name},
                                           {"kind", job.kind},
                                           {"gpus", job.gpus},
                                           {"tasks_per_iteration", job.tasks},
                                           {"iterations", count},
                                           {"mean_iteration_ns", count == 0 ? 0 : total / count}};
                 }),
        ObjectPart("ports",
                   {ValuePart("totals", std::move(totals)),
                    ListPart("per_port",
                             result.ports.size(),
                             [&result, simSeconds, flow](std::size_t i)
                             { return SummaryPortJson(result.ports[i], simSeconds, flow); })}),
        ValuePart("sim", std::move(sim)),
        ValuePart("transport", std::move(transport)),
        ValuePart("engine", result.engine),
        FailuresPart(result.failures),
        ValuePart("files", result.files)};
    if (result.sflow)
    {
        members.push_back(SflowPart(*result.sflow));
    }
    return ObjectPart("", std::move(members));
}

} // namespace

nlohmann::json
SummaryJson(const SimulationResult& result)
{
    return AssembleSummaryPart(SummaryParts(result, IterationsByJob(result)));
}

void
WriteSummaryJson(const SimulationResult& result, std::ostream& out)
{
    WriteSummaryPart(out, SummaryParts(result, IterationsByJob(result)), 0);
    out << '\n';
}

nlohmann::json
SflowJson(const SflowExportStats& stats)
{
    return AssembleSummaryPart(SflowPart(stats));
}

nlohmann::json
FailuresJson(const std::vector<FailureRecord>& records)
{
    return AssembleSummaryPart(FailuresPart(records));
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
