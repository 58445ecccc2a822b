// The streamed side of Schedule: emitting an iteration part by part, and dropping what a run is
// done with.
#include "traffic/model/schedule.h"

#include <algorithm>

namespace fab::traffic
{

TaskId
Schedule::TaskCount() const
{
    if (!Streamed())
    {
        return m_next;
    }
    if (m_taskCount == kNoTask)
    {
        // Emitted once into a schedule that keeps nothing but the ids: the time the run's own
        // emission takes, and no memory.
        Schedule counter(m_serverOfRank, m_scaleUp);
        counter.m_counting = true;
        auto emitter = m_start->Clone();
        while (emitter->EmitNext(counter))
        {
        }
        m_taskCount = counter.m_next;
    }
    return m_taskCount;
}

bool
Schedule::EmitNext()
{
    if (m_emitter == nullptr || m_emitterDone)
    {
        return false;
    }
    m_emitterDone = !m_emitter->EmitNext(*this);
    return true;
}

void
Schedule::EmitAll()
{
    while (EmitNext())
    {
    }
}

void
Schedule::EmitRoots()
{
    while (m_emitter != nullptr && !m_emitterDone && !m_emitter->RootsEmitted())
    {
        EmitNext();
    }
}

std::uint32_t
Schedule::RankOf(TaskId id) const
{
    const CollectiveBlock* block = BlockOf(id);
    if (block == nullptr)
    {
        return ExplicitTask(id)->src;
    }
    return m_groups[block->group].ranks[id - block->Joins()];
}

void
Schedule::Settle(TaskId id)
{
    if (m_emitter == nullptr || m_emitterDone)
    {
        return;
    }
    const CollectiveBlock* block = BlockOf(id);
    if (block != nullptr && id < block->Joins())
    {
        return; // only the collective's own tasks wait for a transfer
    }
    std::uint32_t rank = RankOf(id);
    while (!m_emitterDone && m_emitter->MayBeWaitedFor(id, rank))
    {
        EmitNext();
    }
}

void
Schedule::Release(TaskId id)
{
    if (!Streamed())
    {
        return;
    }
    m_dependents.erase(id);
    m_hooks.erase(id);
    auto block
        = std::upper_bound(m_blocks.begin(),
                           m_blocks.end(),
                           id,
                           [](TaskId value, const CollectiveBlock& b) { return value < b.first; });
    if (block != m_blocks.begin() && id < std::prev(block)->End())
    {
        ++std::prev(block)->released;
    }
    else
    {
        auto task = std::lower_bound(m_tasks.begin(),
                                     m_tasks.end(),
                                     id,
                                     [](const Task& t, TaskId value) { return t.id < value; });
        m_taskReleased[static_cast<std::size_t>(task - m_tasks.begin())] = true;
    }
    PopReleased();
}

void
Schedule::ReleaseTransfers(TaskId first)
{
    if (!Streamed())
    {
        return;
    }
    auto block
        = std::lower_bound(m_blocks.begin(),
                           m_blocks.end(),
                           first,
                           [](const CollectiveBlock& b, TaskId value) { return b.first < value; });
    if (block != m_blocks.end() && block->first == first)
    {
        block->released += block->plan->Transfers();
        PopReleased();
    }
}

void
Schedule::PopReleased()
{
    // Oldest first, so that lookups stay binary searches; a long-lived task holds the ones after
    // it until it goes.
    while (!m_tasks.empty() && m_taskReleased.front())
    {
        m_tasks.pop_front();
        m_taskReleased.pop_front();
    }
    while (!m_blocks.empty()
           && m_blocks.front().released == m_blocks.front().End() - m_blocks.front().first)
    {
        m_blocks.pop_front();
    }
}

void
Schedule::Restart()
{
    if (!Streamed())
    {
        return;
    }
    m_next = 0;
    m_nextGroup = 0;
    m_tasks.clear();
    m_taskReleased.clear();
    m_blocks.clear();
    m_dependents.clear();
    m_hooks.clear();
    m_emitter = m_start->Clone();
    m_emitterDone = false;
}

} // namespace fab::traffic
