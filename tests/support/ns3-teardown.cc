// Every case of a binary that drives ns-3 ends with a clean simulator, whether it passed or a
// REQUIRE stopped it half-way: the next case must not inherit its events, clock or stop time.
#define CATCH_CONFIG_EXTERNAL_INTERFACES // the listener base class
#include <catch2/catch.hpp>
#include <ns3/simulator.h>

namespace
{

class Ns3Teardown : public Catch::TestEventListenerBase
{
public:
    using TestEventListenerBase::TestEventListenerBase;

    void testCaseEnded(const Catch::TestCaseStats& stats) override
    {
        ns3::Simulator::Destroy();
        TestEventListenerBase::testCaseEnded(stats);
    }
};

} // namespace

CATCH_REGISTER_LISTENER(Ns3Teardown)

// Hidden cases that show the guard at work (the ctest entry ns3-teardown-guard runs them in one
// process): the first leaves a simulation half-run and fails, the second finds it gone.
TEST_CASE("teardown probe 1: a case fails with the simulator mid-run", "[.teardown-probe]")
{
    ns3::Simulator::Schedule(ns3::MilliSeconds(5), [] {});
    ns3::Simulator::Schedule(ns3::MilliSeconds(1), [] { ns3::Simulator::Stop(); });
    ns3::Simulator::Run();
    REQUIRE(ns3::Simulator::Now() == ns3::MilliSeconds(2)); // fails: it stopped at 1 ms
}

TEST_CASE("teardown probe 2: the next case starts from a clean simulator", "[.teardown-probe]")
{
    REQUIRE(ns3::Simulator::Now() == ns3::Time(0));
    REQUIRE(ns3::Simulator::GetEventCount() == 0);
    REQUIRE(ns3::Simulator::IsFinished());
}
