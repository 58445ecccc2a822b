#ifndef FABRICSCOPE_TRAFFIC_ITERATION_EMITTER_H
#define FABRICSCOPE_TRAFFIC_ITERATION_EMITTER_H

#include "traffic/model/job.h"
#include "traffic/model/schedule-emitter.h"
#include "traffic/model/schedule.h"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fab::traffic
{

/**
 * One training iteration of a job (BuildIteration), appended layer by layer: each part is one
 * layer of one pipeline stage's forward or backward pass over one micro-batch, for all the
 * stage's ranks, or the joins and sends around a pass. Passes come in the order of the 1F1B
 * schedule as far as stage-to-stage dependencies allow. Between parts it keeps, per rank, the
 * last task of its compute stream and of its data-parallel stream (what the next part waits for),
 * the pass order (stages × micro-batches) and the stage-to-stage arrivals not yet waited for.
 */
class IterationEmitter final : public ScheduleEmitter
{
public:
    explicit IterationEmitter(const JobSpec& job);

    bool EmitNext(Schedule& schedule) override;
    bool MayBeWaitedFor(TaskId id, std::uint32_t rank) const override;
    bool RootsEmitted() const override;
    std::unique_ptr<ScheduleEmitter> Clone() const override;
    std::unique_ptr<ScheduleEmitter> Restarted() const override;

private:
    /** One pass of one stage: its parts are the joins before it, its layers, what follows. */
    struct Pass
    {
        std::uint32_t stage{0};
        std::uint32_t microBatch{0};
        bool backward{false};
    };

    const ParallelSpec& Parallel() const { return m_job.parallel; }
    std::uint32_t Rank(std::uint32_t t, std::uint32_t d, std::uint32_t p) const
    {
        return t + Parallel().tp * (d + Parallel().dp * p);
    }
    std::vector<std::uint32_t> StageRanks(std::uint32_t p) const;
    void SetFront(std::uint32_t rank, TaskId id);
    void Compute(const std::string& name, std::uint32_t p, std::int64_t ns);
    /** A collective on the given stream (compute or DP) of its ranks. */
    void Collective(const std::string& name,
                    CollectiveOp op,
                    CollectiveAlgorithm algorithm,
                    const std::vector<std::uint32_t>& ranks,
                    std::uint64_t bytes,
                    bool dataParallelStream);
    void TensorParallel(const std::string& name, std::uint32_t p, CollectiveOp op);
    void ExpertAllToAll(const std::string& name, std::uint32_t p);
    void Layer(std::uint32_t p, std::uint32_t layer, std::uint32_t mb, bool backward);
    /** Activations (forward) or their gradients (backward) to the neighbouring stage. */
    void SendToStage(std::uint32_t from, std::uint32_t to, std::uint32_t mb, bool backward);
    void AddGradients(std::uint32_t p, std::uint32_t layer, bool flush);
    void Bucket(std::uint32_t p, bool expert, std::uint64_t bytes);
    /** The part of the current pass numbered m_part: false when the pass has no more. */
    bool EmitPart();
    /** Finds the next pass whose stage-to-stage inputs have been emitted. */
    bool NextPass();
    void PlanPasses();

    JobSpec m_job;
    LayerTimes m_times;
    AlgorithmOptions m_options;
    std::uint64_t m_activationBytes{0};
    std::uint64_t m_a2aBytes{0};
    Schedule* m_s{nullptr};      ///< the schedule being appended to, during EmitNext
    std::vector<TaskId> m_front; ///< last task of each rank's compute stream
    std::vector<TaskId> m_comm;  ///< last task of each rank's DP stream
    std::uint32_t m_started{0};  ///< ranks with a task on their compute stream
    /** (rank, micro-batch, backward) → the join of a stage-to-stage transfer it waits for. */
    std::map<std::tuple<std::uint32_t, std::uint32_t, bool>, TaskId> m_arrivals;
    std::unordered_map<TaskId, std::uint32_t> m_arrivalIds;
    std::vector<std::uint64_t> m_pendingDense;
    std::vector<std::uint64_t> m_pendingExpert;
    std::vector<std::uint32_t> m_buckets;
    /** Per stage, its passes in 1F1B order, and how many have been emitted. */
    std::vector<std::vector<std::pair<std::uint32_t, bool>>> m_order;
    std::vector<std::size_t> m_next;
    std::set<std::pair<std::uint32_t, std::uint32_t>> m_forwardDone;
    std::set<std::pair<std::uint32_t, std::uint32_t>> m_backwardDone;
    std::uint32_t m_stage{0}; ///< the stage the search for the next pass looks at
    bool m_progress{false};   ///< a pass was found in this sweep over the stages
    bool m_begun{false};      ///< the iteration's group is in
    bool m_inPass{false};
    Pass m_pass;
    std::uint32_t m_part{0};
    bool m_finished{false};
};

} // namespace fab::traffic

#endif
