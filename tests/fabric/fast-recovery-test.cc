// Faults under a running collective, and how each recovery policy copes.
#include "fabric/helper/fault-injector.h"
#include "fabric/helper/schedule-runner.h"
#include "support/run-command.h"
#include "support/tshark.h"
#include "support/test-designs.h"
#include "traffic/model/collective-job.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <ns3/simulator.h>
#include <sstream>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::UniformDesign;
namespace tr = fab::traffic;
namespace topo = fab::topo;

namespace
{

/** 16 single-NIC servers at 100G on 4 leaves of radix 8: 4 servers and 4 uplinks each. */
topo::Design
SmallFabric()
{
    return UniformDesign(16, 1, 8, 1, 2, 100'000'000'000ULL);
}

struct Outcome
{
    bool done{false};
    std::int64_t collectiveNs{-1};
    std::vector<FailureRecord> records;
    std::uint64_t timeouts{0};
    std::uint64_t retransmitted{0};
    PortCounters totals;
    std::map<std::string, std::uint64_t> txBytes; ///< per port
};

/** A ring AllReduce of 16 MiB over the 16 servers (4 channels), with faults. */
Outcome
RunRing(const RecoveryConfig& recovery,
        const std::vector<FaultSpec>& faults,
        std::int64_t stopNs = 20'000'000)
{
    auto design = SmallFabric();
    FabricOptions options;
    options.lldpInterval = Time(0);
    options.recovery = recovery;
    FabricBuilder fabric(design, options);
    tr::CollectiveJobSpec spec;
    spec.name = "ring";
    spec.bytes = 16ull << 20;
    spec.gpus = 16;
    auto places = tr::PlaceCollective(spec, 1);
    FabricJob job;
    job.name = spec.name;
    job.iteration = tr::BuildCollectiveIteration(spec, places, {});
    job.ranks = PlaceOnNics(design, places);
    ScheduleRunner runner(fabric);
    runner.AddJob(std::move(job));
    FaultInjector injector(fabric, faults, 1);
    injector.Start();
    runner.Start();
    Simulator::Stop(NanoSeconds(stopNs));
    Simulator::Run();
    Outcome outcome;
    outcome.done = runner.Done();
    if (!runner.Collectives().empty())
    {
        outcome.collectiveNs = runner.Collectives()[0].endNs - runner.Collectives()[0].startNs;
    }
    outcome.records = injector.Records();
    for (std::uint32_t s = 0; s < fabric.Hosts(); ++s)
    {
        for (std::size_t f = 0; f < fabric.Host(s)->GetNFlows(); ++f)
        {
            outcome.timeouts += fabric.Host(s)->GetFlow(f).timeouts;
            outcome.retransmitted += fabric.Host(s)->GetFlow(f).retransmitted;
        }
    }
    outcome.totals = fabric.Totals();
    for (const auto& port : fabric.Ports())
    {
        outcome.txBytes[port.device->GetPortName()] = port.device->GetCounters().txBytes;
    }
    Simulator::Destroy();
    return outcome;
}

/** The uplink of leaf-0-0 that carries the most of the fault-free ring. */
std::string
BusiestUplink(const Outcome& baseline)
{
    std::string busiest;
    std::uint64_t most = 0;
    for (const auto& [name, bytes] : baseline.txBytes)
    {
        // Ports 0-3 face servers, 4-7 face spines.
        if (name.rfind("leaf-0-0:", 0) == 0 && std::stoi(name.substr(9)) >= 4 && bytes > most)
        {
            most = bytes;
            busiest = name;
        }
    }
    return busiest;
}

std::uint64_t
Drops(const PortCounters& c, DropReason reason)
{
    return c.drops[static_cast<std::size_t>(reason)];
}

} // namespace

/** The fault-free ring, run once per test binary. */
const Outcome&
Baseline()
{
    static const Outcome baseline = RunRing(RecoveryConfig{}, {});
    return baseline;
}

TEST_CASE("a leaf uplink fails under a ring AllReduce", "[fabric][sim][recovery]")
{
    RecoveryConfig dpfr;
    const auto& baseline = Baseline();
    REQUIRE(baseline.done);
    std::string uplink = BusiestUplink(baseline);
    REQUIRE(!uplink.empty());
    FaultSpec fault;
    fault.kind = FaultKind::LinkDown;
    fault.target = uplink;
    fault.atNs = 500'000;

    SECTION("dpfr: the leaf re-spreads its traffic within microseconds")
    {
        auto run = RunRing(dpfr, {fault});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        WARN("dpfr: detected +" << r.detectedNs - fault.atNs << " ns, converged +"
                                << r.convergedNs - fault.atNs << " ns, lost " << r.packetsLost
                                << ", ring " << baseline.collectiveNs << " -> " << run.collectiveNs
                                << " ns");
        REQUIRE(r.detectedNs - fault.atNs == dpfr.detectionNs);
        REQUIRE(r.convergedNs - fault.atNs < 1'000'000);
        REQUIRE(r.convergedNs - fault.atNs == dpfr.detectionNs); // local convergence at once
        // Lost: what was queued on the two ends, on the wire, and sent in the detection time
        // (5 us at 100G is 15 frames), on each direction.
        REQUIRE(r.packetsLost > 0);
        REQUIRE(r.packetsLost <= 2 * (2 + 2 + 15 + 2));
        REQUIRE(r.lastLossNs - fault.atNs <= dpfr.detectionNs);
        REQUIRE(run.collectiveNs < baseline.collectiveNs * 1.5);
    }
    SECTION("control-plane: the hole stays open for the routing delay")
    {
        RecoveryConfig slow;
        slow.policy = RecoveryPolicy::ControlPlane;
        slow.controlPlaneDelayNs = 300'000;
        auto run = RunRing(slow, {fault});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        WARN("control-plane 300 us: converged +"
             << r.convergedNs - fault.atNs << " ns, last loss +" << r.lastLossNs - fault.atNs
             << " ns, lost " << r.packetsLost << ", ring " << run.collectiveNs << " ns");
        REQUIRE(r.convergedNs - fault.atNs == slow.detectionNs + slow.controlPlaneDelayNs);
        REQUIRE(r.lastLossNs - fault.atNs > 290'000);
        REQUIRE(r.lastLossNs - fault.atNs <= slow.detectionNs + slow.controlPlaneDelayNs);
        REQUIRE(run.collectiveNs > baseline.collectiveNs + 250'000);
    }
    SECTION("none: flows hashed into the hole stall on retransmission timeouts")
    {
        RecoveryConfig none;
        none.policy = RecoveryPolicy::None;
        auto run = RunRing(none, {fault}, 5'000'000);
        const auto& r = run.records.at(0);
        WARN("none: lost " << r.packetsLost << ", timeouts " << run.timeouts);
        REQUIRE_FALSE(run.done);
        REQUIRE(r.convergedNs < 0);
        REQUIRE(run.timeouts > 0);
        REQUIRE(r.lastLossNs > 4'000'000); // still losing at the end
    }
}

TEST_CASE("a spine downlink fails: the other leaves avoid that spine for that leaf only",
          "[fabric][sim][recovery][needs:tshark]")
{
    auto design = SmallFabric();
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    auto spine = fabric.Switch("spine-0-0");
    REQUIRE(spine);
    // The spine's port 0 leads down to some leaf L, over two parallel links: both fail.
    std::uint32_t lostLeaf = spine->GetFailoverTable().PeerOf(0);
    std::vector<FaultSpec> faults;
    for (std::uint16_t p = 0; p < spine->GetPorts().size(); ++p)
    {
        if (spine->GetFailoverTable().PeerOf(p) == lostLeaf)
        {
            faults.push_back({FaultKind::LinkDown, "spine-0-0:" + std::to_string(p), 10'000});
        }
    }
    REQUIRE(faults.size() == 2);
    // Capture the spine's side of every link: the notices go out there.
    auto dir = fab::tests::TempDir("spine-notice");
    auto files = fabric.EnableCapture(dir.string(), "spine-0-0:*");
    FaultInjector injector(fabric, faults, 1);
    injector.Start();
    Simulator::Stop(MicroSeconds(100));
    Simulator::Run();
    // Both faults start together: the events belong to the later record.
    const auto& record = injector.Records().at(1);
    REQUIRE(record.noticesSent == 1);
    // The spine and L converge locally (on each link), the 3 other leaves remotely.
    REQUIRE(record.switchesConverged == 2 + 2 + 3);
    std::uint32_t spineNode = *fabric.Graph().FindNode("spine-0-0");
    std::uint32_t leavesChecked = 0;
    for (std::uint32_t node = 0; node < fabric.Graph().Nodes().size(); ++node)
    {
        const auto& graphNode = fabric.Graph().Nodes()[node];
        if (graphNode.kind != topo::GraphNode::Kind::Switch || graphNode.tier != topo::Tier::Leaf
            || node == lostLeaf)
        {
            continue;
        }
        std::string name = fabric.Graph().NodeName(node);
        auto leaf = fabric.Switch(name);
        REQUIRE(leaf);
        ++leavesChecked;
        for (std::uint32_t e = 0; e < 16; ++e)
        {
            bool behindLost = fabric.Routes().LeafOf(e) == lostLeaf;
            bool behindThis = fabric.Routes().LeafOf(e) == node;
            if (behindThis)
            {
                continue;
            }
            bool usesSpine = false;
            for (std::uint32_t hash = 0; hash < 4096; ++hash)
            {
                int port = leaf->Route(e, hash * 0x9E3779B1u);
                REQUIRE(port >= 0);
                usesSpine = usesSpine || leaf->GetFailoverTable().PeerOf(port) == spineNode;
            }
            INFO(name << " to endpoint " << e << (behindLost ? " (behind the lost leaf)" : ""));
            REQUIRE(usesSpine == !behindLost);
        }
    }
    REQUIRE(leavesChecked == 3);
    REQUIRE(record.convergedNs - record.spec.atNs < 10'000);
    Simulator::Destroy(); // closes the captures

    // The notices are on the wire: EtherType 0x88B5, "DPFR", type 1, the lost leaf's id; one
    // per other leaf, and tshark finds nothing malformed.
    std::size_t notices = 0;
    for (const auto& file : files)
    {
        for (const auto& line : fab::tests::TsharkLines(
                 dir, "-r '" + file + "' -Y 'eth.type == 0x88b5' -T fields -e data.data"))
        {
            char leafHex[9];
            std::snprintf(leafHex, sizeof leafHex, "%08x", lostLeaf);
            REQUIRE(line.substr(0, 12) == "445046520101"); // "DPFR", version 1, fault
            REQUIRE(line.substr(24, 8) == leafHex);
            ++notices;
        }
        REQUIRE(fab::tests::TsharkLines(
                    dir, "-r '" + file + "' -Y '_ws.malformed' -T fields -e frame.number")
                    .empty());
    }
    REQUIRE(notices == 3);
}

TEST_CASE("a spine fails, a module flaps, a link degrades: the ring still completes",
          "[fabric][sim][recovery][slow]")
{
    RecoveryConfig dpfr;
    const auto& baseline = Baseline();
    SECTION("switch down")
    {
        FaultSpec fault{FaultKind::SwitchDown, "spine-0-1", 500'000};
        auto run = RunRing(dpfr, {fault});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        REQUIRE(r.detectedNs - fault.atNs == dpfr.detectionNs);
        REQUIRE(r.switchesConverged >= 4); // every leaf drops its uplinks to it
        REQUIRE(Drops(run.totals, DropReason::LinkDown) == r.packetsLost);
    }
    SECTION("an optical module flaps three times")
    {
        FaultSpec fault{FaultKind::Flap, BusiestUplink(baseline), 500'000};
        fault.durationNs = 50'000;
        fault.upNs = 100'000;
        fault.cycles = 3;
        auto run = RunRing(dpfr, {fault});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        REQUIRE(r.restoredNs == 500'000 + 3 * 50'000 + 2 * 100'000);
        REQUIRE(r.switchesConverged == 2 * 3); // both ends, every cycle
        REQUIRE(run.collectiveNs < baseline.collectiveNs * 1.5);
    }
    SECTION("a degraded link corrupts 1% of frames")
    {
        FaultSpec fault{FaultKind::Degraded, BusiestUplink(baseline), 200'000};
        fault.loss = 0.01;
        auto run = RunRing(dpfr, {fault});
        REQUIRE(run.done);
        auto fcs = Drops(run.totals, DropReason::FcsError);
        WARN("degraded 1%: " << fcs << " FCS errors, " << run.retransmitted
                             << " retransmitted, ring " << baseline.collectiveNs << " -> "
                             << run.collectiveNs << " ns");
        REQUIRE(fcs > 0);
        REQUIRE(run.records.at(0).packetsLost == fcs);
        REQUIRE(run.retransmitted > fcs); // go-back-N resends more than was lost
        REQUIRE(run.collectiveNs > baseline.collectiveNs);
    }
    SECTION("a degraded link falls back to a quarter of its rate")
    {
        // A module that lost three of its four lanes: no loss, no route change, the ring
        // slows down behind the one slow link its flows hash onto.
        FaultSpec fault{FaultKind::Degraded, BusiestUplink(baseline), 200'000};
        fault.rateBps = 25'000'000'000ULL;
        auto run = RunRing(dpfr, {fault});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        WARN("degraded to 25G: ring " << baseline.collectiveNs << " -> " << run.collectiveNs
                                      << " ns, " << run.totals.TotalDrops() << " drops");
        REQUIRE(r.packetsLost == 0);
        REQUIRE(r.detectedNs < 0); // the link stays up: nothing to detect
        REQUIRE(run.totals.TotalDrops() == 0);
        REQUIRE(run.collectiveNs > baseline.collectiveNs * 1.2);
    }
}

TEST_CASE("a core loses a spine in a 3-tier fabric: the other pods' spines avoid that core for "
          "that pod only",
          "[fabric][sim][recovery]")
{
    // k = 4: 4 pods of 2 leaves and 2 spines, 4 cores in 2 groups; each core reaches each pod
    // through one spine.
    auto design = fab::tests::KAryDesign(4, 3);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    const auto& graph = fabric.Graph();
    std::uint32_t core = 0;
    for (std::uint32_t n = 0; n < graph.Nodes().size(); ++n)
    {
        if (graph.Nodes()[n].kind == topo::GraphNode::Kind::Switch
            && graph.Nodes()[n].tier == topo::Tier::Core)
        {
            core = n;
            break;
        }
    }
    std::string coreName = graph.NodeName(core);
    auto coreSwitch = fabric.Switch(coreName);
    REQUIRE(coreSwitch);
    std::uint32_t lostSpine = coreSwitch->GetFailoverTable().PeerOf(0);
    std::uint32_t lostPod = graph.Nodes()[lostSpine].group;
    FaultSpec fault{FaultKind::LinkDown, coreName + ":0", 10'000};
    FaultInjector injector(fabric, {fault}, 1);
    injector.Start();
    Simulator::Stop(MicroSeconds(100));
    Simulator::Run();
    const auto& record = injector.Records().at(0);
    REQUIRE(record.noticesSent == 1);
    // The core and the spine converge locally; the core's 3 other spines remotely.
    REQUIRE(record.switchesConverged == 2 + 3);
    // Local at detection (5 us); remote once the notices have crossed a spine-core cable.
    WARN("core loses a spine: converged +" << record.convergedNs - record.spec.atNs << " ns");
    REQUIRE(record.convergedNs - record.spec.atNs > 5'000);
    REQUIRE(record.convergedNs - record.spec.atNs < 10'000);

    std::uint32_t spinesChecked = 0;
    for (std::uint32_t n = 0; n < graph.Nodes().size(); ++n)
    {
        const auto& node = graph.Nodes()[n];
        if (node.kind != topo::GraphNode::Kind::Switch || node.tier != topo::Tier::Spine
            || n == lostSpine)
        {
            continue;
        }
        auto spine = fabric.Switch(graph.NodeName(n));
        bool facesCore = false;
        for (std::uint16_t p = 0; p < spine->GetPorts().size(); ++p)
        {
            facesCore = facesCore || spine->GetFailoverTable().PeerOf(p) == core;
        }
        if (!facesCore)
        {
            continue;
        }
        ++spinesChecked;
        for (std::uint32_t e = 0; e < fabric.Routes().Endpoints(); ++e)
        {
            // Endpoints of the spine's own pod are reached downwards, not through cores.
            std::uint32_t pod = e / 4;
            if (pod == node.group)
            {
                continue;
            }
            bool usesCore = false;
            for (std::uint32_t hash = 0; hash < 1024; ++hash)
            {
                int port = spine->Route(e, hash * 0x9E3779B1u);
                REQUIRE(port >= 0);
                usesCore = usesCore || spine->GetFailoverTable().PeerOf(port) == core;
            }
            INFO(graph.NodeName(n) << " to endpoint " << e << " in pod " << pod);
            REQUIRE(usesCore == (pod != lostPod));
        }
    }
    REQUIRE(spinesChecked == 3);
    Simulator::Destroy();
}

TEST_CASE("a silent fault: only link probes find a link that stops carrying frames",
          "[fabric][sim][recovery][probes]")
{
    const auto& baseline = Baseline();
    FaultSpec fault{FaultKind::Blackhole, BusiestUplink(baseline), 500'000};
    fault.oneWay = true; // a dead laser: the leaf's frames up the link vanish, the carrier stays
    RecoveryConfig probed;
    probed.probeIntervalNs = 10'000;
    probed.probeMultiplier = 3;

    SECTION("probes every 10 us: both ends declare the link down within a few intervals")
    {
        auto run = RunRing(probed, {fault});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        WARN("blackhole, probes 10 us x 3: detected +" << r.detectedNs - fault.atNs
                                                     << " ns, converged +"
                                                     << r.convergedNs - fault.atNs << " ns, lost "
                                                     << r.packetsLost << " (last +"
                                                     << r.lastLossNs - fault.atNs << " ns), "
                                                     << run.timeouts << " timeouts, ring "
                                                     << baseline.collectiveNs << " -> "
                                                     << run.collectiveNs << " ns");
        // The far end misses 3 intervals of probes, then tells the leaf in its next probe.
        REQUIRE(r.detectedNs - fault.atNs >= 2 * probed.probeIntervalNs);
        REQUIRE(r.detectedNs - fault.atNs <= 4 * probed.probeIntervalNs);
        REQUIRE(r.convergedNs - fault.atNs <= 6 * probed.probeIntervalNs);
        REQUIRE(r.switchesConverged >= 2);
        // Lost: what the leaf sent into the hole until it knew, at most its share of 100G for
        // the ~60 us (about 180 frames of 4 KiB at full rate).
        REQUIRE(r.packetsLost > 0);
        REQUIRE(r.packetsLost <= 200);
        REQUIRE(r.lastLossNs - fault.atNs <= 6 * probed.probeIntervalNs);
        // The probes the leaf keeps sending into the hole are lost too, but are not traffic.
        REQUIRE(Drops(run.totals, DropReason::Blackhole) > r.packetsLost);
        REQUIRE(Drops(run.totals, DropReason::LinkDown) == 0);
        REQUIRE(run.collectiveNs < baseline.collectiveNs * 1.5);
    }
    SECTION("without probes the carrier never tells, and the ring stalls")
    {
        RecoveryConfig dpfr;
        auto run = RunRing(dpfr, {fault}, 5'000'000);
        const auto& r = run.records.at(0);
        REQUIRE_FALSE(run.done);
        REQUIRE(r.detectedNs < 0);
        REQUIRE(r.convergedNs < 0);
        REQUIRE(run.timeouts > 0);
        REQUIRE(r.lastLossNs > 4'000'000);
    }
    SECTION("both directions dead: each end misses the other's probes")
    {
        FaultSpec both = fault;
        both.oneWay = false;
        auto run = RunRing(probed, {both});
        REQUIRE(run.done);
        const auto& r = run.records.at(0);
        REQUIRE(r.detectedNs - both.atNs >= 2 * probed.probeIntervalNs);
        REQUIRE(r.detectedNs - both.atNs <= 4 * probed.probeIntervalNs);
        REQUIRE(r.switchesConverged >= 2);
    }
    SECTION("probes alone cost nothing: a fault-free run with probes matches the baseline")
    {
        auto run = RunRing(probed, {});
        REQUIRE(run.done);
        REQUIRE(run.collectiveNs == Approx(baseline.collectiveNs).epsilon(0.01));
        REQUIRE(run.totals.TotalDrops() == 0);
    }
}
