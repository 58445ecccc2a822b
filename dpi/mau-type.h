#ifndef FABRICSCOPE_DPI_MAU_TYPE_H
#define FABRICSCOPE_DPI_MAU_TYPE_H

#include <cstdint>

namespace fab::dpi
{

/**
 * The data rate of an IANA dot3MauType (IANA-MAU-MIB; the operational MAU type of LLDP's
 * IEEE 802.3 MAC/PHY TLV) in bits per second, 0 when the type is unknown here or names no single
 * rate (AUI, WAN PHY, passive optical). Covers 1G through 400G full-duplex types.
 */
std::uint64_t MauTypeBitsPerSecond(std::uint16_t mauType);

} // namespace fab::dpi

#endif
