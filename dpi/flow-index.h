#ifndef FABRICSCOPE_DPI_FLOW_INDEX_H
#define FABRICSCOPE_DPI_FLOW_INDEX_H

#include <cstdint>
#include <vector>

namespace fab::dpi
{

/**
 * An open-addressing hash index from a key's 64-bit hash to a position in the caller's table
 * (linear probing, power-of-two capacity, at most half full). It stores no keys: the caller
 * confirms a candidate by comparing its own stored key, which it is about to touch anyway, so a
 * lookup costs one cache line of slots and the entry itself. Positions are never removed.
 */
class FlowIndex
{
public:
    static constexpr std::uint32_t kNone = 0xFFFFFFFF;

    /** The position whose key `matches` (called with a candidate position), or kNone. */
    template <typename Matches>
    std::uint32_t Find(std::uint64_t hash, Matches matches) const
    {
        if (m_slots.empty())
        {
            return kNone;
        }
        for (std::size_t i = hash & m_mask;; i = (i + 1) & m_mask)
        {
            const Slot& slot = m_slots[i];
            if (slot.position == kNone)
            {
                return kNone;
            }
            if (slot.hash == hash && matches(slot.position))
            {
                return slot.position;
            }
        }
    }

    /** Adds a position for a key known not to be present. */
    void Insert(std::uint64_t hash, std::uint32_t position)
    {
        if ((m_count + 1) * 2 > m_slots.size())
        {
            Grow();
        }
        Place(hash, position);
        ++m_count;
    }

    std::size_t Size() const { return m_count; }

private:
    struct Slot
    {
        std::uint64_t hash{0};
        std::uint32_t position{kNone};
    };

    void Place(std::uint64_t hash, std::uint32_t position)
    {
        std::size_t i = hash & m_mask;
        while (m_slots[i].position != kNone)
        {
            i = (i + 1) & m_mask;
        }
        m_slots[i] = Slot{hash, position};
    }

    void Grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
        m_mask = m_slots.size() - 1;
        for (const Slot& slot : old)
        {
            if (slot.position != kNone)
            {
                Place(slot.hash, slot.position);
            }
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask{0};
    std::size_t m_count{0};
};

} // namespace fab::dpi

#endif
