#include "dpi/lrh-decoder.h"

namespace fab::dpi
{

static_assert(kLrhBytes == 1 + 1 + 2 + 2 + 2, "LRH: VL/LVer, SL/LNH, DLID, PktLen, SLID");

Anomaly
DecodeLrh(ByteReader& reader, LrhFields& out)
{
    if (!reader.CanRead(kLrhBytes))
    {
        return Anomaly::TruncatedLrh;
    }
    std::uint8_t vlVersion = 0;
    std::uint8_t slNext = 0;
    std::uint16_t length = 0;
    reader.ReadU8(vlVersion);
    reader.ReadU8(slNext);
    reader.ReadU16(out.destinationLid);
    reader.ReadU16(length);
    reader.ReadU16(out.sourceLid);
    out.virtualLane = static_cast<std::uint8_t>(vlVersion >> 4);
    out.linkVersion = static_cast<std::uint8_t>(vlVersion & 0x0F);
    out.serviceLevel = static_cast<std::uint8_t>(slNext >> 4);
    out.nextHeader = static_cast<LinkNextHeader>(slNext & 0x03);
    out.packetLengthWords = static_cast<std::uint16_t>(length & 0x07FF);
    return out.linkVersion == 0 ? Anomaly::None : Anomaly::BadLrhLinkVersion;
}

} // namespace fab::dpi
