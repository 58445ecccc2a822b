// The fabric library builds against Debian's ns-3: its simulator runs scheduled events in time
// order and nodes can be created. Later fabric models build on exactly this linkage.
#include <catch2/catch.hpp>
#include <ns3/core-module.h>
#include <ns3/network-module.h>
#include <vector>

TEST_CASE("ns-3 runs events in time order", "[fabric][ns3]")
{
    std::vector<std::int64_t> seen;
    for (int delay : {300, 100, 200})
    {
        ns3::Simulator::Schedule(ns3::NanoSeconds(delay),
                                 [&seen]
                                 { seen.push_back(ns3::Simulator::Now().GetNanoSeconds()); });
    }
    ns3::Simulator::Run();
    REQUIRE(seen == std::vector<std::int64_t>{100, 200, 300});
    ns3::Simulator::Destroy();
}

TEST_CASE("ns-3 nodes and data rates", "[fabric][ns3]")
{
    ns3::NodeContainer nodes;
    nodes.Create(3);
    REQUIRE(nodes.GetN() == 3);
    ns3::DataRate rate("400Gbps");
    REQUIRE(rate.GetBitRate() == 400'000'000'000ULL);
    // 5,000 bytes at 400 Gb/s take 100 ns on the wire.
    REQUIRE(rate.CalculateBytesTxTime(5000) == ns3::NanoSeconds(100));
    ns3::Simulator::Destroy();
}
