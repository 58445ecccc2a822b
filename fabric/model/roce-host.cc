#include "fabric/model/roce-host.h"

#include "fabric/model/ecmp-group.h"
#include "fabric/model/fabric-channel.h"
#include "fabric/model/pooled-event.h"
#include "fabric/model/queue-pair-numbers.h"

#include <algorithm>
#include <limits>
#include <ns3/simulator.h>

namespace ns3::fabric
{

NS_OBJECT_ENSURE_REGISTERED(RoceHost);

namespace
{

constexpr std::size_t kQueuedFramesPerPort = 2;

bool
IsRequest(std::uint8_t opcode)
{
    return opcode != static_cast<std::uint8_t>(BthOpcode::RcAcknowledge)
           && opcode != static_cast<std::uint8_t>(BthOpcode::Cnp);
}

bool
EndsMessage(std::uint8_t opcode)
{
    return opcode == static_cast<std::uint8_t>(BthOpcode::RcWriteLast)
           || opcode == static_cast<std::uint8_t>(BthOpcode::RcWriteOnly)
           || opcode == static_cast<std::uint8_t>(BthOpcode::RcSendLast)
           || opcode == static_cast<std::uint8_t>(BthOpcode::RcSendOnly);
}

} // namespace

const char*
CongestionControlName(CongestionControl cc)
{
    switch (cc)
    {
        case CongestionControl::Dcqcn:
            return "dcqcn";
        case CongestionControl::Dctcp:
            return "dctcp";
        case CongestionControl::None:
            break;
    }
    return "none";
}

bool
ParseCongestionControl(const std::string& name, CongestionControl& cc)
{
    if (name == "none")
    {
        cc = CongestionControl::None;
        return true;
    }
    if (name == "dcqcn")
    {
        cc = CongestionControl::Dcqcn;
        return true;
    }
    if (name == "dctcp")
    {
        cc = CongestionControl::Dctcp;
        return true;
    }
    return false;
}

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
        m_wake.resize(number + 1u);
    }
    m_ports[number] = port;
    m_endpoints[number] = endpoint;
    port->SetPortNumber(number);
    AddDevice(port);
    port->SetOwner(this);
}

std::uint32_t
RoceHost::AddFlow(const RoceFlowSpec& spec)
{
    std::uint32_t id = OpenQueuePair(spec);
    Simulator::ScheduleWithContext(GetId(),
                                   spec.start - Simulator::Now(),
                                   &RoceHost::PostMessage,
                                   this,
                                   id,
                                   spec.bytes,
                                   std::uint64_t{id});
    return id;
}

std::uint32_t
RoceHost::OpenQueuePair(const RoceFlowSpec& spec)
{
    auto id = static_cast<std::uint32_t>(m_flows.size());
    RoceFlowState& flow = m_flows.emplace_back();
    flow.id = id;
    flow.spec = spec;
    m_flowByPeer.Assign(PeerKey(spec.dstEndpoint, spec.destQp), id);
    flow.sender.emplace(m_payloadMtu);
    if (m_transport.congestionControl == CongestionControl::Dcqcn)
    {
        DcqcnParameters parameters = m_transport.dcqcn;
        auto line = m_ports.at(spec.port)->GetDataRate().GetBitRate();
        auto scaled = DcqcnParameters::ForLineRate(line);
        parameters.lineRateBps = line;
        parameters.additiveIncreaseBps = scaled.additiveIncreaseBps;
        parameters.hyperIncreaseBps = scaled.hyperIncreaseBps;
        flow.rate.emplace(parameters);
        SampleRate(flow);
    }
    if (m_transport.congestionControl == CongestionControl::Dctcp && m_transport.reliable)
    {
        DctcpParameters parameters = m_transport.dctcp;
        parameters.mssBytes = m_payloadMtu;
        flow.window.emplace(parameters);
    }
    return id;
}

void
RoceHost::PostMessage(std::uint32_t id, std::uint64_t bytes, std::uint64_t messageId)
{
    NS_ASSERT_MSG(bytes > 0, "an RDMA message carries at least one byte here");
    m_flows.at(id).sender->Post(messageId, bytes, Simulator::Now().GetNanoSeconds());
    Activate(id);
}

void
RoceHost::Activate(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    if (!flow.queued)
    {
        flow.queued = true;
        m_active[flow.spec.port].PushBack(id);
    }
    Pump(flow.spec.port);
}

void
RoceHost::Pump(std::uint16_t port)
{
    Ptr<FabricNetDevice> nic = m_ports[port];
    auto& active = m_active[port];
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
    std::size_t waiting = 0; // flows seen in a row that are paced
    while (!active.Empty() && waiting < active.Size())
    {
        std::uint32_t id = active.Front();
        RoceFlowState& flow = m_flows[id];
        if (nic->GetQueueFrames(flow.spec.priority) >= kQueuedFramesPerPort)
        {
            return; // the next transmission start pumps again
        }
        active.PopFront();
        if (!flow.sender->HasPacketToSend() || !WindowAllows(flow))
        {
            flow.queued = false; // an ACK (or NAK, or timeout) brings it back
            continue;
        }
        if (flow.nextSendNs > now)
        {
            earliest = std::min(earliest, flow.nextSendNs);
            active.PushBack(id);
            ++waiting;
            continue;
        }
        waiting = 0;
        SendPacket(id);
        if (flow.sender->HasPacketToSend() && WindowAllows(flow))
        {
            active.PushBack(id);
        }
        else
        {
            flow.queued = false;
        }
    }
    if (earliest != std::numeric_limits<std::int64_t>::max())
    {
        EventId& wake = m_wake[port];
        Time at = NanoSeconds(earliest);
        if (!wake.IsRunning() || wake.GetTs() > static_cast<std::uint64_t>(at.GetTimeStep()))
        {
            wake.Cancel();
            wake = SchedulePooled(NanoSeconds(earliest - now), &RoceHost::Pump, this, port);
        }
    }
}

bool
RoceHost::WindowAllows(const RoceFlowState& flow) const
{
    if (!flow.window)
    {
        return true;
    }
    std::uint64_t inFlight = (flow.sender->SendPsn() - flow.sender->Unacked()) * m_payloadMtu;
    return inFlight < flow.window->WindowBytes();
}

Frame*
RoceHost::MakeFrame(Ptr<FabricNetDevice> nic,
                    std::uint16_t port,
                    std::uint32_t dstEndpoint,
                    RocePacketSpec& packet)
{
    packet.srcMac = nic->GetMac();
    packet.dstMac = nic->GetFabricChannel()->GetPeer(PeekPointer(nic))->GetMac();
    packet.vlanId = m_vlan;
    packet.srcIp = EndpointIpv4(m_endpoints[port]);
    packet.dstIp = EndpointIpv4(dstEndpoint);
    Frame* frame = FramePool::Get().Acquire();
    if (m_infiniband)
    {
        IbPacketSpec ib;
        ib.sl = packet.priority;
        ib.vl = packet.priority;
        ib.dlid = EndpointLid(dstEndpoint);
        ib.slid = EndpointLid(m_endpoints[port]);
        ib.opcode = packet.opcode;
        ib.becn = packet.becn;
        ib.ackRequest = packet.ackRequest;
        ib.destQp = packet.destQp;
        ib.psn = packet.psn;
        ib.reth = packet.reth;
        ib.rethVirtualAddress = packet.rethVirtualAddress;
        ib.rethRkey = packet.rethRkey;
        ib.rethDmaLength = packet.rethDmaLength;
        ib.aeth = packet.aeth;
        ib.payloadBytes = packet.payloadBytes;
        WriteIbFrame(*frame, ib, m_zeros, m_zeros16);
    }
    else
    {
        WriteRoceFrame(*frame, packet, m_zeros);
    }
    frame->srcEndpoint = m_endpoints[port];
    frame->dstEndpoint = dstEndpoint;
    frame->flowHash = RoceFlowHash(packet.srcIp, packet.dstIp, packet.udpSrcPort, packet.destQp);
    frame->sequence = ++m_sequence;
    frame->createdNs = Simulator::Now().GetNanoSeconds();
    return frame;
}

void
RoceHost::SendPacket(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    const auto& spec = flow.spec;
    Ptr<FabricNetDevice> nic = m_ports[spec.port];
    RcPacket next = flow.sender->Next();

    RocePacketSpec packet;
    packet.priority = spec.priority;
    packet.udpSrcPort = spec.udpSrcPort;
    packet.ipId = static_cast<std::uint16_t>(flow.packets);
    if (spec.send)
    {
        packet.opcode = next.first && next.last ? BthOpcode::RcSendOnly
                        : next.first            ? BthOpcode::RcSendFirst
                        : next.last             ? BthOpcode::RcSendLast
                                                : BthOpcode::RcSendMiddle;
    }
    else
    {
        packet.opcode = next.first && next.last ? BthOpcode::RcWriteOnly
                        : next.first            ? BthOpcode::RcWriteFirst
                        : next.last             ? BthOpcode::RcWriteLast
                                                : BthOpcode::RcWriteMiddle;
    }
    packet.reth = next.first && !spec.send;
    packet.rethVirtualAddress = 0x10000000ull;
    packet.rethRkey = 0x1000 + spec.destQp;
    packet.rethDmaLength
        = static_cast<std::uint32_t>(std::min<std::uint64_t>(next.messageBytes, 0xFFFFFFFFu));
    packet.destQp = spec.destQp;
    packet.psn = static_cast<std::uint32_t>(next.psn & kPsnMask);
    packet.ackRequest = next.last;
    packet.payloadBytes = next.payloadBytes;
    Frame* frame = MakeFrame(nic, spec.port, spec.dstEndpoint, packet);
    frame->payloadBytes = next.payloadBytes;

    std::int64_t now = frame->createdNs;
    flow.firstQueuedNs = flow.firstQueuedNs < 0 ? now : flow.firstQueuedNs;
    flow.lastQueuedNs = now;
    flow.sentBytes += next.payloadBytes;
    flow.packets++;
    flow.retransmitted += next.retransmission ? 1 : 0;
    if (flow.rate)
    {
        flow.rate->OnBytesSent(frame->WireBytes());
        flow.nextSendNs
            = now
              + static_cast<std::int64_t>(frame->WireBytes() * 8.0 * 1e9
                                          / static_cast<double>(flow.rate->CurrentRateBps()));
    }
    nic->Enqueue(frame);

    if (!m_transport.reliable)
    {
        // Fire and forget: the packet counts as acknowledged once it is on its way.
        auto done = flow.sender->OnAck(next.psn);
        if (!done.empty())
        {
            Complete(flow, done);
        }
        return;
    }
    if (flow.retransmitDueNs < 0)
    {
        ArmRetransmitTimer(id);
    }
}

void
RoceHost::ArmRetransmitTimer(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    flow.retransmitDueNs
        = Simulator::Now().GetNanoSeconds() + m_transport.retransmitTimeout.GetNanoSeconds();
    if (!flow.retransmitEvent.IsRunning())
    {
        flow.retransmitEvent = SchedulePooled(
            m_transport.retransmitTimeout, &RoceHost::OnRetransmitTimer, this, id);
    }
}

void
RoceHost::OnRetransmitTimer(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    if (flow.retransmitDueNs < 0)
    {
        return; // disarmed since
    }
    if (flow.retransmitDueNs > now)
    {
        flow.retransmitEvent = SchedulePooled(
            NanoSeconds(flow.retransmitDueNs - now), &RoceHost::OnRetransmitTimer, this, id);
        return;
    }
    flow.retransmitDueNs = -1;
    OnRetransmitTimeout(id);
}

void
RoceHost::OnRetransmitTimeout(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    if (!flow.sender->Outstanding())
    {
        return;
    }
    flow.timeouts++;
    flow.sender->OnTimeout();
    ArmRetransmitTimer(id);
    Activate(id);
}

void
RoceHost::Complete(RoceFlowState& flow, const std::vector<RcMessage>& messages)
{
    flow.completedNs = Simulator::Now().GetNanoSeconds();
    if (!flow.sender->Outstanding())
    {
        flow.retransmitDueNs = -1;
    }
    if (m_completion.IsNull())
    {
        return;
    }
    // The callback may post on this host: copy what it needs before calling.
    std::uint32_t id = flow.id;
    std::int64_t now = flow.completedNs;
    for (const RcMessage& message : messages)
    {
        m_completion(id, message.id, message.postedNs, now);
    }
}

std::vector<std::uint32_t>
RoceHost::AddConnection(const RoceFlowSpec& spec, std::uint32_t qps)
{
    std::vector<std::uint32_t> ids;
    std::uint64_t share = spec.bytes / qps;
    for (std::uint32_t q = 0; q < qps; ++q)
    {
        RoceFlowSpec part = spec;
        part.destQp = spec.destQp + q;
        part.udpSrcPort = static_cast<std::uint16_t>(spec.udpSrcPort + q);
        part.bytes = q + 1 == qps ? spec.bytes - share * (qps - 1) : share;
        ids.push_back(AddFlow(part));
    }
    return ids;
}

void
RoceHost::HandleTransmitStart(Ptr<FabricNetDevice> out, Frame*)
{
    Pump(out->GetPortNumber());
}

void
RoceHost::SendControl(Ptr<FabricNetDevice> port,
                      std::uint32_t dstEndpoint,
                      std::uint32_t qp,
                      BthOpcode opcode,
                      std::uint32_t psn,
                      std::optional<std::uint32_t> aeth,
                      bool becn)
{
    RocePacketSpec packet;
    packet.priority = m_transport.controlPriority;
    packet.dscp = 48;
    packet.opcode = opcode;
    packet.destQp = qp;
    packet.psn = opcode == BthOpcode::Cnp ? 0 : psn & kPsnMask;
    packet.becn = opcode == BthOpcode::Cnp || becn;
    packet.aeth = aeth;
    packet.udpSrcPort = static_cast<std::uint16_t>(0xC000 | (qp & 0x3FFF));
    Frame* frame = MakeFrame(port, port->GetPortNumber(), dstEndpoint, packet);
    port->Enqueue(frame);
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
        if (IsRequest(frame->bthOpcode))
        {
            HandleData(in, *frame);
        }
        else if (frame->bthOpcode == static_cast<std::uint8_t>(BthOpcode::RcAcknowledge))
        {
            HandleAcknowledge(*frame);
        }
        else
        {
            HandleCnp(*frame);
        }
    }
    FramePool::Get().Release(frame);
}

void
RoceHost::HandleData(Ptr<FabricNetDevice> in, const Frame& frame)
{
    auto key = PeerKey(frame.srcEndpoint, frame.destQp);
    std::uint32_t index = m_receiverOf.Find(key);
    if (index == KeyIndex::kNone)
    {
        index = static_cast<std::uint32_t>(m_receivers.size());
        m_receiverOf.Insert(key, index);
        m_receivers.push_back(ReceiverQp{
            RcReceiver(m_transport.ackEvery), -1'000'000'000'000LL, false, RoceReceiveRecord{}});
    }
    ReceiverQp& qp = m_receivers[index];
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    bool marked = frame.kind == FrameKind::Infiniband ? (frame.header[kLrhBytes + 4] & 0x80) != 0
                                                      : frame.IsCongestionExperienced();
    auto& record = qp.record;
    record.ecnMarked += marked ? 1 : 0;

    bool deliver = true;
    if (m_transport.reliable)
    {
        RcResponse response = qp.receiver.OnPacket(frame.psn, frame.ackRequest);
        deliver = response.deliver;
        record.outOfSequence += response.outOfSequence ? 1 : 0;
        record.duplicates += response.duplicate ? 1 : 0;
        qp.markedSinceAck = qp.markedSinceAck || marked;
        if (response.kind == RcResponse::Kind::Ack)
        {
            // DCTCP-style congestion control reads the ECN echo on ACKs (BTH BECN, as IB does).
            bool echo
                = m_transport.congestionControl == CongestionControl::Dctcp && qp.markedSinceAck;
            qp.markedSinceAck = false;
            SendControl(in,
                        frame.srcEndpoint,
                        frame.destQp,
                        BthOpcode::RcAcknowledge,
                        static_cast<std::uint32_t>(response.psn),
                        std::uint32_t{kAethAck} << 24,
                        echo);
        }
        else if (response.kind == RcResponse::Kind::Nak)
        {
            record.naksSent++;
            SendControl(in,
                        frame.srcEndpoint,
                        frame.destQp,
                        BthOpcode::RcAcknowledge,
                        static_cast<std::uint32_t>(response.psn),
                        std::uint32_t{kAethNakSequenceError} << 24);
        }
    }
    if (deliver)
    {
        record.payloadBytes += frame.payloadBytes;
        record.packets++;
        record.firstNs = record.firstNs < 0 ? now : record.firstNs;
        record.lastNs = now;
        m_totalReceived += frame.payloadBytes;
        if (EndsMessage(frame.bthOpcode) && !m_delivery.IsNull())
        {
            m_delivery(frame.srcEndpoint, frame.destQp, now);
        }
    }
    // Notification point: a marked packet draws a CNP, at most one per QP per interval.
    if (marked && m_transport.congestionControl == CongestionControl::Dcqcn
        && now - qp.lastCnpNs >= m_transport.cnpIntervalNs)
    {
        qp.lastCnpNs = now;
        record.cnpsSent++;
        SendControl(in, frame.srcEndpoint, frame.destQp, BthOpcode::Cnp, 0, std::nullopt);
    }
}

void
RoceHost::HandleAcknowledge(const Frame& frame)
{
    std::uint32_t id = m_flowByPeer.Find(PeerKey(frame.srcEndpoint, frame.destQp));
    if (id == KeyIndex::kNone || !m_flows[id].sender)
    {
        return;
    }
    RoceFlowState& flow = m_flows[id];
    std::uint64_t psn = UnwrapPsn(frame.psn, flow.sender->Unacked());
    bool nak = (frame.aeth >> 24) == kAethNakSequenceError;
    std::uint64_t unackedBefore = flow.sender->Unacked();
    auto done = nak ? flow.sender->OnNak(psn) : flow.sender->OnAck(psn);
    if (flow.window)
    {
        std::uint64_t bytes = (flow.sender->Unacked() - unackedBefore) * m_payloadMtu;
        flow.congestionEchoes += frame.becn ? 1 : 0;
        flow.window->OnAck(bytes,
                           frame.becn ? bytes : 0,
                           flow.sender->Unacked() * m_payloadMtu,
                           flow.sender->SendPsn() * m_payloadMtu);
    }
    (nak ? flow.naks : flow.acks)++;
    if (!done.empty())
    {
        Complete(flow, done);
    }
    if (flow.sender->Outstanding())
    {
        ArmRetransmitTimer(id);
    }
    else
    {
        flow.retransmitDueNs = -1;
    }
    if (nak || flow.window)
    {
        Activate(id); // go back N, or the window opened
    }
}

void
RoceHost::HandleCnp(const Frame& frame)
{
    std::uint32_t id = m_flowByPeer.Find(PeerKey(frame.srcEndpoint, frame.destQp));
    if (id == KeyIndex::kNone)
    {
        return;
    }
    RoceFlowState& flow = m_flows[id];
    flow.cnps++;
    if (!flow.rate)
    {
        return;
    }
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    if (flow.rate->OnCnp(now))
    {
        // The NIC checks for a cut on its decrease period.
        std::int64_t period = flow.rate->Parameters().rateDecreaseIntervalNs;
        Simulator::Schedule(
            NanoSeconds(period - now % period), &RoceHost::OnDecreaseCheck, this, id);
    }
}

void
RoceHost::OnDecreaseCheck(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    if (!flow.rate->OnDecreaseCheck(Simulator::Now().GetNanoSeconds()))
    {
        return;
    }
    SampleRate(flow);
    // Every cut restarts the increase timer.
    flow.increaseTimer.Cancel();
    flow.increaseTimer
        = Simulator::Schedule(NanoSeconds(flow.rate->Parameters().rateIncreaseTimerNs),
                              &RoceHost::OnIncreaseTimer,
                              this,
                              id);
}

void
RoceHost::OnIncreaseTimer(std::uint32_t id)
{
    RoceFlowState& flow = m_flows[id];
    flow.rate->OnIncreaseTimer();
    SampleRate(flow);
    const auto& p = flow.rate->Parameters();
    if (flow.rate->CurrentRateBps() < p.lineRateBps || flow.rate->TargetRateBps() < p.lineRateBps)
    {
        flow.increaseTimer = Simulator::Schedule(
            NanoSeconds(p.rateIncreaseTimerNs), &RoceHost::OnIncreaseTimer, this, id);
    }
}

void
RoceHost::SampleRate(RoceFlowState& flow)
{
    flow.rateTrace.push_back(
        {Simulator::Now().GetNanoSeconds(), flow.rate->CurrentRateBps(), flow.rate->Alpha()});
}

RoceReceiveRecord
RoceHost::GetReceived(std::uint32_t srcEndpoint, std::uint32_t destQp) const
{
    std::uint32_t index = m_receiverOf.Find(PeerKey(srcEndpoint, destQp));
    return index == KeyIndex::kNone ? RoceReceiveRecord{} : m_receivers[index].record;
}

void
RoceHost::DoDispose()
{
    for (auto& flow : m_flows)
    {
        flow.retransmitDueNs = -1;
        flow.retransmitEvent.Cancel();
        flow.increaseTimer.Cancel();
    }
    for (auto& wake : m_wake)
    {
        wake.Cancel();
    }
    m_ports.clear();
    m_completion = CompletionCallback();
    m_delivery = DeliveryCallback();
    Node::DoDispose();
}

} // namespace ns3::fabric
