#include "dpi/lldp-decoder.h"

#include "dpi/mau-type.h"

#include <cstddef>

namespace fab::dpi
{
namespace
{

constexpr std::size_t kMinimumIdBytes = 2; // subtype and at least one byte of id
constexpr std::size_t kMaximumIdBytes = 256;
constexpr std::size_t kOrganizationHeaderBytes = 4; // OUI and subtype

constexpr std::uint32_t kOuiIeee8023 = 0x00120F;
constexpr std::uint32_t kOuiIeee8021 = 0x0080C2;
constexpr std::uint8_t kSubtypeMacPhy = 1;
constexpr std::uint8_t kSubtypeMaximumFrameSize = 4;
constexpr std::uint8_t kSubtypePfcConfiguration = 0x0B;
constexpr std::size_t kMacPhyBytes = kOrganizationHeaderBytes + 1 + 2 + 2;
constexpr std::size_t kMaximumFrameSizeBytes = kOrganizationHeaderBytes + 2;
constexpr std::size_t kPfcConfigurationBytes = kOrganizationHeaderBytes + 1 + 1;

std::string_view
View(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

std::uint16_t
Load16(const std::uint8_t* data)
{
    return static_cast<std::uint16_t>((data[0] << 8) | data[1]);
}

/** Returns false when the TLV's length does not fit its type. */
bool
DecodeIdentifier(const std::uint8_t* value,
                 std::size_t length,
                 std::uint8_t& subtype,
                 std::string_view& id)
{
    if (length < kMinimumIdBytes || length > kMaximumIdBytes)
    {
        return false;
    }
    subtype = value[0];
    id = View(value + 1, length - 1);
    return true;
}

bool
DecodeManagementAddress(const std::uint8_t* value, std::size_t length, LldpFields& out)
{
    // Address string length (covers subtype and address), subtype, address, then interface and
    // OID fields that are not kept.
    if (length < 2)
    {
        return false;
    }
    std::size_t addressLength = value[0];
    if (addressLength < 2 || 1 + addressLength > length)
    {
        return false;
    }
    out.managementAddressSubtype = value[1];
    out.managementAddress = View(value + 2, addressLength - 1);
    return true;
}

bool
DecodeOrganizationSpecific(const std::uint8_t* value, std::size_t length, LldpFields& out)
{
    if (length < kOrganizationHeaderBytes)
    {
        return false;
    }
    std::uint32_t oui = (std::uint32_t{value[0]} << 16) | (std::uint32_t{value[1]} << 8) | value[2];
    std::uint8_t subtype = value[3];
    const std::uint8_t* info = value + kOrganizationHeaderBytes;
    if (oui == kOuiIeee8023 && subtype == kSubtypeMacPhy)
    {
        if (length != kMacPhyBytes)
        {
            return false;
        }
        out.hasMacPhy = true;
        out.autonegotiation = info[0];
        out.pmdCapability = Load16(info + 1);
        out.operationalMauType = Load16(info + 3);
        out.portSpeedBitsPerSecond = MauTypeBitsPerSecond(out.operationalMauType);
    }
    else if (oui == kOuiIeee8023 && subtype == kSubtypeMaximumFrameSize)
    {
        if (length != kMaximumFrameSizeBytes)
        {
            return false;
        }
        out.maximumFrameSize = Load16(info);
    }
    else if (oui == kOuiIeee8021 && subtype == kSubtypePfcConfiguration)
    {
        if (length != kPfcConfigurationBytes)
        {
            return false;
        }
        out.hasPfcConfiguration = true;
        out.pfcWilling = (info[0] & 0x80) != 0;
        out.pfcCapability = static_cast<std::uint8_t>(info[0] & 0x0F);
        out.pfcEnable = info[1];
    }
    return true; // other organizations' TLVs are skipped, not judged
}

/** Decodes one non-End TLV into `out`; false when its length does not fit its type. */
bool
DecodeTlv(std::uint8_t type, const std::uint8_t* value, std::size_t length, LldpFields& out)
{
    switch (type)
    {
        case kLldpChassisId:
            return DecodeIdentifier(value, length, out.chassisIdSubtype, out.chassisId);
        case kLldpPortId:
            return DecodeIdentifier(value, length, out.portIdSubtype, out.portId);
        case kLldpTtl:
            if (length != 2)
            {
                return false;
            }
            out.ttlSeconds = Load16(value);
            return true;
        case kLldpPortDescription:
            out.portDescription = View(value, length);
            return true;
        case kLldpSystemName:
            out.systemName = View(value, length);
            return true;
        case kLldpSystemDescription:
            out.systemDescription = View(value, length);
            return true;
        case kLldpSystemCapabilities:
            if (length != 4)
            {
                return false;
            }
            out.systemCapabilities = Load16(value);
            out.enabledCapabilities = Load16(value + 2);
            return true;
        case kLldpManagementAddress:
            return DecodeManagementAddress(value, length, out);
        case kLldpOrganizationSpecific:
            return DecodeOrganizationSpecific(value, length, out);
        default:
            return true; // reserved types 9-126: skipped
    }
}

} // namespace

Anomaly
DecodeLldp(ByteReader& reader, LldpFields& out, AnomalySet& notes)
{
    static constexpr std::uint8_t kMandatory[] = {kLldpChassisId, kLldpPortId, kLldpTtl};
    std::size_t index = 0;
    while (reader.Remaining() > 0)
    {
        std::uint16_t header = 0;
        if (!reader.ReadU16(header))
        {
            return Anomaly::TruncatedLldp;
        }
        auto type = static_cast<std::uint8_t>(header >> 9);
        std::size_t length = header & 0x01FF;
        const std::uint8_t* value = reader.Current();
        if (!reader.Skip(length))
        {
            return Anomaly::TruncatedLldp;
        }
        if (index < sizeof kMandatory && type != kMandatory[index])
        {
            return Anomaly::BadLldpTlv;
        }
        ++index;
        if (type < 31)
        {
            out.tlvsSeen |= std::uint32_t{1} << type;
        }
        else if (type == kLldpOrganizationSpecific)
        {
            out.tlvsSeen |= std::uint32_t{1} << 31;
        }
        if (type == kLldpEnd)
        {
            if (length != 0)
            {
                notes.Add(Anomaly::BadLldpTlv);
            }
            return Anomaly::None;
        }
        if (!DecodeTlv(type, value, length, out))
        {
            notes.Add(Anomaly::BadLldpTlv);
        }
    }
    // Without an End TLV the LLDPDU still counts if the mandatory TLVs were all there.
    return index >= sizeof kMandatory ? Anomaly::None : Anomaly::TruncatedLldp;
}

} // namespace fab::dpi
