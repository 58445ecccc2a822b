#ifndef FABRICSCOPE_DPI_IPV4_DECODER_H
#define FABRICSCOPE_DPI_IPV4_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"
#include "dpi/ip-fields.h"

#include <cstddef>

namespace fab::dpi
{

inline constexpr std::size_t kIpv4MinimumHeaderBytes = 20;
inline constexpr std::size_t kIpv4MaximumHeaderBytes = 60;

/**
 * Decodes an IPv4 header with its options; the reader ends at the payload. Checks version, IHL
 * and that the total length covers the header; whether the frame holds that many bytes is for
 * the caller, which knows the frame's wire length.
 */
Anomaly DecodeIpv4(ByteReader& reader, IpFields& out);

} // namespace fab::dpi

#endif
