#include "dpi/live-rules.h"

#include "telemetry/model/text-format.h"

#include <algorithm>

namespace fab::dpi
{

using telemetry::Finding;
using telemetry::Severity;

namespace
{

std::string
Percent(double share)
{
    return telemetry::FormatDecimal(share * 100, 2) + "%";
}

std::string
PortName(const SflowInterfaceKey& key)
{
    return FormatAgent(key.agent) + " ifIndex " + std::to_string(key.ifIndex);
}

} // namespace

LiveRules::LiveRules(telemetry::RuleConfig rules, std::uint64_t minSamples)
: m_rules(std::move(rules))
, m_minSamples(std::max<std::uint64_t>(1, minSamples))
{
}

std::vector<Finding>
LiveRules::Check(const SflowCollector& collector) const
{
    std::vector<Finding> out;
    double windowSeconds = static_cast<double>(collector.Options().windowNs) / 1e9;
    for (const auto& [key, counts] : collector.Window())
    {
        if (counts.samples < m_minSamples)
        {
            continue;
        }
        std::string subject = "traffic class " + FormatTrafficClass(key);
        std::string evidence = telemetry::GroupDigits(counts.samples) + " samples, about "
                               + telemetry::GroupDigits(static_cast<std::uint64_t>(counts.packets))
                               + " packets in the last "
                               + telemetry::FormatDecimal(windowSeconds, 0) + " s";
        double marked = counts.ecnCe + counts.ecnCapable;
        if (marked > 0 && m_rules.Enabled("capture.ecn-ce-ratio"))
        {
            double ratio = counts.ecnCe / marked;
            if (ratio > m_rules.Threshold("capture.ecn-ce-ratio", "max_ratio"))
            {
                out.push_back(m_rules
                                  .MakeFinding("capture.ecn-ce-ratio",
                                               subject,
                                               Percent(ratio) + " of ECN-capable packets marked CE")
                                  .With("evidence", evidence));
            }
        }
        double cnpRate = counts.cnps / windowSeconds;
        if (m_rules.Enabled("capture.cnp-rate")
            && cnpRate > m_rules.Threshold("capture.cnp-rate", "max_per_second"))
        {
            out.push_back(
                m_rules
                    .MakeFinding("capture.cnp-rate",
                                 subject,
                                 "about "
                                     + telemetry::GroupDigits(static_cast<std::uint64_t>(cnpRate))
                                     + " CNPs per second")
                    .With("evidence", evidence));
        }
        if (counts.retransmitted > 0 && counts.requests > 0
            && m_rules.Enabled("capture.retransmissions"))
        {
            double ratio = counts.retransmitted / counts.requests;
            Finding finding = m_rules.MakeFinding("capture.retransmissions",
                                                  subject,
                                                  "about " + Percent(ratio)
                                                      + " of sampled requests were go-back-N "
                                                        "retransmissions");
            finding.severity = ratio > m_rules.Threshold("capture.retransmissions", "max_ratio")
                                   ? Severity::Error
                                   : Severity::Warning;
            out.push_back(finding.With("evidence", evidence));
        }
    }
    double stormMs = m_rules.Threshold("capture.pfc-storm", "min_pause_ms");
    double maxPaused = m_rules.Threshold("capture.pause-ratio", "max_ratio");
    for (const auto& [key, port] : collector.Interfaces())
    {
        if (!port.hasRates || !port.latest.hasPfc || collector.Stale(port))
        {
            continue;
        }
        for (std::size_t p = 0; p < kSflowPfcPriorities; ++p)
        {
            std::string subject = PortName(key) + ", priority " + std::to_string(p);
            if (m_rules.Enabled("capture.pfc-storm")
                && static_cast<double>(port.continuousPauseMs[p]) >= stormMs)
            {
                out.push_back(
                    m_rules.MakeFinding("capture.pfc-storm",
                                        subject,
                                        "paused without a break for "
                                            + telemetry::GroupDigits(static_cast<std::uint64_t>(
                                                port.continuousPauseMs[p]))
                                            + " ms by the pause frames it receives"));
            }
            else if (m_rules.Enabled("capture.pause-ratio")
                     && port.rates.rxPausedShare[p] > maxPaused)
            {
                out.push_back(m_rules.MakeFinding("capture.pause-ratio",
                                                  subject,
                                                  Percent(port.rates.rxPausedShare[p])
                                                      + " of the last counter interval paused"));
            }
        }
    }
    std::uint64_t bad = collector.WindowBadDatagrams();
    if (bad > 0 && m_rules.Enabled("capture.malformed"))
    {
        out.push_back(m_rules.MakeFinding("capture.malformed",
                                          "sFlow datagrams",
                                          telemetry::GroupDigits(bad)
                                              + " datagrams in the window did not decode"));
    }
    return out;
}

std::vector<LiveFindingChange>
LiveRules::Evaluate(const SflowCollector& collector, std::vector<Finding> extra)
{
    std::map<std::string, Finding> now;
    std::vector<Finding> findings = Check(collector);
    findings.insert(findings.end(), extra.begin(), extra.end());
    for (auto& finding : findings)
    {
        std::string key = finding.rule + "\n" + finding.subject;
        now.emplace(std::move(key), std::move(finding));
    }
    std::vector<LiveFindingChange> changes;
    for (const auto& [key, finding] : m_active)
    {
        if (now.count(key) == 0)
        {
            changes.push_back({false, finding});
        }
    }
    for (const auto& [key, finding] : now)
    {
        if (m_active.count(key) == 0)
        {
            changes.push_back({true, finding});
            m_raised++;
        }
    }
    m_active = std::move(now);
    return changes;
}

std::vector<Finding>
LiveRules::Active() const
{
    std::vector<Finding> out;
    out.reserve(m_active.size());
    for (const auto& [key, finding] : m_active)
    {
        out.push_back(finding);
    }
    return out;
}

} // namespace fab::dpi
