// The packet-level data plane on small fat-trees built from topologies designs.
#include "fabric/helper/fabric-builder.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::UniformDesign;

namespace
{

/** Runs the simulator to `stop`, then tears it down after `check` looked at the results. */
template <typename Check>
void
RunAndCheck(Time stop, Check check)
{
    Simulator::Stop(stop);
    Simulator::Run();
    check();
    Simulator::Destroy();
}

FabricOptions
Quiet()
{
    FabricOptions options;
    options.lldpInterval = Time(0);
    return options;
}

} // namespace

TEST_CASE("one flow on an idle path reaches line rate x payload efficiency", "[fabric][sim]")
{
    // 2 leaves of 4 ports: srv-0 and srv-3 sit on different leaves, 3 switch hops apart.
    auto design = UniformDesign(4, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricBuilder fabric(design, Quiet());
    const std::uint64_t bytes = 40 * 4096;
    RoceFlowSpec flow;
    flow.dstEndpoint = fabric.Endpoint(3, 0);
    flow.bytes = bytes;
    flow.start = MicroSeconds(1);
    fabric.Host(0)->AddFlow(flow);
    RunAndCheck(MilliSeconds(1),
                [&]
                {
                    auto got = fabric.Host(3)->GetReceived(fabric.Endpoint(0, 0), 1);
                    REQUIRE(got.payloadBytes == bytes);
                    REQUIRE(got.packets == 40);
                    // Steady state: one 4,096-byte payload per WRITE MIDDLE frame of 14 + 20 + 8 +
                    // 12 + 4,096 + 4 (ICRC) bytes, plus FCS 4, preamble 8 and gap 12 on the wire:
                    // 4,096 / 4,178.
                    double efficiency = 4096.0 / 4178.0;
                    double seconds = (got.lastNs - got.firstNs) * 1e-9;
                    double goodput
                        = (got.payloadBytes - 4096) * 8 / seconds; // bytes after the first arrival
                    REQUIRE(goodput == Approx(100e9 * efficiency).epsilon(0.01));
                    REQUIRE(fabric.Totals().TotalDrops() == 0);
                });
}

TEST_CASE("N-to-1 incast with PFC: no drops, pauses upstream, headroom holds", "[fabric][sim][pfc]")
{
    for (std::uint32_t senders : {2u, 4u, 8u, 16u})
    {
        INFO(senders << " senders");
        // 17 servers on one 64-port leaf (32 down ports), small buffer so PFC acts quickly.
        auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
        FabricOptions options = Quiet();
        options.bufferBytes = 8'000'000;
        FabricBuilder fabric(design, options);
        for (std::uint32_t s = 1; s <= senders; ++s)
        {
            RoceFlowSpec flow;
            flow.dstEndpoint = fabric.Endpoint(0, 0);
            flow.bytes = 2'000'000;
            flow.destQp = s;
            flow.start = MicroSeconds(1);
            fabric.Host(s)->AddFlow(flow);
        }
        RunAndCheck(MilliSeconds(20),
                    [&]
                    {
                        REQUIRE(fabric.Host(0)->GetTotalReceivedPayload()
                                == senders * 2'000'000ull);
                        auto totals = fabric.Totals();
                        REQUIRE(totals.TotalDrops() == 0);
                        auto leaf = fabric.Switch("leaf-0-0");
                        REQUIRE(leaf->GetMmu().MaxHeadroomUsed() > 0);
                        // What a paused queue takes past XOFF never exceeds the headroom sized for
                        // the port.
                        REQUIRE(leaf->GetMmu().MaxHeadroomUsed()
                                <= leaf->GetMmu().Config().headroomBytes[1]);
                        std::uint64_t pausesSent = 0;
                        for (std::uint32_t s = 1; s <= senders; ++s)
                        {
                            pausesSent += fabric.Port("leaf-0-0:" + std::to_string(s))
                                              ->GetCounters()
                                              .pfcPauseTx[3];
                            REQUIRE(fabric.Port("srv-" + std::to_string(s) + ":nic0")
                                        ->GetCounters()
                                        .pfcPauseRx[3]
                                    > 0);
                        }
                        REQUIRE(pausesSent > 0);
                    });
    }
}

TEST_CASE("N-to-1 incast without PFC drops and counts why", "[fabric][sim][pfc]")
{
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options = Quiet();
    options.bufferBytes = 8'000'000;
    options.features.pfc = false;
    options.transport.reliable = false; // count the losses; RC recovery has its own tests
    FabricBuilder fabric(design, options);
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        RoceFlowSpec flow;
        flow.dstEndpoint = fabric.Endpoint(0, 0);
        flow.bytes = 2'000'000;
        flow.destQp = s;
        flow.start = MicroSeconds(1);
        fabric.Host(s)->AddFlow(flow);
    }
    RunAndCheck(MilliSeconds(20),
                [&]
                {
                    auto totals = fabric.Totals();
                    auto egress = static_cast<std::size_t>(DropReason::EgressThreshold);
                    REQUIRE(totals.drops[egress] > 0);
                    REQUIRE(totals.TotalDrops() == totals.drops[egress]);
                    REQUIRE(totals.pfcPauseTx[3] == 0);
                    REQUIRE(fabric.Host(0)->GetTotalReceivedPayload() < 8 * 2'000'000ull);
                    // Every frame sent is either delivered or dropped.
                    std::uint64_t sentPackets = 0;
                    for (std::uint32_t s = 1; s <= 8; ++s)
                    {
                        sentPackets += fabric.Host(s)->GetFlow(0).packets;
                    }
                    std::uint64_t delivered = 0;
                    for (std::uint32_t s = 1; s <= 8; ++s)
                    {
                        delivered += fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).packets;
                    }
                    REQUIRE(delivered + totals.TotalDrops() == sentPackets);
                });
}
