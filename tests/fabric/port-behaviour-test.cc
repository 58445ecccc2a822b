#include "fabric/helper/fabric-builder.h"
#include "support/fabric-flows.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::Flow;
using fab::tests::UniformDesign;

namespace
{

FabricOptions
Quiet()
{
    FabricOptions options;
    options.lldpInterval = Time(0);
    return options;
}

} // namespace

TEST_CASE("weighted round robin shares a port by weight, strict priority starves",
          "[fabric][sim][scheduling]")
{
    // Two flows from srv-1 and srv-2 to srv-0 on priorities 1 and 3 share leaf-0-0:0.
    auto design = UniformDesign(3, 1, 64, 1, 2, 100'000'000'000ULL);
    for (bool weighted : {true, false})
    {
        INFO((weighted ? "weighted 3:1" : "strict"));
        FabricOptions options = Quiet();
        options.features.pfc = true;
        FabricBuilder fabric(design, options);
        if (weighted)
        {
            fabric.Port("leaf-0-0:0")
                ->SetScheduling(QueueScheduling::WeightedRoundRobin, {0, 1, 0, 3, 0, 0, 0, 0});
        }
        fabric.Host(1)->AddFlow(Flow(fabric.Endpoint(0, 0), 8'000'000, 1, 1));
        fabric.Host(2)->AddFlow(Flow(fabric.Endpoint(0, 0), 8'000'000, 2, 3));
        Simulator::Stop(MicroSeconds(400));
        Simulator::Run();
        double low = static_cast<double>(
            fabric.Host(0)->GetReceived(fabric.Endpoint(1, 0), 1).payloadBytes);
        double high = static_cast<double>(
            fabric.Host(0)->GetReceived(fabric.Endpoint(2, 0), 2).payloadBytes);
        if (weighted)
        {
            REQUIRE(high / low == Approx(3.0).epsilon(0.1));
        }
        else
        {
            REQUIRE(low < high / 50); // priority 3 goes first while it has frames
        }
        Simulator::Destroy();
    }
}

TEST_CASE("lossy priorities drop while lossless ones pause on the same switch",
          "[fabric][sim][pfc]")
{
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options = Quiet();
    options.bufferBytes = 8'000'000;
    FabricBuilder fabric(design, options);
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(0, 0), 1'000'000, s, s <= 4 ? 3 : 1));
    }
    Simulator::Stop(MilliSeconds(10));
    Simulator::Run();
    auto totals = fabric.Totals();
    REQUIRE(totals.drops[static_cast<std::size_t>(DropReason::EgressThreshold)] > 0);
    REQUIRE(totals.pfcPauseTx[3] > 0);
    REQUIRE(totals.pfcPauseTx[1] == 0);
    for (std::uint32_t s = 1; s <= 4; ++s) // lossless: all delivered
    {
        REQUIRE(fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).payloadBytes == 1'000'000);
    }
    Simulator::Destroy();
}

TEST_CASE("carrier down drops and notifies; carrier up resumes", "[fabric][sim][link]")
{
    auto design = UniformDesign(4, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricBuilder fabric(design, Quiet());
    int changes = 0;
    // The leaf's end of srv-0's cable loses carrier: what srv-0 sends meanwhile is lost there.
    auto port = fabric.Port("leaf-0-0:0");
    port->AddLinkChangeCallback(MakeBoundCallback(
        +[](int* n) { ++*n; }, &changes));
    fabric.Host(0)->AddFlow(Flow(fabric.Endpoint(3, 0), 400 * 4096, 1));
    Simulator::Schedule(MicroSeconds(20), &FabricNetDevice::SetLinkUp, port, false);
    Simulator::Schedule(MicroSeconds(40), &FabricNetDevice::SetLinkUp, port, true);
    // The leaf restores its route to srv-0 5 us after carrier returns; a NAK lost before that
    // leaves the sender to its 1 ms retransmission timeout.
    Simulator::Stop(MilliSeconds(3));
    Simulator::Run();
    REQUIRE(changes == 2);
    auto got = fabric.Host(3)->GetReceived(fabric.Endpoint(0, 0), 1).payloadBytes;
    // Go-back-N recovered what the dead link swallowed.
    REQUIRE(got == 400 * 4096);
    REQUIRE(fabric.Host(0)->GetFlow(0).retransmitted > 0);
    REQUIRE(port->GetCounters().drops[static_cast<std::size_t>(DropReason::LinkDown)] > 0);
    Simulator::Destroy();
}

TEST_CASE("the builder builds 3-tier and multi-plane designs with working routes",
          "[fabric][sim][builder]")
{
    SECTION("3 tiers: a flow between pods crosses 5 switches")
    {
        auto design = UniformDesign(16, 1, 4, 1, 3, 100'000'000'000ULL); // k = 4: 4 pods
        FabricBuilder fabric(design, Quiet());
        REQUIRE(fabric.Switches().size() == 20);
        fabric.Host(0)->AddFlow(Flow(fabric.Endpoint(15, 0), 10 * 4096, 1));
        Simulator::Stop(MilliSeconds(1));
        Simulator::Run();
        REQUIRE(fabric.Host(15)->GetReceived(fabric.Endpoint(0, 0), 1).payloadBytes == 10 * 4096);
        // 10 frames × (host + leaf + spine + core + spine + leaf) transmissions, and as many for
        // the 10 ACKs coming back.
        REQUIRE(fabric.Totals().roceTx == 2 * 10 * 6);
        Simulator::Destroy();
    }
    SECTION("2 planes: each NIC port reaches its peer within its own plane")
    {
        auto design = UniformDesign(8, 2, 8, 1, 2, 100'000'000'000ULL);
        design.servers.nics = 1;
        design.servers.nicPorts = 2;
        design.planes = 2;
        FabricBuilder fabric(design, Quiet());
        for (std::uint16_t port = 0; port < 2; ++port)
        {
            RoceFlowSpec flow = Flow(fabric.Endpoint(7, port), 10 * 4096, 1 + port);
            flow.port = port;
            fabric.Host(0)->AddFlow(flow);
        }
        Simulator::Stop(MilliSeconds(1));
        Simulator::Run();
        for (std::uint16_t port = 0; port < 2; ++port)
        {
            REQUIRE(fabric.Host(7)->GetReceived(fabric.Endpoint(0, port), 1 + port).payloadBytes
                    == 10 * 4096);
        }
        for (const auto& p : fabric.MatchPorts("p1-*"))
        {
            REQUIRE(p->GetCounters().roceTx % 10 == 0); // plane 1 carried only the port-1 flow
        }
        Simulator::Destroy();
    }
}
