#ifndef FABRICSCOPE_TRAFFIC_SCHEDULE_H
#define FABRICSCOPE_TRAFFIC_SCHEDULE_H

#include "traffic/model/collective-plan.h"
#include "traffic/model/collective.h"
#include "traffic/model/schedule-emitter.h"

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fab::traffic
{

/** A task's place in its schedule: ids are a topological order. */
using TaskId = std::uint64_t;

/** No task: a rank with nothing to wait for. */
inline constexpr TaskId kNoTask = std::numeric_limits<TaskId>::max();

enum class TaskKind : std::uint8_t
{
    Transfer, ///< bytes from one rank to another: the fabric, or the scale-up link in a server
    Compute,  ///< a rank busy for a fixed time (zero: a join point)
    ScaleUp,  ///< a rank's share of a collective run wholly inside its server, timed in closed form
};

/** The scale-up (NVLink-class) link between GPUs of one server: a rate and a latency. */
struct ScaleUpLink
{
    std::uint64_t bitsPerSecond{3'600'000'000'000ULL}; ///< H100 NVLink: 450 GB/s per direction
    std::int64_t latencyNs{2'000};

    /** Time to move `bytes` in one step. */
    std::int64_t TransferNs(std::uint64_t bytes) const;
};

/** What a task does, without what it waits for. */
struct TaskView
{
    TaskId id{0};
    TaskKind kind{TaskKind::Compute};
    std::uint32_t src{0}; ///< rank; for compute and scale-up tasks, the rank that runs it
    std::uint32_t dst{0}; ///< rank; equals src unless a transfer
    std::uint64_t bytes{0};
    std::int64_t durationNs{0}; ///< compute and scale-up tasks
    std::uint32_t channel{0};
    std::uint32_t group{0}; ///< index into Schedule::Groups()
};

struct Task : TaskView
{
    std::vector<TaskId> dependsOn; ///< increasing
};

enum class GroupKind : std::uint8_t
{
    Compute,
    Collective,
};

/** What reports name: one collective call or one compute phase, with the tasks that make it. */
struct TaskGroup
{
    std::string name; ///< "fwd.layer3.tp-allreduce", "dp-bucket2"
    GroupKind kind{GroupKind::Compute};
    CollectiveOp op{CollectiveOp::AllReduce};
    std::string algorithm;            ///< "ring", "tree", ... (collectives)
    std::vector<std::uint32_t> ranks; ///< participating ranks, in collective order
    std::uint64_t bytes{0};           ///< buffer size S (nccl-tests' definition)
    /** The most bytes one rank sends to other servers: what bounds the collective's busbw. */
    std::uint64_t busiestSenderBytes{0};
};

/**
 * A job's work as one DAG over its ranks: compute phases, and collectives whose point-to-point
 * transfers follow a CollectivePlan. Task ids are a topological order. A collective takes the ids
 * of its plan's transfers and then one join per rank (done with it), but its transfers are never
 * stored: each one, what it waits for and what waits for it are asked of the plan when a run gets
 * to it. Ranks know their server, so a collective whose ranks share one server runs over the
 * scale-up link in closed form instead of as transfers.
 *
 * A schedule is complete (everything appended up front: small jobs and tests) or streamed: an
 * emitter appends it part by part while a run needs it, and the run releases what it is done
 * with (TaskGenerator drives both).
 */
class Schedule
{
public:
    /** `serverOfRank[r]`: the server rank r runs on. */
    Schedule(std::vector<std::uint32_t> serverOfRank, ScaleUpLink scaleUp = {});
    /** A streamed schedule: `emitter` appends its tasks as a run gets to them. */
    Schedule(std::vector<std::uint32_t> serverOfRank,
             ScaleUpLink scaleUp,
             std::unique_ptr<ScheduleEmitter> emitter);
    Schedule(const Schedule& other);
    Schedule(Schedule&& other) noexcept;
    Schedule& operator=(const Schedule& other);
    Schedule& operator=(Schedule&& other) noexcept;
    ~Schedule();

    std::uint32_t Ranks() const { return static_cast<std::uint32_t>(m_serverOfRank.size()); }
    std::uint32_t ServerOf(std::uint32_t rank) const { return m_serverOfRank.at(rank); }
    const ScaleUpLink& ScaleUp() const { return m_scaleUp; }
    /** The groups appended so far (a streamed schedule appends the same ones every iteration). */
    const std::vector<TaskGroup>& Groups() const { return m_groups; }

    std::uint32_t AddGroup(TaskGroup group);
    /** A compute task on `rank` after the tasks in `after` (kNoTask entries are skipped). */
    TaskId AddCompute(std::uint32_t group,
                      std::uint32_t rank,
                      std::int64_t durationNs,
                      const std::vector<TaskId>& after);
    /**
     * Appends a collective: local rank i of `plan` is rank `Groups()[group].ranks[i]`, and a
     * transfer with no dependency inside the plan waits for `ready[i]` of both its ends (as a real
     * collective waits until the receiver has posted its buffer). Returns, per local rank, a task
     * that completes when that rank is done with the collective.
     */
    std::vector<TaskId> AddCollective(std::uint32_t group,
                                      std::shared_ptr<const CollectivePlan> plan,
                                      const std::vector<TaskId>& ready);
    /** True when every rank of the group runs on one server. */
    bool WithinOneServer(const std::vector<std::uint32_t>& ranks) const;

    /** Ids handed out so far: every task of a complete schedule. */
    TaskId Appended() const { return m_next; }
    /** Tasks of the whole iteration; a streamed schedule counts them by emitting it once. */
    TaskId TaskCount() const;
    bool Streamed() const { return m_emitter != nullptr; }
    /** Whether the emitter has appended everything (always, for a complete schedule). */
    bool Complete() const { return m_emitter == nullptr || m_emitterDone; }

    /** Compute, join and scale-up tasks kept: appended and not released. */
    std::size_t HeldTasks() const { return m_tasks.size(); }
    /** Collectives kept as plans. */
    std::size_t HeldPlans() const { return m_blocks.size(); }
    std::size_t Held() const { return HeldTasks() + HeldPlans(); }
    /** A task appended and not released. */
    TaskView View(TaskId id) const;
    /** Where a transfer or join of a collective kept as a plan comes from: an engine that moves
     *  a phase's transfers together (a flow model) reads the plan's phases. */
    struct CollectiveView
    {
        TaskId first{0}; ///< the id of its transfer 0
        std::uint32_t group{0};
        const CollectivePlan* plan{nullptr};
    };
    /** The collective task `id` belongs to; nullopt for compute, join and scale-up tasks. */
    std::optional<CollectiveView> CollectiveOf(TaskId id) const;
    /** Appends what `id` waits for, increasing. */
    void DependenciesOf(TaskId id, std::vector<TaskId>& out) const;
    std::uint32_t DependencyCount(TaskId id) const;
    /** Appends the tasks that wait for `id`, increasing; for a streamed schedule only once
     *  Settle(id) has made sure no more will be appended. */
    void DependentsOf(TaskId id, std::vector<TaskId>& out) const;
    /** Appends the tasks that wait for nothing, increasing (EmitRoots first, if streamed). */
    void Roots(std::vector<TaskId>& out) const;
    /** Every task with its dependencies, as in a DAG: for complete schedules and tests. */
    std::vector<Task> ExpandTasks() const;
    /** Tasks whose ids are not all earlier than themselves: 0 in a well-formed schedule. */
    bool IsTopologicallyOrdered() const;

    /** Streamed: appends everything, as if it were complete (small schedules and tests). */
    void EmitAll();
    /** Streamed: appends until every task without dependencies is in. */
    void EmitRoots();
    /** Streamed: appends until no task still to come may wait for `id`. */
    void Settle(TaskId id);
    /** Streamed: the run is done with `id` (it ended and Settle was called for it). */
    void Release(TaskId id);
    /** Streamed: the run is done with every transfer of the collective whose transfer 0 is
     *  `first` (an engine that moved them all at once); its joins stay. */
    void ReleaseTransfers(TaskId first);
    /** Streamed: drops every task and starts emitting the iteration again (groups stay). */
    void Restart();

private:
    struct CollectiveBlock
    {
        TaskId first{0}; ///< its transfers are first, first + 1, ...; then a join per rank
        std::uint32_t group{0};
        std::shared_ptr<const CollectivePlan> plan;
        std::vector<TaskId> ready;
        std::uint64_t released{0};

        TaskId Joins() const { return first + plan->Transfers(); }
        TaskId End() const { return Joins() + plan->Ranks(); }
    };
    /** A collective block whose roots touching local rank `rank` wait for a task. */
    struct ReadyHook
    {
        TaskId block{0}; ///< its first id
        std::uint32_t rank{0};
    };

    TaskId Add(Task task);
    std::vector<TaskId> AddScaleUp(std::uint32_t group,
                                   const CollectivePlan& plan,
                                   const std::vector<TaskId>& ready);
    const CollectiveBlock* BlockOf(TaskId id) const;
    const Task* ExplicitTask(TaskId id) const;
    /** The rank a task that others may wait for runs on. */
    std::uint32_t RankOf(TaskId id) const;
    void PopReleased();
    bool EmitNext();

    std::vector<std::uint32_t> m_serverOfRank;
    ScaleUpLink m_scaleUp;
    std::vector<TaskGroup> m_groups;
    std::uint32_t m_nextGroup{0}; ///< streamed: the group the emitter appends next
    TaskId m_next{0};
    std::deque<Task> m_tasks; ///< compute and scale-up tasks, by id
    std::deque<bool> m_taskReleased;
    std::deque<CollectiveBlock> m_blocks; ///< by first id
    std::unordered_map<TaskId, std::vector<TaskId>> m_dependents;
    std::unordered_map<TaskId, std::vector<ReadyHook>> m_hooks;
    std::unique_ptr<ScheduleEmitter> m_emitter;
    std::unique_ptr<ScheduleEmitter> m_start; ///< the emitter as it was before the first part
    bool m_emitterDone{false};
    bool m_counting{false};              ///< hands out ids and keeps nothing else (TaskCount)
    mutable TaskId m_taskCount{kNoTask}; ///< of a streamed schedule, once counted
};

} // namespace fab::traffic

#endif
