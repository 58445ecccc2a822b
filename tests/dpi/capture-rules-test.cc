// The runtime rules of `analyze` on flows built from hand-made frames: each rule fires on the
// evidence it names and stays quiet without it, and thresholds come from the rule file.
#include "dpi/capture-rules.h"
#include "tests/dpi/flow-feeder.h"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace fab::dpi;
using namespace fab::dpi::test;

namespace
{

std::vector<fab::telemetry::Finding>
FindingsOf(const AnalysisResult& result, const std::string& rule)
{
    auto all = CheckCapture(result, DefaultCaptureRules());
    std::vector<fab::telemetry::Finding> out;
    std::copy_if(all.begin(),
                 all.end(),
                 std::back_inserter(out),
                 [&](const auto& finding) { return finding.rule == rule; });
    return out;
}

/** A flow of `packets` WRITE_ONLY requests marked with `tos`, ACKed from the other side. */
void
MarkedFlow(Feeder& f, std::uint32_t packets, std::uint8_t tos, bool cnps)
{
    RoceSpec spec;
    spec.opcode = kWriteOnly;
    spec.destQp = 0x100;
    spec.tos = tos;
    for (std::uint32_t psn = 1; psn <= packets; ++psn)
    {
        spec.psn = psn;
        f.Send(spec, psn * 1'000);
    }
    f.Response(0x1F, packets, packets * 1'000 + 500, 0x200);
    if (cnps)
    {
        RoceSpec cnp;
        cnp.opcode = kCnp;
        cnp.destQp = 0x200;
        cnp.psn = 0;
        cnp.headers.assign(16, 0);
        f.Send(cnp, packets * 1'000 + 600, true);
    }
}

} // namespace

TEST_CASE("capture.silent-gap: a message stalled past 1 ms, named with the packet that resumed it",
          "[dpi][rules]")
{
    AnalysisResult result;
    Feeder f(result.flows);
    f.Request(1, 0, 0x100, 0x06);
    f.Request(2, 1'500'000, 0x100, 0x08);
    f.Request(3, 1'501'000, 0x300, 0x06);
    f.Request(4, 2'400'000, 0x300, 0x08); // 0.9 ms: under the threshold
    auto findings = FindingsOf(result, "capture.silent-gap");
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].subject.find("QP 0x000100") != std::string::npos);
    INFO(findings[0].message);
    CHECK(findings[0].message.find("1.5 ms") != std::string::npos);
    bool resumed = false;
    for (const auto& [key, value] : findings[0].evidence)
    {
        resumed = resumed || (key == "resumed at packet" && value == "2");
    }
    CHECK(resumed);
}

TEST_CASE("capture.ce-without-cnp: CE marks with ACKs seen but no CNP", "[dpi][rules]")
{
    AnalysisResult silent;
    Feeder quiet(silent.flows);
    MarkedFlow(quiet, 20, 0x6B, false); // CE
    CHECK(FindingsOf(silent, "capture.ce-without-cnp").size() == 1);

    AnalysisResult answered;
    Feeder loud(answered.flows);
    MarkedFlow(loud, 20, 0x6B, true);
    CHECK(FindingsOf(answered, "capture.ce-without-cnp").empty());

    AnalysisResult few;
    Feeder some(few.flows);
    MarkedFlow(some, 9, 0x6B, false); // under min_ce_packets
    CHECK(FindingsOf(few, "capture.ce-without-cnp").empty());
}

TEST_CASE("capture.ecn-not-capable: a RoCE flow whose packets are all Not-ECT", "[dpi][rules]")
{
    AnalysisResult plain;
    Feeder notEct(plain.flows);
    MarkedFlow(notEct, 150, 0x68, false); // DSCP 26, Not-ECT
    auto findings = FindingsOf(plain, "capture.ecn-not-capable");
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].message.find("150 packets") != std::string::npos);
    CHECK(FindingsOf(plain, "capture.ce-without-cnp").empty());

    AnalysisResult capable;
    Feeder ect(capable.flows);
    MarkedFlow(ect, 150, 0x6A, false);
    CHECK(FindingsOf(capable, "capture.ecn-not-capable").empty());
}
