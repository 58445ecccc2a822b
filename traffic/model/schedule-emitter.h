#ifndef FABRICSCOPE_TRAFFIC_SCHEDULE_EMITTER_H
#define FABRICSCOPE_TRAFFIC_SCHEDULE_EMITTER_H

#include <cstdint>
#include <memory>

namespace fab::traffic
{

class Schedule;
using TaskId = std::uint64_t;

/**
 * Appends one iteration's tasks to a Schedule a part at a time (a training job: one pass of one
 * stage, layer by layer), so that a run holds the part under way and not the whole iteration.
 * Parts come in task-id order; a task only ever waits for tasks appended before it.
 */
class ScheduleEmitter
{
public:
    virtual ~ScheduleEmitter() = default;

    /** Appends the next part; false once everything has been appended. */
    virtual bool EmitNext(Schedule& schedule) = 0;
    /** Whether a task still to be appended may wait for task `id`, which runs on `rank`. */
    virtual bool MayBeWaitedFor(TaskId id, std::uint32_t rank) const = 0;
    /** Whether every task that waits for nothing has been appended: they are each rank's first,
     *  so they come early. */
    virtual bool RootsEmitted() const = 0;
    /** A copy in the same state. */
    virtual std::unique_ptr<ScheduleEmitter> Clone() const = 0;
    /** A copy at its start, to emit the iteration again. */
    virtual std::unique_ptr<ScheduleEmitter> Restarted() const = 0;
};

} // namespace fab::traffic

#endif
