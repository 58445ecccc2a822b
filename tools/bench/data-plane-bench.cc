// Packet-hops per wall second of the fabric data plane against stock ns-3 (point-to-point devices,
// IPv4 stack with ECMP global routing, UDP) on the same k = 8 fat-tree (128 hosts, 80 switches)
// under the same offered load: every host sends at line rate to a fixed partner (a permutation).
//
//   data-plane-bench [--sim-us 500] [--link 100Gbps]
#include "fabric/helper/fabric-builder.h"
#include "fabric/model/fabric-scheduler.h"

#include <chrono>
#include <cstdio>
#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <numeric>
#include <random>

using namespace ns3;

namespace
{

struct Result
{
    std::uint64_t hops{0};
    double wallSeconds{0};
    std::uint64_t events{0};
    double HopsPerSecond() const { return static_cast<double>(hops) / wallSeconds; }
};

fab::topo::Design
KAry8(std::uint64_t linkBps)
{
    fab::topo::Design design;
    design.name = "k=8 fat-tree";
    design.servers.count = 128;
    design.servers.gpus = 1;
    design.servers.nics = 1;
    design.servers.nicSpeedBps = linkBps;
    fab::topo::SwitchModel model;
    model.name = "k8";
    model.ports = 8;
    model.portSpeedBps = linkBps;
    design.switchModels[model.name] = model;
    design.leaf.model = design.spine.model = design.core.model = model.name;
    design.tiers = 3;
    design.serverLeaf = {3, fab::topo::Media::Auto};
    design.leafSpine = {30, fab::topo::Media::Auto};
    design.spineCore = {100, fab::topo::Media::Auto};
    return design;
}

std::vector<std::uint32_t>
Permutation(std::uint32_t hosts)
{
    // A derangement with every partner under another leaf, the same for both runs.
    std::vector<std::uint32_t> partner(hosts);
    std::iota(partner.begin(), partner.end(), 0);
    std::mt19937 rng(1);
    do
    {
        std::shuffle(partner.begin(), partner.end(), rng);
    } while (std::any_of(partner.begin(),
                         partner.end(),
                         [&, i = 0u](std::uint32_t p) mutable { return p / 4 == (i++) / 4; }));
    return partner;
}

Result
RunFabric(const fab::topo::Design& design, Time duration, fabric::CongestionControl cc)
{
    fabric::UseFabricScheduler(); // as simulate runs
    fabric::FabricOptions options;
    options.lldpInterval = Time(0);
    options.transport.congestionControl = cc;
    fabric::FabricBuilder fabric(design, options);
    auto partner = Permutation(fabric.Hosts());
    for (std::uint32_t h = 0; h < fabric.Hosts(); ++h)
    {
        fabric::RoceFlowSpec flow;
        flow.dstEndpoint = partner[h];
        flow.bytes = 1ull << 40; // longer than the run
        flow.destQp = h + 1;
        flow.start = NanoSeconds(h);
        fabric.Host(h)->AddFlow(flow);
    }
    Simulator::Stop(duration);
    auto start = std::chrono::steady_clock::now();
    Simulator::Run();
    Result result;
    result.wallSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.hops = fabric.Totals().roceTx;
    result.events = Simulator::GetEventCount();
    Simulator::Destroy();
    return result;
}

Result
RunStock(const fab::topo::Design& design, Time duration, const std::string& rate)
{
    Config::SetDefault("ns3::Ipv4GlobalRouting::RandomEcmpRouting", BooleanValue(true));
    auto plan = fab::topo::PlanFatTree(design);
    auto graph = fab::topo::FabricGraph::Build(design, plan);
    NodeContainer nodes;
    nodes.Create(static_cast<std::uint32_t>(graph.Nodes().size()));
    InternetStackHelper stack;
    stack.Install(nodes);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue(rate));
    p2p.SetDeviceAttribute("Mtu", UintegerValue(9000));
    Ipv4AddressHelper address;
    address.SetBase("10.0.0.0", "255.255.255.252");
    std::vector<Ipv4Address> hostAddress(graph.Servers());
    std::uint64_t hops = 0;
    for (const auto& link : graph.Links())
    {
        p2p.SetChannelAttribute(
            "Delay",
            TimeValue(NanoSeconds(link.tier == fab::topo::LinkTier::ServerLeaf  ? 15
                                  : link.tier == fab::topo::LinkTier::LeafSpine ? 154
                                                                                : 513)));
        NetDeviceContainer devices = p2p.Install(nodes.Get(link.lower), nodes.Get(link.upper));
        for (std::uint32_t i = 0; i < 2; ++i)
        {
            devices.Get(i)->TraceConnectWithoutContext(
                "PhyTxEnd",
                MakeBoundCallback(
                    +[](std::uint64_t* count, Ptr<const Packet>) { ++*count; }, &hops));
        }
        auto interfaces = address.Assign(devices);
        address.NewNetwork();
        if (link.tier == fab::topo::LinkTier::ServerLeaf)
        {
            hostAddress[link.lower] = interfaces.GetAddress(0);
        }
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    auto partner = Permutation(graph.Servers());
    for (std::uint32_t h = 0; h < graph.Servers(); ++h)
    {
        PacketSinkHelper sink("ns3::UdpSocketFactory",
                              InetSocketAddress(Ipv4Address::GetAny(), 4791));
        sink.Install(nodes.Get(h));
        OnOffHelper source("ns3::UdpSocketFactory",
                           InetSocketAddress(hostAddress[partner[h]], 4791));
        source.SetConstantRate(DataRate(rate), 4096);
        auto app = source.Install(nodes.Get(h));
        app.Start(NanoSeconds(h));
    }
    Simulator::Stop(duration);
    auto start = std::chrono::steady_clock::now();
    Simulator::Run();
    Result result;
    result.wallSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.hops = hops;
    result.events = Simulator::GetEventCount();
    Simulator::Destroy();
    return result;
}

/** Resident memory of this process in bytes (Linux). */
std::uint64_t
ResidentBytes()
{
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    unsigned long resident = 0;
    if (f != nullptr)
    {
        if (std::fscanf(f, "%lu %lu", &pages, &resident) != 2)
        {
            resident = 0;
        }
        std::fclose(f);
    }
    return static_cast<std::uint64_t>(resident) * 4096;
}

/** Memory per simulated host: a k = 16 fat-tree (1,024 hosts) with RC + DCQCN under load. */
void
MeasureMemory()
{
    fab::topo::Design design = KAry8(100'000'000'000ULL);
    design.name = "k=16 fat-tree";
    design.servers.count = 1024;
    design.switchModels.begin()->second.ports = 16;
    std::uint64_t before = ResidentBytes();
    fabric::UseFabricScheduler(); // as simulate runs
    fabric::FabricOptions options;
    options.lldpInterval = Time(0);
    options.transport.congestionControl = fabric::CongestionControl::Dcqcn;
    fabric::FabricBuilder fabric(design, options);
    auto partner = Permutation(fabric.Hosts());
    for (std::uint32_t h = 0; h < fabric.Hosts(); ++h)
    {
        fabric::RoceFlowSpec flow;
        flow.dstEndpoint = partner[h];
        flow.bytes = 1ull << 40;
        flow.destQp = h + 1;
        flow.start = NanoSeconds(h);
        fabric.Host(h)->AddFlow(flow);
    }
    Simulator::Stop(MicroSeconds(200));
    Simulator::Run();
    std::uint64_t after = ResidentBytes();
    std::printf("memory: k=16 fat-tree, %u hosts, %zu switches, RC + DCQCN, 200 us of permutation "
                "load: %.1f MB resident "
                "for the fabric = %.0f KB per host (all switches included)\n",
                fabric.Hosts(),
                fabric.Switches().size(),
                (after - before) / 1e6,
                (after - before) / 1024.0 / fabric.Hosts());
    Simulator::Destroy();
}

} // namespace

int
main(int argc, char** argv)
{
    std::uint32_t simUs = 500;
    std::string rate = "100Gbps";
    CommandLine cmd;
    cmd.AddValue("sim-us", "simulated microseconds per run", simUs);
    cmd.AddValue("link", "link rate", rate);
    cmd.Parse(argc, argv);
    auto design = KAry8(DataRate(rate).GetBitRate());
    Time duration = MicroSeconds(simUs);

    std::printf("k=8 fat-tree, 128 hosts at %s, permutation traffic, %u us simulated\n",
                rate.c_str(),
                simUs);
    Result stock = RunStock(design, duration, rate);
    std::printf("stock ns-3 (p2p + IPv4 + UDP, Map scheduler): %12llu packet-hops in %7.3f s wall "
                "= %12.0f hops/s (%llu events)\n",
                static_cast<unsigned long long>(stock.hops),
                stock.wallSeconds,
                stock.HopsPerSecond(),
                static_cast<unsigned long long>(stock.events));
    auto report = [](const char* name, const Result& r)
    {
        std::printf("%-46s %12llu packet-hops in %7.3f s wall = %12.0f hops/s (%llu events)\n",
                    name,
                    static_cast<unsigned long long>(r.hops),
                    r.wallSeconds,
                    r.HopsPerSecond(),
                    static_cast<unsigned long long>(r.events));
    };
    Result ours = RunFabric(design, duration, fabric::CongestionControl::None);
    report("fabricscope RC, no CC (FabricScheduler):", ours);
    Result dcqcn = RunFabric(design, duration, fabric::CongestionControl::Dcqcn);
    report("fabricscope RC + DCQCN (FabricScheduler):", dcqcn);
    std::printf("ratio RC, no CC:  %.1fx\n", ours.HopsPerSecond() / stock.HopsPerSecond());
    std::printf("ratio RC + DCQCN: %.1fx\n", dcqcn.HopsPerSecond() / stock.HopsPerSecond());
    MeasureMemory();
    return 0;
}
