#ifndef FABRICSCOPE_DPI_CAPTURE_ERROR_H
#define FABRICSCOPE_DPI_CAPTURE_ERROR_H

#include "telemetry/model/json-object-reader.h"

#include <cstdint>
#include <string>

namespace fab::dpi
{

/** How bad a capture problem is for the results read before it. */
enum class CaptureSeverity : std::uint8_t
{
    Warning, ///< the file ended early (a cut last record); every packet before it is good
    Error,   ///< the file could not be opened or read on; results cover only what came before
};

/**
 * A capture file that cannot be opened or read on: the file, the packet number (1-based, as
 * Wireshark numbers frames) and byte offset where known, and what was expected there. what()
 * reads "file: packet 124 at byte offset 76750: expected ...".
 */
class CaptureError : public telemetry::InputError
{
public:
    static constexpr std::uint64_t kNoPacket = 0;
    static constexpr std::int64_t kUnknownOffset = -1;

    CaptureError(const std::string& file,
                 std::uint64_t packetNumber,
                 std::int64_t byteOffset,
                 const std::string& expectation,
                 CaptureSeverity severity = CaptureSeverity::Error);

    /** The packet being read when the problem showed, or kNoPacket (file-level problems). */
    std::uint64_t PacketNumber() const { return m_packetNumber; }

    /** Offset of that packet's record in the file (or decompressed stream), or kUnknownOffset. */
    std::int64_t ByteOffset() const { return m_byteOffset; }

    CaptureSeverity Severity() const { return m_severity; }

private:
    static std::string Place(std::uint64_t packetNumber, std::int64_t byteOffset);

    std::uint64_t m_packetNumber;
    std::int64_t m_byteOffset;
    CaptureSeverity m_severity;
};

} // namespace fab::dpi

#endif
