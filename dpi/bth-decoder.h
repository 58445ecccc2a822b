#ifndef FABRICSCOPE_DPI_BTH_DECODER_H
#define FABRICSCOPE_DPI_BTH_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

/** The InfiniBand base transport header: the same 12 bytes in RoCEv2, RoCEv1 and native IB. */
inline constexpr std::size_t kBthBytes = 12;
inline constexpr std::uint32_t kPsnMask = 0x00FFFFFF;
inline constexpr std::uint32_t kQpMask = 0x00FFFFFF;

struct BthFields
{
    std::uint8_t opcode{0};
    bool solicitedEvent{false};
    bool migrationRequest{false};
    std::uint8_t padCount{0};         ///< 0-3 pad bytes after the payload
    std::uint8_t transportVersion{0}; ///< TVer, 0 for every published version
    std::uint16_t partitionKey{0};
    bool fecn{false};
    bool becn{false}; ///< set in CNPs
    std::uint32_t destinationQp{0};
    bool ackRequest{false};
    std::uint32_t psn{0};
};

/**
 * Decodes the BTH. Truncation ends the walk; a TVer other than 0 is noted (BadBthTver) but the
 * fields are still returned, since the layout has never changed.
 */
Anomaly DecodeBth(ByteReader& reader, BthFields& out, AnomalySet& notes);

/**
 * The signed distance from PSN `from` to PSN `to` in 24-bit serial arithmetic: positive when
 * `to` is ahead by less than half the space (2^23), so 0xFFFFFF → 0 is +1.
 */
std::int32_t PsnDistance(std::uint32_t from, std::uint32_t to);

} // namespace fab::dpi

#endif
