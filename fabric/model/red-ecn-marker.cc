#include "fabric/model/red-ecn-marker.h"

namespace ns3::fabric
{

double
RedEcnMarker::Probability(std::uint64_t queueBytes) const
{
    if (queueBytes <= kminBytes)
    {
        return 0.0;
    }
    if (queueBytes > kmaxBytes)
    {
        return 1.0;
    }
    return pmax * static_cast<double>(queueBytes - kminBytes)
           / static_cast<double>(kmaxBytes - kminBytes);
}

RedEcnMarker
RedEcnMarker::ForRate(std::uint64_t bitsPerSecond)
{
    RedEcnMarker marker;
    double scale = static_cast<double>(bitsPerSecond) / 100e9;
    marker.kminBytes = static_cast<std::uint64_t>(400'000 * scale);
    marker.kmaxBytes = static_cast<std::uint64_t>(1'600'000 * scale);
    return marker;
}

} // namespace ns3::fabric
