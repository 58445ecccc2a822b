#include "fabric/flow/ring-pattern.h"

#include <catch2/catch.hpp>
#include <vector>

using fab::flow::RingPattern;

TEST_CASE("a ring pattern counts its members on each link, in link order", "[flow][pattern]")
{
    RingPattern pattern(4, 1000, 1);
    pattern.AddFabricMember({7, 2, 9}, 100, 8'000'000'000ULL);
    pattern.AddFabricMember({2, 5}, 100, 8'000'000'000ULL);
    pattern.AddScaleUpMember(50);
    pattern.Finish();
    CHECK(pattern.FabricMembers() == 2);
    CHECK(pattern.Links() == std::vector<std::uint32_t>{2, 5, 7, 9});
    CHECK(pattern.Counts() == std::vector<std::uint32_t>{2, 1, 1, 1});
}

TEST_CASE("a ring pattern's steps follow each other at the larger of its bandwidth and latency "
          "bounds",
          "[flow][pattern]")
{
    // 1,000 wire bytes a chunk (8,000 bits), members' latencies 500 and 700 ns, 8 Gbps links.
    auto make = [](std::uint32_t channels, std::int64_t scaleUpNs)
    {
        RingPattern pattern(3, 1000, channels);
        pattern.AddFabricMember({0}, 500, 8'000'000'000ULL);
        pattern.AddFabricMember({1}, 700, 8'000'000'000ULL);
        if (scaleUpNs > 0)
        {
            pattern.AddScaleUpMember(scaleUpNs);
        }
        pattern.Finish();
        return pattern;
    };
    SECTION("one channel at line rate: each step 1,000 ns of sending and the longest latency")
    {
        CHECK(make(1, 0).DurationNs(8e9) == Approx(3 * 1700.0));
    }
    SECTION("four channels sharing the link: the bandwidth bound, then the last chunk's latency")
    {
        // 2 Gbps each: 4,000 ns a chunk; alone 1,000 ns + 700 ns is less.
        CHECK(make(4, 0).DurationNs(2e9) == Approx(2 * 4000.0 + 4000.0 + 700.0));
    }
    SECTION("four channels with a slow member elsewhere: alone is what the link leaves")
    {
        // 1 Gbps each (another bottleneck): 8,000 ns shared; alone at 4 Gbps is 2,000 + 700.
        CHECK(make(4, 0).DurationNs(1e9) == Approx(2 * 8000.0 + 8000.0 + 700.0));
    }
    SECTION("a member inside a server slower than the fabric sets the period")
    {
        CHECK(make(1, 5000).DurationNs(8e9) == Approx(3 * 5000.0));
    }
    SECTION("only members inside servers: steps of the scale-up link's time")
    {
        RingPattern inside(3, 1000, 1);
        inside.AddScaleUpMember(400);
        inside.Finish();
        CHECK_FALSE(inside.CrossesFabric());
        CHECK(inside.DurationNs(0) == Approx(1200.0));
    }
}
