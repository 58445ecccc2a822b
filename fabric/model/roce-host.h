#ifndef FABRICSCOPE_FABRIC_ROCE_HOST_H
#define FABRICSCOPE_FABRIC_ROCE_HOST_H

#include "fabric/model/dcqcn-rate-state.h"
#include "fabric/model/dctcp-window-state.h"
#include "fabric/model/fabric-net-device.h"
#include "fabric/model/ib-wire.h"
#include "fabric/model/key-index.h"
#include "fabric/model/rc-transport.h"
#include "fabric/model/ring-queue.h"
#include "fabric/model/roce-wire.h"

#include <deque>
#include <ns3/node.h>
#include <optional>
#include <string>
#include <vector>

namespace ns3::fabric
{

/** Congestion control of the NICs, chosen by name. */
enum class CongestionControl : std::uint8_t
{
    None,  ///< PFC only, as Meta runs its RoCE fabric
    Dcqcn, ///< ECN → CNP → rate (Zhu et al. 2015)
    Dctcp, ///< ECN echoed on ACKs → congestion window (DCTCP-style, Alizadeh et al. 2010)
};

const char* CongestionControlName(CongestionControl cc);
/** "none" or "dcqcn"; false for anything else. */
bool ParseCongestionControl(const std::string& name, CongestionControl& cc);

/** How the NICs' RC transport behaves (defaults: HPCC's simulator and NVIDIA NICs). */
struct TransportConfig
{
    bool reliable{true};       ///< RC with ACK/NAK and go-back-N; false: fire and forget
    std::uint32_t ackEvery{1}; ///< coalesce ACKs over this many packets
    Time retransmitTimeout{MilliSeconds(1)};
    CongestionControl congestionControl{CongestionControl::None};
    DcqcnParameters dcqcn; ///< line rate is taken from the NIC port
    DctcpParameters dctcp;
    /** At most one CNP per QP per interval: 4 µs as NVIDIA NICs are set (min_time_between_cnps),
     *  consistent with the 1 µs alpha period; the DCQCN paper used 50 µs with a 55 µs alpha timer.
     */
    std::int64_t cnpIntervalNs{4'000};
    std::uint8_t controlPriority{6}; ///< ACK, NAK and CNP
};

/** One RDMA WRITE stream (a queue pair carrying one message). */
struct RoceFlowSpec
{
    std::uint16_t port{0}; ///< the host's NIC port (graph port number)
    std::uint32_t dstEndpoint{0};
    std::uint64_t bytes{0};
    std::uint32_t destQp{1}; ///< QP number, the same at both ends
    std::uint16_t udpSrcPort{0xC000};
    std::uint8_t priority{3};
    Time start;
    bool send{false}; ///< RDMA SEND instead of RDMA WRITE
};

/** Rate of a QP after each change (DCQCN). */
struct RateSample
{
    std::int64_t timeNs{0};
    std::uint64_t rateBps{0};
    double alpha{0};
};

/** A sender QP and its telemetry. */
struct RoceFlowState
{
    std::uint32_t id{0};
    RoceFlowSpec spec;
    std::optional<RcSender> sender;
    std::optional<DcqcnRateState> rate;
    std::optional<DctcpWindowState> window;
    std::int64_t nextSendNs{0};
    bool queued{false}; ///< in its port's round robin
    /**
     * The retransmit timer, kept lazily: every acknowledgement moves the time it is due (-1: not
     * armed), and one event sits at or before that time and moves itself on when it finds the
     * time has moved. Re-arming an event per acknowledgement left one cancelled event a message
     * in the queue for a whole timeout.
     */
    std::int64_t retransmitDueNs{-1};
    EventId retransmitEvent;
    EventId increaseTimer;

    std::uint64_t sentBytes{0}; ///< payload put on the wire, retransmissions included
    std::uint64_t packets{0};   ///< packets put on the wire
    std::uint64_t retransmitted{0};
    std::uint64_t acks{0};
    std::uint64_t naks{0};
    std::uint64_t timeouts{0};
    std::uint64_t cnps{0};
    std::uint64_t congestionEchoes{0}; ///< ACKs that echoed a congestion mark (DCTCP)
    std::int64_t firstQueuedNs{-1};
    std::int64_t lastQueuedNs{-1};
    std::int64_t completedNs{-1}; ///< when the message was acknowledged (or sent, unreliable)
    std::vector<RateSample> rateTrace;
};

/** What a host received on one (source endpoint, QP). */
struct RoceReceiveRecord
{
    std::uint64_t payloadBytes{0}; ///< delivered in order, exactly once
    std::uint64_t packets{0};
    std::uint64_t ecnMarked{0};
    std::uint64_t outOfSequence{0};
    std::uint64_t duplicates{0};
    std::uint64_t naksSent{0};
    std::uint64_t cnpsSent{0};
    std::int64_t firstNs{-1};
    std::int64_t lastNs{-1};
};

/**
 * A server's RDMA NIC ports. Senders segment messages to the MTU with consecutive PSNs (24-bit,
 * wrapping), keep at most two frames queued per port, pace each QP at its DCQCN rate, retransmit
 * go-back-N on NAK or timeout; receivers accept in PSN order, coalesce ACKs, NAK gaps and answer
 * ECN-marked (or FECN-marked) packets with paced CNPs. RoCEv2 or native InfiniBand frames.
 */
class RoceHost
: public Node
, public PortOwner
{
public:
    static TypeId GetTypeId();

    void AddPort(Ptr<FabricNetDevice> port, std::uint16_t number, std::uint32_t endpoint);
    Ptr<FabricNetDevice> GetPort(std::uint16_t number) const { return m_ports.at(number); }
    std::uint32_t GetEndpoint(std::uint16_t number) const { return m_endpoints.at(number); }

    void SetPayloadMtu(std::uint32_t bytes) { m_payloadMtu = bytes; }
    void SetVlan(std::optional<std::uint16_t> vlan) { m_vlan = vlan; }
    /** Sends native InfiniBand (LRH + BTH) instead of RoCEv2. */
    void SetInfiniband(bool infiniband) { m_infiniband = infiniband; }
    void SetTransport(const TransportConfig& transport) { m_transport = transport; }

    /** Schedules a flow: a queue pair carrying one message of spec.bytes, posted at spec.start.
     *  Returns its id on this host (also the message id). */
    std::uint32_t AddFlow(const RoceFlowSpec& spec);
    /** Opens a queue pair with nothing posted yet (spec.bytes and spec.start are not used);
     *  returns its flow id. Messages posted on it go out in order, as on a real RC QP. */
    std::uint32_t OpenQueuePair(const RoceFlowSpec& spec);
    /** Posts a message of `bytes` (at least 1) on an open queue pair now. */
    void PostMessage(std::uint32_t flow, std::uint64_t bytes, std::uint64_t messageId);
    /** One transfer spread over `qps` queue pairs (QP numbers destQp, destQp + 1, ...; UDP source
     *  ports differ too), as NCCL does for ECMP entropy. Returns the flow ids. */
    std::vector<std::uint32_t> AddConnection(const RoceFlowSpec& spec, std::uint32_t qps);
    /** Sender side: a message was acknowledged (or sent, unreliable):
     *  (flow id, message id, posted ns, completed ns). */
    using CompletionCallback
        = Callback<void, std::uint32_t, std::uint64_t, std::int64_t, std::int64_t>;
    void SetCompletionCallback(CompletionCallback callback) { m_completion = callback; }
    /** Receiver side: the last packet of a message arrived in order, so the whole message is in
     *  memory: (source endpoint, QP number, ns). This is when a collective's next step may use it.
     */
    using DeliveryCallback = Callback<void, std::uint32_t, std::uint32_t, std::int64_t>;
    void SetDeliveryCallback(DeliveryCallback callback) { m_delivery = callback; }
    const RoceFlowState& GetFlow(std::uint32_t id) const { return m_flows.at(id); }
    std::size_t GetNFlows() const { return m_flows.size(); }

    RoceReceiveRecord GetReceived(std::uint32_t srcEndpoint, std::uint32_t destQp) const;
    std::uint64_t GetTotalReceivedPayload() const { return m_totalReceived; }

protected:
    void DoDispose() override;

private:
    struct ReceiverQp
    {
        RcReceiver receiver;
        std::int64_t lastCnpNs{-1'000'000'000'000LL};
        bool markedSinceAck{false};
        RoceReceiveRecord record;
    };

    void Activate(std::uint32_t id);
    void Pump(std::uint16_t port);
    void SendPacket(std::uint32_t id);
    // PortOwner
    void HandleFrame(Ptr<FabricNetDevice> in, Frame* frame) override;
    void HandleTransmitStart(Ptr<FabricNetDevice> out, Frame* frame) override;

    void HandleData(Ptr<FabricNetDevice> in, const Frame& frame);
    void HandleAcknowledge(const Frame& frame);
    void HandleCnp(const Frame& frame);
    void OnRetransmitTimer(std::uint32_t id);
    void OnRetransmitTimeout(std::uint32_t id);
    void OnIncreaseTimer(std::uint32_t id);
    void OnDecreaseCheck(std::uint32_t id);
    void ArmRetransmitTimer(std::uint32_t id);
    void SampleRate(RoceFlowState& flow);
    void Complete(RoceFlowState& flow, const std::vector<RcMessage>& messages);
    /** An ACK, NAK or CNP from this host to `dstEndpoint`'s QP `qp`, out of `port`. */
    void SendControl(Ptr<FabricNetDevice> port,
                     std::uint32_t dstEndpoint,
                     std::uint32_t qp,
                     BthOpcode opcode,
                     std::uint32_t psn,
                     std::optional<std::uint32_t> aeth,
                     bool becn = false);
    bool WindowAllows(const RoceFlowState& flow) const;
    Frame* MakeFrame(Ptr<FabricNetDevice> nic,
                     std::uint16_t port,
                     std::uint32_t dstEndpoint,
                     RocePacketSpec& packet);

    std::vector<Ptr<FabricNetDevice>> m_ports;
    std::vector<std::uint32_t> m_endpoints;
    std::vector<RingQueue<std::uint32_t>> m_active; ///< flows with packets to send, per port
    std::vector<EventId> m_wake;                    ///< per port: the next paced send
    // A deque: completion callbacks may add flows while a flow is being handled, and references
    // to the others must stay valid.
    std::deque<RoceFlowState> m_flows;
    KeyIndex m_flowByPeer; ///< (peer endpoint, QP) → flow
    // A deque for the same reason as m_flows: a receiver is handled while others are added.
    std::deque<ReceiverQp> m_receivers;
    KeyIndex m_receiverOf; ///< (peer endpoint, QP) → index into m_receivers
    std::uint64_t m_totalReceived{0};
    std::uint32_t m_payloadMtu{4096};
    std::optional<std::uint16_t> m_vlan;
    bool m_infiniband{false};
    TransportConfig m_transport;
    CompletionCallback m_completion;
    DeliveryCallback m_delivery;
    Crc32ZeroExtender m_zeros;
    Crc16ZeroExtender m_zeros16;
    std::uint64_t m_sequence{0};
};

} // namespace ns3::fabric

#endif
