#include "dpi/udp-decoder.h"

namespace fab::dpi
{

static_assert(kUdpHeaderBytes == 4 * sizeof(std::uint16_t), "UDP: ports, length, checksum");

Anomaly
DecodeUdp(ByteReader& reader, UdpFields& out)
{
    if (!reader.CanRead(kUdpHeaderBytes))
    {
        return Anomaly::TruncatedUdp;
    }
    reader.ReadU16(out.sourcePort);
    reader.ReadU16(out.destinationPort);
    reader.ReadU16(out.length);
    reader.ReadU16(out.checksum);
    return out.length < kUdpHeaderBytes ? Anomaly::BadUdpLength : Anomaly::None;
}

} // namespace fab::dpi
