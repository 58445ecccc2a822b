#ifndef FABRICSCOPE_TRAFFIC_RAIL_ALIGNED_RING_H
#define FABRICSCOPE_TRAFFIC_RAIL_ALIGNED_RING_H

#include "traffic/model/fast-divider.h"

#include <cstdint>

namespace fab::traffic
{

/**
 * The ring order of RailAlignedRingOrder (collective.h) one position at a time, both ways, so that
 * a ring over thousands of ranks needs no list of them. Built once per ring: it divides by the
 * server's ranks with a FastDivider.
 */
class RailAlignedRing
{
public:
    RailAlignedRing(std::uint32_t ranks, std::uint32_t ranksPerServer, std::uint32_t channel);

    /** False when the order is plain 0, 1, ..., n − 1. */
    bool Snakes() const { return m_snakes; }
    std::uint32_t RankAt(std::uint32_t position) const;
    std::uint32_t PositionOf(std::uint32_t rank) const;

private:
    std::uint32_t m_local;
    std::uint32_t m_shift; ///< channel mod the server's ranks
    bool m_snakes;
    FastDivider m_byLocal;
};

} // namespace fab::traffic

#endif
