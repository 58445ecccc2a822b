#ifndef FABRICSCOPE_FABRIC_ROCE_HOST_H
#define FABRICSCOPE_FABRIC_ROCE_HOST_H

#include "fabric/model/fabric-net-device.h"
#include "fabric/model/ib-wire.h"
#include "fabric/model/roce-wire.h"

#include <deque>
#include <ns3/node.h>
#include <optional>
#include <unordered_map>
#include <vector>

namespace ns3::fabric
{

/** One RDMA WRITE stream: no congestion control, paced only by the NIC and by PFC. */
struct RoceFlowSpec
{
    std::uint16_t port{0}; ///< the host's NIC port (graph port number)
    std::uint32_t dstEndpoint{0};
    std::uint64_t bytes{0};
    std::uint32_t destQp{1};
    std::uint16_t udpSrcPort{0xC000};
    std::uint8_t priority{3};
    Time start;
};

struct RoceFlowState
{
    RoceFlowSpec spec;
    std::uint64_t sentBytes{0};
    std::uint32_t nextPsn{0};
    std::uint64_t packets{0};
    std::int64_t firstQueuedNs{-1}; ///< when its first frame went to the NIC queue
    std::int64_t lastQueuedNs{-1};
};

/** What a host received from one (source endpoint, destination QP). */
struct RoceReceiveRecord
{
    std::uint64_t payloadBytes{0};
    std::uint64_t packets{0};
    std::uint64_t ecnMarked{0};
    std::int64_t firstNs{-1};
    std::int64_t lastNs{-1};
};

/**
 * A server with RoCE NIC ports. Its senders write RC WRITE frames at line rate (FIRST/MIDDLE/LAST
 * with RETH, PSN per packet) keeping at most two frames queued per port, so PFC pauses back-
 * pressure them; its sink counts what arrives. Reliability and congestion control belong to the
 * RDMA transport, not to this model.
 */
class RoceHost : public Node
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

    /** Schedules a flow; returns its id on this host. */
    std::uint32_t AddFlow(const RoceFlowSpec& spec);
    const RoceFlowState& GetFlow(std::uint32_t id) const { return m_flows.at(id); }
    std::size_t GetNFlows() const { return m_flows.size(); }

    RoceReceiveRecord GetReceived(std::uint32_t srcEndpoint, std::uint32_t destQp) const;
    std::uint64_t GetTotalReceivedPayload() const { return m_totalReceived; }

protected:
    void DoDispose() override;

private:
    void StartFlow(std::uint32_t id);
    void Pump(std::uint16_t port);
    void HandleFrame(Ptr<FabricNetDevice> in, Frame* frame);
    void HandleTransmitStart(Ptr<FabricNetDevice> out, Frame* frame);
    Frame* NextFrame(RoceFlowState& flow);

    std::vector<Ptr<FabricNetDevice>> m_ports;
    std::vector<std::uint32_t> m_endpoints;
    std::vector<std::deque<std::uint32_t>> m_active; ///< flows sending on each port, round robin
    std::vector<RoceFlowState> m_flows;
    std::unordered_map<std::uint64_t, RoceReceiveRecord> m_received;
    std::uint64_t m_totalReceived{0};
    std::uint32_t m_payloadMtu{4096};
    std::optional<std::uint16_t> m_vlan;
    Crc32ZeroExtender m_zeros;
    Crc16ZeroExtender m_zeros16;
    bool m_infiniband{false};
    std::uint64_t m_sequence{0};
};

} // namespace ns3::fabric

#endif
