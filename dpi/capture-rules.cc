// Runtime rules of `analyze`. Thresholds: research notes (PFC watchdogs, NIC CNP pacing), and
// where no operator publishes a figure our own documented choice, overridable with --rules.
#include "dpi/capture-rules.h"

#include "telemetry/model/text-format.h"

#include <algorithm>
#include <string>

namespace fab::dpi
{

using telemetry::Finding;
using telemetry::RuleConfig;
using telemetry::Severity;

namespace
{

std::string
FlowName(const RdmaFlow& flow)
{
    char qp[16];
    std::snprintf(qp, sizeof qp, "0x%06x", flow.key.destinationQp);
    return FormatFlowAddress(flow.key.source) + " → " + FormatFlowAddress(flow.key.destination)
           + " QP " + qp;
}

std::string
Ms(std::int64_t ns)
{
    return telemetry::FormatDecimal(static_cast<double>(ns) / 1e6, 3) + " ms";
}

std::string
PortName(const AnalysisResult& result, const PausingPort& port, std::size_t priority)
{
    std::string file = port.file < result.files.size() ? result.files[port.file].path : "?";
    return FormatMac(port.mac) + " in " + file + ", priority "
           + (priority == kGlobalPause ? std::string("all (802.3x)") : std::to_string(priority));
}

void
CheckPauses(const AnalysisResult& result, const RuleConfig& rules, std::vector<Finding>& out)
{
    double span = static_cast<double>(std::max<std::int64_t>(1, result.SpanNs()));
    for (const auto& port : result.pfc.Ports())
    {
        for (std::size_t p = 0; p < port.priorities.size(); ++p)
        {
            const auto& q = port.priorities[p];
            if (q.frames == 0)
            {
                continue;
            }
            auto longestMs = static_cast<double>(q.longestPauseNs) / 1e6;
            if (rules.Enabled("capture.pfc-storm")
                && longestMs >= rules.Threshold("capture.pfc-storm", "min_pause_ms"))
            {
                out.push_back(rules
                                  .MakeFinding("capture.pfc-storm",
                                               PortName(result, port, p),
                                               "paused continuously for " + Ms(q.longestPauseNs))
                                  .With("from packet", std::to_string(q.longestPauseFirstPacket))
                                  .With("storms", std::to_string(q.storms)));
            }
            double ratio = static_cast<double>(q.pausedNs) / span;
            if (rules.Enabled("capture.pause-ratio")
                && ratio > rules.Threshold("capture.pause-ratio", "max_ratio"))
            {
                out.push_back(rules
                                  .MakeFinding("capture.pause-ratio",
                                               PortName(result, port, p),
                                               "paused " + telemetry::FormatDecimal(ratio * 100, 1)
                                                   + "% of the capture")
                                  .With("pause frames", std::to_string(q.frames))
                                  .With("first packet", std::to_string(q.firstPacket)));
            }
        }
    }
}

void
CheckFlows(const AnalysisResult& result, const RuleConfig& rules, std::vector<Finding>& out)
{
    const auto& flows = result.flows.Flows();
    for (const auto& flow : flows)
    {
        std::string name = FlowName(flow);
        std::uint64_t requests = flow.packets - flow.acks - flow.Naks() - flow.rnrNaks - flow.cnps;
        if (flow.retransmitted > 0 && rules.Enabled("capture.retransmissions"))
        {
            double ratio = requests == 0 ? 0 : static_cast<double>(flow.retransmitted) / requests;
            bool high = ratio > rules.Threshold("capture.retransmissions", "max_ratio");
            Finding finding = rules.MakeFinding(
                "capture.retransmissions",
                name,
                telemetry::GroupDigits(flow.retransmitted) + " packets retransmitted ("
                    + telemetry::FormatDecimal(ratio * 100, 3) + "%) in "
                    + telemetry::GroupDigits(flow.goBackNEpisodes) + " go-back-N episodes");
            // Any loss in a lossless class is worth explaining; past the ratio it is an error.
            finding.severity = high ? Severity::Error : Severity::Warning;
            out.push_back(finding.With("first retransmission, packet",
                                       std::to_string(flow.firstRetransmissionPacket)));
        }
        if (flow.outOfSequence > 0 && rules.Enabled("capture.out-of-sequence"))
        {
            out.push_back(rules
                              .MakeFinding("capture.out-of-sequence",
                                           name,
                                           telemetry::GroupDigits(flow.missingPsns)
                                               + " PSNs missing in "
                                               + telemetry::GroupDigits(flow.outOfSequence)
                                               + " gaps: lost before the capture point, or carried "
                                                 "on another path (ECMP, a failover)")
                              .With("first packet of the flow", std::to_string(flow.firstPacket)));
        }
        std::uint64_t fatal = flow.Naks() - flow.naks[0];
        if (fatal > 0 && rules.Enabled("capture.fatal-nak"))
        {
            out.push_back(rules
                              .MakeFinding("capture.fatal-nak",
                                           name,
                                           telemetry::GroupDigits(fatal)
                                               + " NAKs of invalid requests or access or "
                                                 "operational errors")
                              .With("first NAK, packet", std::to_string(flow.firstNakPacket)));
        }
        if (flow.rnrNaks > 0 && rules.Enabled("capture.rnr-nak"))
        {
            out.push_back(rules.MakeFinding("capture.rnr-nak",
                                            name,
                                            telemetry::GroupDigits(flow.rnrNaks)
                                                + " RNR NAKs: the receiver had no receive posted"));
        }
        if (flow.badIcrc > 0 && rules.Enabled("capture.bad-icrc"))
        {
            out.push_back(rules.MakeFinding("capture.bad-icrc",
                                            name,
                                            telemetry::GroupDigits(flow.badIcrc)
                                                + " packets whose ICRC does not match: corrupted "
                                                  "on the way"));
        }
        std::uint64_t marked = flow.ecnCe + flow.ecnCapable;
        if (marked > 0 && rules.Enabled("capture.ecn-ce-ratio"))
        {
            double ratio = static_cast<double>(flow.ecnCe) / static_cast<double>(marked);
            if (ratio > rules.Threshold("capture.ecn-ce-ratio", "max_ratio"))
            {
                out.push_back(rules.MakeFinding("capture.ecn-ce-ratio",
                                                name,
                                                telemetry::FormatDecimal(ratio * 100, 1)
                                                    + "% of ECN-capable packets marked "
                                                      "CE: congested on the way"));
            }
        }
        double seconds
            = static_cast<double>(std::max<std::int64_t>(1, flow.lastNs - flow.firstNs)) / 1e9;
        if (flow.cnps > 1 && rules.Enabled("capture.cnp-rate"))
        {
            double rate = static_cast<double>(flow.cnps) / seconds;
            if (rate > rules.Threshold("capture.cnp-rate", "max_per_second"))
            {
                out.push_back(
                    rules.MakeFinding("capture.cnp-rate",
                                      name,
                                      telemetry::GroupDigits(flow.cnps) + " CNPs, "
                                          + telemetry::GroupDigits(static_cast<std::uint64_t>(rate))
                                          + " per second"));
            }
        }
    }
}

/** A sender stalled inside a message, and congestion signals that go unanswered. */
void
CheckStallsAndMarks(const AnalysisResult& result,
                    const RuleConfig& rules,
                    std::vector<Finding>& out)
{
    const auto& flows = result.flows.Flows();
    for (const auto& flow : flows)
    {
        if (flow.IsResponseFlow())
        {
            continue; // ACKs, NAKs and CNPs
        }
        if (rules.Enabled("capture.silent-gap")
            && static_cast<double>(flow.longestStallNs) / 1e6
                   >= rules.Threshold("capture.silent-gap", "min_gap_ms"))
        {
            out.push_back(
                rules
                    .MakeFinding("capture.silent-gap",
                                 FlowName(flow),
                                 "silent for " + Ms(flow.longestStallNs)
                                     + " in the middle of a message: paused, a link "
                                       "down, or waiting for a retransmission timeout")
                    .With("from", Ms(flow.longestStallStartNs - result.firstNs))
                    .With("resumed at packet", std::to_string(flow.longestStallEndPacket)));
        }
        auto minMarks = static_cast<std::uint64_t>(
            std::max(1.0, rules.Threshold("capture.ce-without-cnp", "min_ce_packets")));
        if (rules.Enabled("capture.ce-without-cnp") && flow.ecnCe >= minMarks
            && flow.answeredBy != RdmaFlow::kNone
            && result.flows.Flows()[flow.answeredBy].cnps == 0)
        {
            out.push_back(rules.MakeFinding(
                "capture.ce-without-cnp",
                FlowName(flow),
                telemetry::GroupDigits(flow.ecnCe)
                    + " packets arrived marked CE, and the responder's ACKs are seen but no "
                      "CNP: congestion notification is off at the receiver, or its CNPs take "
                      "another path"));
        }
        std::uint64_t ipPackets = flow.ecnNotCapable + flow.ecnCapable + flow.ecnCe;
        auto minPackets
            = static_cast<std::uint64_t>(rules.Threshold("capture.ecn-not-capable", "min_packets"));
        if (rules.Enabled("capture.ecn-not-capable")
            && ipPackets >= std::max<std::uint64_t>(1, minPackets)
            && flow.ecnNotCapable == ipPackets)
        {
            out.push_back(rules.MakeFinding("capture.ecn-not-capable",
                                            FlowName(flow),
                                            "none of its " + telemetry::GroupDigits(ipPackets)
                                                + " packets is ECN-capable: switches cannot mark "
                                                  "it and DCQCN cannot slow it, so congestion "
                                                  "turns into pauses"));
        }
    }
}

void
CheckCaptureHealth(const AnalysisResult& result, const RuleConfig& rules, std::vector<Finding>& out)
{
    if (result.decoded.malformed > 0 && rules.Enabled("capture.malformed"))
    {
        Finding finding = rules.MakeFinding("capture.malformed",
                                            "capture",
                                            telemetry::GroupDigits(result.decoded.malformed)
                                                + " packets did not decode");
        for (std::size_t a = 1; a < kAnomalyCount; ++a)
        {
            auto anomaly = static_cast<Anomaly>(a);
            if (result.anomalies.Get(anomaly) > 0)
            {
                finding.With(std::string(AnomalyName(anomaly)),
                             std::to_string(result.anomalies.Get(anomaly)));
            }
        }
        out.push_back(finding);
    }
    if (rules.Enabled("capture.incomplete-file"))
    {
        for (const auto& problem : result.problems)
        {
            out.push_back(rules.MakeFinding("capture.incomplete-file", "capture", problem.what())
                              .With("packet", std::to_string(problem.PacketNumber()))
                              .With("byte offset", std::to_string(problem.ByteOffset())));
        }
    }
}

} // namespace

void
RegisterCaptureRules(RuleConfig& config)
{
    config.Register({"capture.pfc-storm",
                     "No PFC storm",
                     Severity::Error,
                     {{"min_pause_ms", 100, "ms", "a priority paused continuously this long"}},
                     "PFC watchdogs: SONiC and Juniper detect at 200 ms, mlx5 at 100 ms"});
    config.Register({"capture.pause-ratio",
                     "Priorities not paused most of the time",
                     Severity::Warning,
                     {{"max_ratio", 0.8, "share", "paused time over the capture's span"}},
                     "SONiC's Mellanox watchdog trigger (80% of a window)"});
    config.Register({"capture.retransmissions",
                     "No retransmissions in a lossless class",
                     Severity::Warning,
                     {{"max_ratio",
                       0.001,
                       "share",
                       "retransmitted over request packets: error "
                       "past it, warning below"}},
                     "go-back-N in a lossless fabric means loss; 0.1% is our choice"});
    config.Register({"capture.out-of-sequence",
                     "No PSN gaps",
                     Severity::Warning,
                     {},
                     "a PSN ahead of the next expected one: packets lost before the tap"});
    config.Register({"capture.fatal-nak",
                     "No fatal NAKs",
                     Severity::Error,
                     {},
                     "AETH NAK codes 1-4: invalid request, remote access or operational error"});
    config.Register({"capture.rnr-nak",
                     "No receiver-not-ready NAKs",
                     Severity::Warning,
                     {},
                     "the responder had no receive WQE posted"});
    config.Register({"capture.bad-icrc",
                     "Every ICRC matches",
                     Severity::Error,
                     {},
                     "RoCEv2 ICRC recomputed over the invariant fields"});
    config.Register({"capture.ecn-ce-ratio",
                     "Few packets marked CE",
                     Severity::Warning,
                     {{"max_ratio", 0.05, "share", "CE over ECN-capable packets of a flow"}},
                     "no operator publishes one; 5% is our choice"});
    config.Register({"capture.cnp-rate",
                     "CNP rate below the NIC's pacing limit",
                     Severity::Warning,
                     {{"max_per_second", 125'000, "CNP/s", "CNPs per second on one flow"}},
                     "half of 1 / min_time_between_cnps (4 us) on NVIDIA NICs"});
    config.Register({"capture.silent-gap",
                     "No sender stalls inside a message",
                     Severity::Warning,
                     {{"min_gap_ms", 1, "ms", "silence between two packets of one message"}},
                     "a message's packets leave back to back at line rate; 1 ms is our choice"});
    config.Register({"capture.ce-without-cnp",
                     "CE marks answered by CNPs",
                     Severity::Warning,
                     {{"min_ce_packets", 10, "packets", "CE-marked packets of a flow"}},
                     "the DCQCN notification point sends a CNP for CE-marked packets"});
    config.Register({"capture.ecn-not-capable",
                     "RoCE traffic is ECN-capable",
                     Severity::Warning,
                     {{"min_packets", 100, "packets", "packets over IP of a request flow"}},
                     "DCQCN needs ECT packets for switches to mark"});
    config.Register({"capture.malformed",
                     "Every packet decodes",
                     Severity::Warning,
                     {},
                     "packets captured whole whose headers are not what they claim"});
    config.Register({"capture.incomplete-file",
                     "Every capture reads to its end",
                     Severity::Warning,
                     {},
                     "a record or gzip stream cut short, or a read error"});
}

RuleConfig
DefaultCaptureRules()
{
    RuleConfig config;
    RegisterCaptureRules(config);
    return config;
}

std::vector<Finding>
CheckCapture(const AnalysisResult& result, const RuleConfig& rules)
{
    std::vector<Finding> findings;
    CheckPauses(result, rules, findings);
    CheckFlows(result, rules, findings);
    CheckStallsAndMarks(result, rules, findings);
    CheckCaptureHealth(result, rules, findings);
    return findings;
}

} // namespace fab::dpi
