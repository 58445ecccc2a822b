#include "fabric/model/dctcp-window-state.h"

#include <catch2/catch.hpp>

using namespace ns3::fabric;

TEST_CASE("DCTCP window: alpha tracks the marked fraction, one cut per window", "[fabric][dctcp]")
{
    DctcpParameters p;
    p.initialAlpha = 0; // start from no congestion history to read the update cleanly
    DctcpWindowState state(p);
    // Window 1: everything acknowledged unmarked: +1 MSS.
    state.OnAck(100'000, 0, 100'000, 200'000);
    REQUIRE(state.WindowBytes() == p.initialWindowBytes + p.mssBytes);
    REQUIRE(state.Alpha() == 0.0);
    REQUIRE(DctcpWindowState(DctcpParameters{}).Alpha() == 1.0);
    // Inside the next window (ends at 200,000 acknowledged bytes) nothing changes yet.
    state.OnAck(50'000, 50'000, 150'000, 250'000);
    REQUIRE(state.WindowBytes() == p.initialWindowBytes + p.mssBytes);
    // The window closes with half of its bytes marked: α = g·0.5, W ← W·(1 − α/2).
    state.OnAck(50'000, 0, 200'000, 300'000);
    double alpha = p.g * 0.5;
    REQUIRE(state.Alpha() == Approx(alpha));
    REQUIRE(static_cast<double>(state.WindowBytes())
            == Approx((p.initialWindowBytes + p.mssBytes) * (1 - alpha / 2)).margin(1));
    REQUIRE(state.Reductions() == 1);
    // A fully marked window: α ← (1 − g)·α + g.
    state.OnAck(100'000, 100'000, 300'000, 400'000);
    REQUIRE(state.Alpha() == Approx((1 - p.g) * alpha + p.g));
}

TEST_CASE("DCTCP window stays within its bounds", "[fabric][dctcp]")
{
    DctcpParameters p;
    DctcpWindowState state(p);
    std::uint64_t position = 0;
    for (int i = 0; i < 1000; ++i)
    {
        position += 10'000;
        state.OnAck(10'000, 10'000, position, position);
    }
    REQUIRE(state.WindowBytes() == p.minWindowBytes);
    for (int i = 0; i < 10'000; ++i)
    {
        position += 10'000;
        state.OnAck(10'000, 0, position, position);
    }
    REQUIRE(state.WindowBytes() == p.maxWindowBytes);
}
