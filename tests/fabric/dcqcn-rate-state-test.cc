#include "fabric/model/dcqcn-rate-state.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace ns3::fabric;

TEST_CASE("DCQCN parameters scale with the line rate as HPCC's simulator does", "[fabric][dcqcn]")
{
    auto p100 = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    REQUIRE(p100.additiveIncreaseBps == 20'000'000);
    REQUIRE(p100.hyperIncreaseBps == 200'000'000);
    auto p400 = DcqcnParameters::ForLineRate(400'000'000'000ULL);
    REQUIRE(p400.additiveIncreaseBps == 80'000'000);
    REQUIRE(p400.hyperIncreaseBps == 800'000'000);
}

TEST_CASE("the rate trace after one CNP follows the paper's equations step by step",
          "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    DcqcnRateState state(p);
    // The reference: the equations of Zhu et al. (2015), Section 5, written out here by hand.
    double rc = 100e9;
    double rt = 100e9;
    double alpha = 1.0;
    const double g = 1.0 / 256;

    REQUIRE(state.OnCnp(10'000));
    rt = rc;
    rc = rc * (1 - alpha / 2);
    alpha = (1 - g) * alpha + g;
    REQUIRE(state.CurrentRateBps() == static_cast<std::uint64_t>(rc)); // 50 Gb/s
    REQUIRE(state.TargetRateBps() == static_cast<std::uint64_t>(rt));
    REQUIRE(state.Alpha() == Approx(alpha));

    // Alpha decays once per quiet interval.
    for (int k = 1; k <= 10; ++k)
    {
        state.OnAlphaTimer(10'000 + k * p.alphaUpdateIntervalNs);
        alpha *= 1 - g;
        REQUIRE(state.Alpha() == Approx(alpha));
    }

    // Timer stages 1..4: fast recovery halves the gap to the target; 5..: additive increase.
    // Start from a target below line rate so that additive increase shows.
    state.OnCnp(20'000);
    rt = rc;
    rc = rc * (1 - alpha / 2);
    alpha = (1 - g) * alpha + g;
    REQUIRE(state.CurrentRateBps() == static_cast<std::uint64_t>(rc));
    std::vector<double> expected;
    for (std::uint32_t stage = 1; stage <= 12; ++stage)
    {
        if (stage >= p.fastRecoveryStages)
        {
            rt = std::min(100e9, rt + 20e6); // the target never exceeds the line rate
        }
        rc = (rt + rc) / 2;
        expected.push_back(rc);
    }
    for (std::uint32_t stage = 1; stage <= 12; ++stage)
    {
        state.OnIncreaseTimer();
        INFO("stage " << stage);
        REQUIRE(static_cast<double>(state.CurrentRateBps())
                == Approx(expected[stage - 1]).margin(1.0));
    }

    // Once both counters pass F, hyper increase adds i × R_HAI to the target.
    DcqcnRateState hyper(p);
    hyper.OnCnp(0);
    double hrc = 50e9;
    double hrt = 100e9;
    for (std::uint32_t stage = 1; stage <= 7; ++stage)
    {
        hyper.OnIncreaseTimer();
        hyper.OnBytesSent(p.byteCounterBytes);
        // Each timer event and each byte-counter event is one increase.
        for (std::uint32_t event = 0; event < 2; ++event)
        {
            std::uint32_t timer = stage;
            std::uint32_t bytes = event == 0 ? stage - 1 : stage;
            std::uint32_t low = std::min(timer, bytes);
            std::uint32_t high = std::max(timer, bytes);
            if (low >= p.fastRecoveryStages)
            {
                hrt = std::min(100e9, hrt + (low - p.fastRecoveryStages + 1) * 200e6);
            }
            else if (high >= p.fastRecoveryStages)
            {
                hrt = std::min(100e9, hrt + 20e6);
            }
            hrc = (hrt + hrc) / 2;
        }
        REQUIRE(static_cast<double>(hyper.CurrentRateBps()) == Approx(hrc).margin(1.0));
    }
}

TEST_CASE("DCQCN cuts at most once per decrease interval and respects the rate bounds",
          "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    DcqcnRateState state(p);
    REQUIRE(state.OnCnp(0));
    REQUIRE_FALSE(state.OnCnp(3'999));
    REQUIRE(state.OnCnp(4'000));
    REQUIRE(state.Cuts() == 2);
    for (int i = 0; i < 200; ++i)
    {
        state.OnCnp(8'000 + i * 4'000);
    }
    REQUIRE(state.CurrentRateBps() == p.minRateBps);
    for (int i = 0; i < 6000; ++i)
    {
        state.OnIncreaseTimer();
    }
    REQUIRE(state.CurrentRateBps() == p.lineRateBps);
    // A CNP inside the alpha interval stops the decay.
    DcqcnRateState quiet(p);
    quiet.OnCnp(0);
    double alpha = quiet.Alpha();
    quiet.OnAlphaTimer(500);
    REQUIRE(quiet.Alpha() == alpha);
}

TEST_CASE("lazy alpha decay equals the periodic timer", "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    DcqcnRateState periodic(p);
    DcqcnRateState lazy(p);
    periodic.OnCnp(0);
    lazy.OnCnp(0);
    for (int k = 1; k <= 37; ++k)
    {
        periodic.OnAlphaTimer(k * p.alphaUpdateIntervalNs);
    }
    lazy.AdvanceAlpha(37 * p.alphaUpdateIntervalNs + 500);
    REQUIRE(lazy.Alpha() == Approx(periodic.Alpha()));
    // A CNP applies the decay owed before it cuts, whichever way alpha was kept.
    periodic.OnCnp(40 * p.alphaUpdateIntervalNs);
    DcqcnRateState lazy2(p);
    lazy2.OnCnp(0);
    lazy2.OnCnp(40 * p.alphaUpdateIntervalNs);
    REQUIRE(lazy2.Alpha() == Approx(periodic.Alpha()));
    REQUIRE(lazy2.CurrentRateBps() == periodic.CurrentRateBps());
}
