#ifndef FABRICSCOPE_FABRIC_KEY_INDEX_H
#define FABRICSCOPE_FABRIC_KEY_INDEX_H

#include <cstdint>
#include <vector>

namespace ns3::fabric
{

/**
 * An index from 64-bit keys to positions in the caller's table, in one flat array (open
 * addressing, linear probing, power-of-two capacity, at most half full). The per-packet and
 * per-transfer lookups of a run ((peer, QP) → queue pair, (group, rank) → span) go through it: a
 * node-based map allocates an entry and chases pointers for each, and a tree also compares its
 * way down log(n) levels. Positions are never removed, only all at once.
 */
class KeyIndex
{
public:
    static constexpr std::uint32_t kNone = 0xFFFFFFFF;

    /** The position stored for `key`, or kNone. */
    std::uint32_t Find(std::uint64_t key) const
    {
        if (m_count == 0)
        {
            return kNone;
        }
        for (std::size_t i = Home(key);; i = (i + 1) & m_mask)
        {
            const Slot& slot = m_slots[i];
            if (slot.position == kNone || slot.key == key)
            {
                return slot.position;
            }
        }
    }

    /** Stores `position` for a key that is not in the index. */
    void Insert(std::uint64_t key, std::uint32_t position)
    {
        if ((m_count + 1) * 2 > m_slots.size())
        {
            Grow();
        }
        Place(key, position);
        ++m_count;
    }

    /** Stores `position` for `key`, in place of the one it had if any. */
    void Assign(std::uint64_t key, std::uint32_t position)
    {
        if (m_count != 0)
        {
            for (std::size_t i = Home(key); m_slots[i].position != kNone; i = (i + 1) & m_mask)
            {
                if (m_slots[i].key == key)
                {
                    m_slots[i].position = position;
                    return;
                }
            }
        }
        Insert(key, position);
    }

    std::size_t Size() const { return m_count; }

    /** Forgets every key; the slots stay allocated for the next ones. */
    void Clear()
    {
        if (m_count != 0)
        {
            m_slots.assign(m_slots.size(), Slot{});
            m_count = 0;
        }
    }

private:
    struct Slot
    {
        std::uint64_t key{0};
        std::uint32_t position{kNone};
    };

    static constexpr std::size_t kFirstCapacity = 16;

    std::size_t Home(std::uint64_t key) const
    {
        // Fibonacci hashing: keys that differ in low bits only (consecutive QPs or ranks of one
        // peer or group) spread over the table.
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> m_shift);
    }

    void Place(std::uint64_t key, std::uint32_t position)
    {
        std::size_t i = Home(key);
        while (m_slots[i].position != kNone)
        {
            i = (i + 1) & m_mask;
        }
        m_slots[i] = Slot{key, position};
    }

    void Grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        std::size_t capacity = old.empty() ? kFirstCapacity : old.size() * 2;
        m_slots.assign(capacity, Slot{});
        m_mask = capacity - 1;
        m_shift = 64;
        for (std::size_t c = capacity; c > 1; c /= 2)
        {
            --m_shift;
        }
        for (const Slot& slot : old)
        {
            if (slot.position != kNone)
            {
                Place(slot.key, slot.position);
            }
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask{0};
    unsigned m_shift{64};
    std::size_t m_count{0};
};

} // namespace ns3::fabric

#endif
