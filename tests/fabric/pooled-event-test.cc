// Events from pools: the blocks they live in, and ns-3 running, cancelling and destroying them
// as it does its own.
#include "fabric/model/block-pool.h"
#include "fabric/model/pooled-event.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <ns3/simulator.h>
#include <set>
#include <string>
#include <vector>

using namespace ns3;
using namespace ns3::fabric;

TEST_CASE("a block pool hands out distinct aligned blocks and reuses the last freed first",
          "[fabric][pool]")
{
    BlockPool pool(40);
    REQUIRE(pool.BlockBytes() % alignof(std::max_align_t) == 0);
    REQUIRE(pool.BlockBytes() >= 40);
    std::set<void*> blocks;
    for (int i = 0; i < 3000; ++i) // three slabs
    {
        void* block = pool.Allocate();
        REQUIRE(reinterpret_cast<std::uintptr_t>(block) % alignof(std::max_align_t) == 0);
        REQUIRE(blocks.insert(block).second);
    }
    REQUIRE(pool.InUse() == 3000);
    REQUIRE(pool.Capacity() >= 3000);
    void* some = *blocks.begin();
    pool.Release(some);
    REQUIRE(pool.InUse() == 2999);
    REQUIRE(pool.Allocate() == some); // still in cache
    for (void* block : blocks)
    {
        pool.Release(block);
    }
    REQUIRE(pool.InUse() == 0);
}

namespace
{

struct Recorder
{
    std::vector<std::string> calls;

    void Note(std::uint32_t a, std::int64_t b)
    {
        calls.push_back(std::to_string(Simulator::Now().GetNanoSeconds()) + ":" + std::to_string(a)
                        + "," + std::to_string(b));
    }
    void Context() { calls.push_back("context " + std::to_string(Simulator::GetContext())); }
};

using NoteEvent = PooledEvent<Recorder, std::uint32_t, std::int64_t>;

} // namespace

TEST_CASE("pooled events run, cancel and go back to their pool", "[fabric][pool][sim]")
{
    Recorder recorder;
    std::size_t before = NoteEvent::InUse();
    SchedulePooled(NanoSeconds(20), &Recorder::Note, &recorder, 2u, std::int64_t{-2});
    auto cancelled
        = SchedulePooled(NanoSeconds(15), &Recorder::Note, &recorder, 9u, std::int64_t{9});
    SchedulePooled(NanoSeconds(10), &Recorder::Note, &recorder, 1u, std::int64_t{-1});
    SchedulePooledWithContext(7, NanoSeconds(30), &Recorder::Context, &recorder);
    // Left pending at the end: the simulator frees it when destroyed.
    SchedulePooled(Seconds(1), &Recorder::Note, &recorder, 3u, std::int64_t{3});
    REQUIRE(NoteEvent::InUse() == before + 4);
    cancelled.Cancel();
    Simulator::Stop(NanoSeconds(100));
    Simulator::Run();
    REQUIRE(recorder.calls == std::vector<std::string>{"10:1,-1", "20:2,-2", "context 7"});
    // The pending one, and the cancelled one its EventId still holds.
    REQUIRE(NoteEvent::InUse() == before + 2);
    cancelled = EventId();
    REQUIRE(NoteEvent::InUse() == before + 1);
    Simulator::Destroy();
    REQUIRE(NoteEvent::InUse() == before);
}
