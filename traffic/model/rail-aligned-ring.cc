#include "traffic/model/rail-aligned-ring.h"

#include <algorithm>

namespace fab::traffic
{

RailAlignedRing::RailAlignedRing(std::uint32_t ranks,
                                 std::uint32_t ranksPerServer,
                                 std::uint32_t channel)
: m_local(std::max(1u, ranksPerServer))
, m_shift(channel % m_local)
, m_snakes(m_local > 1 && ranks % m_local == 0 && ranks != m_local)
, m_byLocal(m_local)
{
}

std::uint32_t
RailAlignedRing::RankAt(std::uint32_t position) const
{
    if (!m_snakes)
    {
        return position;
    }
    auto server = static_cast<std::uint32_t>(m_byLocal.Quotient(position));
    std::uint32_t j = position - server * m_local;
    std::uint32_t gpu = server % 2 == 0 ? j : m_local - 1 - j;
    std::uint32_t shifted = gpu + m_shift;
    return server * m_local + (shifted >= m_local ? shifted - m_local : shifted);
}

std::uint32_t
RailAlignedRing::PositionOf(std::uint32_t rank) const
{
    if (!m_snakes)
    {
        return rank;
    }
    auto server = static_cast<std::uint32_t>(m_byLocal.Quotient(rank));
    std::uint32_t local = rank - server * m_local;
    std::uint32_t gpu = local >= m_shift ? local - m_shift : local + m_local - m_shift;
    std::uint32_t j = server % 2 == 0 ? gpu : m_local - 1 - gpu;
    return server * m_local + j;
}

} // namespace fab::traffic
