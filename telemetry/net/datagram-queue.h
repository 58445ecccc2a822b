#ifndef FABRICSCOPE_TELEMETRY_DATAGRAM_QUEUE_H
#define FABRICSCOPE_TELEMETRY_DATAGRAM_QUEUE_H

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace fab::telemetry
{

/**
 * A fixed pool of equal buffers between one producer and one consumer thread. A buffer is named
 * by its id; it is free, taken by the producer, ready (in a FIFO, in submission order) or held
 * by the consumer. Everything is allocated at construction: nothing per datagram.
 *
 * Producer: TakeFree, fill the buffers, Submit. Consumer: WaitForReady, use them, Release.
 * The depth (ready and held buffers) never exceeds the capacity: when nothing is free, TakeFree
 * gives nothing and the producer decides what to drop.
 */
class DatagramQueue
{
public:
    /** Throws std::invalid_argument when capacity or bufferBytes is 0. */
    DatagramQueue(std::size_t capacity, std::size_t bufferBytes);

    std::size_t Capacity() const { return m_capacity; }

    std::size_t BufferBytes() const { return m_bufferBytes; }

    std::uint8_t* Buffer(std::uint32_t id)
    {
        return m_pool.get() + std::size_t{id} * m_bufferBytes;
    }

    /** Up to `wanted` free buffer ids into `ids`; returns how many (0 when all are taken). */
    std::size_t TakeFree(std::uint32_t* ids, std::size_t wanted);

    /**
     * Hands back `count` taken ids: those with ready[i] join the FIFO in their order, the others
     * (unfilled, or holding something refused) return to the pool.
     */
    void Submit(const std::uint32_t* ids, const bool* ready, std::size_t count);

    /**
     * Waits for ready buffers and moves up to `most` of them to the consumer. Returns 0 only
     * once Finish was called and nothing is left to deliver: everything was, or Finish said
     * to discard it (then the ready ones go back to the pool, counted as discarded).
     */
    std::size_t WaitForReady(std::uint32_t* ids, std::size_t most);

    /** The consumer is done with `count` buffers, of which the last `discarded` went unused. */
    void Release(const std::uint32_t* ids, std::size_t count, std::size_t discarded);

    /**
     * From now on the consumer should not use what it holds or takes (it Releases it as
     * discarded), and Finish discards what is ready. Submit still works.
     */
    void Discard();

    /** No more Submit will come: WaitForReady drains what is ready, or discards it. */
    void Finish(bool discardReady);

    /** Discard or Finish(true) was called: a consumer holding buffers should drop them. */
    bool Discarding() const { return m_discarding.load(); }

    /** Datagrams queued or in the consumer's hands (not the producer's empty buffers). */
    std::size_t Depth() const { return m_depth.load(std::memory_order_relaxed); }

    std::size_t MaxDepth() const { return m_maxDepth.load(std::memory_order_relaxed); }

    /** Ready or held buffers dropped because of Finish(true). */
    std::uint64_t Discarded() const { return m_discarded.load(std::memory_order_relaxed); }

    std::size_t PoolBytes() const { return m_capacity * m_bufferBytes; }

private:
    void PushFree(std::uint32_t id) { m_free[m_freeCount++] = id; }
    void UpdateDepth();

    const std::size_t m_capacity;
    const std::size_t m_bufferBytes;
    // Default-initialized, so the pages of a buffer are touched only when it is first used.
    std::unique_ptr<std::uint8_t[]> m_pool;

    std::mutex m_mutex;
    std::condition_variable m_readyCondition;
    std::vector<std::uint32_t> m_free; // a stack: a short queue keeps reusing warm buffers
    std::size_t m_freeCount{0};
    std::size_t m_takenCount{0};        // by the producer, between TakeFree and Submit
    std::vector<std::uint32_t> m_ready; // a ring
    std::size_t m_readyHead{0};
    std::size_t m_readyCount{0};
    bool m_finished{false};

    std::atomic<bool> m_discarding{false};
    std::atomic<std::size_t> m_depth{0};
    std::atomic<std::size_t> m_maxDepth{0};
    std::atomic<std::uint64_t> m_discarded{0};
};

} // namespace fab::telemetry

#endif
