#include "dpi/grh-decoder.h"

namespace fab::dpi
{

static_assert(kGrhBytes == 4 + 2 + 1 + 1 + 16 + 16,
              "GRH: version/class/flow, length, next, hops, GIDs");

Anomaly
DecodeGrh(ByteReader& reader, GrhFields& out)
{
    if (!reader.CanRead(kGrhBytes))
    {
        return Anomaly::TruncatedGrh;
    }
    std::uint32_t word = 0;
    reader.ReadU32(word);
    reader.ReadU16(out.payloadLength);
    reader.ReadU8(out.nextHeader);
    reader.ReadU8(out.hopLimit);
    reader.ReadBytes(out.sourceGid.data(), out.sourceGid.size());
    reader.ReadBytes(out.destinationGid.data(), out.destinationGid.size());
    out.ipVersion = static_cast<std::uint8_t>(word >> 28);
    out.trafficClass = static_cast<std::uint8_t>(word >> 20);
    out.flowLabel = word & 0x000FFFFF;
    return out.ipVersion == 6 ? Anomaly::None : Anomaly::BadGrhVersion;
}

} // namespace fab::dpi
