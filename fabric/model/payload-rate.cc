#include "fabric/model/payload-rate.h"

namespace ns3::fabric
{

std::uint32_t
PacketOverheadBytes(topo::FabricKind fabric)
{
    // RoCEv2: Ethernet 14 + IPv4 20 + UDP 8 + BTH 12 + ICRC 4 + FCS 4 + preamble and gap 20;
    // InfiniBand: LRH 8 + BTH 12 + ICRC 4 + VCRC 2.
    return fabric == topo::FabricKind::Infiniband ? 26 : 82;
}

std::uint64_t
PayloadRateBps(const topo::Design& design, std::uint32_t payloadMtu)
{
    long double mtu = payloadMtu;
    return static_cast<std::uint64_t>(static_cast<long double>(design.servers.nicSpeedBps) * mtu
                                      / (mtu + PacketOverheadBytes(design.fabric)));
}

} // namespace ns3::fabric
