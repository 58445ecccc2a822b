#include "traffic/model/task-generator.h"

namespace fab::traffic
{

TaskGenerator::TaskGenerator(Schedule& schedule, BeginCallback begin)
: m_schedule(schedule)
, m_begin(std::move(begin))
{
}

void
TaskGenerator::Start()
{
    m_schedule.EmitRoots();
    std::vector<TaskId> roots;
    m_schedule.Roots(roots);
    for (auto id : roots)
    {
        m_begin(id);
    }
}

void
TaskGenerator::End(TaskId id)
{
    m_schedule.Settle(id);
    if (m_depth == m_lists.size())
    {
        m_lists.emplace_back();
    }
    std::size_t level = m_depth++;
    // Indexed, not held by reference: an End nested in m_begin uses the next list.
    m_lists[level].clear();
    m_schedule.DependentsOf(id, m_lists[level]);
    m_schedule.Release(id);
    for (std::size_t k = 0; k < m_lists[level].size(); ++k)
    {
        TaskId next = m_lists[level][k];
        std::uint32_t* waiting = m_waiting.Find(next);
        if (waiting == nullptr)
        {
            std::uint32_t count = m_schedule.DependencyCount(next);
            if (count > 1)
            {
                m_waiting.Insert(next, count - 1);
                continue;
            }
        }
        else if (--*waiting > 0)
        {
            continue;
        }
        else
        {
            m_waiting.Erase(next);
        }
        m_begin(next);
    }
    --m_depth;
    // Counted last, as a task's dependents are begun before it is counted done.
    ++m_ended;
}

void
TaskGenerator::EndTransfersOf(TaskId first)
{
    auto view = m_schedule.CollectiveOf(first);
    if (!view || view->first != first)
    {
        return;
    }
    const CollectivePlan& plan = *view->plan;
    TaskId joins = first + plan.Transfers();
    // Listed before any begins: a join that ends at once may release the collective and its plan.
    // A rank without transfers joined when it was ready.
    std::vector<TaskId> begin;
    for (std::uint32_t rank = 0; rank < plan.Ranks(); ++rank)
    {
        if (plan.TransfersOf(rank) > 0)
        {
            begin.push_back(joins + rank);
        }
    }
    // Counted first: no join can end before them, so the iteration cannot look finished early.
    m_ended += plan.Transfers();
    m_schedule.ReleaseTransfers(first);
    for (auto join : begin)
    {
        m_begin(join);
    }
}

bool
TaskGenerator::Finished() const
{
    return m_schedule.Complete() && m_ended == m_schedule.Appended();
}

} // namespace fab::traffic
