#ifndef FABRICSCOPE_DPI_GRH_DECODER_H
#define FABRICSCOPE_DPI_GRH_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"
#include "dpi/ip-fields.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

/** The InfiniBand global routing header: IPv6's layout, GIDs for addresses. */
inline constexpr std::size_t kGrhBytes = 40;
/** GRH NxtHdr for "IBA transport (BTH) follows". */
inline constexpr std::uint8_t kGrhNextHeaderBth = 0x1B;

struct GrhFields
{
    std::uint8_t ipVersion{0};
    std::uint8_t trafficClass{0};
    std::uint32_t flowLabel{0};
    std::uint16_t payloadLength{0}; ///< bytes after the GRH through the ICRC
    std::uint8_t nextHeader{0};
    std::uint8_t hopLimit{0};
    IpAddress sourceGid{};
    IpAddress destinationGid{};
};

/** Decodes the GRH of native IB and of RoCEv1; IPVer must be 6 (BadGrhVersion). */
Anomaly DecodeGrh(ByteReader& reader, GrhFields& out);

} // namespace fab::dpi

#endif
