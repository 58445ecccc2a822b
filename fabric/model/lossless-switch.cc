#include "fabric/model/lossless-switch.h"

#include "fabric/model/fabric-channel.h"

#include <algorithm>
#include <cstring>
#include <ns3/log.h>
#include <ns3/simulator.h>
#include <set>

namespace ns3::fabric
{

NS_LOG_COMPONENT_DEFINE("LosslessSwitch");
NS_OBJECT_ENSURE_REGISTERED(LosslessSwitch);

TypeId
LosslessSwitch::GetTypeId()
{
    static TypeId tid = TypeId("ns3::fabric::LosslessSwitch")
                            .SetParent<Node>()
                            .SetGroupName("Fabric")
                            .AddConstructor<LosslessSwitch>();
    return tid;
}

const char*
RecoveryPolicyName(RecoveryPolicy policy)
{
    switch (policy)
    {
        case RecoveryPolicy::None:
            return "none";
        case RecoveryPolicy::Dpfr:
            return "dpfr";
        case RecoveryPolicy::ControlPlane:
            return "control-plane";
    }
    return "dpfr";
}

bool
ParseRecoveryPolicy(const std::string& name, RecoveryPolicy& policy)
{
    for (auto p : {RecoveryPolicy::None, RecoveryPolicy::Dpfr, RecoveryPolicy::ControlPlane})
    {
        if (name == RecoveryPolicyName(p))
        {
            policy = p;
            return true;
        }
    }
    return false;
}

LosslessSwitch::LosslessSwitch() = default;

void
LosslessSwitch::AddPort(Ptr<FabricNetDevice> port, std::uint16_t number)
{
    if (m_ports.size() <= number)
    {
        m_ports.resize(number + 1u);
    }
    m_ports[number] = port;
    port->SetPortNumber(number);
    AddDevice(port);
    port->SetOwner(this);
    port->AddLinkChangeCallback(Callback<void>([this, number]() { OnLinkChange(number); }));
}

void
LosslessSwitch::Configure(const MmuConfig& mmu, const SwitchFeatures& features, SwitchRoutes routes)
{
    m_features = features;
    MmuConfig config = mmu;
    config.ports = static_cast<std::uint32_t>(m_ports.size());
    if (!features.pfc)
    {
        config.losslessMask = 0;
    }
    m_mmu = std::make_unique<SharedBufferMmu>(config);
    m_markers.assign(m_ports.size(), RedEcnMarker{});
    m_peerMacs.assign(m_ports.size(), MacBytes{});
    for (std::size_t p = 0; p < m_ports.size(); ++p)
    {
        if (m_ports[p])
        {
            m_markers[p] = RedEcnMarker::ForRate(m_ports[p]->GetDataRate().GetBitRate());
            m_peerMacs[p]
                = m_ports[p]->GetFabricChannel()->GetPeer(PeekPointer(m_ports[p]))->GetMac();
        }
    }
    m_table = FailoverTable(std::move(routes), {});
    // Per port and priority, but only where they are used: pause timers once a port pauses its
    // sender, credits held on InfiniBand fabrics.
    m_pauseRefresh.clear();
    bool infiniband = features.linkLayer == LinkLayer::Infiniband;
    m_ibHeld.assign(infiniband ? m_ports.size() * 8 : 0, 0);
    m_rngState
        ^= (static_cast<std::uint64_t>(GetId()) + 1) * 0xBF58476D1CE4E5B9ull ^ features.hashSeed;
}

void
LosslessSwitch::SetEcnMarker(std::uint16_t port, RedEcnMarker marker)
{
    m_markers.at(port) = marker;
}

Ptr<FabricNetDevice>
LosslessSwitch::GetPort(std::uint16_t number) const
{
    return number < m_ports.size() ? m_ports[number] : nullptr;
}

int
LosslessSwitch::Route(std::uint32_t endpoint, std::uint32_t flowHash) const
{
    return m_table.Select(endpoint, SwitchFlowHash(flowHash, m_features.hashSeed, GetId()));
}

double
LosslessSwitch::NextUniform()
{
    // splitmix64: reproducible per switch, no allocation, no global state.
    std::uint64_t z = (m_rngState += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

void
LosslessSwitch::HandleFrame(Ptr<FabricNetDevice> in, Frame* frame)
{
    if (frame->kind == FrameKind::Other)
    {
        // Addressed to this switch, not forwarded: a fast-recovery notice or nothing we know.
        if (auto notice = ReadPathFaultFrame(*frame))
        {
            HandleNotice(in, *notice);
        }
        else if (auto probe = ReadLinkProbeFrame(*frame))
        {
            HandleProbe(in, *probe);
        }
        FramePool::Get().Release(frame);
        return;
    }
    int out = Route(frame->dstEndpoint, frame->flowHash);
    if (out < 0 || !m_ports[out])
    {
        in->CountDrop(*frame, DropReason::NoRoute);
        FramePool::Get().Release(frame);
        return;
    }
    std::uint16_t inPort = in->GetPortNumber();
    std::uint8_t priority = frame->priority & 7;
    Ptr<FabricNetDevice> egress = m_ports[out];
    if (m_features.linkLayer == LinkLayer::Infiniband)
    {
        ForwardInfiniband(in, egress, frame);
        return;
    }
    auto admission
        = m_mmu->Admit(inPort, static_cast<std::uint32_t>(out), priority, frame->Bytes());
    // A frame refused at XOFF still pauses the sender: the frames behind it must stop too.
    if (admission.sendPause)
    {
        PfcPause pause;
        pause.classEnable = static_cast<std::uint8_t>(1u << priority);
        pause.quanta[priority] = m_features.pauseQuanta;
        in->SendPfc(pause);
        RefreshPause(inPort, priority);
    }
    if (!admission.accepted)
    {
        egress->CountDrop(*frame, admission.reason);
        FramePool::Get().Release(frame);
        return;
    }
    if (m_features.ecn && frame->IsEcnCapable()
        && m_markers[out].ShouldMark(egress->GetQueueBytes(priority), NextUniform())
        && frame->MarkCongestionExperienced())
    {
        egress->NotifyEcnMark(*frame);
    }
    // Routed hop: the frame leaves with this port's MAC towards the next hop's.
    std::memcpy(frame->header.data(), m_peerMacs[out].data(), 6);
    std::memcpy(frame->header.data() + 6, egress->GetMac().data(), 6);
    frame->ingressPort = inPort;
    egress->Enqueue(frame);
}

void
LosslessSwitch::ForwardInfiniband(Ptr<FabricNetDevice> in, Ptr<FabricNetDevice> out, Frame* frame)
{
    // Credits bound what arrives to the buffer this port advertised: nothing to admit or drop.
    std::uint8_t vl = frame->priority & 7;
    std::uint64_t& held = m_ibHeld[in->GetPortNumber() * 8u + vl];
    held += frame->Bytes();
    m_maxIbHeld = std::max(m_maxIbHeld, held);
    // Congestion marking: FECN when the egress VL queue is past the marking threshold.
    if (m_features.ecn && out->GetQueueBytes(vl) > m_markers[out->GetPortNumber()].kminBytes
        && MarkIbFecn(*frame, m_vcrcZeros))
    {
        out->NotifyEcnMark(*frame);
    }
    frame->ingressPort = in->GetPortNumber();
    out->Enqueue(frame);
}

EventId&
LosslessSwitch::PauseRefresh(std::uint16_t port, std::uint8_t priority)
{
    if (m_pauseRefresh.empty())
    {
        m_pauseRefresh.resize(m_ports.size() * 8);
    }
    return m_pauseRefresh[port * 8u + priority];
}

void
LosslessSwitch::RefreshPause(std::uint16_t port, std::uint8_t priority)
{
    // Renew the pause before the sender's timer runs out, for as long as the queue stays over XON.
    EventId& event = PauseRefresh(port, priority);
    event.Cancel();
    std::int64_t lifetime
        = PauseQuantaToNs(m_features.pauseQuanta, m_ports[port]->GetDataRate().GetBitRate());
    event = Simulator::Schedule(NanoSeconds(lifetime / 2),
                                [this, port, priority]()
                                {
                                    if (m_mmu->IsPaused(port, priority))
                                    {
                                        PfcPause pause;
                                        pause.classEnable
                                            = static_cast<std::uint8_t>(1u << priority);
                                        pause.quanta[priority] = m_features.pauseQuanta;
                                        m_ports[port]->SendPfc(pause);
                                        RefreshPause(port, priority);
                                    }
                                });
}

void
LosslessSwitch::HandleTransmitStart(Ptr<FabricNetDevice> out, Frame* frame)
{
    if (frame->kind == FrameKind::Other)
    {
        return; // the switch's own probes and notices: never admitted, nothing to give back
    }
    std::uint8_t priority = frame->priority & 7;
    if (m_features.linkLayer == LinkLayer::Infiniband)
    {
        m_ibHeld[frame->ingressPort * 8u + priority] -= frame->Bytes();
        m_ports[frame->ingressPort]->ReturnCredits(priority, frame->Bytes());
        return;
    }
    if (m_mmu->Release(frame->ingressPort, out->GetPortNumber(), priority, frame->Bytes()))
    {
        PauseRefresh(frame->ingressPort, priority).Cancel();
        PfcPause resume;
        resume.classEnable = static_cast<std::uint8_t>(1u << priority);
        m_ports[frame->ingressPort]->SendPfc(resume);
    }
}

void
LosslessSwitch::ConfigureRecovery(std::uint32_t graphNode,
                                  std::vector<std::uint32_t> peerOfPort,
                                  std::vector<bool> downward,
                                  std::vector<bool> facesSwitch,
                                  const RecoveryConfig& config)
{
    m_graphNode = graphNode;
    m_downward = std::move(downward);
    m_recovery = config;
    // A fresh table: the shared routes again, now with the neighbours behind the ports.
    m_table = FailoverTable(m_table.Routes(), std::move(peerOfPort));
    m_sessions.assign(m_ports.size(), ProbeSession{});
    bool probed = false;
    for (std::size_t p = 0; p < m_ports.size() && p < facesSwitch.size(); ++p)
    {
        m_sessions[p].probed = m_ports[p] && facesSwitch[p];
        probed = probed || m_sessions[p].probed;
    }
    m_probeTimer.Cancel();
    if (m_recovery.probeIntervalNs > 0 && probed)
    {
        // Spread the switches' first probes over one interval, reproducibly.
        std::int64_t offset = static_cast<std::int64_t>(
            (graphNode * 2654435761u) % static_cast<std::uint64_t>(m_recovery.probeIntervalNs));
        m_probeTimer = Simulator::Schedule(NanoSeconds(offset), &LosslessSwitch::ProbeTick, this);
    }
}

void
LosslessSwitch::ProbeTick()
{
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    std::int64_t deadline = m_recovery.probeIntervalNs * m_recovery.probeMultiplier;
    for (std::uint16_t p = 0; p < m_sessions.size(); ++p)
    {
        ProbeSession& session = m_sessions[p];
        if (!session.probed)
        {
            continue;
        }
        if (!m_ports[p]->IsLinkUp())
        {
            // The carrier speaks for a dark link; the session starts afresh when it is back.
            session.lastHeardNs = now;
            session.peerHears = true;
            continue;
        }
        bool hearing = now - session.lastHeardNs <= deadline;
        LinkProbe probe;
        probe.sender = m_graphNode;
        probe.port = p;
        probe.sequence = session.sequence++;
        probe.sentNs = now;
        probe.hearing = hearing;
        Frame* frame = FramePool::Get().Acquire();
        WriteLinkProbeFrame(*frame, m_peerMacs[p], m_ports[p]->GetMac(), probe);
        m_ports[p]->SendControl(frame);
        if (session.up && (!hearing || !session.peerHears))
        {
            SetSessionUp(p, false);
        }
    }
    m_probeTimer = Simulator::Schedule(
        NanoSeconds(m_recovery.probeIntervalNs), &LosslessSwitch::ProbeTick, this);
}

void
LosslessSwitch::HandleProbe(Ptr<FabricNetDevice> in, const LinkProbe& probe)
{
    std::uint16_t port = in->GetPortNumber();
    if (port >= m_sessions.size() || !m_sessions[port].probed)
    {
        return;
    }
    ProbeSession& session = m_sessions[port];
    session.lastHeardNs = Simulator::Now().GetNanoSeconds();
    session.peerHears = probe.hearing;
    // Up again only when both directions work: we hear them and they say they hear us.
    if (session.up != probe.hearing)
    {
        SetSessionUp(port, probe.hearing);
    }
}

void
LosslessSwitch::SetSessionUp(std::uint16_t port, bool up)
{
    m_sessions[port].up = up;
    RecoveryEvent event;
    event.kind = RecoveryEvent::Kind::Detected;
    event.port = port;
    event.up = up;
    Report(event);
    ApplyPolicy(port, up);
}

void
LosslessSwitch::Report(RecoveryEvent event)
{
    event.node = m_graphNode;
    event.timeNs = Simulator::Now().GetNanoSeconds();
    if (!m_recoveryObserver.IsNull())
    {
        m_recoveryObserver(event);
    }
}

void
LosslessSwitch::OnLinkChange(std::uint16_t port)
{
    bool up = m_ports[port]->IsLinkUp();
    Simulator::Schedule(
        NanoSeconds(m_recovery.detectionNs), &LosslessSwitch::Detect, this, port, up);
}

void
LosslessSwitch::Detect(std::uint16_t port, bool up)
{
    if (!m_ports[port] || m_ports[port]->IsLinkUp() != up)
    {
        return; // it changed back before the port could tell
    }
    RecoveryEvent event;
    event.kind = RecoveryEvent::Kind::Detected;
    event.port = port;
    event.up = up;
    Report(event);
    ApplyPolicy(port, up);
}

void
LosslessSwitch::ApplyPolicy(std::uint16_t port, bool up)
{
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    switch (m_recovery.policy)
    {
        case RecoveryPolicy::None:
            return;
        case RecoveryPolicy::Dpfr:
            Converge(port, up, now);
            return;
        case RecoveryPolicy::ControlPlane:
            Simulator::Schedule(NanoSeconds(m_recovery.controlPlaneDelayNs),
                                &LosslessSwitch::Converge,
                                this,
                                port,
                                up,
                                now);
            return;
    }
}

void
LosslessSwitch::Converge(std::uint16_t port, bool up, std::int64_t detectedNs)
{
    if (m_table.IsPortUp(port) == up)
    {
        return;
    }
    auto lost = m_table.SetPortUp(port, up);
    RecoveryEvent event;
    event.kind = RecoveryEvent::Kind::LocalConverged;
    event.port = port;
    event.up = up;
    Report(event);
    // Remote convergence: when a neighbour below is lost, the other neighbours below learn
    // which leaf this switch no longer reaches.
    bool below = port < m_downward.size() && m_downward[port];
    for (auto leaf : lost)
    {
        if (!below)
        {
            break;
        }
        PathFaultNotice notice;
        notice.restored = up;
        notice.reporter = m_graphNode;
        notice.leaf = leaf;
        notice.sequence = m_noticeSequence++;
        notice.detectedNs = detectedNs;
        std::set<std::uint32_t> told; // one notice per neighbour, over its first live link
        for (std::uint16_t p = 0; p < m_ports.size(); ++p)
        {
            if (!m_ports[p] || p >= m_downward.size() || !m_downward[p] || !m_ports[p]->IsLinkUp()
                || m_table.PeerOf(p) == leaf || !told.insert(m_table.PeerOf(p)).second)
            {
                continue;
            }
            Frame* frame = FramePool::Get().Acquire();
            WritePathFaultFrame(*frame, m_peerMacs[p], m_ports[p]->GetMac(), notice);
            m_ports[p]->SendControl(frame);
        }
        RecoveryEvent sent;
        sent.kind = RecoveryEvent::Kind::NoticeSent;
        sent.up = up;
        sent.leaf = leaf;
        Report(sent);
    }
}

void
LosslessSwitch::HandleNotice(Ptr<FabricNetDevice> in, const PathFaultNotice& notice)
{
    m_table.SetRemoteFault(notice.reporter, notice.leaf, !notice.restored);
    RecoveryEvent event;
    event.kind = RecoveryEvent::Kind::RemoteConverged;
    event.port = in->GetPortNumber();
    event.up = notice.restored;
    event.leaf = notice.leaf;
    event.reporter = notice.reporter;
    Report(event);
}

void
LosslessSwitch::DoDispose()
{
    m_recoveryObserver = Callback<void, const RecoveryEvent&>();
    m_probeTimer.Cancel();
    for (auto& event : m_pauseRefresh)
    {
        event.Cancel();
    }
    m_ports.clear();
    Node::DoDispose();
}

} // namespace ns3::fabric
