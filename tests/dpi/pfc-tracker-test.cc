// Pause time per port and priority from PFC and PAUSE frames: quanta at the link speed,
// refreshes that make one continuous pause, XON, expiry and the end of the capture.
#include "dpi/pfc-tracker.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;

namespace
{

constexpr std::uint64_t k400G = 400'000'000'000ULL;
const MacAddress kPort = {0x02, 0, 0, 0, 0, 0x07};

MacControlFields
Pfc(std::uint8_t priority, std::uint16_t quanta)
{
    MacControlFields f;
    f.opcode = kMacControlPfc;
    f.classEnableVector = static_cast<std::uint16_t>(1u << priority);
    f.quanta[priority] = quanta;
    return f;
}

} // namespace

TEST_CASE("pause time is quanta × 512 bit times at the link speed", "[dpi][pfc]")
{
    REQUIRE(PfcTracker::PauseNs(0xFFFF, k400G) == 83'885); // 83,884.8 ns, rounded up
    REQUIRE(PfcTracker::PauseNs(0xFFFF, 100'000'000'000ULL) == 335'540);
    REQUIRE(PfcTracker::PauseNs(1, 1'000'000'000ULL) == 512);
    REQUIRE(PfcTracker::PauseNs(5, 0) == 0);
}

TEST_CASE("refreshes before expiry make one continuous pause; XON ends it", "[dpi][pfc]")
{
    PfcTracker tracker;
    // XOFF (max quanta) every 50 us from t = 1 ms: each refresh lands before the 83.9 us
    // timer runs out. XON at 1.5 ms.
    std::uint64_t packet = 0;
    for (int i = 0; i < 10; ++i)
    {
        tracker.Add(0, kPort, Pfc(3, 0xFFFF), k400G, 1'000'000 + i * 50'000, ++packet);
    }
    tracker.Add(0, kPort, Pfc(3, 0), k400G, 1'500'000, ++packet);
    tracker.Finish(2'000'000);
    REQUIRE(tracker.Ports().size() == 1);
    const auto& p = tracker.Ports()[0].priorities[3];
    REQUIRE(p.frames == 11);
    REQUIRE(p.xoff == 10);
    REQUIRE(p.xon == 1);
    REQUIRE(p.pausedNs == 500'000);
    REQUIRE(p.longestPauseNs == 500'000);
    REQUIRE(p.longestPauseStartNs == 1'000'000);
    REQUIRE(p.longestPauseFirstPacket == 1);
    REQUIRE(p.storms == 0);
    REQUIRE(tracker.Ports()[0].priorities[4].frames == 0);
    REQUIRE(FormatMac(tracker.Ports()[0].mac) == "02:00:00:00:00:07");
}

TEST_CASE("a pause that is not refreshed runs out", "[dpi][pfc]")
{
    PfcTracker tracker;
    tracker.Add(0, kPort, Pfc(3, 0xFFFF), k400G, 0, 1);
    tracker.Add(0, kPort, Pfc(3, 0xFFFF), k400G, 1'000'000, 2); // long after the first ran out
    tracker.Finish(1'010'000);                                  // the capture ends mid-pause
    const auto& p = tracker.Ports()[0].priorities[3];
    REQUIRE(p.pausedNs == 83'885 + 10'000);
    REQUIRE(p.longestPauseNs == 83'885);
}

TEST_CASE("802.3x PAUSE counts apart from the priorities; ports are told apart by capture and MAC",
          "[dpi][pfc]")
{
    PfcTracker tracker;
    MacControlFields pause;
    pause.opcode = kMacControlPause;
    pause.pauseQuanta = 1000;
    tracker.Add(0, kPort, pause, 1'000'000'000ULL, 0, 1);
    tracker.Add(1, kPort, Pfc(0, 10), k400G, 0, 2);
    MacControlFields twoPriorities = Pfc(3, 100);
    twoPriorities.classEnableVector |= 1u << 4;
    twoPriorities.quanta[4] = 200;
    tracker.Add(1, kPort, twoPriorities, k400G, 100, 3);
    tracker.Finish(1'000'000'000);
    REQUIRE(tracker.Ports().size() == 2);
    REQUIRE(tracker.Ports()[0].priorities[kGlobalPause].pausedNs == 512'000);
    REQUIRE(tracker.Ports()[1].priorities[0].pausedNs == PfcTracker::PauseNs(10, k400G));
    REQUIRE(tracker.Ports()[1].priorities[3].pausedNs == PfcTracker::PauseNs(100, k400G));
    REQUIRE(tracker.Ports()[1].priorities[4].pausedNs == PfcTracker::PauseNs(200, k400G));
}

TEST_CASE("a pause held past the storm time is a storm", "[dpi][pfc]")
{
    PfcTracker tracker(200'000); // 200 us for the test; watchdogs use 100-200 ms
    std::uint64_t packet = 0;
    for (std::int64_t t = 0; t < 300'000; t += 50'000)
    {
        tracker.Add(0, kPort, Pfc(3, 0xFFFF), k400G, t, ++packet);
    }
    tracker.Add(0, kPort, Pfc(3, 0), k400G, 300'000, ++packet);
    tracker.Add(0, kPort, Pfc(3, 0xFFFF), k400G, 400'000, ++packet); // a short one after
    tracker.Finish(1'000'000);
    const auto& p = tracker.Ports()[0].priorities[3];
    REQUIRE(p.storms == 1);
    REQUIRE(p.longestPauseNs == 300'000);
}
