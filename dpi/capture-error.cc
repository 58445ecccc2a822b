#include "dpi/capture-error.h"

namespace fab::dpi
{

CaptureError::CaptureError(const std::string& file,
                           std::uint64_t packetNumber,
                           std::int64_t byteOffset,
                           const std::string& expectation,
                           CaptureSeverity severity)
: telemetry::InputError(Place(packetNumber, byteOffset), expectation)
, m_packetNumber(packetNumber)
, m_byteOffset(byteOffset)
, m_severity(severity)
{
    SetFile(file);
}

std::string
CaptureError::Place(std::uint64_t packetNumber, std::int64_t byteOffset)
{
    std::string place;
    if (packetNumber != kNoPacket)
    {
        place = "packet " + std::to_string(packetNumber);
    }
    if (byteOffset != kUnknownOffset)
    {
        place += (place.empty() ? "byte offset " : " at byte offset ") + std::to_string(byteOffset);
    }
    return place;
}

} // namespace fab::dpi
