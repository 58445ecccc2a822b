#ifndef FABRICSCOPE_FABRIC_FABRIC_BUILDER_H
#define FABRICSCOPE_FABRIC_FABRIC_BUILDER_H

#include "fabric/model/fabric-channel.h"
#include "fabric/model/fabric-net-device.h"
#include "fabric/model/fabric-routes.h"
#include "fabric/model/lossless-switch.h"
#include "fabric/model/payload-rate.h"
#include "fabric/model/roce-host.h"
#include "topologies/model/bill-of-materials.h"
#include "topologies/model/fabric-graph.h"

#include <map>
#include <memory>
#include <ns3/node-container.h>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3::fabric
{

namespace topo = ::fab::topo;

/** How the builder sets up the fabric it builds. */
struct FabricOptions
{
    SwitchFeatures features;
    std::uint32_t payloadMtu{4096};
    Time lldpInterval{MilliSeconds(1)}; ///< zero: no LLDP
    std::optional<std::uint16_t> vlan;  ///< tag data frames (PCP = priority) with this VLAN
    std::uint64_t bufferBytes{0};       ///< 0: the switch model's buffer, else 32 MiB
    std::uint32_t switchMtuBytes{9216}; ///< frame size PFC headroom is sized for
    /** InfiniBand receive buffer per port and VL (credits); 0: twice the link's round-trip
     *  bytes plus two packets, at least 64 KiB. Used for designs with "fabric": "infiniband". */
    std::uint64_t ibCreditBytes{0};
    TransportConfig transport; ///< RC reliability and congestion control of the NICs
    RecoveryConfig recovery;   ///< what switches do when a port loses its link
};

/** A cable end as the builder made it: which tier of links it is on and which way it sends. */
struct PortRecord
{
    Ptr<FabricNetDevice> device;
    topo::LinkTier tier{topo::LinkTier::ServerLeaf};
    bool upward{true}; ///< the lower end of its link: it sends towards the upper tier
};

/**
 * Builds ns-3 nodes from a topologies design: a RoceHost per server, a LosslessSwitch per switch,
 * a FabricNetDevice per cable end and a FabricChannel per cable (delay from the cable length and
 * medium), shared buffers with PFC headroom sized per port, and ECMP routes. Names follow the
 * graph: "leaf-3-2", port "leaf-3-2:17", host port "srv-12:nic3".
 */
class FabricBuilder
{
public:
    FabricBuilder(const topo::Design& design, FabricOptions options = {});

    const topo::Design& Design() const { return m_design; }
    const FabricOptions& Options() const { return m_options; }
    const topo::FatTreePlan& Plan() const { return m_plan; }
    const topo::FabricGraph& Graph() const { return m_graph; }
    const FabricRoutes& Routes() const { return *m_routes; }

    Ptr<RoceHost> Host(std::uint32_t server) const { return m_hosts.at(server); }
    std::uint32_t Hosts() const { return static_cast<std::uint32_t>(m_hosts.size()); }
    /** A switch by name, or null. */
    Ptr<LosslessSwitch> Switch(const std::string& name) const;
    std::vector<Ptr<LosslessSwitch>> Switches() const;
    /** A port by name ("leaf-0-1:3", "srv-4:nic0"), or null. */
    Ptr<FabricNetDevice> Port(const std::string& name) const;
    /** Ports whose name matches a shell pattern: "leaf-0-*" (every port of matching nodes),
     *  "spine-*:3" (port 3 of every spine). */
    std::vector<Ptr<FabricNetDevice>> MatchPorts(const std::string& pattern) const;
    /** Writes pcap files (one per port, "<port>.pcap" with ':' as '_') for matching ports,
     *  keeping the first `snapLength` bytes of each frame (0: all of it). */
    std::vector<std::string> EnableCapture(const std::string& directory,
                                           const std::string& pattern,
                                           std::uint32_t snapLength = 0);
    /** Endpoint id of a server's NIC port: server × ports per server + port. */
    std::uint32_t Endpoint(std::uint32_t server, std::uint16_t port) const;
    /** What a NIC port carries of RDMA payload at line rate: its rate × MTU ÷ the bytes of an
     *  MTU-sized RDMA WRITE MIDDLE on the wire (RoCEv2 with preamble and gap, or InfiniBand). */
    std::uint64_t PayloadRateBps() const;
    /** Every cable end, in link order (lower end first). */
    const std::vector<PortRecord>& Ports() const { return m_ports; }
    /** Sums of every port's counters (switch ports and host ports). */
    PortCounters Totals() const;
    NodeContainer AllNodes() const;

private:
    void Build();

    topo::Design m_design;
    FabricOptions m_options;
    topo::FatTreePlan m_plan;
    topo::FabricGraph m_graph;
    topo::BillOfMaterials m_bom;
    std::unique_ptr<FabricRoutes> m_routes;
    std::vector<Ptr<RoceHost>> m_hosts;
    std::map<std::uint32_t, Ptr<LosslessSwitch>> m_switches; ///< by graph node id
    std::vector<Ptr<FabricNetDevice>> m_allPorts;
    std::vector<PortRecord> m_ports;
    std::unordered_map<std::string, Ptr<FabricNetDevice>> m_portByName;
};

} // namespace ns3::fabric

#endif
