#ifndef FABRICSCOPE_TRAFFIC_SCHEDULE_H
#define FABRICSCOPE_TRAFFIC_SCHEDULE_H

#include "traffic/model/collective.h"
#include "traffic/model/transfer-dag.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fab::traffic
{

/** No task: a rank with nothing to wait for. */
inline constexpr std::uint32_t kNoTask = std::numeric_limits<std::uint32_t>::max();

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

struct Task
{
    std::uint32_t id{0};
    TaskKind kind{TaskKind::Compute};
    std::uint32_t src{0}; ///< rank; for compute and scale-up tasks, the rank that runs it
    std::uint32_t dst{0}; ///< rank; equals src unless a transfer
    std::uint64_t bytes{0};
    std::int64_t durationNs{0}; ///< compute and scale-up tasks
    std::uint32_t channel{0};
    std::uint32_t group{0}; ///< index into Schedule::Groups()
    std::vector<std::uint32_t> dependsOn;
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
};

/**
 * A job's work as one DAG over its ranks: compute phases, and collectives expanded into
 * point-to-point transfers. Task ids are a topological order. Ranks know their server, so a
 * collective whose ranks share one server runs over the scale-up link in closed form instead of
 * as transfers.
 */
class Schedule
{
public:
    /** `serverOfRank[r]`: the server rank r runs on. */
    Schedule(std::vector<std::uint32_t> serverOfRank, ScaleUpLink scaleUp = {});

    std::uint32_t Ranks() const { return static_cast<std::uint32_t>(m_serverOfRank.size()); }
    std::uint32_t ServerOf(std::uint32_t rank) const { return m_serverOfRank.at(rank); }
    const ScaleUpLink& ScaleUp() const { return m_scaleUp; }
    const std::vector<Task>& Tasks() const { return m_tasks; }
    const std::vector<TaskGroup>& Groups() const { return m_groups; }

    std::uint32_t AddGroup(TaskGroup group);
    /** A compute task on `rank` after the tasks in `after` (kNoTask entries are skipped). */
    std::uint32_t AddCompute(std::uint32_t group,
                             std::uint32_t rank,
                             std::int64_t durationNs,
                             const std::vector<std::uint32_t>& after);
    /**
     * Appends a collective: local rank i of `dag` is rank `ranks[i]`, and a transfer with no
     * dependency inside the DAG waits for `ready[i]` of both its ends (as a real collective waits
     * until the receiver has posted its buffer). Returns, per local rank, a task that completes
     * when that rank is done with the collective.
     */
    std::vector<std::uint32_t> AddCollective(std::uint32_t group,
                                             const TransferDag& dag,
                                             const std::vector<std::uint32_t>& ready);
    /** True when every rank of the group runs on one server. */
    bool WithinOneServer(const std::vector<std::uint32_t>& ranks) const;
    /** Tasks whose ids are not all earlier than themselves: 0 in a well-formed schedule. */
    bool IsTopologicallyOrdered() const;

private:
    std::uint32_t Add(Task task);

    std::vector<std::uint32_t> m_serverOfRank;
    ScaleUpLink m_scaleUp;
    std::vector<Task> m_tasks;
    std::vector<TaskGroup> m_groups;
};

} // namespace fab::traffic

#endif
