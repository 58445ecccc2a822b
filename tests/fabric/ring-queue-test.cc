// The queue behind ports' frame queues, hosts' send lists and queue pairs' messages.
#include "fabric/model/ring-queue.h"

#include <catch2/catch.hpp>
#include <deque>
#include <random>

using ns3::fabric::RingQueue;

TEST_CASE("a ring queue holds nothing until its first element", "[fabric][ring-queue]")
{
    RingQueue<int> queue;
    REQUIRE(queue.Empty());
    REQUIRE(queue.Capacity() == 0);
    RingQueue<int> copy = queue;
    REQUIRE(copy.Capacity() == 0);
    queue.PushBack(7);
    REQUIRE(queue.Capacity() == 4);
    REQUIRE(queue.Front() == 7);
    REQUIRE(queue.Back() == 7);
    queue.PopFront();
    REQUIRE(queue.Empty());
    REQUIRE(queue.Capacity() == 4); // kept for the next elements
}

TEST_CASE("a ring queue is first in, first out across wrapping and growth", "[fabric][ring-queue]")
{
    // Against std::deque, with pushes and pops interleaved so the ring wraps before it grows.
    std::mt19937 random(7);
    RingQueue<std::uint64_t> queue;
    std::deque<std::uint64_t> expected;
    std::uint64_t next = 0;
    for (int step = 0; step < 20'000; ++step)
    {
        bool push = expected.empty() || random() % 100 < (step < 10'000 ? 55u : 45u);
        if (push)
        {
            queue.PushBack(next);
            expected.push_back(next++);
        }
        else
        {
            REQUIRE(queue.Front() == expected.front());
            queue.PopFront();
            expected.pop_front();
        }
        REQUIRE(queue.Size() == expected.size());
        if (!expected.empty())
        {
            REQUIRE(queue.Front() == expected.front());
            REQUIRE(queue.Back() == expected.back());
            std::size_t middle = expected.size() / 2;
            REQUIRE(queue[middle] == expected[middle]);
        }
    }
    REQUIRE(queue.Capacity() >= expected.size());
    REQUIRE((queue.Capacity() & (queue.Capacity() - 1)) == 0);
}

TEST_CASE("a ring queue copies, moves and clears", "[fabric][ring-queue]")
{
    RingQueue<int> queue;
    for (int i = 0; i < 6; ++i)
    {
        queue.PushBack(i);
    }
    queue.PopFront();
    queue.PopFront();
    queue.PushBack(6); // wrapped: 2 3 4 5 6 in 8 slots
    RingQueue<int> copy(queue);
    REQUIRE(copy.Size() == 5);
    for (int i = 0; i < 5; ++i)
    {
        REQUIRE(copy[i] == i + 2);
    }
    RingQueue<int> moved(std::move(copy));
    REQUIRE(moved.Size() == 5);
    REQUIRE(moved.Front() == 2);
    REQUIRE(copy.Empty());
    REQUIRE(copy.Capacity() == 0);
    moved.Clear();
    REQUIRE(moved.Empty());
    moved.PushBack(9);
    REQUIRE(moved.Front() == 9);
    REQUIRE(queue.Size() == 5); // the original is untouched
}
