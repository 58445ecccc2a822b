// The priority queue under the simulator's scheduler: smallest key first, whichever of its two
// parts (the sorted run of keys that came in order, the heap of the others) holds it.
#include "fabric/model/event-queue.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <utility>

using ns3::fabric::EventQueue;

namespace
{

using Key = std::pair<std::uint64_t, std::uint32_t>; // (time, uid) as ns-3 orders events

/** Pops everything, checking each against the oracle's smallest. */
void
DrainAgainst(EventQueue<Key>& queue, std::set<Key>& oracle)
{
    while (!oracle.empty())
    {
        REQUIRE(!queue.Empty());
        REQUIRE(queue.Top() == *oracle.begin());
        REQUIRE(queue.Pop() == *oracle.begin());
        oracle.erase(oracle.begin());
    }
    REQUIRE(queue.Empty());
}

} // namespace

TEST_CASE("an event queue keeps keys that arrive in order in a run", "[fabric][event-queue]")
{
    EventQueue<Key> queue;
    std::set<Key> oracle;
    for (std::uint32_t uid = 0; uid < 1000; ++uid)
    {
        Key key{1'000'000 + uid / 3 * 10, uid}; // equal times, uids rising
        queue.Push(key);
        oracle.insert(key);
    }
    REQUIRE(queue.RunSize() == 1000);
    REQUIRE(queue.HeapSize() == 0);
    DrainAgainst(queue, oracle);
}

TEST_CASE("an event queue opens a run per falling key, then uses its heap", "[fabric][event-queue]")
{
    // Each key is below every run's last one: the first ones start a run each, the rest can
    // only go to the heap.
    EventQueue<Key> queue;
    std::set<Key> oracle;
    for (std::uint32_t uid = 0; uid < 100; ++uid)
    {
        Key key{100 - uid, uid};
        queue.Push(key);
        oracle.insert(key);
    }
    REQUIRE(queue.RunSize() == EventQueue<Key>::kRuns);
    REQUIRE(queue.HeapSize() == 100 - EventQueue<Key>::kRuns);
    // A key above a run's last one joins the run with the largest such last one.
    queue.Push({200, 100});
    oracle.insert({200, 100});
    REQUIRE(queue.RunSize() == EventQueue<Key>::kRuns + 1);
    DrainAgainst(queue, oracle);
}

TEST_CASE("an event queue pops in key order under mixed delays", "[fabric][event-queue]")
{
    // A simulation's shape: now advances with each pop, events are scheduled a short random
    // delay ahead or a fixed timeout ahead, with ties in time broken by a rising uid.
    auto seed = GENERATE(1u, 2u, 3u);
    std::mt19937_64 random(seed);
    EventQueue<Key> queue;
    std::set<Key> oracle;
    std::uint32_t uid = 0;
    std::uint64_t now = 0;
    std::size_t heapUsed = 0;
    for (int step = 0; step < 50'000; ++step)
    {
        int pushes = static_cast<int>(random() % 3);
        for (int p = 0; p < pushes; ++p)
        {
            std::uint64_t delay = random() % 4 == 0 ? 1'000'000 : random() % 200; // 201 delays
            Key key{now + delay, uid++};
            queue.Push(key);
            oracle.insert(key);
        }
        heapUsed = std::max(heapUsed, queue.HeapSize());
        REQUIRE(queue.Size() == oracle.size());
        if (!oracle.empty() && random() % 2 == 0)
        {
            REQUIRE(queue.Top() == *oracle.begin());
            Key popped = queue.Pop();
            REQUIRE(popped == *oracle.begin());
            oracle.erase(oracle.begin());
            now = popped.first;
        }
    }
    REQUIRE(heapUsed > 0); // both parts were exercised
    REQUIRE(queue.RunSize() > 0);
    DrainAgainst(queue, oracle);
}

TEST_CASE("an event queue removes a key from either part", "[fabric][event-queue]")
{
    std::mt19937_64 random(11);
    EventQueue<Key> queue;
    std::set<Key> oracle;
    for (std::uint32_t uid = 0; uid < 2000; ++uid)
    {
        Key key{random() % 5000, uid};
        queue.Push(key);
        oracle.insert(key);
    }
    REQUIRE(queue.RunSize() > 1);
    REQUIRE(queue.HeapSize() > 1);
    // Every third key, wherever it sits.
    std::vector<Key> keys(oracle.begin(), oracle.end());
    for (std::size_t i = 0; i < keys.size(); i += 3)
    {
        REQUIRE(queue.Remove(keys[i]));
        oracle.erase(keys[i]);
    }
    REQUIRE_FALSE(queue.Remove(keys[0])); // already gone
    REQUIRE_FALSE(queue.Remove({999'999, 0}));
    REQUIRE(queue.Size() == oracle.size());
    DrainAgainst(queue, oracle);
}
