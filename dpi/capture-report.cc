// The report of `analyze`: what the captures held, the flows, the collectives they make, the
// pauses and what went wrong.
#include "dpi/capture-rules.h"
#include "dpi/collective-view.h"
#include "dpi/opcode-table.h"
#include "telemetry/model/text-format.h"

#include <algorithm>
#include <numeric>

namespace fab::dpi
{
namespace
{

namespace tel = telemetry;

constexpr std::size_t kMaxFlowRows = 50;
constexpr std::size_t kMaxChartPoints = 200;
constexpr std::size_t kMaxGroupRows = 30;
/** Groups of three or more members drawn, largest first. */
constexpr std::size_t kMaxDrawnGroups = 4;

std::string
Count(std::uint64_t value)
{
    return tel::GroupDigits(value);
}

std::string
TimeLabel(std::int64_t ns, std::int64_t originNs)
{
    return tel::FormatDecimal(static_cast<double>(ns - originNs) / 1e6, 3) + " ms";
}

tel::Section
TrafficSection(const AnalysisResult& r)
{
    tel::Section section{"Traffic", {}};
    const DecodedCounts& d = r.decoded;
    section.blocks.emplace_back(
        tel::Paragraph{Count(r.packets) + " packets (" + tel::FormatBytes(r.bytes) + ") over "
                       + tel::FormatDecimal(static_cast<double>(r.SpanNs()) / 1e6, 3) + " ms in "
                       + std::to_string(r.files.size()) + " capture(s), read in "
                       + tel::FormatDecimal(r.wallSeconds, 2) + " s."});
    tel::Table decoded{"Decoded", {"kind", "packets"}, {}, {false, true}};
    decoded.rows = {{"RoCE (IB transport over Ethernet)", Count(d.roce)},
                    {"of which CNPs", Count(d.cnp)},
                    {"native InfiniBand", Count(d.ib)},
                    {"PFC", Count(d.pfc)},
                    {"802.3x PAUSE", Count(d.pause)},
                    {"LLDP", Count(d.lldp)},
                    {"other", Count(d.other)},
                    {"malformed", Count(d.malformed)},
                    {"cut by the snap length", Count(d.truncated)},
                    {"ICRC verified / bad", Count(d.icrcVerified) + " / " + Count(d.icrcBad)}};
    section.blocks.emplace_back(std::move(decoded));
    // Charts keep at most kMaxChartPoints points: runs of intervals are summed.
    std::vector<IntervalCounts> points;
    std::size_t step = (r.series.size() + kMaxChartPoints - 1) / kMaxChartPoints;
    step = std::max<std::size_t>(step, 1);
    for (std::size_t i = 0; i < r.series.size(); i += step)
    {
        IntervalCounts merged = r.series[i];
        for (std::size_t k = i + 1; k < std::min(r.series.size(), i + step); ++k)
        {
            merged += r.series[k];
        }
        points.push_back(merged);
    }
    if (points.size() > 1)
    {
        double seconds = static_cast<double>(r.intervalNs) * static_cast<double>(step) / 1e9;
        tel::Chart throughput{"Throughput", tel::ChartKind::Line, {}, {}, "Gb/s"};
        throughput.series = {{"all", {}}, {"RDMA", {}}};
        tel::Chart congestion{
            "Congestion and loss signals", tel::ChartKind::Line, {}, {}, "per interval"};
        congestion.series = {{"ECN-CE", {}},
                             {"CNPs", {}},
                             {"pause frames", {}},
                             {"retransmitted", {}},
                             {"NAKs", {}}};
        for (const auto& s : points)
        {
            std::string label = TimeLabel(s.startNs, points.front().startNs);
            throughput.labels.push_back(label);
            congestion.labels.push_back(label);
            throughput.series[0].values.push_back(static_cast<double>(s.bytes) * 8 / seconds / 1e9);
            throughput.series[1].values.push_back(static_cast<double>(s.rdmaBytes) * 8 / seconds
                                                  / 1e9);
            congestion.series[0].values.push_back(static_cast<double>(s.ecnCe));
            congestion.series[1].values.push_back(static_cast<double>(s.cnps));
            congestion.series[2].values.push_back(static_cast<double>(s.pauseFrames));
            congestion.series[3].values.push_back(static_cast<double>(s.retransmitted));
            congestion.series[4].values.push_back(static_cast<double>(s.naks));
        }
        section.blocks.emplace_back(std::move(throughput));
        section.blocks.emplace_back(std::move(congestion));
    }
    return section;
}

tel::Section
FlowsSection(const AnalysisResult& r)
{
    tel::Section section{"RDMA flows", {}};
    const auto& flows = r.flows.Flows();
    std::vector<std::size_t> order(flows.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(),
                     order.end(),
                     [&](std::size_t a, std::size_t b) { return flows[a].bytes > flows[b].bytes; });
    section.blocks.emplace_back(tel::Paragraph{
        Count(flows.size())
        + " flows by (source, destination, destination QP); responses (ACKs, "
          "NAKs, CNPs) travel on the flow back to the requester's QP and are tied to the request "
          "flow they answer. The "
        + std::to_string(std::min(kMaxFlowRows, flows.size())) + " largest:"});
    tel::Table table{
        "Flows",
        {"#",
         "source",
         "destination",
         "dest QP",
         "transport",
         "packets",
         "bytes",
         "messages",
         "retransmitted",
         "PSN gaps",
         "ACKs / NAKs",
         "CNPs",
         "ECN-CE",
         "RTT mean (µs)"},
        {},
        {true, false, false, false, false, true, true, true, true, true, false, true, true, true}};
    for (std::size_t k = 0; k < order.size() && k < kMaxFlowRows; ++k)
    {
        const RdmaFlow& f = flows[order[k]];
        char qp[16];
        std::snprintf(qp, sizeof qp, "0x%06x", f.key.destinationQp);
        table.rows.push_back(
            {std::to_string(order[k]),
             FormatFlowAddress(f.key.source),
             FormatFlowAddress(f.key.destination),
             qp,
             std::string(TransportName(static_cast<Transport>(f.transport))),
             Count(f.packets),
             tel::FormatBytes(f.bytes),
             Count(f.messages),
             Count(f.retransmitted),
             Count(f.outOfSequence),
             Count(f.acks) + " / " + Count(f.Naks() + f.rnrNaks),
             Count(f.cnps),
             Count(f.ecnCe),
             f.rtt.samples == 0 ? "" : tel::FormatDecimal(f.rtt.MeanNs() / 1e3, 2)});
    }
    section.blocks.emplace_back(std::move(table));
    return section;
}

std::string
HopName(const CollectiveGroup& g, const CollectiveEdge& e)
{
    return "r" + std::to_string(e.fromRank) + " → r" + std::to_string(e.toRank) + ": "
           + tel::FormatBytes(e.payloadBytes) + " ("
           + FormatFlowAddress(g.members[e.fromRank].address) + " → "
           + FormatFlowAddress(g.members[e.toRank].address) + ")";
}

tel::Table
MembersTable(std::size_t number, const CollectiveGroup& g)
{
    tel::Table table{"Group " + std::to_string(number) + ": members by rank",
                     {"rank", "address", "sends to", "receives from", "sent", "received"},
                     {},
                     {true, false, true, true, true, true}};
    for (std::size_t r = 0; r < g.members.size(); ++r)
    {
        const CollectiveMember& m = g.members[r];
        table.rows.push_back({std::to_string(r),
                              FormatFlowAddress(m.address),
                              std::to_string(m.sendsTo),
                              std::to_string(m.receivesFrom),
                              tel::FormatBytes(m.sentBytes),
                              tel::FormatBytes(m.receivedBytes)});
    }
    return table;
}

tel::Section
CollectivesSection(const AnalysisResult& r)
{
    tel::Section section{"Collectives", {}};
    const auto& groups = r.collectives;
    if (groups.empty())
    {
        section.blocks.emplace_back(tel::Paragraph{"No RDMA request flows carried data."});
        return section;
    }
    section.blocks.emplace_back(tel::Paragraph{
        Count(groups.size())
        + " group(s) of request flows by behaviour. A hop joins every flow (any QP) from one "
          "endpoint to another; a group's hops carry volumes within a factor of 8 of the next "
          "smaller one and are busy at overlapping times. Ranks start at the lowest address for "
          "rings and meshes, at the root for trees and at the first stage for chains."});
    tel::Table table{"Groups, largest first",
                     {"#",
                      "kind",
                      "members",
                      "hops",
                      "flows",
                      "payload",
                      "duration (ms)",
                      "imbalance (max/min hop)",
                      "busiest hop",
                      "what it is"},
                     {},
                     {true, false, true, true, true, true, true, true, false, false}};
    for (std::size_t k = 0; k < groups.size() && k < kMaxGroupRows; ++k)
    {
        const CollectiveGroup& g = groups[k];
        table.rows.push_back({std::to_string(k + 1),
                              CollectivePatternName(g.pattern),
                              Count(g.Size()),
                              Count(g.edges.size()),
                              Count(g.flowIndices.size()),
                              tel::FormatBytes(g.payloadBytes),
                              tel::FormatDecimal(static_cast<double>(g.DurationNs()) / 1e6, 3),
                              tel::FormatDecimal(g.imbalance, 2),
                              HopName(g, g.edges[g.busiestEdge]),
                              DescribeCollective(g)});
    }
    section.blocks.emplace_back(std::move(table));
    if (groups.size() > kMaxGroupRows)
    {
        section.blocks.emplace_back(tel::Paragraph{"The " + Count(groups.size() - kMaxGroupRows)
                                                   + " smaller groups are in the JSON."});
    }
    std::size_t drawn = 0;
    for (std::size_t k = 0; k < groups.size() && drawn < kMaxDrawnGroups; ++k)
    {
        const CollectiveGroup& g = groups[k];
        if (g.Size() < 3)
        {
            continue;
        }
        ++drawn;
        std::string title = "Group " + std::to_string(k + 1) + ": " + DescribeCollective(g);
        section.blocks.emplace_back(tel::Figure{
            title, CollectiveSvg(g, "collective-" + std::to_string(k + 1)), CollectiveText(g)});
        section.blocks.emplace_back(MembersTable(k + 1, g));
    }
    return section;
}

tel::Section
PausesSection(const AnalysisResult& r)
{
    tel::Section section{"Pauses", {}};
    tel::Table table{"Pause frames by sending port and priority",
                     {"port",
                      "capture",
                      "priority",
                      "frames",
                      "XOFF / XON",
                      "paused (ms)",
                      "longest (ms)",
                      "storms"},
                     {},
                     {false, false, false, true, false, true, true, true}};
    for (const auto& port : r.pfc.Ports())
    {
        for (std::size_t p = 0; p < port.priorities.size(); ++p)
        {
            const auto& q = port.priorities[p];
            if (q.frames == 0)
            {
                continue;
            }
            table.rows.push_back(
                {FormatMac(port.mac),
                 port.file < r.files.size() ? r.files[port.file].path : "",
                 p == kGlobalPause ? "all (802.3x)" : std::to_string(p),
                 Count(q.frames),
                 Count(q.xoff) + " / " + Count(q.xon),
                 tel::FormatDecimal(static_cast<double>(q.pausedNs) / 1e6, 3),
                 tel::FormatDecimal(static_cast<double>(q.longestPauseNs) / 1e6, 3),
                 Count(q.storms)});
        }
    }
    if (table.rows.empty())
    {
        section.blocks.emplace_back(tel::Paragraph{"No PFC or PAUSE frames."});
    }
    else
    {
        section.blocks.emplace_back(std::move(table));
    }
    return section;
}

tel::Section
LinkSection(const AnalysisResult& r)
{
    tel::Section section{"Links, anomalies and files", {}};
    if (!r.lldp.empty())
    {
        tel::Table lldp{"LLDP speakers",
                        {"capture", "system", "chassis", "port", "speed", "frames"},
                        {},
                        {false, false, false, false, true, true}};
        for (const auto& l : r.lldp)
        {
            lldp.rows.push_back({l.file < r.files.size() ? r.files[l.file].path : "",
                                 l.systemName,
                                 l.chassisId,
                                 l.portId,
                                 l.speedBps == 0 ? "" : tel::FormatRate(l.speedBps),
                                 Count(l.frames)});
        }
        section.blocks.emplace_back(std::move(lldp));
    }
    auto applications = r.applications.PacketsByApplication();
    if (!applications.empty())
    {
        tel::Table table{"Traffic that is not RDMA, by application (nDPI)",
                         {"application", "packets"},
                         {},
                         {false, true}};
        for (const auto& [name, packets] : applications)
        {
            table.rows.push_back({name, Count(packets)});
        }
        section.blocks.emplace_back(std::move(table));
    }
    tel::Table anomalies{"Anomalies by reason", {"reason", "packets"}, {}, {false, true}};
    for (std::size_t a = 1; a < kAnomalyCount; ++a)
    {
        auto anomaly = static_cast<Anomaly>(a);
        if (r.anomalies.Get(anomaly) > 0)
        {
            anomalies.rows.push_back(
                {std::string(AnomalyName(anomaly)), Count(r.anomalies.Get(anomaly))});
        }
    }
    if (!anomalies.rows.empty())
    {
        section.blocks.emplace_back(std::move(anomalies));
    }
    tel::Table files{"Captures",
                     {"file", "link type", "packets", "cut by snap length", "read to the end"},
                     {},
                     {false, false, true, true, false}};
    for (const auto& f : r.files)
    {
        files.rows.push_back({f.path,
                              f.linkTypeName,
                              Count(f.counters.packets),
                              Count(f.counters.snapTruncated),
                              f.state == FileState::Ended ? "yes" : "no"});
    }
    section.blocks.emplace_back(std::move(files));
    return section;
}

} // namespace

tel::Report
CaptureReport(const AnalysisResult& result, std::vector<tel::Finding> findings)
{
    tel::Report report;
    report.title = "Capture analysis";
    report.subtitle = result.files.size() == 1 ? result.files[0].path
                                               : std::to_string(result.files.size()) + " captures";
    std::uint64_t retransmitted = 0;
    std::uint64_t naks = 0;
    for (const auto& f : result.flows.Flows())
    {
        retransmitted += f.retransmitted;
        naks += f.Naks();
    }
    std::int64_t paused = 0;
    for (const auto& port : result.pfc.Ports())
    {
        for (const auto& q : port.priorities)
        {
            paused += q.pausedNs;
        }
    }
    report.keyFigures = {{"packets", Count(result.packets), tel::FormatBytes(result.bytes)},
                         {"RDMA flows",
                          Count(result.flows.Size()),
                          Count(result.decoded.roce + result.decoded.ib) + " RDMA packets"},
                         {"retransmitted", Count(retransmitted), Count(naks) + " NAKs"},
                         {"CNPs", Count(result.decoded.cnp), "congestion notifications"},
                         {"paused",
                          tel::FormatDecimal(static_cast<double>(paused) / 1e6, 3) + " ms",
                          Count(result.decoded.pfc + result.decoded.pause) + " pause frames"}};
    std::size_t collectives = 0;
    for (const auto& g : result.collectives)
    {
        collectives += g.Size() >= 3 ? 1 : 0;
    }
    std::string largest = "no data flows";
    if (!result.collectives.empty())
    {
        const CollectiveGroup& g = result.collectives[0];
        largest = std::string("largest: ") + CollectivePatternName(g.pattern) + " of "
                  + std::to_string(g.Size());
    }
    report.keyFigures.push_back({"collectives (3+ members)", Count(collectives), largest});
    report.findings = std::move(findings);
    report.sections.push_back(TrafficSection(result));
    report.sections.push_back(FlowsSection(result));
    report.sections.push_back(CollectivesSection(result));
    report.sections.push_back(PausesSection(result));
    report.sections.push_back(LinkSection(result));
    report.data = AnalysisJson(result);
    return report;
}

} // namespace fab::dpi
