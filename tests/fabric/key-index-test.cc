// The flat index behind per-packet and per-transfer lookups: (peer, QP) → queue pair,
// (group, rank) → span.
#include "fabric/model/key-index.h"

#include <catch2/catch.hpp>
#include <random>
#include <unordered_map>

using ns3::fabric::KeyIndex;

TEST_CASE("a key index finds what it stored, across growth", "[fabric][key-index]")
{
    KeyIndex index;
    REQUIRE(index.Find(0) == KeyIndex::kNone);
    std::unordered_map<std::uint64_t, std::uint32_t> expected;
    std::mt19937_64 random(5);
    // Keys shaped like the real ones: a peer or group in the high half, a QP or rank in the low
    // half (consecutive), and some random ones.
    for (std::uint32_t i = 0; i < 20'000; ++i)
    {
        std::uint64_t key
            = i % 3 == 0 ? random() >> 1 : (static_cast<std::uint64_t>(i % 97) << 32 | (i / 97));
        if (expected.count(key) != 0)
        {
            continue;
        }
        index.Insert(key, i);
        expected[key] = i;
    }
    REQUIRE(index.Size() == expected.size());
    for (const auto& [key, position] : expected)
    {
        REQUIRE(index.Find(key) == position);
    }
    for (int miss = 0; miss < 1'000; ++miss)
    {
        std::uint64_t key = random() | 1ull << 63; // never stored: the top bit was shifted out
        REQUIRE(index.Find(key) == KeyIndex::kNone);
    }
}

TEST_CASE("a key index replaces a position on assignment", "[fabric][key-index]")
{
    KeyIndex index;
    index.Assign(7, 1);
    index.Assign(8, 2);
    index.Assign(7, 3); // the latest wins, as a map's operator[] would have it
    REQUIRE(index.Size() == 2);
    REQUIRE(index.Find(7) == 3);
    REQUIRE(index.Find(8) == 2);
}

TEST_CASE("a cleared key index is empty and takes new keys", "[fabric][key-index]")
{
    KeyIndex index;
    for (std::uint32_t i = 0; i < 100; ++i)
    {
        index.Insert(i, i);
    }
    index.Clear();
    REQUIRE(index.Size() == 0);
    for (std::uint32_t i = 0; i < 100; ++i)
    {
        REQUIRE(index.Find(i) == KeyIndex::kNone);
    }
    index.Insert(42, 0);
    REQUIRE(index.Find(42) == 0);
}
