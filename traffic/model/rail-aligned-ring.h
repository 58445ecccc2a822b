#ifndef FABRICSCOPE_TRAFFIC_RAIL_ALIGNED_RING_H
#define FABRICSCOPE_TRAFFIC_RAIL_ALIGNED_RING_H

#include <cstdint>

namespace fab::traffic
{

/**
 * The ring order of RailAlignedRingOrder (collective.h) one position at a time, both ways, so that
 * a ring over thousands of ranks needs no list of them.
 */
struct RailAlignedRing
{
    std::uint32_t ranks{0};
    std::uint32_t ranksPerServer{1};
    std::uint32_t channel{0};

    /** False when the order is plain 0, 1, ..., n − 1. */
    bool Snakes() const;
    std::uint32_t RankAt(std::uint32_t position) const;
    std::uint32_t PositionOf(std::uint32_t rank) const;
};

} // namespace fab::traffic

#endif
