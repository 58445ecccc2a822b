#ifndef FABRICSCOPE_TRAFFIC_TASK_GENERATOR_H
#define FABRICSCOPE_TRAFFIC_TASK_GENERATOR_H

#include "traffic/model/schedule.h"
#include "traffic/model/wait-counts.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace fab::traffic
{

/**
 * One iteration of a schedule under way: yields each task once every task it waits for has
 * ended, which is all an engine (packet or flow) needs to run a schedule. It holds a count for
 * each task some but not all of whose dependencies have ended, and nothing for the rest: a ring
 * over n ranks and c channels holds O(n × c) whatever its length; a direct All-to-All, whose
 * sends are all posted at once, O(n²) while they are in flight. A streamed schedule is emitted as
 * far as the tasks yielded need and released behind them.
 *
 * The order is the one an expanded DAG gives: Start begins the tasks without dependencies in id
 * order; End goes through the ended task's dependents in id order and begins each whose last
 * dependency that was, before looking at the next. `begin` may end the task at once (a task that
 * takes no time), which re-enters End.
 */
class TaskGenerator
{
public:
    using BeginCallback = std::function<void(TaskId)>;

    TaskGenerator(Schedule& schedule, BeginCallback begin);
    TaskGenerator(const TaskGenerator&) = delete;
    TaskGenerator& operator=(const TaskGenerator&) = delete;

    void Start();
    void End(TaskId id);
    /**
     * Ends at once every transfer of the collective whose transfer 0 is `first`, none of which
     * has ended, and begins each rank's join: for an engine that moves a collective's transfers
     * as a whole once its roots have all begun. Its transfers that are not roots must not have
     * begun, which holds while none of them has ended.
     */
    void EndTransfersOf(TaskId first);
    /** Every task of the iteration has ended. */
    bool Finished() const;
    std::uint64_t Ended() const { return m_ended; }
    /** Tasks waiting with some of their dependencies ended. */
    std::size_t Waiting() const { return m_waiting.Size(); }

private:
    Schedule& m_schedule;
    BeginCallback m_begin;
    WaitCounts m_waiting;
    /** Dependents being walked, one list per End on the stack. */
    std::deque<std::vector<TaskId>> m_lists;
    std::size_t m_depth{0};
    std::uint64_t m_ended{0};
};

} // namespace fab::traffic

#endif
