// The simulator's scheduler for fabric runs: ns-3 runs events in (time, uid) order whichever
// scheduler holds them, and FabricScheduler must give exactly the order of ns-3's default one.
#include "fabric/model/fabric-scheduler.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <ns3/core-module.h>
#include <random>
#include <vector>

namespace
{

struct Run
{
    std::vector<int> order;  ///< labels of the events that ran, in the order they ran
    std::uint64_t events{0}; ///< as ns-3 counts them (cancelled ones included)
    std::int64_t endNs{0};
};

/**
 * A run shaped like a fabric's: events reschedule themselves a short random delay ahead, often
 * at the same time as others, and re-arm a long timer, cancelling the previous one. Some are
 * removed outright. Labels identify each event's origin and generation.
 */
class Workload
{
public:
    explicit Workload(std::uint64_t seed)
    : m_random(seed)
    {
    }

    Run Play()
    {
        for (int chain = 0; chain < 40; ++chain)
        {
            ns3::Simulator::Schedule(
                ns3::NanoSeconds(m_random() % 8), &Workload::Step, this, chain, 0);
        }
        ns3::Simulator::Run();
        m_run.events = ns3::Simulator::GetEventCount();
        m_run.endNs = ns3::Simulator::Now().GetNanoSeconds();
        ns3::Simulator::Destroy();
        return m_run;
    }

private:
    void Step(int chain, int generation)
    {
        m_run.order.push_back(chain * 1000 + generation);
        if (generation == 300)
        {
            return;
        }
        // Ties: delays in multiples of 4 ns from a few values.
        auto delay = ns3::NanoSeconds(4 * (m_random() % 3));
        ns3::Simulator::Schedule(delay, &Workload::Step, this, chain, generation + 1);
        m_timers[chain % 8].Cancel();
        m_timers[chain % 8] = ns3::Simulator::Schedule(
            ns3::NanoSeconds(500), &Workload::Timeout, this, chain * 1000 + generation);
        if (m_random() % 10 == 0)
        {
            auto doomed = ns3::Simulator::Schedule(
                ns3::NanoSeconds(m_random() % 1000), &Workload::Timeout, this, -1);
            ns3::Simulator::Remove(doomed);
        }
    }

    void Timeout(int label) { m_run.order.push_back(-label - 1); }

    std::mt19937_64 m_random;
    ns3::EventId m_timers[8];
    Run m_run;
};

Run
PlayWith(const char* scheduler, std::uint64_t seed)
{
    if (scheduler != nullptr)
    {
        ns3::ObjectFactory factory;
        factory.SetTypeId(scheduler);
        ns3::Simulator::SetScheduler(factory);
    }
    else
    {
        ns3::fabric::UseFabricScheduler();
    }
    return Workload(seed).Play();
}

} // namespace

TEST_CASE("the fabric scheduler runs events in the order of ns-3's map scheduler",
          "[fabric][scheduler]")
{
    auto seed = GENERATE(1u, 2u, 3u, 4u);
    Run expected = PlayWith("ns3::MapScheduler", seed);
    Run fabric = PlayWith(nullptr, seed);
    REQUIRE(expected.order.size() > 12'000); // 40 chains of 301 steps and their timeouts
    REQUIRE(fabric.order == expected.order);
    REQUIRE(fabric.events == expected.events);
    REQUIRE(fabric.endNs == expected.endNs);
}

TEST_CASE("the fabric scheduler takes over events already scheduled", "[fabric][scheduler]")
{
    std::vector<int> seen;
    for (int delay : {30, 10, 20})
    {
        ns3::Simulator::Schedule(ns3::NanoSeconds(delay),
                                 [&seen, delay] { seen.push_back(delay); });
    }
    ns3::fabric::UseFabricScheduler();
    ns3::Simulator::Schedule(ns3::NanoSeconds(15), [&seen] { seen.push_back(15); });
    ns3::Simulator::Run();
    REQUIRE(seen == std::vector<int>{10, 15, 20, 30});
    ns3::Simulator::Destroy();
}
