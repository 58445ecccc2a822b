#ifndef FABRICSCOPE_TELEMETRY_RULE_CONFIG_H
#define FABRICSCOPE_TELEMETRY_RULE_CONFIG_H

#include "telemetry/model/finding.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fab::telemetry
{

/**
 * One tunable number of a rule, with its unit and where the default comes from, and the values
 * a rules file may give it: none is negative, a "share" is at most 1, and the bound keeps every
 * count, time and rate a finite number that the checks can turn into integers.
 */
struct ThresholdSpec
{
    std::string name;
    double value{0};
    std::string unit;
    std::string description;
    double min{0};
    double max{1e9}; ///< 1 for a "share"
};

/** Two thresholds of one rule whose values must stay in order: `lower` below `upper`. */
struct ThresholdOrder
{
    std::string lower;
    std::string upper;
};

/** What a rule is, how bad its findings are by default, and its thresholds. */
struct RuleSpec
{
    std::string id;
    std::string title;
    Severity severity{Severity::Warning};
    std::vector<ThresholdSpec> thresholds;
    std::string source;
    std::vector<ThresholdOrder> orders{}; ///< e.g. a band's low end below its high end
};

/**
 * The rules a command knows, with their defaults, and the user's overrides. A rules file reads:
 *
 *     {"schema": 1,
 *      "rules": {"design.oversubscription": {"max_ratio": 3, "severity": "warning"},
 *                "design.cost-share": {"enabled": false}}}
 *
 * Unknown rule ids, unknown thresholds, values outside a threshold's range and thresholds out of
 * their order are rejected with their JSON pointer.
 */
class RuleConfig
{
public:
    /** Adds a rule with its defaults; ids are unique. */
    void Register(RuleSpec spec);

    bool Enabled(const std::string& id) const;
    Severity SeverityOf(const std::string& id) const;
    double Threshold(const std::string& id, const std::string& name) const;
    const RuleSpec& Spec(const std::string& id) const;

    /** Every rule, in registration order, with overrides applied. */
    const std::vector<RuleSpec>& Rules() const { return m_rules; }

    /** Applies the overrides of a parsed rules document; throws InputError on bad input. */
    void ApplyOverrides(const nlohmann::json& document);

    /** Reads a rules file and applies it; the InputError names the file. */
    void ApplyOverridesFile(const std::string& path);

    /** A finding of this rule at its configured severity. */
    Finding MakeFinding(const std::string& id, std::string subject, std::string message) const;

    /** An informational finding of this rule (what it measured), whatever its severity. */
    Finding MakeNote(const std::string& id, std::string subject, std::string message) const;

    /** The effective configuration as a rules document (what a user would write to get it). */
    nlohmann::json ToJson() const;

private:
    RuleSpec& Find(const std::string& id);

    std::vector<RuleSpec> m_rules;
    std::map<std::string, std::size_t> m_index;
    std::map<std::string, bool> m_enabled;
};

} // namespace fab::telemetry

#endif
