#ifndef FABRICSCOPE_FABRIC_FLOW_FLOW_ENGINE_H
#define FABRICSCOPE_FABRIC_FLOW_FLOW_ENGINE_H

#include "fabric/app/iteration-recorder.h"
#include "fabric/app/run-records.h"
#include "fabric/flow/flow-fabric.h"
#include "fabric/flow/max-min-solver.h"
#include "fabric/flow/ring-pattern.h"
#include "fabric/model/ring-queue.h"
#include "traffic/model/task-generator.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fab::flow
{

/**
 * Runs jobs' schedules on a FlowFabric as the packet engine's ScheduleRunner does on ns-3, with
 * transfers as fluid flows: tasks begin as a TaskGenerator yields them; compute tasks and
 * transfers inside a server take their fixed times; a transfer between servers is a message on
 * the same queue pair (same QP number and UDP source port, so the same ECMP path) whose wire
 * bytes flow at the max-min fair rate of the moment, re-solved whenever a flow starts or ends,
 * and which is delivered the path's latency after its last bit leaves. Messages on one queue
 * pair go out one after another, as on an RC QP. Time is integer nanoseconds.
 *
 * A ring collective (every phase of its plan a ring whose steps pair the same ranks) with at
 * least SetPatternMinTransfers transfers runs as a pattern instead: once all its first sends
 * have begun, each channel's phases run one after another, each phase's step solved once as a
 * RingPattern (one group flow for all its steps) and advanced as a whole; every rank joins when
 * the last channel ends. Smaller collectives, and the rest, run transfer by transfer.
 */
class FlowEngine
{
public:
    explicit FlowEngine(const FlowFabric& fabric);
    FlowEngine(const FlowEngine&) = delete;
    FlowEngine& operator=(const FlowEngine&) = delete;
    ~FlowEngine();

    /** Adds a job; its ranks must name servers and NIC ports of the fabric (else
     *  std::invalid_argument). Returns its index. */
    std::uint32_t AddJob(ns3::fabric::FabricJob job);
    /** Iterations each job runs (0: until the stop time). */
    void SetIterations(std::uint32_t iterations) { m_iterations = iterations; }
    /** Stops the run at this time (0: when every job has run its iterations). */
    void SetStopTimeNs(std::int64_t stopNs) { m_stopNs = stopNs; }
    /** Ring collectives of at least this many transfers run as patterns (0: all of them;
     *  kNoPatterns: none, every transfer a flow of its own). */
    void SetPatternMinTransfers(std::uint64_t transfers) { m_patternMinTransfers = transfers; }
    static constexpr std::uint64_t kNoPatterns = UINT64_MAX;
    /** The default: below it a ring runs faster as flows than its pattern is set up. */
    static constexpr std::uint64_t kDefaultPatternMinTransfers = 65'536;
    void Run();

    bool Done() const;
    std::int64_t NowNs() const { return m_nowNs; }
    std::uint64_t Events() const { return m_events; }
    std::uint64_t FlowsStarted() const { return m_flowsStarted; }
    /** Ring phases solved as patterns (a channel's round of a collective each). */
    std::uint64_t PatternsSolved() const { return m_patternsSolved; }
    std::uint32_t Jobs() const { return static_cast<std::uint32_t>(m_jobs.size()); }
    const ns3::fabric::FabricJob& Job(std::uint32_t index) const { return m_jobs.at(index).spec; }
    const std::vector<ns3::fabric::CollectiveRecord>& Collectives() const { return m_collectives; }
    const std::vector<ns3::fabric::IterationRecord>& Iterations() const
    {
        return m_iterationRecords;
    }
    const std::vector<ns3::fabric::RankSpan>& Spans() const { return m_spans; }
    /** Wire bytes sent on each directed link (FlowPaths numbering), data only. */
    const std::vector<std::uint64_t>& LinkBytes() const { return m_linkBytes; }

private:
    struct JobState
    {
        ns3::fabric::FabricJob spec;
        std::unique_ptr<traffic::TaskGenerator> generator;
        ns3::fabric::IterationRecorder recorder;
        std::uint32_t iteration{0};
        std::int64_t iterationStartNs{0};
        bool running{false};
        bool finished{false};
    };
    /** A transfer waiting for, or flowing on, its queue pair. */
    struct Message
    {
        std::uint32_t job{0};
        traffic::TaskId task{0};
        std::int64_t startNs{0};
        std::uint64_t bytes{0};
    };
    struct QueuePair
    {
        std::uint32_t srcEndpoint{0};
        std::uint32_t dstEndpoint{0};
        std::uint32_t qpn{0};
        std::uint32_t channel{0};
        std::vector<std::uint32_t> path;
        bool routed{false};
        bool busy{false};
        ns3::fabric::RingQueue<Message> waiting; ///< nothing on the heap while idle
    };
    /** A message under way, by its solver flow id. */
    struct ActiveFlow
    {
        std::uint32_t queuePair{0};
        Message message;
        std::uint64_t wireBytes{0};
        double leftBits{0};
        double rateBps{0};
        std::int64_t sinceNs{0}; ///< leftBits is as of this time
        std::uint32_t version{0};
        std::uint32_t phase{kNoPhase}; ///< a ring phase's group flow: its index in m_phases
    };
    static constexpr std::uint32_t kNoPhase = UINT32_MAX;
    /** A ring collective run as a pattern. */
    struct PatternRun
    {
        std::uint32_t job{0};
        traffic::TaskId first{0}; ///< its transfer 0
        std::uint32_t group{0};
        const traffic::CollectivePlan* plan{nullptr}; ///< held by the schedule until it joins
        std::uint64_t rootsLeft{0};
        std::int64_t firstRootNs{0}; ///< what its records start from, as in a run flow by flow
        std::int64_t startNs{0};     ///< when its last root began, and its phases with it
        std::vector<std::vector<traffic::CollectivePhase>> phases; ///< by channel, in order
        std::vector<std::uint32_t> nextPhase;                      ///< by channel
        std::uint32_t channelsLeft{0};
    };
    /** One channel's ring phase under way: the part of its duration done at its rate. */
    struct PhaseFlow
    {
        std::uint32_t run{0};
        std::uint32_t channel{0};
        std::unique_ptr<RingPattern> pattern;
        MaxMinSolver::FlowId flow{0};
        bool stuck{false}; ///< a member has no route: it never ends, as its flows would not
        double doneFraction{0};
        double durationNs{0}; ///< at the current rate; 0 before the first
        std::int64_t sinceNs{0};
        std::uint32_t version{0};
    };
    enum class EventKind : std::uint8_t
    {
        StartIteration, ///< job
        TaskEnd,        ///< job, task, its start
        FlowDone,       ///< solver flow, version
        PhaseDone,      ///< ring phase, version
    };
    struct Event
    {
        std::int64_t timeNs{0};
        std::uint64_t sequence{0};
        EventKind kind{EventKind::TaskEnd};
        std::uint32_t index{0}; ///< job or flow
        std::uint64_t task{0};  ///< task, or the flow's version
        std::int64_t startNs{0};

        bool operator>(const Event& other) const
        {
            return std::tie(timeNs, sequence) > std::tie(other.timeNs, other.sequence);
        }
    };

    void Push(std::int64_t timeNs,
              EventKind kind,
              std::uint32_t index,
              std::uint64_t task,
              std::int64_t startNs = 0);
    void Handle(const Event& event);
    void StartIteration(std::uint32_t job);
    void Begin(std::uint32_t job, traffic::TaskId task);
    void End(std::uint32_t job, traffic::TaskId task, std::int64_t startNs);
    void EndIteration(std::uint32_t job);
    std::uint32_t QueuePairFor(std::uint32_t job, const traffic::TaskView& task);
    void SendNext(std::uint32_t queuePair);
    void FlowDone(std::uint32_t flow, std::uint32_t version);
    /** The pattern run of the collective `task` belongs to, created at its first root; kNoRun
     *  when it runs transfer by transfer. */
    std::uint32_t PatternRunOf(std::uint32_t job, traffic::TaskId task);
    void StartPhase(std::uint32_t run, std::uint32_t channel);
    void UpdatePhase(std::uint32_t phase, double rateBps);
    void PhaseDone(std::uint32_t phase, std::uint32_t version);
    void FinishRun(std::uint32_t run);
    /** Takes the solver's new rates and predicts when each changed flow ends. */
    void Resolve();
    /** Adds what the flows under way have sent to their links, at the end of a stopped run. */
    void CountUnfinished();

    const FlowFabric& m_fabric;
    MaxMinSolver m_solver;
    std::deque<JobState> m_jobs; ///< a deque: generators refer to their job's schedule
    std::uint32_t m_iterations{1};
    std::int64_t m_stopNs{0};
    std::int64_t m_nowNs{0};
    std::uint64_t m_events{0};
    std::uint64_t m_sequence{0};
    std::uint64_t m_flowsStarted{0};
    std::uint64_t m_patternsSolved{0};
    std::uint64_t m_patternMinTransfers{kDefaultPatternMinTransfers};
    /** (job, transfer 0) → index into m_runs, or kNoRun for a collective run flow by flow. */
    std::map<std::pair<std::uint32_t, traffic::TaskId>, std::uint32_t> m_runOf;
    static constexpr std::uint32_t kNoRun = UINT32_MAX;
    std::vector<PatternRun> m_runs;
    std::vector<std::uint32_t> m_freeRuns;
    std::vector<PhaseFlow> m_phases;
    std::vector<std::uint32_t> m_freePhases;
    bool m_solveDue{false};
    std::priority_queue<Event, std::vector<Event>, std::greater<>> m_agenda;
    /** Which queue pair a job's transfers from one rank to another on one channel take. */
    struct QueuePairKey
    {
        std::uint32_t job{0};
        std::uint32_t src{0};
        std::uint32_t dst{0};
        std::uint32_t channel{0};

        bool operator==(const QueuePairKey& other) const
        {
            return std::tie(job, src, dst, channel)
                   == std::tie(other.job, other.src, other.dst, other.channel);
        }
    };
    struct QueuePairKeyHash
    {
        std::size_t operator()(const QueuePairKey& key) const
        {
            // Both halves folded into one word and mixed (splitmix64's finalizer): ranks of a
            // ring differ in a few low bits, which must reach the bucket index.
            std::uint64_t h
                = (std::uint64_t{key.src} << 32 | key.dst)
                  ^ (std::uint64_t{key.job} << 48 | key.channel) * 0x9E3779B97F4A7C15ull;
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
            return static_cast<std::size_t>(h ^ (h >> 31));
        }
    };
    /** Index into m_queuePairs, opened in the order the runner opens them. Looked up once per
     *  transfer: a hash table, not a tree of tuples. */
    std::unordered_map<QueuePairKey, std::uint32_t, QueuePairKeyHash> m_queuePairOf;
    std::vector<QueuePair> m_queuePairs;
    std::vector<std::uint32_t> m_nextQp; ///< per server
    std::vector<ActiveFlow> m_flows;     ///< by solver flow id
    std::vector<std::uint64_t> m_linkBytes;
    std::vector<ns3::fabric::CollectiveRecord> m_collectives;
    std::vector<ns3::fabric::IterationRecord> m_iterationRecords;
    std::vector<ns3::fabric::RankSpan> m_spans;
};

} // namespace fab::flow

#endif
