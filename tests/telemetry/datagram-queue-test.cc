#include "telemetry/net/datagram-queue.h"

#include <array>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using namespace fab::telemetry;

TEST_CASE("buffers go from the pool to the consumer in submission order", "[telemetry][queue]")
{
    DatagramQueue queue(4, 16);
    REQUIRE(queue.PoolBytes() == 64);
    std::array<std::uint32_t, 8> ids{};
    REQUIRE(queue.TakeFree(ids.data(), 3) == 3);
    REQUIRE(queue.Depth() == 0); // taken, not yet queued
    for (std::uint32_t i = 0; i < 3; ++i)
    {
        queue.Buffer(ids[i])[0] = static_cast<std::uint8_t>(10 + i);
    }
    std::array<bool, 3> ready{true, false, true}; // the middle one held something refused
    queue.Submit(ids.data(), ready.data(), 3);
    REQUIRE(queue.Depth() == 2);

    std::array<std::uint32_t, 8> held{};
    REQUIRE(queue.WaitForReady(held.data(), held.size()) == 2);
    REQUIRE(queue.Buffer(held[0])[0] == 10);
    REQUIRE(queue.Buffer(held[1])[0] == 12);
    REQUIRE(queue.Depth() == 2); // held by the consumer
    queue.Release(held.data(), 2, 0);
    REQUIRE(queue.Depth() == 0);
    REQUIRE(queue.MaxDepth() == 2);
    REQUIRE(queue.Discarded() == 0);
}

TEST_CASE("a full pool gives nothing until the consumer releases", "[telemetry][queue]")
{
    DatagramQueue queue(2, 8);
    std::array<std::uint32_t, 4> ids{};
    std::array<bool, 4> ready{true, true, true, true};
    REQUIRE(queue.TakeFree(ids.data(), 4) == 2);
    queue.Submit(ids.data(), ready.data(), 2);
    REQUIRE(queue.TakeFree(ids.data(), 4) == 0);
    REQUIRE(queue.Depth() == 2);
    std::array<std::uint32_t, 4> held{};
    REQUIRE(queue.WaitForReady(held.data(), 1) == 1); // at most as many as asked
    queue.Release(held.data(), 1, 0);
    REQUIRE(queue.TakeFree(ids.data(), 4) == 1);
    REQUIRE(ids[0] == held[0]); // the buffer just released, still warm
}

TEST_CASE("Finish drains or discards what is ready", "[telemetry][queue]")
{
    auto discard = GENERATE(false, true);
    DatagramQueue queue(8, 8);
    std::array<std::uint32_t, 8> ids{};
    std::array<bool, 8> ready{true, true, true, true, true, true, true, true};
    REQUIRE(queue.TakeFree(ids.data(), 5) == 5);
    queue.Submit(ids.data(), ready.data(), 5);
    queue.Finish(discard);
    REQUIRE(queue.Discarding() == discard);
    std::array<std::uint32_t, 8> held{};
    std::size_t delivered = 0;
    while (std::size_t count = queue.WaitForReady(held.data(), 2))
    {
        delivered += count;
        queue.Release(held.data(), count, 0);
    }
    REQUIRE(delivered == (discard ? 0u : 5u));
    REQUIRE(queue.Discarded() == (discard ? 5u : 0u));
    REQUIRE(queue.Depth() == 0);
    REQUIRE(queue.WaitForReady(held.data(), 2) == 0); // and stays finished
}

TEST_CASE("after Discard the producer may still submit, and every buffer is counted",
          "[telemetry][queue]")
{
    DatagramQueue queue(8, 8);
    std::array<std::uint32_t, 8> ids{};
    std::array<bool, 8> ready{true, true, true, true, true, true, true, true};
    REQUIRE(queue.TakeFree(ids.data(), 2) == 2);
    queue.Submit(ids.data(), ready.data(), 2);
    std::array<std::uint32_t, 8> held{};
    REQUIRE(queue.WaitForReady(held.data(), 1) == 1);
    queue.Discard();
    REQUIRE(queue.Discarding());
    queue.Release(held.data(), 1, 1);            // the consumer drops what it holds
    REQUIRE(queue.TakeFree(ids.data(), 3) == 3); // the reader has not stopped yet
    queue.Submit(ids.data(), ready.data(), 3);
    REQUIRE(queue.WaitForReady(held.data(), 8) == 4); // not finished: still handed out
    queue.Release(held.data(), 4, 4);
    queue.Finish(false); // a Discard is not undone
    REQUIRE(queue.WaitForReady(held.data(), 8) == 0);
    REQUIRE(queue.Discarded() == 5);
    REQUIRE(queue.Depth() == 0);
}

TEST_CASE("a waiting consumer wakes for a submission and for Finish", "[telemetry][queue]")
{
    DatagramQueue queue(4, 8);
    std::vector<std::size_t> batches;
    std::thread consumer(
        [&]
        {
            std::array<std::uint32_t, 4> held{};
            while (std::size_t count = queue.WaitForReady(held.data(), held.size()))
            {
                batches.push_back(count);
                queue.Release(held.data(), count, 0);
            }
        });
    std::array<std::uint32_t, 4> ids{};
    std::array<bool, 4> ready{true, true, true, true};
    std::size_t submitted = 0;
    while (submitted < 100)
    {
        std::size_t taken = queue.TakeFree(ids.data(), 1);
        if (taken == 1)
        {
            queue.Submit(ids.data(), ready.data(), 1);
            ++submitted;
        }
    }
    queue.Finish(false);
    consumer.join();
    std::size_t total = 0;
    for (auto count : batches)
    {
        total += count;
    }
    REQUIRE(total == 100);
    REQUIRE(queue.MaxDepth() <= 4);
}

TEST_CASE("an empty pool is refused", "[telemetry][queue]")
{
    REQUIRE_THROWS_AS(DatagramQueue(0, 8), std::invalid_argument);
    REQUIRE_THROWS_AS(DatagramQueue(8, 0), std::invalid_argument);
}
