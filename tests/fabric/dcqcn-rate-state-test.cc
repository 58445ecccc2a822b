#include "fabric/model/dcqcn-rate-state.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <set>
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

TEST_CASE("the rate trace after one CNP follows the DCQCN equations step by step",
          "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    DcqcnRateState state(p);
    const double g = 1.0 / 256;
    // The reference, written out by hand from the update equations.
    double rc = 100e9;
    double rt = 100e9;

    REQUIRE(state.OnCnp(10'000));       // first CNP: alpha starts at 1 in window 10
    REQUIRE_FALSE(state.OnCnp(10'500)); // a check is already pending
    REQUIRE(state.OnDecreaseCheck(12'000));
    // Window 10 saw the second CNP (+g); window 11 was quiet. The first CNP itself only starts
    // alpha.
    double alpha = (1 - g) * ((1 - g) * 1.0 + g);
    rt = rc;
    rc = rc * (1 - alpha / 2);
    REQUIRE(state.Alpha() == Approx(alpha));
    REQUIRE(state.CurrentRateBps() == static_cast<std::uint64_t>(rc));
    REQUIRE(state.TargetRateBps() == static_cast<std::uint64_t>(rt));
    REQUIRE_FALSE(state.OnDecreaseCheck(16'000)); // no CNP since: no cut

    // Increase timer: stages 0..4 fast recovery, stage 5 additive, then hyper increase.
    for (std::uint32_t stage = 0; stage < 12; ++stage)
    {
        if (stage == p.fastRecoveryStages)
        {
            rt = std::min(100e9, rt + 20e6);
        }
        else if (stage > p.fastRecoveryStages)
        {
            rt = std::min(100e9, rt + 200e6);
        }
        rc = (rt + rc) / 2;
        state.OnIncreaseTimer();
        INFO("stage " << stage);
        REQUIRE(static_cast<double>(state.CurrentRateBps()) == Approx(rc).margin(1.0));
        REQUIRE(static_cast<double>(state.TargetRateBps()) == Approx(rt).margin(1.0));
    }

    // A second cut after increases moves the target to the current rate...
    state.OnCnp(3'000'000);
    REQUIRE(state.OnDecreaseCheck(3'004'000));
    double before = rc;
    REQUIRE(state.TargetRateBps() == static_cast<std::uint64_t>(before));
    // ...a third one right after, with no increase between, keeps it (clamp_tgt_rate = 0).
    state.OnCnp(3'005'000);
    REQUIRE(state.OnDecreaseCheck(3'008'000));
    REQUIRE(state.TargetRateBps() == static_cast<std::uint64_t>(before));
    REQUIRE(state.CurrentRateBps() < static_cast<std::uint64_t>(before));
}

TEST_CASE("lazy alpha windows equal a per-window update", "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    std::mt19937 rng(3);
    for (int trial = 0; trial < 20; ++trial)
    {
        DcqcnRateState state(p);
        std::set<std::int64_t> times;
        std::uniform_int_distribution<std::int64_t> when(0, 200'000);
        for (int i = 0; i < 60; ++i)
        {
            times.insert(when(rng));
        }
        for (auto t : times)
        {
            state.OnCnp(t);
        }
        std::int64_t end = 300'000;
        // Reference: one update per 1 µs window from the first CNP's window on.
        std::int64_t first = *times.begin() / 1000;
        std::set<std::int64_t> cnpWindows;
        for (auto t : times)
        {
            if (t / 1000 != first || t != *times.begin())
            {
                cnpWindows.insert(t / 1000);
            }
        }
        double alpha = 1.0;
        for (std::int64_t w = first; w < end / 1000; ++w)
        {
            alpha = (1 - p.g) * alpha + (cnpWindows.count(w) != 0 ? p.g : 0.0);
        }
        REQUIRE(state.AlphaAt(end) == Approx(alpha).epsilon(1e-9));
    }
}

TEST_CASE("DCQCN rates stay within bounds", "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    DcqcnRateState state(p);
    for (int i = 0; i < 500; ++i)
    {
        state.OnCnp(i * 4'000);
        state.OnDecreaseCheck(i * 4'000 + 1);
    }
    REQUIRE(state.CurrentRateBps() == p.minRateBps);
    for (int i = 0; i < 2000; ++i)
    {
        state.OnIncreaseTimer();
    }
    REQUIRE(state.CurrentRateBps() == p.lineRateBps);
    REQUIRE(state.TargetRateBps() == p.lineRateBps);
}

TEST_CASE("with the paper's byte counter, timer and byte expiries stage the increase together",
          "[fabric][dcqcn]")
{
    DcqcnParameters p = DcqcnParameters::ForLineRate(100'000'000'000ULL);
    p.byteCounterBytes = 10'000'000;
    DcqcnRateState state(p);
    state.OnCnp(0);
    REQUIRE(state.OnDecreaseCheck(4'000));
    double rc = static_cast<double>(state.CurrentRateBps());
    double rt = 100e9;
    // Alternate: one timer expiry, then one byte-counter expiry, seven rounds.
    for (std::uint32_t round = 1; round <= 7; ++round)
    {
        for (int event = 0; event < 2; ++event)
        {
            std::uint32_t t = round;
            std::uint32_t bc = event == 0 ? round - 1 : round;
            if (event == 0)
            {
                state.OnIncreaseTimer();
            }
            else
            {
                state.OnBytesSent(p.byteCounterBytes);
            }
            std::uint32_t low = std::min(t, bc);
            std::uint32_t high = std::max(t, bc);
            if (low >= p.fastRecoveryStages)
            {
                rt = std::min(100e9, rt + (low - p.fastRecoveryStages + 1) * 200e6);
            }
            else if (high >= p.fastRecoveryStages)
            {
                rt = std::min(100e9, rt + 20e6);
            }
            rc = (rt + rc) / 2;
            INFO("round " << round << " event " << event);
            REQUIRE(static_cast<double>(state.CurrentRateBps()) == Approx(rc).margin(1.0));
        }
    }
    // Bytes below one period do nothing; the counters restart at a cut.
    DcqcnRateState quiet(p);
    quiet.OnCnp(0);
    quiet.OnDecreaseCheck(4'000);
    auto before = quiet.CurrentRateBps();
    quiet.OnBytesSent(p.byteCounterBytes - 1);
    REQUIRE(quiet.CurrentRateBps() == before);
    quiet.OnBytesSent(1);
    REQUIRE(quiet.CurrentRateBps() > before);
}
