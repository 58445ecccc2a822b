#include "dpi/capture-analysis.h"

#include "dpi/opcode-table.h"
#include "dpi/prefetch-reader.h"

#include <chrono>

namespace fab::dpi
{
namespace
{

constexpr std::int64_t kDefaultIntervalNs = 1'000'000;

std::string
Text(std::string_view bytes, bool macSubtype)
{
    // Chassis and port ids of the MAC-address subtypes are 6 raw bytes.
    if (macSubtype && bytes.size() == 6)
    {
        MacAddress mac;
        for (std::size_t i = 0; i < 6; ++i)
        {
            mac[i] = static_cast<std::uint8_t>(bytes[i]);
        }
        return FormatMac(mac);
    }
    return std::string(bytes);
}

/** The time series, coarsened by doubling its interval when it grows past kMaxIntervals. */
class Series
{
public:
    explicit Series(std::int64_t intervalNs)
    : m_intervalNs(intervalNs > 0 ? intervalNs : kDefaultIntervalNs)
    {
    }

    IntervalCounts& At(std::int64_t timeNs)
    {
        if (m_bins.empty())
        {
            m_startNs = timeNs;
        }
        std::int64_t offset = timeNs < m_startNs ? 0 : timeNs - m_startNs;
        auto index = static_cast<std::size_t>(offset / m_intervalNs);
        while (index >= kMaxIntervals)
        {
            Coarsen();
            index = static_cast<std::size_t>(offset / m_intervalNs);
        }
        while (m_bins.size() <= index)
        {
            IntervalCounts bin;
            bin.startNs = m_startNs + static_cast<std::int64_t>(m_bins.size()) * m_intervalNs;
            m_bins.push_back(bin);
        }
        return m_bins[index];
    }

    std::int64_t IntervalNs() const { return m_intervalNs; }
    std::vector<IntervalCounts> Take() { return std::move(m_bins); }

private:
    void Coarsen()
    {
        std::vector<IntervalCounts> merged;
        for (std::size_t i = 0; i < m_bins.size(); i += 2)
        {
            IntervalCounts bin = m_bins[i];
            if (i + 1 < m_bins.size())
            {
                bin += m_bins[i + 1];
            }
            merged.push_back(bin);
        }
        m_bins = std::move(merged);
        m_intervalNs *= 2;
    }

    std::int64_t m_intervalNs;
    std::int64_t m_startNs{0};
    std::vector<IntervalCounts> m_bins;
};

void
RecordLldp(AnalysisResult& result,
           const DecodedPacket& packet,
           std::uint32_t file,
           std::int64_t timeNs,
           std::uint64_t number)
{
    const LldpFields& l = packet.lldp;
    // Chassis subtype 4 and port subtype 3 are MAC addresses.
    std::string chassis = Text(l.chassisId, l.chassisIdSubtype == 4);
    std::string port = Text(l.portId, l.portIdSubtype == 3);
    for (auto& seen : result.lldp)
    {
        if (seen.file == file && seen.chassisId == chassis && seen.portId == port)
        {
            seen.frames++;
            return;
        }
    }
    LldpSighting sighting;
    sighting.file = file;
    sighting.chassisId = chassis;
    sighting.portId = port;
    sighting.systemName = std::string(l.systemName);
    sighting.portDescription = std::string(l.portDescription);
    sighting.speedBps = l.portSpeedBitsPerSecond;
    sighting.frames = 1;
    sighting.firstPacket = number;
    sighting.firstNs = timeNs;
    result.lldp.push_back(std::move(sighting));
}

nlohmann::json
CollectiveJson(const CollectiveGroup& group)
{
    nlohmann::json members = nlohmann::json::array();
    for (std::size_t r = 0; r < group.members.size(); ++r)
    {
        const CollectiveMember& m = group.members[r];
        members.push_back({{"rank", r},
                           {"address", FormatFlowAddress(m.address)},
                           {"sends_to", m.sendsTo},
                           {"receives_from", m.receivesFrom},
                           {"sent_bytes", m.sentBytes},
                           {"received_bytes", m.receivedBytes}});
    }
    nlohmann::json edges = nlohmann::json::array();
    for (const auto& e : group.edges)
    {
        edges.push_back({{"from", e.fromRank},
                         {"to", e.toRank},
                         {"bytes", e.payloadBytes},
                         {"wire_bytes", e.wireBytes},
                         {"packets", e.packets},
                         {"flows", e.flows},
                         {"first_ns", e.firstNs},
                         {"last_ns", e.lastNs}});
    }
    const CollectiveEdge& busiest = group.edges.at(group.busiestEdge);
    const DegreeStats& d = group.degrees;
    nlohmann::json entry
        = {{"kind", CollectivePatternName(group.pattern)},
           {"summary", DescribeCollective(group)},
           {"members", std::move(members)},
           {"edges", std::move(edges)},
           {"bytes", group.payloadBytes},
           {"wire_bytes", group.wireBytes},
           {"packets", group.packets},
           {"flows", group.flowIndices.size()},
           {"flow_indices", group.flowIndices},
           {"first_ns", group.firstNs},
           {"last_ns", group.lastNs},
           {"duration_ns", group.DurationNs()},
           {"busiest_edge",
            {{"from", busiest.fromRank}, {"to", busiest.toRank}, {"bytes", busiest.payloadBytes}}},
           {"imbalance", group.imbalance},
           {"degrees",
            {{"out_min", d.outMin},
             {"out_max", d.outMax},
             {"in_min", d.inMin},
             {"in_max", d.inMax},
             {"neighbours_min", d.neighboursMin},
             {"neighbours_max", d.neighboursMax},
             {"density", d.density}}}};
    if (!group.roots.empty())
    {
        entry["roots"] = group.roots;
        entry["root_evidence"] = RootEvidenceName(group.rootEvidence);
    }
    if (group.pattern == CollectivePattern::Tree
        || group.pattern == CollectivePattern::DoubleBinaryTree
        || group.pattern == CollectivePattern::Chain)
    {
        entry["height"] = group.height;
    }
    return entry;
}

} // namespace

IntervalCounts&
IntervalCounts::operator+=(const IntervalCounts& other)
{
    packets += other.packets;
    bytes += other.bytes;
    rdmaBytes += other.rdmaBytes;
    cnps += other.cnps;
    ecnCe += other.ecnCe;
    pauseFrames += other.pauseFrames;
    retransmitted += other.retransmitted;
    naks += other.naks;
    return *this;
}

AnalysisResult
AnalyzeCaptures(const std::vector<std::string>& paths, const AnalysisOptions& options)
{
    auto started = std::chrono::steady_clock::now();
    AnalysisResult result{};
    result.pfc = PfcTracker(options.stormNs);
    CaptureReader reader(paths);
    if (options.progress)
    {
        reader.SetProgressHook(options.progress);
    }
    Series series(options.intervalNs);
    DecodedPacket packet;
    CapturedPacket captured;
    std::uint64_t number = 0;
    PrefetchReader prefetch(reader);
    while (prefetch.Next(captured))
    {
        ++number;
        std::int64_t timeNs
            = captured.frame.hasOwnTimestamp ? captured.frame.ownTimestampNs : captured.timestampNs;
        if (number == 1)
        {
            result.firstNs = timeNs;
        }
        result.lastNs = std::max(result.lastNs, timeNs);
        result.packets++;
        result.bytes += captured.wireLength;
        IntervalCounts& bin = series.At(timeNs);
        bin.packets++;
        bin.bytes += captured.wireLength;

        const LinkFrame& frame = captured.frame;
        const std::uint8_t* bytes = captured.FrameBytes();
        Anomaly stop = Anomaly::None;
        switch (frame.kind)
        {
            case FrameKind::Ethernet:
                stop = DecodePacket(LinkKind::Ethernet,
                                    bytes,
                                    frame.length,
                                    frame.wireLength,
                                    packet,
                                    result.anomalies,
                                    options.decode);
                break;
            case FrameKind::EtherTypePayload:
                stop = DecodeFromEtherType(frame.etherType,
                                           bytes,
                                           frame.length,
                                           frame.wireLength,
                                           packet,
                                           result.anomalies,
                                           options.decode);
                break;
            case FrameKind::InfiniBand:
                stop = DecodePacket(LinkKind::InfiniBand,
                                    bytes,
                                    frame.length,
                                    frame.wireLength,
                                    packet,
                                    result.anomalies,
                                    options.decode);
                break;
            case FrameKind::Unsupported:
            case FrameKind::BadLinkHeader:
                result.decoded.other++;
                continue;
        }
        if (stop != Anomaly::None)
        {
            if (captured.Truncated())
            {
                result.decoded.truncated++;
            }
            else
            {
                result.decoded.malformed++;
            }
        }
        result.decoded.icrcBad += packet.icrc == CrcStatus::Bad ? 1 : 0;
        result.decoded.icrcVerified += packet.icrc == CrcStatus::Ok ? 1 : 0;
        if (packet.Has(Layer::Bth))
        {
            bool native = packet.Has(Layer::Ib);
            (native ? result.decoded.ib : result.decoded.roce)++;
            result.decoded.cnp += packet.Has(Layer::Cnp) ? 1 : 0;
            std::uint8_t events = result.flows.Add(packet, timeNs, number);
            bin.rdmaBytes += captured.wireLength;
            bin.cnps += (events & static_cast<std::uint8_t>(RdmaEvent::Cnp)) != 0 ? 1 : 0;
            bin.ecnCe += (events & static_cast<std::uint8_t>(RdmaEvent::EcnCe)) != 0 ? 1 : 0;
            bin.naks += (events & static_cast<std::uint8_t>(RdmaEvent::Nak)) != 0 ? 1 : 0;
            bin.retransmitted
                += (events & static_cast<std::uint8_t>(RdmaEvent::Retransmitted)) != 0 ? 1 : 0;
        }
        else if (packet.Has(Layer::Pfc) || packet.Has(Layer::Pause))
        {
            (packet.Has(Layer::Pfc) ? result.decoded.pfc : result.decoded.pause)++;
            bin.pauseFrames++;
            std::uint64_t linkBps = captured.fileIndex < options.linkBpsOfFile.size()
                                            && options.linkBpsOfFile[captured.fileIndex] != 0
                                        ? options.linkBpsOfFile[captured.fileIndex]
                                        : options.linkBps;
            result.pfc.Add(captured.fileIndex,
                           packet.ethernet.source,
                           packet.macControl,
                           linkBps,
                           timeNs,
                           number);
        }
        else if (packet.Has(Layer::Lldp))
        {
            result.decoded.lldp++;
            RecordLldp(result, packet, captured.fileIndex, timeNs, number);
        }
        else if (stop == Anomaly::None)
        {
            result.decoded.other++;
        }
        if (!packet.Has(Layer::Bth) && (packet.Has(Layer::Ipv4) || packet.Has(Layer::Ipv6)))
        {
            result.applications.Add(packet, bytes, timeNs);
        }
    }
    result.pfc.Finish(result.lastNs);
    result.applications.Finish();
    if (options.recogniseCollectives)
    {
        result.collectives = FindCollectives(result.flows.Flows(), options.collectives);
    }
    for (std::size_t i = 0; i < reader.FileCount(); ++i)
    {
        result.files.push_back(reader.File(i));
    }
    result.problems = reader.Problems();
    result.intervalNs = series.IntervalNs();
    result.series = series.Take();
    result.wallSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

nlohmann::json
AnalysisJson(const AnalysisResult& result)
{
    const DecodedCounts& d = result.decoded;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : result.files)
    {
        files.push_back({{"path", f.path},
                         {"link_type", f.linkTypeName},
                         {"packets", f.counters.packets},
                         {"snap_truncated", f.counters.snapTruncated},
                         {"first_ns", f.firstTimestampNs},
                         {"last_ns", f.lastTimestampNs},
                         {"complete", f.state == FileState::Ended}});
    }
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : result.problems)
    {
        problems.push_back(
            {{"message", p.what()}, {"packet", p.PacketNumber()}, {"byte_offset", p.ByteOffset()}});
    }
    nlohmann::json flows = nlohmann::json::array();
    const auto& table = result.flows.Flows();
    for (const auto& flow : table)
    {
        nlohmann::json entry
            = {{"src", FormatFlowAddress(flow.key.source)},
               {"dst", FormatFlowAddress(flow.key.destination)},
               {"dest_qp", flow.key.destinationQp},
               {"transport", TransportName(static_cast<Transport>(flow.transport))},
               {"packets", flow.packets},
               {"bytes", flow.bytes},
               {"messages", flow.messages},
               {"first_ns", flow.firstNs},
               {"last_ns", flow.lastNs},
               {"retransmitted", flow.retransmitted},
               {"go_back_n", flow.goBackNEpisodes},
               {"out_of_sequence", flow.outOfSequence},
               {"acks", flow.acks},
               {"naks", flow.Naks()},
               {"rnr_naks", flow.rnrNaks},
               {"cnps", flow.cnps},
               {"ecn_ce", flow.ecnCe},
               {"bad_icrc", flow.badIcrc}};
        if (flow.answers != RdmaFlow::kNone)
        {
            entry["answers"] = flow.answers;
        }
        if (flow.answeredBy != RdmaFlow::kNone)
        {
            const RdmaFlow& response = table[flow.answeredBy];
            entry["naks_received"] = response.Naks();
            entry["cnps_received"] = response.cnps;
        }
        if (flow.rtt.samples > 0)
        {
            entry["rtt_ns"] = {{"samples", flow.rtt.samples},
                               {"min", flow.rtt.minNs},
                               {"mean", flow.rtt.MeanNs()},
                               {"max", flow.rtt.maxNs}};
        }
        flows.push_back(std::move(entry));
    }
    nlohmann::json collectives = nlohmann::json::array();
    for (const auto& group : result.collectives)
    {
        collectives.push_back(CollectiveJson(group));
    }
    nlohmann::json pfc = nlohmann::json::array();
    for (const auto& port : result.pfc.Ports())
    {
        for (std::size_t p = 0; p < port.priorities.size(); ++p)
        {
            const auto& q = port.priorities[p];
            if (q.frames == 0)
            {
                continue;
            }
            pfc.push_back(
                {{"file", port.file},
                 {"port", FormatMac(port.mac)},
                 {"priority", p == kGlobalPause ? nlohmann::json("all") : nlohmann::json(p)},
                 {"frames", q.frames},
                 {"xoff", q.xoff},
                 {"xon", q.xon},
                 {"pause_ns", q.pausedNs},
                 {"longest_pause_ns", q.longestPauseNs},
                 {"storms", q.storms}});
        }
    }
    nlohmann::json anomalies = nlohmann::json::object();
    for (std::size_t a = 1; a < kAnomalyCount; ++a)
    {
        auto anomaly = static_cast<Anomaly>(a);
        if (result.anomalies.Get(anomaly) > 0)
        {
            anomalies[std::string(AnomalyName(anomaly))] = result.anomalies.Get(anomaly);
        }
    }
    nlohmann::json lldp = nlohmann::json::array();
    for (const auto& l : result.lldp)
    {
        lldp.push_back({{"file", l.file},
                        {"chassis_id", l.chassisId},
                        {"port_id", l.portId},
                        {"system_name", l.systemName},
                        {"port_description", l.portDescription},
                        {"speed_bps", l.speedBps},
                        {"frames", l.frames}});
    }
    nlohmann::json applications = nlohmann::json::object();
    for (const auto& [name, packets] : result.applications.PacketsByApplication())
    {
        applications[name] = packets;
    }
    nlohmann::json series = nlohmann::json::array();
    for (const auto& s : result.series)
    {
        series.push_back({s.startNs,
                          s.packets,
                          s.bytes,
                          s.rdmaBytes,
                          s.cnps,
                          s.ecnCe,
                          s.pauseFrames,
                          s.retransmitted,
                          s.naks});
    }
    return {{"packets", result.packets},
            {"bytes", result.bytes},
            {"first_ns", result.firstNs},
            {"last_ns", result.lastNs},
            {"decoded",
             {{"roce", d.roce},
              {"cnp", d.cnp},
              {"pfc", d.pfc},
              {"pause", d.pause},
              {"lldp", d.lldp},
              {"ib", d.ib},
              {"other", d.other},
              {"malformed", d.malformed},
              {"truncated", d.truncated},
              {"icrc_verified", d.icrcVerified},
              {"icrc_bad", d.icrcBad}}},
            {"files", std::move(files)},
            {"problems", std::move(problems)},
            {"flows", std::move(flows)},
            {"collectives", std::move(collectives)},
            {"pfc", std::move(pfc)},
            {"anomalies", std::move(anomalies)},
            {"lldp", std::move(lldp)},
            {"applications", std::move(applications)},
            {"ip_flows", result.applications.Flows().size()},
            {"series",
             {{"interval_ns", result.intervalNs},
              {"columns",
               {"start_ns",
                "packets",
                "bytes",
                "rdma_bytes",
                "cnps",
                "ecn_ce",
                "pause_frames",
                "retransmitted",
                "naks"}},
              {"rows", std::move(series)}}},
            {"wall_s", result.wallSeconds}};
}

} // namespace fab::dpi
