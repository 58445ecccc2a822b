#include "fabric/helper/fabric-builder.h"

#include "fabric/model/fabric-channel.h"
#include "fabric/model/ib-wire.h"
#include "fabric/model/link-figures.h"
#include "fabric/model/pcap-file-writer.h"
#include "topologies/model/pfc-headroom.h"

#include <algorithm>
#include <filesystem>
#include <ns3/names.h>

namespace ns3::fabric
{

FabricBuilder::FabricBuilder(const topo::Design& design, FabricOptions options)
: m_design(design)
, m_options(options)
, m_plan(topo::PlanFatTree(design))
, m_graph(topo::FabricGraph::Build(design, m_plan))
, m_bom(topo::ComputeBillOfMaterials(design, m_plan))
{
    Build();
}

void
FabricBuilder::Build()
{
    m_routes = std::make_unique<FabricRoutes>(m_graph);
    const auto& nodes = m_graph.Nodes();
    const auto& links = m_graph.Links();
    std::uint32_t servers = m_graph.Servers();

    m_hosts.resize(servers);
    bool infiniband = m_design.fabric == topo::FabricKind::Infiniband;
    if (infiniband)
    {
        m_options.features.linkLayer = LinkLayer::Infiniband;
        m_options.lldpInterval = Time(0); // IB discovers its topology with subnet management
    }
    for (std::uint32_t s = 0; s < servers; ++s)
    {
        m_hosts[s] = CreateObject<RoceHost>();
        m_hosts[s]->SetPayloadMtu(m_options.payloadMtu);
        m_hosts[s]->SetVlan(m_options.vlan);
        m_hosts[s]->SetInfiniband(infiniband);
        m_hosts[s]->SetTransport(m_options.transport);
    }
    for (std::uint32_t n = servers; n < nodes.size(); ++n)
    {
        m_switches[n] = CreateObject<LosslessSwitch>();
    }

    // One device per cable end, one channel per cable, in link order.
    std::vector<std::vector<std::pair<std::uint16_t, Ptr<FabricNetDevice>>>> portsOf(nodes.size());
    std::map<std::pair<std::uint32_t, std::uint16_t>, std::uint32_t> headroomOf;
    for (const auto& link : links)
    {
        const topo::LinkLine* line = m_bom.Links(link.tier);
        LinkFigures figures = LinkFiguresOf(m_design, *line);
        std::uint64_t rate = figures.rateBps;
        auto channel = CreateObject<FabricChannel>();
        channel->SetDelay(NanoSeconds(figures.delayNs));
        auto headroomBytes = static_cast<std::uint32_t>(topo::PfcHeadroomBytes(
            rate, line->lengthMetres, line->media, m_options.switchMtuBytes));
        for (int end = 0; end < 2; ++end)
        {
            std::uint32_t node = end == 0 ? link.lower : link.upper;
            std::uint16_t port
                = static_cast<std::uint16_t>(end == 0 ? link.lowerPort : link.upperPort);
            auto device = CreateObject<FabricNetDevice>();
            device->SetDataRate(DataRate(rate));
            device->SetMac(MakeMac(nodes[node].kind == topo::GraphNode::Kind::Server ? 0 : 1,
                                   static_cast<std::uint32_t>(m_allPorts.size())));
            device->SetPortName(m_graph.PortName(node, port));
            device->SetChassisName(m_graph.NodeName(node));
            device->Attach(channel);
            if (infiniband)
            {
                std::uint64_t roundTrip
                    = rate / 8 * 2
                      * static_cast<std::uint64_t>(channel->GetDelay().GetNanoSeconds() + 1000)
                      / 1'000'000'000;
                std::uint64_t credits
                    = m_options.ibCreditBytes != 0
                          ? m_options.ibCreditBytes
                          : std::max<std::uint64_t>(
                              64 * 1024, 2 * roundTrip + 2 * (m_options.payloadMtu + 64));
                device->SetLinkLayer(LinkLayer::Infiniband, credits);
            }
            portsOf[node].emplace_back(port, device);
            m_portByName[device->GetPortName()] = device;
            headroomOf[{node, port}] = headroomBytes;
            m_allPorts.push_back(device);
            m_ports.push_back(PortRecord{device, link.tier, end == 0});
        }
    }
    std::uint32_t portsPerServer = m_design.servers.PortsPerServer();
    for (std::uint32_t s = 0; s < servers; ++s)
    {
        for (auto& [port, device] : portsOf[s])
        {
            m_hosts[s]->AddPort(device, port, s * portsPerServer + port);
        }
    }
    for (auto& [node, sw] : m_switches)
    {
        topo::SwitchModel model
            = m_design.ModelOf(nodes[node].tier == topo::Tier::Leaf    ? m_design.leaf
                               : nodes[node].tier == topo::Tier::Spine ? m_design.spine
                                                                       : m_design.core);
        MmuConfig mmu;
        mmu.bufferBytes = m_options.bufferBytes != 0 ? m_options.bufferBytes
                          : model.bufferBytes != 0   ? model.bufferBytes
                                                     : 32ull << 20;
        mmu.headroomBytes.assign(nodes[node].ports, 0);
        for (auto& [port, device] : portsOf[node])
        {
            sw->AddPort(device, port);
            mmu.headroomBytes[port] = headroomOf[{node, port}];
        }
        SwitchFeatures features = m_options.features;
        sw->Configure(mmu, features, m_routes->Of(node));
    }
    // Fault handling needs each switch's neighbours.
    std::map<std::uint32_t, std::vector<std::uint32_t>> peers;
    std::map<std::uint32_t, std::vector<bool>> downward;
    std::map<std::uint32_t, std::vector<bool>> facesSwitch;
    for (const auto& link : links)
    {
        for (int end = 0; end < 2; ++end)
        {
            std::uint32_t node = end == 0 ? link.lower : link.upper;
            std::uint32_t port = end == 0 ? link.lowerPort : link.upperPort;
            auto& peer = peers[node];
            auto& down = downward[node];
            auto& switchPeer = facesSwitch[node];
            if (peer.size() <= port)
            {
                peer.resize(port + 1, FailoverTable::kNoPeer);
                down.resize(port + 1, false);
                switchPeer.resize(port + 1, false);
            }
            switchPeer[port] = link.tier != topo::LinkTier::ServerLeaf;
            peer[port] = end == 0 ? link.upper : link.lower;
            // Notices go down to switches only: a leaf tells no server.
            down[port] = end == 1 && link.tier != topo::LinkTier::ServerLeaf;
        }
    }
    for (auto& [node, sw] : m_switches)
    {
        sw->ConfigureRecovery(node,
                              std::move(peers[node]),
                              std::move(downward[node]),
                              std::move(facesSwitch[node]),
                              m_options.recovery);
    }
    if (m_options.lldpInterval.IsStrictlyPositive())
    {
        for (auto& device : m_allPorts)
        {
            device->StartLldp(m_options.lldpInterval);
        }
    }
}

Ptr<LosslessSwitch>
FabricBuilder::Switch(const std::string& name) const
{
    auto node = m_graph.FindNode(name);
    if (!node)
    {
        return nullptr;
    }
    auto it = m_switches.find(*node);
    return it == m_switches.end() ? nullptr : it->second;
}

std::vector<Ptr<LosslessSwitch>>
FabricBuilder::Switches() const
{
    std::vector<Ptr<LosslessSwitch>> out;
    for (const auto& [node, sw] : m_switches)
    {
        out.push_back(sw);
    }
    return out;
}

Ptr<FabricNetDevice>
FabricBuilder::Port(const std::string& name) const
{
    auto it = m_portByName.find(name);
    return it == m_portByName.end() ? nullptr : it->second;
}

std::vector<Ptr<FabricNetDevice>>
FabricBuilder::MatchPorts(const std::string& pattern) const
{
    std::vector<Ptr<FabricNetDevice>> out;
    for (const auto& device : m_allPorts)
    {
        if (topo::PortPatternMatches(pattern, device->GetPortName()))
        {
            out.push_back(device);
        }
    }
    return out;
}

std::vector<std::string>
FabricBuilder::EnableCapture(const std::string& directory,
                             const std::string& pattern,
                             std::uint32_t snapLength)
{
    std::filesystem::create_directories(directory);
    std::vector<std::string> files;
    for (auto& device : MatchPorts(pattern))
    {
        std::string name = device->GetPortName();
        std::replace(name.begin(), name.end(), ':', '_');
        std::string path = (std::filesystem::path(directory) / (name + ".pcap")).string();
        std::uint32_t linkType
            = m_design.fabric == topo::FabricKind::Infiniband ? kDltInfiniband : 1;
        device->SetCapture(std::make_shared<PcapFileWriter>(
            path, linkType, snapLength == 0 ? 262144 : snapLength));
        files.push_back(path);
    }
    return files;
}

std::uint64_t
FabricBuilder::PayloadRateBps() const
{
    return ::ns3::fabric::PayloadRateBps(m_design, m_options.payloadMtu);
}

std::uint32_t
FabricBuilder::Endpoint(std::uint32_t server, std::uint16_t port) const
{
    return server * m_design.servers.PortsPerServer() + port;
}

PortCounters
FabricBuilder::Totals() const
{
    PortCounters total;
    for (const auto& device : m_allPorts)
    {
        const auto& c = device->GetCounters();
        total.txPackets += c.txPackets;
        total.txBytes += c.txBytes;
        total.rxPackets += c.rxPackets;
        total.rxBytes += c.rxBytes;
        for (std::size_t i = 0; i < c.drops.size(); ++i)
        {
            total.drops[i] += c.drops[i];
        }
        for (std::size_t p = 0; p < 8; ++p)
        {
            total.pfcPauseTx[p] += c.pfcPauseTx[p];
            total.pfcResumeTx[p] += c.pfcResumeTx[p];
            total.pfcPauseRx[p] += c.pfcPauseRx[p];
            total.pfcResumeRx[p] += c.pfcResumeRx[p];
            total.pausedNs[p] += c.pausedNs[p];
            total.pauseRequestedNs[p] += c.pauseRequestedNs[p];
        }
        total.ecnMarked += c.ecnMarked;
        total.lldpTx += c.lldpTx;
        total.lldpRx += c.lldpRx;
        total.roceTx += c.roceTx;
        total.roceRx += c.roceRx;
        total.cnpTx += c.cnpTx;
        total.pfcTx += c.pfcTx;
        total.pfcRx += c.pfcRx;
        total.ibTx += c.ibTx;
        total.ibRx += c.ibRx;
        total.creditStalls += c.creditStalls;
        total.minCreditBytes = std::min(total.minCreditBytes, c.minCreditBytes);
    }
    return total;
}

NodeContainer
FabricBuilder::AllNodes() const
{
    NodeContainer nodes;
    for (const auto& host : m_hosts)
    {
        nodes.Add(host);
    }
    for (const auto& [node, sw] : m_switches)
    {
        nodes.Add(sw);
    }
    return nodes;
}

} // namespace ns3::fabric
