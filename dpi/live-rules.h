#ifndef FABRICSCOPE_DPI_LIVE_RULES_H
#define FABRICSCOPE_DPI_LIVE_RULES_H

#include "dpi/sflow-collector.h"
#include "telemetry/model/finding.h"
#include "telemetry/model/rule-config.h"

#include <map>
#include <string>
#include <vector>

namespace fab::dpi
{

/** A finding that became true or stopped being true at an evaluation. */
struct LiveFindingChange
{
    bool raised{true}; ///< false: cleared
    telemetry::Finding finding;
};

/**
 * The runtime rules of `analyze` (the same ids, thresholds and --rules overrides) evaluated on
 * what sFlow shows, over the collector's sliding window:
 *
 * - capture.ecn-ce-ratio, capture.cnp-rate and capture.retransmissions per RDMA traffic class,
 *   on sampled packets scaled by their sampling rates (a class needs minSamples samples in the
 *   window to be judged: a handful of samples says little);
 * - capture.pause-ratio and capture.pfc-storm per port and priority, from the PFC counters
 *   between the agent's last two readings and how long the priority has been paused without a
 *   break;
 * - capture.malformed when datagrams in the window did not decode.
 *
 * A finding is raised once, when it first holds, and cleared once, when it no longer does;
 * Active lists the ones that hold.
 */
class LiveRules
{
public:
    explicit LiveRules(telemetry::RuleConfig rules, std::uint64_t minSamples = 10);

    /** `extra`: findings of other checks (the inventory) that take part in raise and clear. */
    std::vector<LiveFindingChange> Evaluate(const SflowCollector& collector,
                                            std::vector<telemetry::Finding> extra = {});

    /** The findings that hold, ordered by rule and subject. */
    std::vector<telemetry::Finding> Active() const;
    std::uint64_t RaisedTotal() const { return m_raised; }
    const telemetry::RuleConfig& Rules() const { return m_rules; }

private:
    std::vector<telemetry::Finding> Check(const SflowCollector& collector) const;

    telemetry::RuleConfig m_rules;
    std::uint64_t m_minSamples;
    std::map<std::string, telemetry::Finding> m_active; // by rule and subject
    std::uint64_t m_raised{0};
};

} // namespace fab::dpi

#endif
