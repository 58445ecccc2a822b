#include "traffic/model/wait-counts.h"

#include <limits>

namespace fab::traffic
{
namespace
{

/** No task has this id (it is kNoTask). */
constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();

} // namespace

std::size_t
WaitCounts::Home(std::uint64_t id) const
{
    // Fibonacci hashing: ids of one step are consecutive, and this spreads them.
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> 32) & (m_slots.size() - 1);
}

std::uint32_t*
WaitCounts::Find(std::uint64_t id)
{
    if (m_size == 0)
    {
        return nullptr;
    }
    for (std::size_t i = Home(id);; i = (i + 1) & (m_slots.size() - 1))
    {
        if (m_slots[i].id == id)
        {
            return &m_slots[i].count;
        }
        if (m_slots[i].id == kEmpty)
        {
            return nullptr;
        }
    }
}

void
WaitCounts::Insert(std::uint64_t id, std::uint32_t count)
{
    if (2 * (m_size + 1) > m_slots.size())
    {
        Grow();
    }
    std::size_t i = Home(id);
    while (m_slots[i].id != kEmpty)
    {
        i = (i + 1) & (m_slots.size() - 1);
    }
    m_slots[i] = Slot{id, count};
    ++m_size;
}

void
WaitCounts::Erase(std::uint64_t id)
{
    std::size_t mask = m_slots.size() - 1;
    std::size_t hole = Home(id);
    while (m_slots[hole].id != id)
    {
        hole = (hole + 1) & mask;
    }
    // Shift back every entry after the hole whose home is not between the hole and it.
    for (std::size_t i = (hole + 1) & mask; m_slots[i].id != kEmpty; i = (i + 1) & mask)
    {
        std::size_t home = Home(m_slots[i].id);
        bool between = hole < i ? (hole < home && home <= i) : (hole < home || home <= i);
        if (!between)
        {
            m_slots[hole] = m_slots[i];
            hole = i;
        }
    }
    m_slots[hole].id = kEmpty;
    --m_size;
}

void
WaitCounts::Grow()
{
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.empty() ? 64 : 2 * old.size(), Slot{kEmpty, 0});
    m_size = 0;
    for (const auto& slot : old)
    {
        if (slot.id != kEmpty)
        {
            Insert(slot.id, slot.count);
        }
    }
}

} // namespace fab::traffic
