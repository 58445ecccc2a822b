#ifndef FABRICSCOPE_DPI_LRH_DECODER_H
#define FABRICSCOPE_DPI_LRH_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

/** The InfiniBand local routing header that starts every native IB packet. */
inline constexpr std::size_t kLrhBytes = 8;

/** LNH: what follows the LRH. */
enum class LinkNextHeader : std::uint8_t
{
    Raw = 0,
    IpNonIba = 1,
    IbaLocal = 2,  ///< BTH
    IbaGlobal = 3, ///< GRH, then BTH
};

struct LrhFields
{
    std::uint8_t virtualLane{0};
    std::uint8_t linkVersion{0};
    std::uint8_t serviceLevel{0};
    LinkNextHeader nextHeader{LinkNextHeader::Raw};
    std::uint16_t destinationLid{0};
    /** PktLen: 4-byte words from the LRH through the ICRC (the VCRC not included). */
    std::uint16_t packetLengthWords{0};
    std::uint16_t sourceLid{0};

    std::size_t PacketBytes() const { return std::size_t{packetLengthWords} * 4; }
};

/** Decodes the LRH; a link version other than 0 is a layout we do not know (BadLrhLinkVersion). */
Anomaly DecodeLrh(ByteReader& reader, LrhFields& out);

} // namespace fab::dpi

#endif
