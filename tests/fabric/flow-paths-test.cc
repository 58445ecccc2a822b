#include "fabric/flow/flow-paths.h"
#include "fabric/helper/fabric-builder.h"
#include "fabric/model/queue-pair-numbers.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>
#include <random>
#include <vector>

using namespace ns3;
using namespace ns3::fabric;
using fab::flow::FlowPaths;

namespace
{

/** The directed links whose sending end put a data frame of a message on the wire. */
std::vector<std::uint32_t>
DataLinks(const FabricBuilder& fabric, const std::vector<std::uint64_t>& bytesBefore)
{
    std::vector<std::uint32_t> used;
    const auto& ports = fabric.Ports();
    for (std::uint32_t p = 0; p < ports.size(); ++p)
    {
        // Acknowledgements are small; the message's one frame carries 4 KiB.
        if (ports[p].device->GetCounters().txBytes - bytesBefore[p] >= 4096)
        {
            used.push_back(p); // ports are in link order, lower end (sending up) first
        }
    }
    return used;
}

} // namespace

TEST_CASE("flow paths are the links the packet engine's frames take", "[flow][paths][sim]")
{
    auto design = GENERATE(fab::tests::UniformDesign(32, 1, 8, 1, 2),
                           fab::tests::UniformDesign(16, 2, 8, 1, 2),
                           fab::tests::KAryDesign(4, 3));
    std::uint32_t seed = GENERATE(0u, 0x5EED1234u);
    FabricOptions options;
    options.lldpInterval = Time(0);
    options.features.hashSeed = seed;
    FabricBuilder fabric(design, options);
    FlowPaths paths(fabric.Graph(), fabric.Routes(), seed);
    std::uint32_t endpoints = fabric.Routes().Endpoints();
    std::uint32_t ports = design.servers.PortsPerServer();

    std::mt19937 random(seed + 1);
    std::uint32_t checked = 0;
    std::uint32_t multiHop = 0;
    for (std::uint32_t f = 0; f < 40; ++f)
    {
        std::uint32_t src = random() % endpoints;
        std::uint32_t dst = random() % endpoints;
        if (src / ports == dst / ports)
        {
            continue; // the fabric carries transfers between servers only
        }
        std::uint32_t qp = kFirstScheduledQp + f;
        RoceFlowSpec flow;
        flow.port = static_cast<std::uint16_t>(src % ports);
        flow.dstEndpoint = dst;
        flow.bytes = 4096;
        flow.destQp = qp;
        flow.udpSrcPort = QueuePairUdpSourcePort(qp);
        flow.start = Simulator::Now() + MicroSeconds(1);
        std::vector<std::uint64_t> before;
        for (const auto& port : fabric.Ports())
        {
            before.push_back(port.device->GetCounters().txBytes);
        }
        fabric.Host(src / ports)->AddFlow(flow);
        Simulator::Stop(MicroSeconds(100));
        Simulator::Run();

        std::vector<std::uint32_t> path;
        REQUIRE(paths.Path(src, dst, flow.udpSrcPort, qp, path));
        std::vector<std::uint32_t> sorted = path;
        std::sort(sorted.begin(), sorted.end());
        INFO("endpoint " << src << " to " << dst << ", QP " << qp);
        REQUIRE(sorted == DataLinks(fabric, before));
        ++checked;
        multiHop += path.size() > 2 ? 1 : 0;
    }
    CHECK(checked > 20);
    CHECK(multiHop > 10); // paths through spines (and cores), where ECMP chooses
    Simulator::Destroy();
}

TEST_CASE("a switch's node id is its graph node, which paths hash with", "[flow][paths]")
{
    auto design = fab::tests::KAryDesign(4, 3);
    FabricBuilder fabric(design, FabricOptions{});
    for (std::uint32_t n = fabric.Graph().Servers(); n < fabric.Graph().Nodes().size(); ++n)
    {
        REQUIRE(fabric.Switch(fabric.Graph().NodeName(n))->GetId() == n);
    }
    Simulator::Destroy();
}
