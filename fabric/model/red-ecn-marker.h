#ifndef FABRICSCOPE_FABRIC_RED_ECN_MARKER_H
#define FABRICSCOPE_FABRIC_RED_ECN_MARKER_H

#include <cstdint>

namespace ns3::fabric
{

/**
 * ECN marking on egress as DCQCN switches do it: never below Kmin, with probability rising
 * linearly to Pmax at Kmax, always above Kmax. Defaults: 400 KB / 1,600 KB / 0.2 at 100G.
 */
struct RedEcnMarker
{
    std::uint64_t kminBytes{400'000};
    std::uint64_t kmaxBytes{1'600'000};
    double pmax{0.2};

    /** Marking probability for an egress queue holding `queueBytes`. */
    double Probability(std::uint64_t queueBytes) const;

    /** Marks when `uniform` (in [0, 1)) falls below the probability. */
    bool ShouldMark(std::uint64_t queueBytes, double uniform) const
    {
        return uniform < Probability(queueBytes);
    }

    /** The HPCC/DCQCN scaling with link speed: thresholds × rate / 100G. */
    static RedEcnMarker ForRate(std::uint64_t bitsPerSecond);
};

} // namespace ns3::fabric

#endif
