#ifndef FABRICSCOPE_DPI_PFC_DECODER_H
#define FABRICSCOPE_DPI_PFC_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"
#include "dpi/ethernet-decoder.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

/** MAC Control opcodes (EtherType 0x8808). */
inline constexpr std::uint16_t kMacControlPause = 0x0001; ///< 802.3x PAUSE
inline constexpr std::uint16_t kMacControlPfc = 0x0101;   ///< 802.1Qbb class-based PAUSE

/** Opcode and pause time of an 802.3x PAUSE. */
inline constexpr std::size_t kPauseBytes = 2 + 2;
/** Opcode, class-enable vector and eight per-priority times of a PFC frame. */
inline constexpr std::size_t kPfcBytes = 2 + 2 + 8 * 2;
inline constexpr std::size_t kPfcPriorities = 8;

/** The address PAUSE and PFC frames go to: the bridge-filtered MAC Control group. */
inline constexpr MacAddress kMacControlDestination = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};

struct MacControlFields
{
    std::uint16_t opcode{0};
    /** PFC: bit p enables the time of priority p; IEEE keeps bits 8-15 zero. */
    std::uint16_t classEnableVector{0};
    /** PFC: pause time per priority in quanta of 512 bit times; 0 = resume (XON). */
    std::array<std::uint16_t, kPfcPriorities> quanta{};
    /** 802.3x PAUSE: the one pause time, in quanta. */
    std::uint16_t pauseQuanta{0};

    bool IsPfc() const { return opcode == kMacControlPfc; }
    bool IsPause() const { return opcode == kMacControlPause; }
    /** True when this PFC frame carries a time for priority p (XOFF if nonzero, XON if zero). */
    bool Enabled(std::size_t priority) const
    {
        return priority < kPfcPriorities && ((classEnableVector >> priority) & 1) != 0;
    }
};

/**
 * Decodes the payload of a MAC Control frame: a PFC frame or an 802.3x PAUSE. Other opcodes
 * (EPON's GATE/REPORT, …) are BadPfcOpcode. Class-enable bits above priority 7 are noted
 * (BadPfcClassEnable) and the times still returned.
 */
Anomaly DecodeMacControl(ByteReader& reader, MacControlFields& out, AnomalySet& notes);

} // namespace fab::dpi

#endif
