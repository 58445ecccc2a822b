#include "dpi/vlan-decoder.h"

namespace fab::dpi
{

bool
IsVlanTpid(std::uint16_t etherType)
{
    return etherType == kEtherTypeVlan || etherType == kEtherTypeQinQ
           || etherType == kEtherTypeQinQLegacy;
}

Anomaly
DecodeVlanTag(ByteReader& reader, std::uint16_t tpid, VlanTag& tag, std::uint16_t& nextEtherType)
{
    std::uint16_t tci = 0;
    if (!reader.CanRead(kVlanTagBytes))
    {
        return Anomaly::TruncatedVlan;
    }
    reader.ReadU16(tci);
    reader.ReadU16(nextEtherType);
    tag.tpid = tpid;
    tag.pcp = static_cast<std::uint8_t>(tci >> 13);
    tag.dei = (tci & 0x1000) != 0;
    tag.id = static_cast<std::uint16_t>(tci & 0x0FFF);
    return Anomaly::None;
}

} // namespace fab::dpi
