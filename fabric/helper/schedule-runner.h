#ifndef FABRICSCOPE_FABRIC_SCHEDULE_RUNNER_H
#define FABRICSCOPE_FABRIC_SCHEDULE_RUNNER_H

#include "fabric/app/iteration-recorder.h"
#include "fabric/app/run-records.h"
#include "fabric/helper/fabric-builder.h"
#include "fabric/model/key-index.h"
#include "fabric/model/ring-queue.h"
#include "traffic/model/job.h"
#include "traffic/model/schedule.h"
#include "traffic/model/task-generator.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ns3::fabric
{

namespace traffic = ::fab::traffic;

/**
 * Runs jobs' schedules on the fabric, iteration after iteration. A task starts when every task
 * it depends on has ended, as a TaskGenerator yields it: the runner holds the tasks under way,
 * never a whole collective's transfers, and a streamed schedule is emitted as it goes. Compute
 * tasks take their duration; a transfer between two servers is an RDMA WRITE on a queue pair kept
 * per (source, destination, channel) and ends when its last byte is delivered to the receiver; a
 * transfer inside a server, or a collective run wholly in one, takes the scale-up link's time.
 * Iteration i + 1 of a job starts when iteration i ends.
 */
class ScheduleRunner
{
public:
    explicit ScheduleRunner(FabricBuilder& fabric);
    ScheduleRunner(const ScheduleRunner&) = delete;
    ScheduleRunner& operator=(const ScheduleRunner&) = delete;
    ~ScheduleRunner();

    /** Adds a job; its ranks must name servers and NIC ports of the fabric. Returns its index. */
    std::uint32_t AddJob(FabricJob job);
    /** Iterations each job runs (0: until the simulation is stopped). When every job has run
     *  its iterations, the runner stops the simulator. */
    void SetIterations(std::uint32_t iterations) { m_iterations = iterations; }
    void SetIterationCallback(std::function<void(const IterationRecord&)> callback)
    {
        m_onIteration = std::move(callback);
    }
    void Start(Time at = Time(0));

    bool Done() const;
    /** How far the jobs are, 0..1: iterations done plus the tasks ended in the current ones
     *  (0 when they run until the simulation is stopped). */
    double Progress() const;
    std::uint32_t Jobs() const { return static_cast<std::uint32_t>(m_jobs.size()); }
    const FabricJob& Job(std::uint32_t index) const { return m_jobs.at(index).spec; }
    const std::vector<CollectiveRecord>& Collectives() const { return m_collectives; }
    const std::vector<IterationRecord>& Iterations() const { return m_iterationRecords; }
    const std::vector<RankSpan>& Spans() const { return m_spans; }
    const std::vector<QueuePairRecord>& QueuePairs() const { return m_queuePairs; }
    /** Tasks of the current iterations waiting with some of their dependencies ended. */
    std::size_t WaitingTasks() const;

private:
    struct JobState
    {
        FabricJob spec;
        std::unique_ptr<traffic::TaskGenerator> generator; ///< the iteration under way
        IterationRecorder recorder;
        std::uint32_t iteration{0};
        std::int64_t iterationStartNs{0};
        bool running{false}; ///< an iteration is under way
        bool finished{false};
    };
    /** A transfer posted to a queue pair and not yet delivered. */
    struct Posted
    {
        std::uint32_t job{0};
        traffic::TaskId task{0};
        std::int64_t startNs{0};
    };
    /** What a receiving server waits for: per (source endpoint, QP), in posting order. */
    struct InFlight
    {
        KeyIndex index; ///< (source endpoint, QP) → index into queues
        std::vector<RingQueue<Posted>> queues;
    };

    void StartIteration(std::uint32_t job);
    void Begin(std::uint32_t job, traffic::TaskId task);
    void End(std::uint32_t job, traffic::TaskId task, std::int64_t startNs);
    void EndIteration(std::uint32_t job);
    void OnDelivery(std::uint32_t server, std::uint32_t srcEndpoint, std::uint32_t qp);
    /** The queue pair carrying a job's transfers from one rank to another on one channel. */
    std::uint32_t QueuePairFor(std::uint32_t job, const traffic::TaskView& task);

    FabricBuilder& m_fabric;
    std::deque<JobState> m_jobs; ///< a deque: generators refer to their job's schedule
    std::uint32_t m_iterations{1};
    std::function<void(const IterationRecord&)> m_onIteration;
    /** Per job and channel: src rank << 32 | dst rank → index into m_queuePairs. */
    std::vector<std::vector<KeyIndex>> m_queuePairOf;
    std::vector<QueuePairRecord> m_queuePairs;
    std::vector<std::uint32_t> m_nextQp; ///< per server: the next QP number to hand out
    std::vector<InFlight> m_inFlight;    ///< per receiving server
    std::vector<bool> m_listening; ///< per server: delivery callback installed
    std::vector<CollectiveRecord> m_collectives;
    std::vector<IterationRecord> m_iterationRecords;
    std::vector<RankSpan> m_spans;
};

} // namespace ns3::fabric

#endif
