#include "traffic/model/rail-aligned-ring.h"

namespace fab::traffic
{

bool
RailAlignedRing::Snakes() const
{
    std::uint32_t local = ranksPerServer;
    return local > 1 && ranks % local == 0 && ranks != local;
}

std::uint32_t
RailAlignedRing::RankAt(std::uint32_t position) const
{
    if (!Snakes())
    {
        return position;
    }
    std::uint32_t local = ranksPerServer;
    std::uint32_t server = position / local;
    std::uint32_t j = position % local;
    std::uint32_t gpu = server % 2 == 0 ? j : local - 1 - j;
    return server * local + (channel + gpu) % local;
}

std::uint32_t
RailAlignedRing::PositionOf(std::uint32_t rank) const
{
    if (!Snakes())
    {
        return rank;
    }
    std::uint32_t local = ranksPerServer;
    std::uint32_t server = rank / local;
    std::uint32_t gpu = (rank % local + local - channel % local) % local;
    std::uint32_t j = server % 2 == 0 ? gpu : local - 1 - gpu;
    return server * local + j;
}

} // namespace fab::traffic
