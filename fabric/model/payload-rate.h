#ifndef FABRICSCOPE_FABRIC_PAYLOAD_RATE_H
#define FABRICSCOPE_FABRIC_PAYLOAD_RATE_H

#include "topologies/model/design.h"

#include <cstdint>

namespace ns3::fabric
{

namespace topo = ::fab::topo;

/** Bytes an RDMA WRITE MIDDLE adds on the wire to its payload: RoCEv2 with preamble and gap, or
 *  InfiniBand. */
std::uint32_t PacketOverheadBytes(topo::FabricKind fabric);

/** What a NIC port of the design carries of RDMA payload at line rate in `payloadMtu`-byte
 *  packets: its rate × MTU ÷ the bytes of such a packet on the wire. */
std::uint64_t PayloadRateBps(const topo::Design& design, std::uint32_t payloadMtu);

} // namespace ns3::fabric

#endif
