#include "fabric/model/fabric-net-device.h"

#include "fabric/model/fabric-channel.h"
#include "fabric/model/pcap-file-writer.h"
#include "fabric/model/pooled-event.h"
#include "fabric/model/roce-wire.h"

#include <algorithm>
#include <cstring>
#include <ns3/log.h>
#include <ns3/packet.h>
#include <ns3/simulator.h>
#include <ns3/uinteger.h>
#include <numeric>

namespace ns3::fabric
{

NS_LOG_COMPONENT_DEFINE("FabricNetDevice");
NS_OBJECT_ENSURE_REGISTERED(FabricNetDevice);

namespace
{

/**
 * The time `rate` takes for `wireBytes`, exactly as DataRate computes it (a 128-bit fixed-point
 * division, 4 % of a 2,048-GPU ring), remembered in a small table shared by all ports: a fabric
 * has a few rates and its frames a few sizes.
 */
Time
TransmitTime(const DataRate& rate, std::uint32_t wireBytes)
{
    struct Entry
    {
        std::uint64_t bitsPerSecond{0}; ///< 0: empty
        std::uint32_t wireBytes{0};
        Time time;
    };
    static std::array<Entry, 256> entries;
    std::uint64_t bps = rate.GetBitRate();
    Entry& entry = entries[(wireBytes ^ (bps >> 24) ^ (bps >> 32)) & 0xFF];
    if (entry.bitsPerSecond != bps || entry.wireBytes != wireBytes)
    {
        entry = Entry{bps, wireBytes, rate.CalculateBytesTxTime(wireBytes)};
    }
    return entry.time;
}

/** Gives the frames waiting in `queue` back to the pool. */
void
ReleaseFrames(RingQueue<Frame*>& queue)
{
    while (!queue.Empty())
    {
        FramePool::Get().Release(queue.Front());
        queue.PopFront();
    }
}

/** What a PFC hold from `startNs` until `untilNs` has lasted by `nowNs` (it may have run out). */
std::int64_t
HeldSoFar(std::int64_t nowNs, std::int64_t startNs, std::int64_t untilNs)
{
    std::int64_t end = std::min(nowNs, untilNs);
    return end > startNs ? end - startNs : 0;
}

/**
 * A PFC frame for one priority: ends the hold going on (cut short, or already run out) and
 * starts the frame's own, `quanta` at the port's rate from now (none for XON). Returns how long
 * the ended hold lasted.
 */
std::int64_t
RestartHold(std::int64_t nowNs,
            std::uint16_t quanta,
            std::uint64_t bitsPerSecond,
            std::int64_t& startNs,
            std::int64_t& untilNs)
{
    std::int64_t held = HeldSoFar(nowNs, startNs, untilNs);
    untilNs = quanta == 0 ? 0 : nowNs + PauseQuantaToNs(quanta, bitsPerSecond);
    startNs = nowNs;
    return held;
}

} // namespace

std::uint64_t
PortCounters::TotalDrops() const
{
    std::uint64_t total = 0;
    for (auto d : drops)
    {
        total += d;
    }
    return total;
}

TypeId
FabricNetDevice::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::fabric::FabricNetDevice")
              .SetParent<NetDevice>()
              .SetGroupName("Fabric")
              .AddConstructor<FabricNetDevice>()
              .AddAttribute("DataRate",
                            "Line rate of the port",
                            DataRateValue(DataRate("400Gbps")),
                            MakeDataRateAccessor(&FabricNetDevice::m_rate),
                            MakeDataRateChecker())
              .AddAttribute("Mtu",
                            "Largest frame the port sends, in bytes",
                            UintegerValue(9216),
                            MakeUintegerAccessor(&FabricNetDevice::m_mtu),
                            MakeUintegerChecker<uint16_t>(64, 65535))
              .AddTraceSource("TxPacket",
                              "A frame starts its transmission",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_txTrace),
                              "ns3::fabric::FabricNetDevice::FrameTracedCallback")
              .AddTraceSource("RxPacket",
                              "A frame has been received",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_rxTrace),
                              "ns3::fabric::FabricNetDevice::FrameTracedCallback")
              .AddTraceSource("Drop",
                              "A frame was dropped, with the reason",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_dropTrace),
                              "ns3::fabric::FabricNetDevice::DropTracedCallback")
              .AddTraceSource("PfcPauseTx",
                              "A PFC frame was sent (priority, quanta; 0 resumes)",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_pfcTxTrace),
                              "ns3::fabric::FabricNetDevice::PfcTracedCallback")
              .AddTraceSource("PfcPauseRx",
                              "A PFC frame was received (priority, quanta; 0 resumes)",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_pfcRxTrace),
                              "ns3::fabric::FabricNetDevice::PfcTracedCallback")
              .AddTraceSource("EcnMark",
                              "A frame queued here was marked Congestion Experienced",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_ecnTrace),
                              "ns3::fabric::FabricNetDevice::FrameTracedCallback")
              .AddTraceSource("QueueDepth",
                              "Bytes in a priority queue after each change",
                              MakeTraceSourceAccessor(&FabricNetDevice::m_queueDepthTrace),
                              "ns3::fabric::FabricNetDevice::QueueDepthTracedCallback");
    return tid;
}

FabricNetDevice::FabricNetDevice()
{
    m_weights.fill(1);
}

FabricNetDevice::~FabricNetDevice() = default;

bool
FabricNetDevice::Attach(Ptr<FabricChannel> channel)
{
    m_channel = channel;
    m_channel->Attach(this);
    return true;
}

void
FabricNetDevice::SetMac(const MacBytes& mac)
{
    m_mac = mac;
    m_address.CopyFrom(mac.data());
}

void
FabricNetDevice::SetScheduling(QueueScheduling scheduling, std::array<std::uint32_t, 8> weights)
{
    m_scheduling = scheduling;
    m_weights = weights;
}

std::uint64_t
FabricNetDevice::GetQueueBytes() const
{
    return std::accumulate(m_queueBytes.begin(), m_queueBytes.end(), std::uint64_t{0});
}

PortCounters
FabricNetDevice::GetCountersNow() const
{
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    PortCounters counters = m_counters;
    for (std::size_t p = 0; p < 8; ++p)
    {
        counters.pausedNs[p] += HeldSoFar(now, m_pauseStartNs[p], m_pausedUntilNs[p]);
        counters.pauseRequestedNs[p] += HeldSoFar(now, m_requestStartNs[p], m_requestedUntilNs[p]);
    }
    return counters;
}

bool
FabricNetDevice::IsPaused(std::uint8_t priority) const
{
    return m_pausedUntilNs[priority] > Simulator::Now().GetNanoSeconds();
}

void
FabricNetDevice::Capture(const Frame& frame)
{
    if (m_capture)
    {
        m_capture->Write(Simulator::Now().GetNanoSeconds(), frame);
    }
}

void
FabricNetDevice::CountDrop(const Frame& frame, DropReason reason)
{
    m_counters.drops[static_cast<std::size_t>(reason)]++;
    MarkActive();
    m_dropTrace(frame, reason);
}

void
FabricNetDevice::NotifyEcnMark(const Frame& frame)
{
    m_counters.ecnMarked++;
    MarkActive();
    m_ecnTrace(frame);
}

void
FabricNetDevice::Enqueue(Frame* frame)
{
    if (!m_linkUp)
    {
        CountDrop(*frame, DropReason::LinkDown);
        FramePool::Get().Release(frame);
        return;
    }
    std::uint8_t p = frame->priority & 7;
    m_queues[p].PushBack(frame);
    m_queueBytes[p] += frame->Bytes();
    m_queueDepthTrace(p, m_queueBytes[p]);
    MarkActive();
    if (!m_busy)
    {
        TryTransmit();
    }
}

void
FabricNetDevice::SendPfc(const PfcPause& pause)
{
    Frame* frame = FramePool::Get().Acquire();
    WritePfcFrame(*frame, m_mac, pause);
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    for (std::uint8_t p = 0; p < 8; ++p)
    {
        if ((pause.classEnable >> p) & 1u)
        {
            (pause.quanta[p] == 0 ? m_counters.pfcResumeTx : m_counters.pfcPauseTx)[p]++;
            m_counters.pauseRequestedNs[p] += RestartHold(now,
                                                          pause.quanta[p],
                                                          m_rate.GetBitRate(),
                                                          m_requestStartNs[p],
                                                          m_requestedUntilNs[p]);
            m_pfcTxTrace(p, pause.quanta[p]);
        }
    }
    MarkActive();
    m_control.PushBack(frame);
    if (!m_busy)
    {
        TryTransmit();
    }
}

int
FabricNetDevice::SelectQueue()
{
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    if (m_scheduling == QueueScheduling::Strict)
    {
        for (int p = 7; p >= 0; --p)
        {
            if (CanSend(p, now))
            {
                return p;
            }
        }
        return -1;
    }
    // Deficit round robin: priorities with weight 0 stay strict and go first.
    for (int p = 7; p >= 0; --p)
    {
        if (m_weights[p] == 0 && CanSend(p, now))
        {
            return p;
        }
    }
    for (int visits = 0; visits < 16 * 8; ++visits)
    {
        int p = m_roundRobinNext;
        bool eligible = m_weights[p] != 0 && CanSend(p, now);
        if (eligible && m_deficit[p] >= static_cast<std::int64_t>(m_queues[p].Front()->Bytes()))
        {
            m_deficit[p] -= m_queues[p].Front()->Bytes();
            return p;
        }
        if (eligible)
        {
            m_deficit[p] += static_cast<std::int64_t>(m_weights[p]) * m_mtu;
        }
        else
        {
            m_deficit[p] = 0;
        }
        m_roundRobinNext = static_cast<std::uint8_t>((m_roundRobinNext + 1) % 8);
    }
    return -1;
}

bool
FabricNetDevice::CanSend(int p, std::int64_t now) const
{
    if (m_queues[p].Empty() || m_pausedUntilNs[p] > now)
    {
        return false;
    }
    return m_linkLayer == LinkLayer::Ethernet
           || m_credits[p] >= static_cast<std::int64_t>(m_queues[p].Front()->Bytes());
}

void
FabricNetDevice::SetLinkLayer(LinkLayer layer, std::uint64_t bytesPerVl)
{
    m_linkLayer = layer;
    m_credits.fill(static_cast<std::int64_t>(bytesPerVl));
    m_counters.minCreditBytes = static_cast<std::int64_t>(bytesPerVl);
}

void
FabricNetDevice::ReturnCredits(std::uint8_t vl, std::uint32_t bytes)
{
    // Flow-control packets take the cable's delay back to the sender.
    Ptr<FabricNetDevice> peer = m_channel->GetPeer(this);
    Simulator::ScheduleWithContext(peer->GetNode()->GetId(),
                                   m_channel->GetDelay(),
                                   &FabricNetDevice::AddCredits,
                                   PeekPointer(peer),
                                   vl,
                                   bytes);
}

void
FabricNetDevice::AddCredits(std::uint8_t vl, std::uint32_t bytes)
{
    m_credits[vl] += bytes;
    if (!m_busy)
    {
        TryTransmit();
    }
}

void
FabricNetDevice::TryTransmit()
{
    if (m_busy || !m_linkUp || !m_channel)
    {
        return;
    }
    Frame* frame = nullptr;
    if (!m_control.Empty())
    {
        frame = m_control.Front();
        m_control.PopFront();
        m_counters.pfcTx += frame->kind == FrameKind::Pfc ? 1 : 0;
    }
    else
    {
        int p = SelectQueue();
        if (p < 0)
        {
            if (m_linkLayer == LinkLayer::Infiniband)
            {
                for (const auto& queue : m_queues)
                {
                    m_counters.creditStalls += queue.Empty() ? 0 : 1;
                }
            }
            ScheduleWake();
            return;
        }
        if (m_linkLayer == LinkLayer::Infiniband)
        {
            m_credits[p] -= m_queues[p].Front()->Bytes();
            m_counters.minCreditBytes = std::min(m_counters.minCreditBytes, m_credits[p]);
        }
        frame = m_queues[p].Front();
        m_queues[p].PopFront();
        m_queueBytes[p] -= frame->Bytes();
        m_queueDepthTrace(static_cast<uint8_t>(p), m_queueBytes[p]);
    }
    // Busy before the handler runs: a sender refilling the queue from it must not start a second
    // transmission.
    m_busy = true;
    if (frame->kind != FrameKind::Pfc && frame->kind != FrameKind::Lldp && m_owner != nullptr)
    {
        m_owner->HandleTransmitStart(this, frame);
    }
    m_counters.txPackets++;
    m_counters.txBytes += frame->Bytes();
    MarkActive();
    m_counters.roceTx += frame->kind == FrameKind::Roce ? 1 : 0;
    m_counters.cnpTx
        += frame->bthOpcode == static_cast<std::uint8_t>(BthOpcode::Cnp)
                   && (frame->kind == FrameKind::Roce || frame->kind == FrameKind::Infiniband)
               ? 1
               : 0;
    m_counters.lldpTx += frame->kind == FrameKind::Lldp ? 1 : 0;
    m_counters.ibTx += frame->kind == FrameKind::Infiniband ? 1 : 0;
    m_txTrace(*frame);
    Capture(*frame);
    Time txTime = TransmitTime(m_rate, frame->WireBytes());
    m_channel->Transmit(this, frame, txTime);
    SchedulePooled(txTime, &FabricNetDevice::TransmitComplete, this);
}

void
FabricNetDevice::TransmitComplete()
{
    m_busy = false;
    TryTransmit();
}

void
FabricNetDevice::ScheduleWake()
{
    // (Queues waiting for credits are woken by the credits, not by a timer.)
    // Everything left is paused: look again when the earliest pause on a waiting queue ends.
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    std::int64_t earliest = -1;
    for (int p = 0; p < 8; ++p)
    {
        if (!m_queues[p].Empty() && m_pausedUntilNs[p] > now
            && (earliest < 0 || m_pausedUntilNs[p] < earliest))
        {
            earliest = m_pausedUntilNs[p];
        }
    }
    if (earliest < 0)
    {
        return;
    }
    if (m_wakeEvent.IsRunning())
    {
        m_wakeEvent.Cancel();
    }
    m_wakeEvent
        = Simulator::Schedule(NanoSeconds(earliest - now), &FabricNetDevice::TryTransmit, this);
}

void
FabricNetDevice::Receive(Frame* frame)
{
    if (!m_linkUp)
    {
        CountDrop(*frame, DropReason::LinkDown);
        FramePool::Get().Release(frame);
        return;
    }
    if (!m_receiveFilter.IsNull() && m_receiveFilter(*frame))
    {
        CountDrop(*frame, m_filterReason);
        FramePool::Get().Release(frame);
        return;
    }
    m_counters.rxPackets++;
    m_counters.rxBytes += frame->Bytes();
    m_counters.roceRx += frame->kind == FrameKind::Roce ? 1 : 0;
    m_counters.pfcRx += frame->kind == FrameKind::Pfc ? 1 : 0;
    m_counters.ibRx += frame->kind == FrameKind::Infiniband ? 1 : 0;
    m_rxTrace(*frame);
    Capture(*frame);
    switch (frame->kind)
    {
        case FrameKind::Pfc:
        {
            auto pause = ReadPfcFrame(*frame);
            FramePool::Get().Release(frame);
            if (!pause)
            {
                return;
            }
            std::int64_t now = Simulator::Now().GetNanoSeconds();
            for (std::uint8_t p = 0; p < 8; ++p)
            {
                if (((pause->classEnable >> p) & 1u) == 0)
                {
                    continue;
                }
                m_counters.pausedNs[p] += RestartHold(now,
                                                      pause->quanta[p],
                                                      m_rate.GetBitRate(),
                                                      m_pauseStartNs[p],
                                                      m_pausedUntilNs[p]);
                (pause->quanta[p] != 0 ? m_counters.pfcPauseRx : m_counters.pfcResumeRx)[p]++;
                m_pfcRxTrace(p, pause->quanta[p]);
            }
            MarkActive();
            if (!m_busy)
            {
                TryTransmit();
            }
            return;
        }
        case FrameKind::Lldp:
            m_counters.lldpRx++;
            FramePool::Get().Release(frame);
            return;
        default:
            break;
    }
    if (m_owner == nullptr)
    {
        FramePool::Get().Release(frame);
        return;
    }
    m_owner->HandleFrame(this, frame);
}

void
FabricNetDevice::SendControl(Frame* frame)
{
    if (!m_linkUp)
    {
        FramePool::Get().Release(frame);
        return;
    }
    m_control.PushBack(frame);
    if (!m_busy)
    {
        TryTransmit();
    }
}

void
FabricNetDevice::SetLinkUp(bool up)
{
    if (m_linkUp == up)
    {
        return;
    }
    m_linkUp = up;
    if (!up)
    {
        for (std::uint8_t p = 0; p < 8; ++p)
        {
            while (!m_queues[p].Empty())
            {
                Frame* frame = m_queues[p].Front();
                m_queues[p].PopFront();
                m_queueBytes[p] -= frame->Bytes();
                if (m_owner != nullptr)
                {
                    m_owner->HandleTransmitStart(this, frame); // the owner frees its buffer
                }
                CountDrop(*frame, DropReason::LinkDown);
                FramePool::Get().Release(frame);
            }
            m_queueDepthTrace(p, 0);
        }
        ReleaseFrames(m_control);
    }
    m_linkChange();
    if (up && !m_busy)
    {
        TryTransmit();
    }
}

void
FabricNetDevice::StartLldp(Time interval)
{
    m_lldpInterval = interval;
    if (interval.IsStrictlyPositive())
    {
        m_lldpEvent = Simulator::Schedule(NanoSeconds(1), &FabricNetDevice::SendLldp, this);
    }
}

void
FabricNetDevice::SendLldp()
{
    if (m_linkUp)
    {
        Frame* frame = FramePool::Get().Acquire();
        std::uint16_t ttl = static_cast<std::uint16_t>(
            std::clamp<std::int64_t>(4 * m_lldpInterval.GetSeconds() + 1, 1, 65535));
        WriteLldpFrame(*frame, m_mac, m_chassisName, m_portName, ttl);
        m_control.PushBack(frame);
        if (!m_busy)
        {
            TryTransmit();
        }
    }
    m_lldpEvent = Simulator::Schedule(m_lldpInterval, &FabricNetDevice::SendLldp, this);
}

void
FabricNetDevice::ReleaseAll()
{
    for (auto& queue : m_queues)
    {
        ReleaseFrames(queue);
    }
    ReleaseFrames(m_control);
    m_queueBytes.fill(0);
}

Ptr<Channel>
FabricNetDevice::GetChannel() const
{
    return m_channel;
}

void
FabricNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
    m_address.CopyTo(m_mac.data());
}

Address
FabricNetDevice::GetAddress() const
{
    return m_address;
}

bool
FabricNetDevice::SetMtu(const uint16_t mtu)
{
    m_mtu = mtu;
    return true;
}

void
FabricNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
    m_linkChange.ConnectWithoutContext(callback);
}

Address
FabricNetDevice::GetMulticast(Ipv4Address group) const
{
    return Mac48Address::GetMulticast(group);
}

Address
FabricNetDevice::GetMulticast(Ipv6Address addr) const
{
    return Mac48Address::GetMulticast(addr);
}

bool
FabricNetDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t protocol)
{
    // Fabric frames keep their bytes in a fixed header; small packets fit whole.
    if (packet->GetSize() + kEthernetBytes > Frame::kMaxHeaderBytes)
    {
        NS_LOG_WARN("packet of " << packet->GetSize() << " bytes does not fit a fabric frame");
        return false;
    }
    Frame* frame = FramePool::Get().Acquire();
    Mac48Address::ConvertFrom(dest).CopyTo(frame->header.data());
    std::memcpy(frame->header.data() + 6, m_mac.data(), 6);
    frame->header[12] = static_cast<std::uint8_t>(protocol >> 8);
    frame->header[13] = static_cast<std::uint8_t>(protocol);
    packet->CopyData(frame->header.data() + kEthernetBytes, packet->GetSize());
    frame->headerBytes = static_cast<std::uint16_t>(kEthernetBytes + packet->GetSize());
    frame->zeroBytes = frame->headerBytes < 60 ? 60 - frame->headerBytes : 0;
    frame->kind = FrameKind::Other;
    Enqueue(frame);
    return true;
}

bool
FabricNetDevice::SendFrom(Ptr<Packet> packet,
                          const Address&,
                          const Address& dest,
                          uint16_t protocol)
{
    return Send(packet, dest, protocol);
}

void
FabricNetDevice::DoDispose()
{
    m_wakeEvent.Cancel();
    m_lldpEvent.Cancel();
    ReleaseAll();
    m_channel = nullptr;
    m_node = nullptr;
    m_owner = nullptr;
    m_capture.reset();
    NetDevice::DoDispose();
}

} // namespace ns3::fabric
