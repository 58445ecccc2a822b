#include "dpi/ethernet-decoder.h"

namespace fab::dpi
{

static_assert(sizeof(MacAddress) == 6, "a MAC address is 6 bytes");
static_assert(kEthernetHeaderBytes == 2 * sizeof(MacAddress) + sizeof(std::uint16_t),
              "Ethernet II: destination, source, EtherType");

Anomaly
DecodeEthernet(ByteReader& reader, EthernetFields& out)
{
    if (!reader.CanRead(kEthernetHeaderBytes))
    {
        return Anomaly::TruncatedEthernet;
    }
    reader.ReadBytes(out.destination.data(), out.destination.size());
    reader.ReadBytes(out.source.data(), out.source.size());
    reader.ReadU16(out.etherType);
    return Anomaly::None;
}

} // namespace fab::dpi
