#ifndef FABRICSCOPE_DPI_VLAN_DECODER_H
#define FABRICSCOPE_DPI_VLAN_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"
#include "dpi/ethernet-decoder.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

/** What follows a TPID: the 16-bit TCI and the next EtherType. */
inline constexpr std::size_t kVlanTagBytes = 4;

/** True for the TPIDs of 802.1Q and QinQ tags. */
bool IsVlanTpid(std::uint16_t etherType);

/**
 * Decodes the TCI (PCP, DEI, VLAN id) and the EtherType after it; the reader stands just after
 * the TPID that announced the tag.
 */
Anomaly DecodeVlanTag(ByteReader& reader,
                      std::uint16_t tpid,
                      VlanTag& tag,
                      std::uint16_t& nextEtherType);

} // namespace fab::dpi

#endif
