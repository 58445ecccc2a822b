#ifndef FABRICSCOPE_TOPOLOGIES_PFC_HEADROOM_H
#define FABRICSCOPE_TOPOLOGIES_PFC_HEADROOM_H

#include "topologies/model/media.h"

#include <cstdint>

namespace fab::topo
{

/**
 * 802.1Qbb response delay of a port, in bit times: the upper bound for 100GbE (201,728) and
 * 400GbE (463,360); other rates above 100G scale the 400G figure with the rate.
 */
std::uint64_t PfcResponseBitTimes(std::uint64_t rateBps);

/**
 * Buffer a lossless priority of one port must hold after it sends XOFF, in bytes:
 * MTU (receiver still transmitting) + MTU (sender finishing its frame)
 * + rate × 2 × cable propagation + the sender's response time.
 * 400G over 100 m of single-mode fibre with 9,216 B frames gives ≈127.6 KB.
 */
double PfcHeadroomBytes(std::uint64_t rateBps,
                        double cableMetres,
                        Media media,
                        std::uint32_t mtuBytes);

} // namespace fab::topo

#endif
