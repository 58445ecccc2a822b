#ifndef FABRICSCOPE_FABRIC_EVENT_QUEUE_H
#define FABRICSCOPE_FABRIC_EVENT_QUEUE_H

#include "fabric/model/ring-queue.h"

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace ns3::fabric
{

/**
 * A priority queue (smallest first) for a simulation's pending events, whose keys must be
 * unique. Most pending events of a packet simulation are timers a fixed delay ahead (a
 * retransmit timeout per acknowledgement, cancelled and re-armed long before it is due); they
 * arrive in key order, so an element no smaller than the last one appended goes to the back of
 * a sorted run in O(1), and only the others to a binary heap, which stays as small as the events
 * due soon. The smallest element is the smaller of the run's front and the heap's top, so the
 * order is the one any priority queue gives.
 */
template <typename T, typename Less = std::less<T>>
class EventQueue
{
public:
    bool Empty() const { return m_run.Empty() && m_heap.empty(); }
    std::size_t Size() const { return m_run.Size() + m_heap.size(); }
    /** Elements in the sorted run and in the heap: how the queue splits its load. */
    std::size_t RunSize() const { return m_run.Size(); }
    std::size_t HeapSize() const { return m_heap.size(); }

    void Push(const T& value)
    {
        if (m_run.Empty() || !m_less(value, m_run.Back()))
        {
            m_run.PushBack(value);
            return;
        }
        m_heap.push_back(value);
        SiftUp(m_heap.size() - 1);
    }

    /** The smallest element; the queue must not be empty. */
    const T& Top() const { return TopInRun() ? m_run.Front() : m_heap.front(); }

    /** Removes and returns the smallest element; the queue must not be empty. */
    T Pop()
    {
        if (TopInRun())
        {
            T top = m_run.Front();
            m_run.PopFront();
            return top;
        }
        T top = m_heap.front();
        RemoveFromHeap(0);
        return top;
    }

    /** Removes the element equal to `value` (neither less than the other); false if none is. */
    bool Remove(const T& value)
    {
        std::size_t low = 0;
        std::size_t high = m_run.Size();
        while (low < high)
        {
            std::size_t middle = low + (high - low) / 2;
            if (m_less(m_run[middle], value))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        if (low < m_run.Size() && !m_less(value, m_run[low]))
        {
            // Rare (ns-3 removes an event only on Simulator::Remove): shift the front up a slot.
            for (std::size_t i = low; i > 0; --i)
            {
                m_run[i] = std::move(m_run[i - 1]);
            }
            m_run.PopFront();
            return true;
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
    bool TopInRun() const
    {
        return m_heap.empty() || (!m_run.Empty() && m_less(m_run.Front(), m_heap.front()));
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

    RingQueue<T> m_run; ///< sorted: each element no smaller than the one before
    std::vector<T> m_heap;
    Less m_less;
};

} // namespace ns3::fabric

#endif
