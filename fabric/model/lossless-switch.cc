#include "fabric/model/lossless-switch.h"

#include "fabric/model/fabric-channel.h"

#include <algorithm>
#include <cstring>
#include <ns3/log.h>
#include <ns3/simulator.h>

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
    port->SetFrameHandler(MakeCallback(&LosslessSwitch::HandleFrame, this));
    port->SetTransmitStartHandler(MakeCallback(&LosslessSwitch::HandleTransmitStart, this));
}

void
LosslessSwitch::Configure(const MmuConfig& mmu,
                          const SwitchFeatures& features,
                          const SwitchRoutes& routes)
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
    m_groups.clear();
    for (const auto& ports : routes.groups)
    {
        m_groups.emplace_back(ports);
    }
    m_groupOfEndpoint = routes.groupOfEndpoint;
    m_pauseRefresh.assign(m_ports.size() * 8, EventId());
    m_ibHeld.assign(m_ports.size() * 8, 0);
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
    if (endpoint >= m_groupOfEndpoint.size()
        || m_groupOfEndpoint[endpoint] == SwitchRoutes::kNoRoute)
    {
        return -1;
    }
    const auto& group = m_groups[m_groupOfEndpoint[endpoint]];
    if (group.Empty())
    {
        return -1;
    }
    return group.Select(MixHash(flowHash, m_features.hashSeed ^ GetId()));
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
    if (!admission.accepted)
    {
        egress->CountDrop(*frame, admission.reason);
        FramePool::Get().Release(frame);
        return;
    }
    if (admission.sendPause)
    {
        PfcPause pause;
        pause.classEnable = static_cast<std::uint8_t>(1u << priority);
        pause.quanta[priority] = m_features.pauseQuanta;
        in->SendPfc(pause);
        RefreshPause(inPort, priority);
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

void
LosslessSwitch::RefreshPause(std::uint16_t port, std::uint8_t priority)
{
    // Renew the pause before the sender's timer runs out, for as long as the queue stays over XON.
    EventId& event = m_pauseRefresh[port * 8u + priority];
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
    std::uint8_t priority = frame->priority & 7;
    if (m_features.linkLayer == LinkLayer::Infiniband)
    {
        m_ibHeld[frame->ingressPort * 8u + priority] -= frame->Bytes();
        m_ports[frame->ingressPort]->ReturnCredits(priority, frame->Bytes());
        return;
    }
    if (m_mmu->Release(frame->ingressPort, out->GetPortNumber(), priority, frame->Bytes()))
    {
        m_pauseRefresh[frame->ingressPort * 8u + priority].Cancel();
        PfcPause resume;
        resume.classEnable = static_cast<std::uint8_t>(1u << priority);
        m_ports[frame->ingressPort]->SendPfc(resume);
    }
}

void
LosslessSwitch::DoDispose()
{
    for (auto& event : m_pauseRefresh)
    {
        event.Cancel();
    }
    m_ports.clear();
    Node::DoDispose();
}

} // namespace ns3::fabric
