#include "dpi/bth-decoder.h"

namespace fab::dpi
{

static_assert(kBthBytes == 1 + 1 + 2 + 1 + 3 + 1 + 3,
              "BTH: opcode, flags, P_Key, FECN/BECN, QP, AckReq, PSN");

Anomaly
DecodeBth(ByteReader& reader, BthFields& out, AnomalySet& notes)
{
    if (!reader.CanRead(kBthBytes))
    {
        return Anomaly::TruncatedBth;
    }
    std::uint8_t flags = 0;
    std::uint8_t congestion = 0;
    std::uint8_t ack = 0;
    reader.ReadU8(out.opcode);
    reader.ReadU8(flags);
    reader.ReadU16(out.partitionKey);
    reader.ReadU8(congestion);
    reader.ReadU24(out.destinationQp);
    reader.ReadU8(ack);
    reader.ReadU24(out.psn);
    out.solicitedEvent = (flags & 0x80) != 0;
    out.migrationRequest = (flags & 0x40) != 0;
    out.padCount = static_cast<std::uint8_t>((flags >> 4) & 0x03);
    out.transportVersion = static_cast<std::uint8_t>(flags & 0x0F);
    out.fecn = (congestion & 0x80) != 0;
    out.becn = (congestion & 0x40) != 0;
    out.ackRequest = (ack & 0x80) != 0;
    if (out.transportVersion != 0)
    {
        notes.Add(Anomaly::BadBthTver);
    }
    return Anomaly::None;
}

std::int32_t
PsnDistance(std::uint32_t from, std::uint32_t to)
{
    std::uint32_t difference = (to - from) & kPsnMask;
    // Sign-extend the 24-bit difference.
    return difference >= 0x00800000 ? static_cast<std::int32_t>(difference) - 0x01000000
                                    : static_cast<std::int32_t>(difference);
}

} // namespace fab::dpi
