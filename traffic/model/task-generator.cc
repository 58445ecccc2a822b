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
        auto [waiting, fresh] = m_waiting.try_emplace(next, 0);
        if (fresh)
        {
            waiting->second = m_schedule.DependencyCount(next);
        }
        if (--waiting->second == 0)
        {
            m_waiting.erase(waiting);
            m_begin(next);
        }
    }
    --m_depth;
    // Counted last, as a task's dependents are begun before it is counted done.
    ++m_ended;
}

bool
TaskGenerator::Finished() const
{
    return m_schedule.Complete() && m_ended == m_schedule.Appended();
}

} // namespace fab::traffic
