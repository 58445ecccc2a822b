#include "telemetry/model/finding.h"

#include <catch2/catch.hpp>

using namespace fab::telemetry;

TEST_CASE("severity names round-trip and order by badness", "[telemetry][finding]")
{
    for (auto severity : {Severity::Info, Severity::Warning, Severity::Error})
    {
        REQUIRE(ParseSeverity(SeverityName(severity)) == severity);
    }
    REQUIRE_FALSE(ParseSeverity("fatal").has_value());
    REQUIRE_FALSE(ParseSeverity("Error").has_value());
    REQUIRE(Severity::Error > Severity::Warning);
    REQUIRE(Severity::Warning > Severity::Info);
}

TEST_CASE("worst severity and counts", "[telemetry][finding]")
{
    std::vector<Finding> findings;
    REQUIRE_FALSE(WorstSeverity(findings).has_value());
    findings.push_back({"a", Severity::Info, "s", "m", {}});
    findings.push_back({"b", Severity::Warning, "s", "m", {}});
    findings.push_back({"c", Severity::Info, "s", "m", {}});
    REQUIRE(WorstSeverity(findings) == Severity::Warning);
    REQUIRE(CountBySeverity(findings) == std::vector<std::size_t>{2, 1, 0});
}

TEST_CASE("evidence keeps the order it was written in", "[telemetry][finding]")
{
    Finding finding;
    finding.With("z", "1").With("a", "2");
    REQUIRE(finding.evidence.size() == 2);
    REQUIRE(finding.evidence[0].first == "z");
    REQUIRE(finding.evidence[1].second == "2");
}
