#ifndef FABRICSCOPE_DPI_IPV6_DECODER_H
#define FABRICSCOPE_DPI_IPV6_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"
#include "dpi/ip-fields.h"

#include <cstddef>

namespace fab::dpi
{

inline constexpr std::size_t kIpv6HeaderBytes = 40;
/** More extension headers than this in one packet is treated as an attack, not a packet. */
inline constexpr int kMaxIpv6ExtensionHeaders = 8;

/**
 * Decodes the fixed IPv6 header and walks the extension headers (hop-by-hop, routing, fragment,
 * destination options, AH) to the upper-layer protocol; the reader ends at that payload and
 * `protocol` names it. A fragment header marks the packet fragmented and ends the walk.
 */
Anomaly DecodeIpv6(ByteReader& reader, IpFields& out);

} // namespace fab::dpi

#endif
