#ifndef FABRICSCOPE_DPI_UDP_DECODER_H
#define FABRICSCOPE_DPI_UDP_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

inline constexpr std::size_t kUdpHeaderBytes = 8;
/** IANA's port for RoCEv2: the destination port says "BTH follows". */
inline constexpr std::uint16_t kRoceV2UdpPort = 4791;

struct UdpFields
{
    std::uint16_t sourcePort{0};
    std::uint16_t destinationPort{0};
    std::uint16_t length{0}; ///< header and payload, as the header says
    std::uint16_t checksum{0};
};

/** Decodes the UDP header; a length below the header's own 8 bytes is BadUdpLength. */
Anomaly DecodeUdp(ByteReader& reader, UdpFields& out);

} // namespace fab::dpi

#endif
