#include "dpi/pfc-decoder.h"

namespace fab::dpi
{

static_assert(kPfcBytes == 20, "PFC: opcode, class-enable vector, 8 pause times");
static_assert(kPauseBytes == 4, "PAUSE: opcode, pause time");

Anomaly
DecodeMacControl(ByteReader& reader, MacControlFields& out, AnomalySet& notes)
{
    if (!reader.ReadU16(out.opcode))
    {
        // Cut before the opcode: counted with PFC, the MAC Control frame a RoCE fabric lives by.
        return Anomaly::TruncatedPfc;
    }
    if (out.opcode == kMacControlPause)
    {
        return reader.ReadU16(out.pauseQuanta) ? Anomaly::None : Anomaly::TruncatedPause;
    }
    if (out.opcode != kMacControlPfc)
    {
        return Anomaly::BadPfcOpcode;
    }
    if (!reader.CanRead(kPfcBytes - 2))
    {
        return Anomaly::TruncatedPfc;
    }
    reader.ReadU16(out.classEnableVector);
    for (std::uint16_t& time : out.quanta)
    {
        reader.ReadU16(time);
    }
    if ((out.classEnableVector & 0xFF00) != 0)
    {
        notes.Add(Anomaly::BadPfcClassEnable);
    }
    return Anomaly::None;
}

} // namespace fab::dpi
