#include "fabric/model/roce-host.h"

#include "fabric/model/ecmp-group.h"
#include "fabric/model/fabric-channel.h"

#include <algorithm>
#include <ns3/simulator.h>

namespace ns3::fabric
{

NS_OBJECT_ENSURE_REGISTERED(RoceHost);

namespace
{

constexpr std::size_t kQueuedFramesPerPort = 2;

std::uint64_t
ReceiveKey(std::uint32_t srcEndpoint, std::uint32_t destQp)
{
    return static_cast<std::uint64_t>(srcEndpoint) << 32 | destQp;
}

} // namespace

TypeId
RoceHost::GetTypeId()
{
    static TypeId tid = TypeId("ns3::fabric::RoceHost")
                            .SetParent<Node>()
                            .SetGroupName("Fabric")
                            .AddConstructor<RoceHost>();
    return tid;
}

void
RoceHost::AddPort(Ptr<FabricNetDevice> port, std::uint16_t number, std::uint32_t endpoint)
{
    if (m_ports.size() <= number)
    {
        m_ports.resize(number + 1u);
        m_endpoints.resize(number + 1u, 0);
        m_active.resize(number + 1u);
    }
    m_ports[number] = port;
    m_endpoints[number] = endpoint;
    port->SetPortNumber(number);
    AddDevice(port);
    port->SetFrameHandler(MakeCallback(&RoceHost::HandleFrame, this));
    port->SetTransmitStartHandler(MakeCallback(&RoceHost::HandleTransmitStart, this));
}

std::uint32_t
RoceHost::AddFlow(const RoceFlowSpec& spec)
{
    auto id = static_cast<std::uint32_t>(m_flows.size());
    RoceFlowState state;
    state.spec = spec;
    m_flows.push_back(state);
    Simulator::ScheduleWithContext(
        GetId(), spec.start - Simulator::Now(), &RoceHost::StartFlow, this, id);
    return id;
}

void
RoceHost::StartFlow(std::uint32_t id)
{
    std::uint16_t port = m_flows[id].spec.port;
    m_active.at(port).push_back(id);
    Pump(port);
}

Frame*
RoceHost::NextFrame(RoceFlowState& flow)
{
    const auto& spec = flow.spec;
    Ptr<FabricNetDevice> nic = m_ports[spec.port];
    std::uint64_t remaining = spec.bytes - flow.sentBytes;
    auto payload = static_cast<std::uint32_t>(std::min<std::uint64_t>(remaining, m_payloadMtu));
    bool first = flow.sentBytes == 0;
    bool last = remaining <= m_payloadMtu;

    RocePacketSpec packet;
    packet.srcMac = nic->GetMac();
    packet.dstMac = nic->GetFabricChannel()->GetPeer(PeekPointer(nic))->GetMac();
    packet.vlanId = m_vlan;
    packet.priority = spec.priority;
    packet.srcIp = EndpointIpv4(m_endpoints[spec.port]);
    packet.dstIp = EndpointIpv4(spec.dstEndpoint);
    packet.udpSrcPort = spec.udpSrcPort;
    packet.ipId = static_cast<std::uint16_t>(flow.packets);
    packet.opcode = first && last ? BthOpcode::RcWriteOnly
                    : first       ? BthOpcode::RcWriteFirst
                    : last        ? BthOpcode::RcWriteLast
                                  : BthOpcode::RcWriteMiddle;
    packet.reth = first;
    packet.rethVirtualAddress = 0x10000000ull;
    packet.rethRkey = 0x1000 + spec.destQp;
    packet.rethDmaLength
        = static_cast<std::uint32_t>(std::min<std::uint64_t>(spec.bytes, 0xFFFFFFFFu));
    packet.destQp = spec.destQp;
    packet.psn = flow.nextPsn;
    packet.ackRequest = last;
    packet.payloadBytes = payload;

    Frame* frame = FramePool::Get().Acquire();
    if (m_infiniband)
    {
        IbPacketSpec ib;
        ib.sl = spec.priority;
        ib.vl = spec.priority;
        ib.dlid = EndpointLid(spec.dstEndpoint);
        ib.slid = EndpointLid(m_endpoints[spec.port]);
        ib.opcode = packet.opcode;
        ib.ackRequest = packet.ackRequest;
        ib.destQp = packet.destQp;
        ib.psn = packet.psn;
        ib.reth = packet.reth;
        ib.rethVirtualAddress = packet.rethVirtualAddress;
        ib.rethRkey = packet.rethRkey;
        ib.rethDmaLength = packet.rethDmaLength;
        ib.payloadBytes = payload;
        WriteIbFrame(*frame, ib, m_zeros, m_zeros16);
    }
    else
    {
        WriteRoceFrame(*frame, packet, m_zeros);
    }
    frame->srcEndpoint = m_endpoints[spec.port];
    frame->dstEndpoint = spec.dstEndpoint;
    frame->destQp = spec.destQp;
    frame->payloadBytes = payload;
    frame->flowHash = RoceFlowHash(packet.srcIp, packet.dstIp, packet.udpSrcPort, packet.destQp);
    frame->sequence = ++m_sequence;
    frame->createdNs = Simulator::Now().GetNanoSeconds();

    flow.firstQueuedNs = flow.firstQueuedNs < 0 ? frame->createdNs : flow.firstQueuedNs;
    flow.lastQueuedNs = frame->createdNs;
    flow.sentBytes += payload;
    flow.nextPsn = (flow.nextPsn + 1) & 0xFFFFFF;
    flow.packets++;
    return frame;
}

void
RoceHost::Pump(std::uint16_t port)
{
    Ptr<FabricNetDevice> nic = m_ports[port];
    auto& active = m_active[port];
    while (!active.empty())
    {
        std::uint32_t id = active.front();
        RoceFlowState& flow = m_flows[id];
        if (nic->GetQueueFrames(flow.spec.priority) >= kQueuedFramesPerPort)
        {
            return;
        }
        active.pop_front();
        Frame* frame = NextFrame(flow);
        if (flow.sentBytes < flow.spec.bytes)
        {
            active.push_back(id);
        }
        nic->Enqueue(frame);
    }
}

void
RoceHost::HandleTransmitStart(Ptr<FabricNetDevice> out, Frame*)
{
    Pump(out->GetPortNumber());
}

void
RoceHost::HandleFrame(Ptr<FabricNetDevice> in, Frame* frame)
{
    if (frame->kind == FrameKind::Infiniband)
    {
        // The NIC consumes at line rate: the receive buffer frees at once.
        in->ReturnCredits(frame->priority & 7, frame->Bytes());
    }
    if (frame->kind == FrameKind::Roce || frame->kind == FrameKind::Infiniband)
    {
        auto& record = m_received[ReceiveKey(frame->srcEndpoint, frame->destQp)];
        std::int64_t now = Simulator::Now().GetNanoSeconds();
        record.payloadBytes += frame->payloadBytes;
        record.packets++;
        bool marked = frame->kind == FrameKind::Infiniband
                          ? (frame->header[kLrhBytes + 4] & 0x80) != 0
                          : frame->IsCongestionExperienced();
        record.ecnMarked += marked ? 1 : 0;
        record.firstNs = record.firstNs < 0 ? now : record.firstNs;
        record.lastNs = now;
        m_totalReceived += frame->payloadBytes;
    }
    FramePool::Get().Release(frame);
}

RoceReceiveRecord
RoceHost::GetReceived(std::uint32_t srcEndpoint, std::uint32_t destQp) const
{
    auto it = m_received.find(ReceiveKey(srcEndpoint, destQp));
    return it == m_received.end() ? RoceReceiveRecord{} : it->second;
}

void
RoceHost::DoDispose()
{
    m_ports.clear();
    Node::DoDispose();
}

} // namespace ns3::fabric
