#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/rule-config.h"

#include <catch2/catch.hpp>

using namespace fab::telemetry;
using nlohmann::json;

namespace
{

RuleConfig
SampleRules()
{
    RuleConfig config;
    config.Register(
        {"x.ratio", "ratio", Severity::Warning, {{"max", 1.0, "", ""}, {"min", 0.1, "", ""}}, ""});
    config.Register({"x.flag", "flag", Severity::Error, {}, ""});
    return config;
}

std::string
OverridePlace(const json& document)
{
    auto config = SampleRules();
    try
    {
        config.ApplyOverrides(document);
    }
    catch (const InputError& error)
    {
        return error.Place();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("defaults hold until overridden", "[telemetry][rules]")
{
    auto config = SampleRules();
    REQUIRE(config.Threshold("x.ratio", "max") == 1.0);
    REQUIRE(config.SeverityOf("x.flag") == Severity::Error);
    REQUIRE(config.Enabled("x.flag"));
    config.ApplyOverrides(json{
        {"schema", 1},
        {"rules",
         {{"x.ratio", {{"max", 3}, {"severity", "error"}}}, {"x.flag", {{"enabled", false}}}}}});
    REQUIRE(config.Threshold("x.ratio", "max") == 3.0);
    REQUIRE(config.Threshold("x.ratio", "min") == 0.1);
    REQUIRE(config.SeverityOf("x.ratio") == Severity::Error);
    REQUIRE_FALSE(config.Enabled("x.flag"));
    auto finding = config.MakeFinding("x.ratio", "subject", "message");
    REQUIRE(finding.severity == Severity::Error);
    REQUIRE(finding.rule == "x.ratio");
}

TEST_CASE("bad rules files are rejected with their pointer", "[telemetry][rules]")
{
    REQUIRE(OverridePlace({{"schema", 1}, {"rules", {{"x.nope", json::object()}}}})
            == "/rules/x.nope");
    REQUIRE(OverridePlace({{"schema", 1}, {"rules", {{"x.ratio", {{"maxx", 2}}}}}})
            == "/rules/x.ratio/maxx");
    REQUIRE(OverridePlace({{"schema", 1}, {"rules", {{"x.ratio", {{"max", "two"}}}}}})
            == "/rules/x.ratio/max");
    REQUIRE(OverridePlace({{"schema", 1}, {"rules", {{"x.ratio", {{"severity", "fatal"}}}}}})
            == "/rules/x.ratio/severity");
    REQUIRE(OverridePlace({{"schema", 2}, {"rules", json::object()}}) == "/schema");
    REQUIRE(OverridePlace({{"rules", json::object()}}) == "/schema");
    REQUIRE(OverridePlace({{"schema", 1}, {"rules", json::object()}, {"extra", 1}}) == "/extra");
    REQUIRE(OverridePlace({{"schema", 1}, {"rules", {{"x.flag", {{"enabled", "yes"}}}}}})
            == "/rules/x.flag/enabled");
}

TEST_CASE("the effective configuration reads back as a rules file", "[telemetry][rules]")
{
    auto config = SampleRules();
    config.ApplyOverrides(json{{"schema", 1}, {"rules", {{"x.ratio", {{"max", 2.5}}}}}});
    auto copy = SampleRules();
    copy.ApplyOverrides(config.ToJson());
    REQUIRE(copy.Threshold("x.ratio", "max") == 2.5);
    REQUIRE(copy.ToJson() == config.ToJson());
}

TEST_CASE("thresholds outside their range or order are rejected", "[telemetry][rules]")
{
    auto rules = []
    {
        RuleConfig config;
        config.Register({"x.band",
                         "a band of shares",
                         Severity::Warning,
                         {{"low", 0.1, "share", ""}, {"high", 0.5, "share", ""}},
                         "",
                         {{"low", "high"}}});
        config.Register(
            {"x.count", "a count", Severity::Warning, {{"max", 10, "packets", ""}}, ""});
        config.Register({"x.hops", "hops", Severity::Warning, {{"max", 5, "hops", "", 1, 64}}, ""});
        return config;
    };
    auto placeOf = [&](const json& overrides)
    {
        auto config = rules();
        try
        {
            config.ApplyOverrides({{"schema", 1}, {"rules", overrides}});
        }
        catch (const InputError& error)
        {
            return error.Place();
        }
        return std::string("(accepted)");
    };
    auto [overrides, place] = GENERATE_REF(table<json, std::string>({
        {{{"x.count", {{"max", -1}}}}, "/rules/x.count/max"},
        {{{"x.count", {{"max", 1e300}}}}, "/rules/x.count/max"},
        {{{"x.band", {{"high", 1.5}}}}, "/rules/x.band/high"},
        {{{"x.band", {{"low", -0.1}}}}, "/rules/x.band/low"},
        // Inverted: the pointer names the one the file set, the upper one when it set both.
        {{{"x.band", {{"low", 0.6}}}}, "/rules/x.band/low"},
        {{{"x.band", {{"high", 0.05}}}}, "/rules/x.band/high"},
        {{{"x.band", {{"low", 0.4}, {"high", 0.3}}}}, "/rules/x.band/high"},
        {{{"x.band", {{"low", 0.3}, {"high", 0.3}}}}, "/rules/x.band/high"},
        {{{"x.hops", {{"max", 0}}}}, "/rules/x.hops/max"},
        {{{"x.hops", {{"max", 65}}}}, "/rules/x.hops/max"},
        // Values inside their range and order.
        {{{"x.band", {{"low", 0}, {"high", 1}}}}, "(accepted)"},
        {{{"x.band", {{"low", 0.6}, {"high", 0.9}}}}, "(accepted)"},
        {{{"x.count", {{"max", 0}}}, {"x.hops", {{"max", 64}}}}, "(accepted)"},
    }));
    INFO(overrides.dump());
    REQUIRE(placeOf(overrides) == place);
}
