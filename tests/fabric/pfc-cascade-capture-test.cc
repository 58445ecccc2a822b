#include "fabric/helper/fabric-builder.h"
#include "fabric/model/fabric-channel.h"
#include "support/fabric-flows.h"
#include "support/prerequisites.h"
#include "support/run-command.h"
#include "support/tshark.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::Flow;
using fab::tests::RunIn;
using fab::tests::TempDir;
using fab::tests::TsharkLines;
using fab::tests::UniformDesign;

TEST_CASE("a PFC pause cascade reaches two hops upstream and blocks a victim", "[fabric][sim][pfc]")
{
    // k = 4 two-tier: leaves of 2 servers (one per SU: leaf-0-0, leaf-1-0, ...), 2 spines. srv-0
    // and srv-1 (leaf-0-0) and srv-3 all
    // write to srv-2 (leaf-1-0); the congested downlink pauses leaf-1-0's uplinks, the spines
    // then pause leaf-0-0, and leaf-0-0 pauses its servers. srv-1 also writes to srv-4 on another
    // leaf: that flow is a victim of head-of-line blocking on the paused priority.
    auto design = UniformDesign(8, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    options.bufferBytes = 1'000'000;
    auto victimAlone = [&]()
    {
        FabricBuilder fabric(design, options);
        fabric.Host(1)->AddFlow(Flow(fabric.Endpoint(4, 0), 400 * 4096, 9));
        Simulator::Stop(MilliSeconds(20));
        Simulator::Run();
        auto got = fabric.Host(4)->GetReceived(fabric.Endpoint(1, 0), 9);
        Simulator::Destroy();
        return got.lastNs - got.firstNs;
    };
    std::int64_t aloneNs = victimAlone();

    FabricBuilder fabric(design, options);
    for (std::uint32_t s : {0u, 1u, 3u})
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(2, 0), 4'000'000, 1 + s));
    }
    fabric.Host(1)->AddFlow(Flow(fabric.Endpoint(4, 0), 400 * 4096, 9));
    Simulator::Stop(MilliSeconds(20));
    Simulator::Run();
    REQUIRE(fabric.Totals().TotalDrops() == 0);
    // Hop 1: the congested leaf pauses the spines.
    std::uint64_t leaf1Up = 0;
    for (int port : {2, 3})
    {
        leaf1Up += fabric.Port("leaf-1-0:" + std::to_string(port))->GetCounters().pfcPauseTx[3];
    }
    REQUIRE(leaf1Up > 0);
    // Hop 2: the spines pause leaf-0-0's uplinks...
    std::uint64_t spineToLeaf0 = 0;
    for (const auto& port : fabric.MatchPorts("spine-*:0"))
    {
        spineToLeaf0 += port->GetCounters().pfcPauseTx[3];
    }
    REQUIRE(spineToLeaf0 > 0);
    // ...and leaf-0-0 pauses the servers behind it.
    REQUIRE(fabric.Port("leaf-0-0:0")->GetCounters().pfcPauseTx[3]
                + fabric.Port("leaf-0-0:1")->GetCounters().pfcPauseTx[3]
            > 0);
    REQUIRE(fabric.Port("srv-1:nic0")->GetCounters().pausedNs[3] > 0);
    // The time a port asked its peer to hold is the time the peer was held: the same frames,
    // seen from both ends. Each frame may wait behind one in transmission (under 1 µs at 100G).
    std::size_t requesting = 0;
    for (const auto& record : fabric.Ports())
    {
        PortCounters asked = record.device->GetCountersNow();
        auto channel = DynamicCast<FabricChannel>(record.device->GetChannel());
        PortCounters held = channel->GetPeer(PeekPointer(record.device))->GetCountersNow();
        INFO(record.device->GetPortName());
        CHECK(asked.pfcPauseTx[3] == held.pfcPauseRx[3]);
        CHECK(asked.pfcResumeTx[3] == held.pfcResumeRx[3]);
        auto frames = static_cast<std::int64_t>(asked.pfcPauseTx[3] + asked.pfcResumeTx[3]);
        CHECK(std::abs(asked.pauseRequestedNs[3] - held.pausedNs[3]) <= frames * 1000);
        requesting += asked.pauseRequestedNs[3] > 0 ? 1 : 0;
    }
    CHECK(requesting >= 4);
    // The victim, whose own path is idle, took longer than alone.
    auto victim = fabric.Host(4)->GetReceived(fabric.Endpoint(1, 0), 9);
    REQUIRE(victim.payloadBytes == 400 * 4096);
    REQUIRE(victim.lastNs - victim.firstNs > aloneNs * 3 / 2);
    Simulator::Destroy();
}

TEST_CASE("port name patterns", "[fabric][capture]")
{
    auto design = UniformDesign(8, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricBuilder fabric(design, FabricOptions{});
    REQUIRE(fabric.MatchPorts("leaf-*").size() == 16); // 4 leaves × 4 ports
    REQUIRE(fabric.MatchPorts("spine-*:3").size() == 2);
    REQUIRE(fabric.MatchPorts("srv-1:*").size() == 1);
    REQUIRE(fabric.MatchPorts("core-*").empty());
    REQUIRE(fabric.Port("leaf-2-0:1")->GetPortName() == "leaf-2-0:1");
    Simulator::Destroy();
}

TEST_CASE("captures decode in tshark and match the simulator's counters",
          "[fabric][sim][capture][tshark][needs:tshark][needs:python3]")
{
    auto dir = TempDir("fabric-capture");
    auto design = UniformDesign(8, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = MicroSeconds(200);
    options.bufferBytes = 1'000'000;
    options.vlan = 100;
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "leaf-1-0:*");
    REQUIRE(files.size() == 4);
    for (std::uint32_t s : {0u, 1u, 3u})
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(2, 0), 300'000, 1 + s));
    }
    Simulator::Stop(MilliSeconds(2));
    Simulator::Run();
    std::vector<PortCounters> counters;
    for (const auto& port : fabric.MatchPorts("leaf-1-0:*"))
    {
        counters.push_back(port->GetCounters());
    }
    Simulator::Destroy(); // closes the capture files

    std::uint64_t pfcSeen = 0;
    for (std::size_t i = 0; i < files.size(); ++i)
    {
        INFO(files[i]);
        const auto& c = counters[i];
        auto file = "'" + files[i] + "'";
        REQUIRE(TsharkLines(dir,
                            "-r " + file
                                + " -Y '_ws.malformed || _ws.expert.severity >= warning' -T "
                                  "fields -e frame.number")
                    .empty());
        auto frames = [&](const std::string& filter)
        { return TsharkLines(dir, "-r " + file + " -Y '" + filter + "' -T fields -e frame.number").size(); };
        REQUIRE(frames("infiniband") == c.roceTx + c.roceRx);
        REQUIRE(frames("macc.opcode == 0x0101") == c.pfcTx + c.pfcRx);
        REQUIRE(frames("lldp") == c.lldpTx + c.lldpRx);
        REQUIRE(c.lldpTx > 0);
        auto icrc = RunIn(dir, fab::tests::IcrcOracleCommand() + file);
        INFO(icrc.out);
        REQUIRE(icrc.exitCode == 0);
        REQUIRE(icrc.out.find("bad_icrc=0 truncated=0") != std::string::npos);
        pfcSeen += c.pfcTx + c.pfcRx;
    }
    REQUIRE(pfcSeen > 0);
    // LLDP reveals the topology: the leaf's port 2 faces a spine, named in the chassis id.
    std::string neighbours;
    for (const auto& name : TsharkLines(dir,
                                        "-r '" + files[2]
                                            + "' -Y 'lldp && eth.src != 00:00:00:00:00:00' -T "
                                              "fields -e lldp.tlv.system.name"))
    {
        neighbours += name + "\n";
    }
    REQUIRE(neighbours.find("spine-0-0") != std::string::npos);
    REQUIRE(neighbours.find("leaf-1-0") != std::string::npos);
}
