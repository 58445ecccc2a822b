#ifndef FABRICSCOPE_FABRIC_RING_QUEUE_H
#define FABRICSCOPE_FABRIC_RING_QUEUE_H

#include <cstdint>
#include <memory>
#include <utility>

namespace ns3::fabric
{

/**
 * A first-in first-out queue on a ring of slots that doubles when full and is allocated with its
 * first element. A std::deque allocates a block of 512 bytes and its map as it is constructed:
 * nine of them made an idle port cost 5 KiB, and every idle queue pair and host port half a KiB.
 * Here an idle queue is 24 bytes and nothing on the heap.
 */
template <typename T>
class RingQueue
{
public:
    RingQueue() = default;
    RingQueue(const RingQueue& other) { *this = other; }
    RingQueue(RingQueue&& other) noexcept { *this = std::move(other); }
    RingQueue& operator=(const RingQueue& other)
    {
        if (this != &other)
        {
            Clear();
            Reserve(other.m_size);
            for (std::uint32_t i = 0; i < other.m_size; ++i)
            {
                PushBack(other[i]);
            }
        }
        return *this;
    }
    RingQueue& operator=(RingQueue&& other) noexcept
    {
        m_slots = std::move(other.m_slots);
        m_capacity = std::exchange(other.m_capacity, 0);
        m_head = std::exchange(other.m_head, 0);
        m_size = std::exchange(other.m_size, 0);
        return *this;
    }

    bool Empty() const { return m_size == 0; }
    std::size_t Size() const { return m_size; }
    /** Slots allocated: 0 until the first element. */
    std::size_t Capacity() const { return m_capacity; }
    /** The i-th element from the front. */
    const T& operator[](std::size_t i) const { return m_slots[(m_head + i) & (m_capacity - 1)]; }
    T& operator[](std::size_t i) { return m_slots[(m_head + i) & (m_capacity - 1)]; }
    const T& Front() const { return m_slots[m_head]; }
    T& Front() { return m_slots[m_head]; }
    const T& Back() const { return (*this)[m_size - 1]; }
    T& Back() { return (*this)[m_size - 1]; }

    void PushBack(T value)
    {
        Reserve(m_size + 1);
        m_slots[(m_head + m_size) & (m_capacity - 1)] = std::move(value);
        ++m_size;
    }
    void PopFront()
    {
        m_slots[m_head] = T{};
        m_head = (m_head + 1) & (m_capacity - 1);
        --m_size;
    }
    /** Empties the queue; its slots stay for the next elements. */
    void Clear()
    {
        while (!Empty())
        {
            PopFront();
        }
        m_head = 0;
    }

private:
    static constexpr std::uint32_t kFirstCapacity = 4;

    /** Room for at least `count` elements; growing puts them in order from slot 0. */
    void Reserve(std::uint32_t count)
    {
        if (count <= m_capacity)
        {
            return;
        }
        std::uint32_t capacity = m_capacity == 0 ? kFirstCapacity : m_capacity;
        while (capacity < count)
        {
            capacity *= 2;
        }
        auto slots = std::make_unique<T[]>(capacity);
        for (std::uint32_t i = 0; i < m_size; ++i)
        {
            slots[i] = std::move((*this)[i]);
        }
        m_slots = std::move(slots);
        m_capacity = capacity;
        m_head = 0;
    }

    std::unique_ptr<T[]> m_slots;
    std::uint32_t m_capacity{0}; ///< a power of two, or 0 before the first element
    std::uint32_t m_head{0};
    std::uint32_t m_size{0};
};

} // namespace ns3::fabric

#endif
