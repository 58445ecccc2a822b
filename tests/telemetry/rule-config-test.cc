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
