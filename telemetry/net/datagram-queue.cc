#include "telemetry/net/datagram-queue.h"

#include <algorithm>
#include <stdexcept>

namespace fab::telemetry
{

DatagramQueue::DatagramQueue(std::size_t capacity, std::size_t bufferBytes)
: m_capacity(capacity)
, m_bufferBytes(bufferBytes)
{
    if (capacity == 0 || capacity > UINT32_MAX || bufferBytes == 0)
    {
        throw std::invalid_argument("a datagram queue needs at least one buffer of one byte");
    }
    m_pool.reset(new std::uint8_t[capacity * bufferBytes]);
    m_free.resize(capacity);
    m_ready.resize(capacity);
    for (std::size_t i = 0; i < capacity; ++i)
    {
        PushFree(static_cast<std::uint32_t>(capacity - 1 - i)); // buffer 0 on top
    }
}

std::size_t
DatagramQueue::TakeFree(std::uint32_t* ids, std::size_t wanted)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::size_t taken = std::min(wanted, m_freeCount);
    for (std::size_t i = 0; i < taken; ++i)
    {
        ids[i] = m_free[--m_freeCount];
    }
    m_takenCount += taken;
    return taken;
}

void
DatagramQueue::Submit(const std::uint32_t* ids, const bool* ready, std::size_t count)
{
    bool any = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_takenCount -= count;
        for (std::size_t i = 0; i < count; ++i)
        {
            if (ready[i])
            {
                m_ready[(m_readyHead + m_readyCount) % m_capacity] = ids[i];
                ++m_readyCount;
                any = true;
            }
            else
            {
                PushFree(ids[i]);
            }
        }
        UpdateDepth();
    }
    if (any)
    {
        m_readyCondition.notify_one();
    }
}

std::size_t
DatagramQueue::WaitForReady(std::uint32_t* ids, std::size_t most)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_readyCondition.wait(lock, [this] { return m_readyCount > 0 || m_finished; });
    if (m_finished && (m_discarding.load() || m_readyCount == 0))
    {
        m_discarded.fetch_add(m_readyCount, std::memory_order_relaxed);
        for (; m_readyCount > 0; --m_readyCount)
        {
            PushFree(m_ready[m_readyHead]);
            m_readyHead = (m_readyHead + 1) % m_capacity;
        }
        UpdateDepth();
        return 0;
    }
    std::size_t count = std::min(m_readyCount, most);
    for (std::size_t i = 0; i < count; ++i)
    {
        ids[i] = m_ready[m_readyHead];
        m_readyHead = (m_readyHead + 1) % m_capacity;
    }
    m_readyCount -= count;
    return count;
}

void
DatagramQueue::Release(const std::uint32_t* ids, std::size_t count, std::size_t discarded)
{
    m_discarded.fetch_add(discarded, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(m_mutex);
    for (std::size_t i = 0; i < count; ++i)
    {
        PushFree(ids[i]);
    }
    UpdateDepth();
}

void
DatagramQueue::Discard()
{
    m_discarding.store(true);
}

void
DatagramQueue::Finish(bool discardReady)
{
    if (discardReady)
    {
        m_discarding.store(true);
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_finished = true;
    }
    m_readyCondition.notify_all();
}

void
DatagramQueue::UpdateDepth()
{
    // Called with m_mutex held, so depth and maximum move together.
    std::size_t depth = m_capacity - m_freeCount - m_takenCount;
    m_depth.store(depth, std::memory_order_relaxed);
    if (depth > m_maxDepth.load(std::memory_order_relaxed))
    {
        m_maxDepth.store(depth, std::memory_order_relaxed);
    }
}

} // namespace fab::telemetry
