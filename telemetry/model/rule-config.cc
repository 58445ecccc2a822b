#include "telemetry/model/rule-config.h"

#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/text-format.h"

#include <algorithm>
#include <stdexcept>

namespace fab::telemetry
{

void
RuleConfig::Register(RuleSpec spec)
{
    if (m_index.count(spec.id) != 0)
    {
        throw std::logic_error("rule registered twice: " + spec.id);
    }
    for (auto& threshold : spec.thresholds)
    {
        if (threshold.unit == "share")
        {
            threshold.max = std::min(threshold.max, 1.0);
        }
    }
    m_index[spec.id] = m_rules.size();
    m_enabled[spec.id] = true;
    m_rules.push_back(std::move(spec));
}

RuleSpec&
RuleConfig::Find(const std::string& id)
{
    auto it = m_index.find(id);
    if (it == m_index.end())
    {
        throw std::logic_error("unknown rule: " + id);
    }
    return m_rules[it->second];
}

const RuleSpec&
RuleConfig::Spec(const std::string& id) const
{
    auto it = m_index.find(id);
    if (it == m_index.end())
    {
        throw std::logic_error("unknown rule: " + id);
    }
    return m_rules[it->second];
}

bool
RuleConfig::Enabled(const std::string& id) const
{
    Spec(id);
    return m_enabled.at(id);
}

Severity
RuleConfig::SeverityOf(const std::string& id) const
{
    return Spec(id).severity;
}

double
RuleConfig::Threshold(const std::string& id, const std::string& name) const
{
    for (const auto& threshold : Spec(id).thresholds)
    {
        if (threshold.name == name)
        {
            return threshold.value;
        }
    }
    throw std::logic_error("rule " + id + " has no threshold " + name);
}

void
RuleConfig::ApplyOverrides(const nlohmann::json& document)
{
    JsonObjectReader root(document, "");
    root.Integer("schema", 1, 1);
    JsonObjectReader rules = root.Object("rules");
    root.Finish();
    for (const auto& item : document.at("rules").items())
    {
        const std::string& id = item.key();
        if (m_index.count(id) == 0)
        {
            std::string known;
            for (const auto& rule : m_rules)
            {
                known += (known.empty() ? "" : ", ") + rule.id;
            }
            rules.Fail(id, "unknown rule; known rules: " + known);
        }
        RuleSpec& spec = Find(id);
        JsonObjectReader rule = rules.Object(id);
        m_enabled[id] = rule.Bool("enabled", m_enabled[id]);
        if (rule.Has("severity"))
        {
            auto severity = ParseSeverity(rule.String("severity"));
            if (!severity)
            {
                rule.Fail("severity", "expected \"info\", \"warning\" or \"error\"");
            }
            spec.severity = *severity;
        }
        for (auto& threshold : spec.thresholds)
        {
            threshold.value
                = rule.Number(threshold.name, threshold.min, threshold.max, threshold.value);
        }
        for (const auto& order : spec.orders)
        {
            double lower = Threshold(id, order.lower);
            double upper = Threshold(id, order.upper);
            if (!(lower < upper))
            {
                // Point at the one the file set; at the upper one when it set both.
                rule.Fail(rule.Has(order.upper) ? order.upper : order.lower,
                          "expected " + order.lower + " (" + FormatDecimal(lower, 6) + ") below "
                              + order.upper + " (" + FormatDecimal(upper, 6) + ")");
            }
        }
        rule.Finish();
    }
    rules.Finish();
}

void
RuleConfig::ApplyOverridesFile(const std::string& path)
{
    auto document = ReadJsonFile(path);
    try
    {
        ApplyOverrides(document);
    }
    catch (InputError& error)
    {
        error.SetFile(path);
        throw;
    }
}

Finding
RuleConfig::MakeFinding(const std::string& id, std::string subject, std::string message) const
{
    Finding finding;
    finding.rule = id;
    finding.severity = SeverityOf(id);
    finding.subject = std::move(subject);
    finding.message = std::move(message);
    return finding;
}

Finding
RuleConfig::MakeNote(const std::string& id, std::string subject, std::string message) const
{
    Finding finding = MakeFinding(id, std::move(subject), std::move(message));
    finding.severity = Severity::Info;
    return finding;
}

nlohmann::json
RuleConfig::ToJson() const
{
    nlohmann::json rules = nlohmann::json::object();
    for (const auto& spec : m_rules)
    {
        nlohmann::json rule
            = {{"enabled", m_enabled.at(spec.id)}, {"severity", SeverityName(spec.severity)}};
        for (const auto& threshold : spec.thresholds)
        {
            rule[threshold.name] = threshold.value;
        }
        rules[spec.id] = rule;
    }
    return {{"schema", 1}, {"rules", rules}};
}

} // namespace fab::telemetry
