#ifndef FABRICSCOPE_FABRIC_FABRIC_NET_DEVICE_H
#define FABRICSCOPE_FABRIC_FABRIC_NET_DEVICE_H

#include "fabric/model/activity-set.h"
#include "fabric/model/control-frames.h"
#include "fabric/model/frame.h"
#include "fabric/model/ring-queue.h"
#include "fabric/model/shared-buffer-mmu.h"

#include <array>
#include <memory>
#include <ns3/data-rate.h>
#include <ns3/event-id.h>
#include <ns3/mac48-address.h>
#include <ns3/net-device.h>
#include <ns3/node.h>
#include <ns3/traced-callback.h>
#include <string>

namespace ns3::fabric
{

class FabricChannel;
class PcapFileWriter;

/** Per-port counters, as a switch or NIC would export them. */
struct PortCounters
{
    std::uint64_t txPackets{0};
    std::uint64_t txBytes{0};
    std::uint64_t rxPackets{0};
    std::uint64_t rxBytes{0};
    std::array<std::uint64_t, static_cast<std::size_t>(DropReason::Count)> drops{};
    std::array<std::uint64_t, 8> pfcPauseTx{};  ///< XOFF frames sent, per priority
    std::array<std::uint64_t, 8> pfcResumeTx{}; ///< XON (zero quanta) frames sent
    std::array<std::uint64_t, 8> pfcPauseRx{};
    std::array<std::uint64_t, 8> pfcResumeRx{}; ///< XON frames received
    std::array<std::int64_t, 8> pausedNs{};     ///< time this port's transmitter spent paused
    /** Time this port asked its peer to hold: from each XOFF it sent until its XON or the
     *  quanta ran out at this port's rate, the sending side's view of the peer's pausedNs
     *  (the two differ only while a fault runs the ends at different rates). */
    std::array<std::int64_t, 8> pauseRequestedNs{};
    std::uint64_t ecnMarked{0};
    std::uint64_t lldpTx{0};
    std::uint64_t lldpRx{0};
    std::uint64_t roceTx{0};
    std::uint64_t roceRx{0};
    std::uint64_t cnpTx{0}; ///< congestion notification packets sent out of this port
    std::uint64_t pfcTx{0}; ///< PFC frames sent (pause and resume)
    std::uint64_t pfcRx{0}; ///< PFC frames received (pause and resume)
    std::uint64_t ibTx{0};
    std::uint64_t ibRx{0};
    std::uint64_t creditStalls{0};  ///< a frame waited for credits
    std::int64_t minCreditBytes{0}; ///< lowest credit balance seen on any VL (IB)

    std::uint64_t TotalDrops() const;
};

/** What flow control a port's link layer uses. */
enum class LinkLayer : std::uint8_t
{
    Ethernet,   ///< PFC pause frames per priority
    Infiniband, ///< credits per virtual lane: nothing is sent without room at the receiver
};

/** How a port picks the next priority queue to send from. */
enum class QueueScheduling : std::uint8_t
{
    Strict,             ///< highest priority first
    WeightedRoundRobin, ///< deficit round robin over priorities by weight
};

/**
 * One port of the fabric: a full-duplex Ethernet (or IB) transmitter with 8 priority queues, a
 * control queue for PFC frames that always goes first, per-priority PFC pause honoured on
 * transmit, carrier up/down, counters and trace sources. Frames come from its node through
 * Enqueue; received frames go to the node's handler, except PFC (handled here) and LLDP
 * (counted here).
 */
class FabricNetDevice;

/**
 * The node behind a port: it takes the data frames the port receives and hears when a frame
 * leaves a queue for the wire (buffer release, sender refill). Called through a plain virtual
 * function on every frame of every hop, where an ns-3 Callback costs three dependent loads (the
 * callback, its std::function, the call it stores), cold in a fabric of 61,440 ports.
 */
class PortOwner
{
public:
    virtual void HandleFrame(Ptr<FabricNetDevice> port, Frame* frame) = 0;
    virtual void HandleTransmitStart(Ptr<FabricNetDevice> port, Frame* frame) = 0;

protected:
    ~PortOwner() = default;
};

class FabricNetDevice : public NetDevice
{
public:
    static TypeId GetTypeId();
    FabricNetDevice();
    ~FabricNetDevice() override;

    bool Attach(Ptr<FabricChannel> channel);
    /** The node that takes this port's data frames and transmission starts (none: received
     *  data frames are dropped silently). */
    void SetOwner(PortOwner* owner) { m_owner = owner; }

    /** Queues a data frame on its priority; the port owns it from here. */
    void Enqueue(Frame* frame);
    /** Sends PFC for the priorities in `pause.classEnable` ahead of any data. */
    void SendPfc(const PfcPause& pause);
    /** Sends a control frame (a fast-recovery notice) ahead of any data; the port owns it. */
    void SendControl(Frame* frame);
    /** Called by the channel when a frame has fully arrived. */
    void Receive(Frame* frame);

    /** Carrier up or down. Going down drops what waits in the queues (counted as link_down),
     *  as a real port flushes them; link-change callbacks run after. */
    void SetLinkUp(bool up);
    /** Fault injection: frames for which `filter` returns true are dropped on arrival and
     *  counted under `reason` (FcsError for a degraded link). */
    void SetReceiveFilter(Callback<bool, const Frame&> filter,
                          DropReason reason = DropReason::Injected)
    {
        m_receiveFilter = filter;
        m_filterReason = reason;
    }
    /** Credit-based flow control (InfiniBand): `bytesPerVl` of receive buffer at the peer. */
    void SetLinkLayer(LinkLayer layer, std::uint64_t bytesPerVl);
    LinkLayer GetLinkLayer() const { return m_linkLayer; }
    /** The receiver freed `bytes` of a VL's buffer: credits travel back to the sender. */
    void ReturnCredits(std::uint8_t vl, std::uint32_t bytes);
    std::int64_t GetCredits(std::uint8_t vl) const { return m_credits[vl]; }
    /** Weighted round robin between the data priorities (weights per priority, 0 = strict). */
    void SetScheduling(QueueScheduling scheduling, std::array<std::uint32_t, 8> weights);
    void SetDataRate(DataRate rate) { m_rate = rate; }
    DataRate GetDataRate() const { return m_rate; }
    /** The port's number on its switch or server (the graph's logical port). */
    void SetPortNumber(std::uint16_t number) { m_portNumber = number; }
    std::uint16_t GetPortNumber() const { return m_portNumber; }
    void SetPortName(std::string name) { m_portName = std::move(name); }
    const std::string& GetPortName() const { return m_portName; }
    void SetChassisName(std::string name) { m_chassisName = std::move(name); }
    void SetMac(const MacBytes& mac);
    const MacBytes& GetMac() const { return m_mac; }
    /** Writes every frame sent or received on this port to `writer`. */
    void SetCapture(std::shared_ptr<PcapFileWriter> writer) { m_capture = std::move(writer); }
    /** Starts LLDP on this port every `interval` (nothing if zero). */
    void StartLldp(Time interval);

    std::uint64_t GetQueueBytes(std::uint8_t priority) const { return m_queueBytes[priority]; }
    /** Bytes waiting in all eight priority queues. */
    std::uint64_t GetQueueBytes() const;
    std::size_t GetQueueFrames(std::uint8_t priority) const { return m_queues[priority].Size(); }
    bool IsPaused(std::uint8_t priority) const;
    /** The counters; pause times count a hold once the next PFC frame of its priority comes
     *  (one that ran out before is counted then, up to its end). */
    const PortCounters& GetCounters() const { return m_counters; }
    /** The counters with the holds going on now counted up to now (for live views). */
    PortCounters GetCountersNow() const;
    /** Marks `index` in `set` whenever a counter a sampler reads moves (sent, paused, dropped,
     *  marked) or a frame is queued; nullptr stops it. */
    void SetActivitySet(ActivitySet* set, std::uint32_t index)
    {
        m_activity = set;
        m_activityIndex = index;
    }
    void CountDrop(const Frame& frame, DropReason reason);
    void NotifyEcnMark(const Frame& frame);
    Ptr<FabricChannel> GetFabricChannel() const { return m_channel; }

    // NetDevice
    void SetIfIndex(const uint32_t index) override { m_ifIndex = index; }
    uint32_t GetIfIndex() const override { return m_ifIndex; }
    Ptr<Channel> GetChannel() const override;
    void SetAddress(Address address) override;
    Address GetAddress() const override;
    bool SetMtu(const uint16_t mtu) override;
    uint16_t GetMtu() const override { return m_mtu; }
    bool IsLinkUp() const override { return m_linkUp; }
    void AddLinkChangeCallback(Callback<void> callback) override;
    bool IsBroadcast() const override { return false; }
    Address GetBroadcast() const override { return Mac48Address::GetBroadcast(); }
    bool IsMulticast() const override { return false; }
    Address GetMulticast(Ipv4Address group) const override;
    Address GetMulticast(Ipv6Address addr) const override;
    bool IsBridge() const override { return false; }
    bool IsPointToPoint() const override { return true; }
    /** Sends a small packet (up to 114 bytes) as an Ethernet frame of EtherType `protocol`. */
    bool Send(Ptr<Packet> packet, const Address& dest, uint16_t protocol) override;
    bool SendFrom(Ptr<Packet> packet,
                  const Address& source,
                  const Address& dest,
                  uint16_t protocol) override;
    Ptr<Node> GetNode() const override { return m_node; }
    void SetNode(Ptr<Node> node) override { m_node = node; }
    bool NeedsArp() const override { return false; }
    void SetReceiveCallback(ReceiveCallback cb) override { m_receiveCallback = cb; }
    void SetPromiscReceiveCallback(PromiscReceiveCallback cb) override { m_promiscCallback = cb; }
    bool SupportsSendFrom() const override { return false; }

    typedef void (*FrameTracedCallback)(const Frame& frame);
    typedef void (*DropTracedCallback)(const Frame& frame, DropReason reason);
    typedef void (*PfcTracedCallback)(uint8_t priority, uint16_t quanta);
    typedef void (*QueueDepthTracedCallback)(uint8_t priority, uint64_t bytes);

protected:
    void DoDispose() override;

private:
    void TryTransmit();
    int SelectQueue();
    bool CanSend(int priority, std::int64_t now) const;
    void AddCredits(std::uint8_t vl, std::uint32_t bytes);
    void TransmitComplete();
    void ScheduleWake();
    void SendLldp();
    void Capture(const Frame& frame);
    void ReleaseAll();
    void MarkActive()
    {
        if (m_activity != nullptr)
        {
            m_activity->Insert(m_activityIndex);
        }
    }

    Ptr<Node> m_node;
    Ptr<FabricChannel> m_channel;
    uint32_t m_ifIndex{0};
    uint16_t m_mtu{9216};
    DataRate m_rate{"400Gbps"};
    bool m_linkUp{true};
    Mac48Address m_address;
    MacBytes m_mac{};
    std::uint16_t m_portNumber{0};
    std::string m_portName;
    std::string m_chassisName;

    std::array<RingQueue<Frame*>, 8> m_queues;
    std::array<std::uint64_t, 8> m_queueBytes{};
    RingQueue<Frame*> m_control;
    std::array<std::int64_t, 8> m_pausedUntilNs{};
    std::array<std::int64_t, 8> m_pauseStartNs{};
    std::array<std::int64_t, 8> m_requestedUntilNs{}; ///< the peer was asked to hold until
    std::array<std::int64_t, 8> m_requestStartNs{};
    QueueScheduling m_scheduling{QueueScheduling::Strict};
    std::array<std::uint32_t, 8> m_weights{};
    std::array<std::int64_t, 8> m_deficit{};
    std::uint8_t m_roundRobinNext{0};
    bool m_busy{false};
    LinkLayer m_linkLayer{LinkLayer::Ethernet};
    std::array<std::int64_t, 8> m_credits{};
    EventId m_wakeEvent;
    EventId m_lldpEvent;
    Time m_lldpInterval;

    PortOwner* m_owner{nullptr};
    Callback<bool, const Frame&> m_receiveFilter;
    DropReason m_filterReason{DropReason::Injected};
    ReceiveCallback m_receiveCallback;
    PromiscReceiveCallback m_promiscCallback;
    TracedCallback<> m_linkChange;
    std::shared_ptr<PcapFileWriter> m_capture;
    PortCounters m_counters;
    ActivitySet* m_activity{nullptr};
    std::uint32_t m_activityIndex{0};

    TracedCallback<const Frame&> m_txTrace;
    TracedCallback<const Frame&> m_rxTrace;
    TracedCallback<const Frame&, DropReason> m_dropTrace;
    TracedCallback<uint8_t, uint16_t> m_pfcTxTrace;
    TracedCallback<uint8_t, uint16_t> m_pfcRxTrace;
    TracedCallback<const Frame&> m_ecnTrace;
    TracedCallback<uint8_t, uint64_t> m_queueDepthTrace;
};

} // namespace ns3::fabric

#endif
