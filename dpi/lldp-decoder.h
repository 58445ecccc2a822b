#ifndef FABRICSCOPE_DPI_LLDP_DECODER_H
#define FABRICSCOPE_DPI_LLDP_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"

#include <cstdint>
#include <string_view>

namespace fab::dpi
{

/** LLDP TLV types (IEEE 802.1AB). */
inline constexpr std::uint8_t kLldpEnd = 0;
inline constexpr std::uint8_t kLldpChassisId = 1;
inline constexpr std::uint8_t kLldpPortId = 2;
inline constexpr std::uint8_t kLldpTtl = 3;
inline constexpr std::uint8_t kLldpPortDescription = 4;
inline constexpr std::uint8_t kLldpSystemName = 5;
inline constexpr std::uint8_t kLldpSystemDescription = 6;
inline constexpr std::uint8_t kLldpSystemCapabilities = 7;
inline constexpr std::uint8_t kLldpManagementAddress = 8;
inline constexpr std::uint8_t kLldpOrganizationSpecific = 127;

/**
 * What one LLDPDU says about the sending port. Text and identifier fields view the packet's own
 * bytes: valid only while the caller keeps those bytes, never copied.
 */
struct LldpFields
{
    std::uint8_t chassisIdSubtype{0};
    std::string_view chassisId; ///< raw: a MAC address (subtype 4) is its 6 bytes
    std::uint8_t portIdSubtype{0};
    std::string_view portId;
    std::uint16_t ttlSeconds{0};
    std::string_view portDescription;
    std::string_view systemName;
    std::string_view systemDescription;
    std::uint16_t systemCapabilities{0};
    std::uint16_t enabledCapabilities{0};
    std::uint8_t managementAddressSubtype{0}; ///< IANA address family (1 IPv4, 2 IPv6, …)
    std::string_view managementAddress;

    /** IEEE 802.3 MAC/PHY configuration/status TLV (OUI 00-12-0F, subtype 1). */
    bool hasMacPhy{false};
    std::uint8_t autonegotiation{0}; ///< bit 0 supported, bit 1 enabled
    std::uint16_t pmdCapability{0};
    std::uint16_t operationalMauType{0};
    std::uint64_t portSpeedBitsPerSecond{0}; ///< from the MAU type; 0 when not known
    /** IEEE 802.3 maximum frame size TLV (subtype 4); 0 when absent. */
    std::uint16_t maximumFrameSize{0};

    /** IEEE 802.1Qaz PFC configuration TLV (OUI 00-80-C2, subtype 0x0B), as DCBX sends it. */
    bool hasPfcConfiguration{false};
    bool pfcWilling{false};
    std::uint8_t pfcCapability{0}; ///< how many priorities may be lossless at once
    std::uint8_t pfcEnable{0};     ///< bit p: PFC enabled on priority p

    /** Bit t for each TLV type t below 31 seen, bit 31 for organization-specific TLVs. */
    std::uint32_t tlvsSeen{0};

    bool Has(std::uint8_t tlvType) const
    {
        unsigned bit = tlvType == kLldpOrganizationSpecific ? 31 : tlvType;
        return bit < 32 && ((tlvsSeen >> bit) & 1) != 0;
    }
};

/**
 * Decodes an LLDPDU up to its End TLV. A TLV running past the bytes is TruncatedLldp; missing or
 * misordered mandatory TLVs (chassis ID, port ID, TTL first) are BadLldpTlv and end the walk; a
 * known TLV of the wrong length is noted BadLldpTlv and skipped.
 */
Anomaly DecodeLldp(ByteReader& reader, LldpFields& out, AnomalySet& notes);

} // namespace fab::dpi

#endif
