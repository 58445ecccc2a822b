#ifndef FABRICSCOPE_FABRIC_EVENT_QUEUE_H
#define FABRICSCOPE_FABRIC_EVENT_QUEUE_H

#include "fabric/model/ring-queue.h"

#include <array>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace ns3::fabric
{

/**
 * A priority queue (smallest first) for a simulation's pending events, whose keys must be
 * unique. A packet simulation schedules most events a fixed delay ahead of now: retransmit
 * timers a timeout ahead (one per acknowledgement, cancelled and re-armed long before they are
 * due), frame arrivals a serialisation and propagation time ahead, scale-up transfers their
 * NVLink time. Events of one delay arrive in key order, so an element goes to the back of one of
 * a few sorted runs in O(1): the run whose last element is the largest one not above it (so runs
 * stay apart, one per delay); only an element smaller than every run's last one goes to a binary
 * heap, which stays nearly empty. The smallest element is the smallest of the runs' fronts and
 * the heap's top, so the order is the one any priority queue gives.
 */
template <typename T, typename Less = std::less<T>>
class EventQueue
{
public:
    /** Sorted runs: the fabric's runs need 8 to keep the heap nearly empty (a 1,024-GPU ring
     *  on roce-10k-rail: 9 events in it on average, against 5,200 with one run). */
    static constexpr std::size_t kRuns = 8;

    bool Empty() const { return Size() == 0; }
    std::size_t Size() const { return RunSize() + m_heap.size(); }
    /** Elements in the sorted runs and in the heap: how the queue splits its load. */
    std::size_t RunSize() const
    {
        std::size_t size = 0;
        for (const auto& run : m_runs)
        {
            size += run.Size();
        }
        return size;
    }
    std::size_t HeapSize() const { return m_heap.size(); }

    void Push(const T& value)
    {
        std::size_t best = kRuns;
        std::size_t empty = kRuns;
        for (std::size_t r = 0; r < kRuns; ++r)
        {
            const RingQueue<T>& run = m_runs[r];
            if (run.Empty())
            {
                empty = empty == kRuns ? r : empty;
            }
            else if (!m_less(value, run.Back())
                     && (best == kRuns || m_less(m_runs[best].Back(), run.Back())))
            {
                best = r;
            }
        }
        best = best == kRuns ? empty : best;
        if (best != kRuns)
        {
            m_runs[best].PushBack(value);
            return;
        }
        m_heap.push_back(value);
        SiftUp(m_heap.size() - 1);
    }

    /** The smallest element; the queue must not be empty. */
    const T& Top() const
    {
        std::size_t run = SmallestRun();
        return run == kRuns ? m_heap.front() : m_runs[run].Front();
    }

    /** Removes and returns the smallest element; the queue must not be empty. */
    T Pop()
    {
        std::size_t run = SmallestRun();
        if (run != kRuns)
        {
            T top = m_runs[run].Front();
            m_runs[run].PopFront();
            return top;
        }
        T top = m_heap.front();
        RemoveFromHeap(0);
        return top;
    }

    /** Removes the element equal to `value` (neither less than the other); false if none is. */
    bool Remove(const T& value)
    {
        for (auto& run : m_runs)
        {
            if (RemoveFromRun(run, value))
            {
                return true;
            }
        }
        for (std::size_t i = 0; i < m_heap.size(); ++i)
        {
            if (!m_less(m_heap[i], value) && !m_less(value, m_heap[i]))
            {
                RemoveFromHeap(i);
                return true;
            }
        }
        return false;
    }

private:
    /** The run whose front is the smallest element, or kRuns if the heap's top is. */
    std::size_t SmallestRun() const
    {
        std::size_t smallest = kRuns;
        for (std::size_t r = 0; r < kRuns; ++r)
        {
            if (!m_runs[r].Empty()
                && (smallest == kRuns || m_less(m_runs[r].Front(), m_runs[smallest].Front())))
            {
                smallest = r;
            }
        }
        if (smallest != kRuns && !m_heap.empty()
            && m_less(m_heap.front(), m_runs[smallest].Front()))
        {
            return kRuns;
        }
        return smallest;
    }

    bool RemoveFromRun(RingQueue<T>& run, const T& value)
    {
        std::size_t low = 0;
        std::size_t high = run.Size();
        while (low < high)
        {
            std::size_t middle = low + (high - low) / 2;
            if (m_less(run[middle], value))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        if (low == run.Size() || m_less(value, run[low]))
        {
            return false;
        }
        // Rare (ns-3 removes an event only on Simulator::Remove): shift the front up a slot.
        for (std::size_t i = low; i > 0; --i)
        {
            run[i] = std::move(run[i - 1]);
        }
        run.PopFront();
        return true;
    }

    void SiftUp(std::size_t hole)
    {
        T value = std::move(m_heap[hole]);
        while (hole > 0)
        {
            std::size_t parent = (hole - 1) / 2;
            if (!m_less(value, m_heap[parent]))
            {
                break;
            }
            m_heap[hole] = std::move(m_heap[parent]);
            hole = parent;
        }
        m_heap[hole] = std::move(value);
    }

    void SiftDown(std::size_t hole)
    {
        T value = std::move(m_heap[hole]);
        std::size_t size = m_heap.size();
        while (true)
        {
            std::size_t child = 2 * hole + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && m_less(m_heap[child + 1], m_heap[child]))
            {
                ++child;
            }
            if (!m_less(m_heap[child], value))
            {
                break;
            }
            m_heap[hole] = std::move(m_heap[child]);
            hole = child;
        }
        m_heap[hole] = std::move(value);
    }

    /** Puts the last element in slot i and restores the heap around it. */
    void RemoveFromHeap(std::size_t i)
    {
        T last = std::move(m_heap.back());
        m_heap.pop_back();
        if (i == m_heap.size())
        {
            return;
        }
        m_heap[i] = std::move(last);
        if (i > 0 && m_less(m_heap[i], m_heap[(i - 1) / 2]))
        {
            SiftUp(i);
        }
        else
        {
            SiftDown(i);
        }
    }

    std::array<RingQueue<T>, kRuns> m_runs; ///< each sorted: no element below the one before
    std::vector<T> m_heap;
    Less m_less;
};

} // namespace ns3::fabric

#endif
