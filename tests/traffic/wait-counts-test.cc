#include "traffic/model/wait-counts.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>

using fab::traffic::WaitCounts;

TEST_CASE("wait counts hold what a map would, through growth and deletions", "[traffic][generator]")
{
    auto seed = GENERATE(1u, 2u, 3u);
    auto spread = GENERATE(as<std::uint64_t>{}, 50, 5'000, 1ull << 40);
    std::mt19937_64 random(seed);
    WaitCounts counts;
    std::map<std::uint64_t, std::uint32_t> expected;
    for (int i = 0; i < 20'000; ++i)
    {
        // Few distinct ids force long probe runs and shifts; many force growth.
        std::uint64_t id = random() % spread;
        std::uint32_t* found = counts.Find(id);
        auto it = expected.find(id);
        REQUIRE((found != nullptr) == (it != expected.end()));
        if (found == nullptr)
        {
            auto count = static_cast<std::uint32_t>(random() % 7 + 1);
            counts.Insert(id, count);
            expected[id] = count;
        }
        else if (--*found == 0)
        {
            counts.Erase(id);
            expected.erase(it);
        }
        else
        {
            --it->second;
        }
        REQUIRE(counts.Size() == expected.size());
    }
    for (const auto& [id, count] : expected)
    {
        std::uint32_t* found = counts.Find(id);
        REQUIRE(found != nullptr);
        REQUIRE(*found == count);
    }
    for (const auto& entry : expected)
    {
        counts.Erase(entry.first);
    }
    REQUIRE(counts.Size() == 0);
    REQUIRE(counts.Find(0) == nullptr);
}
