#include "traffic/model/schedule-size.h"

#include "traffic/model/saturating-count.h"

#include <algorithm>
#include <array>

namespace fab::traffic
{
namespace
{

/** Beyond this many layers per stage, buckets are counted one per layer instead of replayed. */
constexpr std::uint32_t kReplayedLayers = 1u << 20;

/** Counts what IterationBuilder (job.cc) emits, call for call, without emitting it. */
class IterationCounter
{
public:
    IterationCounter(const JobSpec& job, std::uint32_t gpusPerServer, std::uint32_t mtu)
    : m_job(job)
    , m_p(job.parallel)
    , m_perServer(std::max(1u, gpusPerServer))
    , m_mtu(mtu)
    , m_times(ComputeLayerTimes(job))
    , m_activationBytes(ActivationBytes(job))
    , m_a2aBytes(ExpertAllToAllBytes(job))
    {
        m_options = job.algorithm;
        m_options.ranksPerServer = 1; // as IterationBuilder: its collectives' ranks are listed
    }

    ScheduleSize Count();

private:
    std::uint64_t Rank(std::uint64_t t, std::uint64_t d, std::uint64_t p) const
    {
        return t
               + static_cast<std::uint64_t>(m_p.tp) * (d + static_cast<std::uint64_t>(m_p.dp) * p);
    }
    RankLayout Layout(std::uint64_t first, std::uint64_t stride) const
    {
        return RankLayout{first, stride, m_perServer};
    }
    /** `times` runs of a collective over ranks first, first + stride, ... */
    void Collective(CollectiveOp op,
                    CollectiveAlgorithm algorithm,
                    std::uint32_t ranks,
                    std::uint64_t first,
                    std::uint64_t stride,
                    std::uint64_t bytes,
                    std::uint64_t times,
                    bool newQueuePairs = true);
    /** Per micro-batch and direction, stage p's layers: compute, TP and EP collectives. */
    void Layers(std::uint32_t p, std::uint64_t passes);
    /** Stage-to-stage sends from p to q, `times` of them per (t, d). */
    void Sends(std::uint32_t p, std::uint32_t q, std::uint64_t times);
    /** The DP buckets of stage p, as the last micro-batch's backward pass fills them. */
    void Buckets(std::uint32_t p);
    void Bucket(std::uint32_t p, bool expert, std::uint64_t bytes, std::uint64_t times);
    /** What a run of the streamed iteration holds at once. */
    void Window();
    /** Buckets of each kind (dense, expert) emitted for the stage being counted: every bucket
     *  of a kind runs on the same ranks, over the queue pairs the first one opened. */
    std::array<std::uint64_t, 2> m_buckets{};

    const JobSpec& m_job;
    const ParallelSpec& m_p;
    std::uint32_t m_perServer;
    std::uint32_t m_mtu;
    LayerTimes m_times;
    AlgorithmOptions m_options;
    std::uint64_t m_activationBytes{0};
    std::uint64_t m_a2aBytes{0};
    ScheduleSize m_size;
};

void
IterationCounter::Collective(CollectiveOp op,
                             CollectiveAlgorithm algorithm,
                             std::uint32_t ranks,
                             std::uint64_t first,
                             std::uint64_t stride,
                             std::uint64_t bytes,
                             std::uint64_t times,
                             bool newQueuePairs)
{
    auto size
        = SizeCollective(op, algorithm, ranks, bytes, m_options, Layout(first, stride), m_mtu);
    if (!newQueuePairs)
    {
        size.queuePairs = 0;
        size.senders = 0;
    }
    m_size.AddCollective(size, ranks, times);
}

void
IterationCounter::Layers(std::uint32_t p, std::uint64_t passes)
{
    const auto& model = m_job.model;
    std::uint64_t perStage = model.layers / m_p.pp;
    std::uint64_t moe = 0;
    if (model.experts > 0)
    {
        // Layer l is a MoE layer when moeEvery divides l + 1.
        moe = (p + 1) * perStage / model.moeEvery - p * perStage / model.moeEvery;
    }
    std::uint64_t dense = perStage - moe;
    std::uint64_t stageRanks = static_cast<std::uint64_t>(m_p.dp) * m_p.tp;
    // Each sublayer: its compute, a TP AllReduce after it (with SP an AllGather before and a
    // ReduceScatter after), and around a MoE block's compute the EP dispatch and combine.
    if (m_times.attentionNs > 0)
    {
        m_size.AddCompute(stageRanks, SatMul(passes, perStage));
    }
    if (m_times.mlpNs > 0)
    {
        m_size.AddCompute(stageRanks, SatMul(passes, dense));
    }
    if (m_times.moeNs > 0)
    {
        m_size.AddCompute(stageRanks, SatMul(passes, moe));
    }
    if (m_p.tp >= 2)
    {
        std::vector<CollectiveOp> ops = {CollectiveOp::AllReduce};
        if (m_p.sequenceParallel)
        {
            ops = {CollectiveOp::AllGather, CollectiveOp::ReduceScatter};
        }
        for (std::uint32_t d = 0; d < m_p.dp; ++d)
        {
            for (auto op : ops)
            {
                Collective(op,
                           DefaultAlgorithm(op),
                           m_p.tp,
                           Rank(0, d, p),
                           1,
                           m_activationBytes,
                           SatMul(passes, 2 * perStage));
            }
        }
    }
    if (m_p.ep >= 2 && moe > 0)
    {
        for (std::uint32_t t = 0; t < m_p.tp; ++t)
        {
            for (std::uint32_t block = 0; block < m_p.dp / m_p.ep; ++block)
            {
                Collective(CollectiveOp::AllToAll,
                           DefaultAlgorithm(CollectiveOp::AllToAll),
                           m_p.ep,
                           Rank(t, block * m_p.ep, p),
                           m_p.tp,
                           m_a2aBytes,
                           SatMul(passes, 2 * moe));
            }
        }
    }
}

void
IterationCounter::Sends(std::uint32_t p, std::uint32_t q, std::uint64_t times)
{
    // Megatron's scatter-gather: each TP rank sends its 1/tp of the activations.
    std::uint64_t bytes = m_activationBytes / m_p.tp;
    std::uint64_t apart = static_cast<std::uint64_t>(m_p.tp) * m_p.dp;
    for (std::uint32_t d = 0; d < m_p.dp; ++d)
    {
        for (std::uint32_t t = 0; t < m_p.tp; ++t)
        {
            // Either direction is the same pair of servers; the layout runs low to high.
            m_size.AddCollective(SizeCollective(CollectiveOp::SendRecv,
                                                CollectiveAlgorithm::Direct,
                                                2,
                                                bytes,
                                                {},
                                                Layout(Rank(t, d, std::min(p, q)), apart),
                                                m_mtu),
                                 2,
                                 times);
        }
    }
}

void
IterationCounter::Bucket(std::uint32_t p, bool expert, std::uint64_t bytes, std::uint64_t times)
{
    std::uint32_t groups = expert ? m_p.ep : 1;
    std::uint32_t stride = expert ? m_p.ep : 1;
    std::uint32_t size = m_p.dp / stride;
    if (size < 2)
    {
        return;
    }
    for (std::uint32_t t = 0; t < m_p.tp; ++t)
    {
        for (std::uint32_t first = 0; first < groups; ++first)
        {
            // Each rank's join of its backward and DP streams, then the AllReduce.
            m_size.AddJoins(SatMul(times, size), 2);
            Collective(CollectiveOp::AllReduce,
                       m_job.dpAlgorithm,
                       size,
                       Rank(t, first, p),
                       static_cast<std::uint64_t>(m_p.tp) * stride,
                       bytes,
                       times,
                       m_buckets[expert ? 1 : 0] == 0);
        }
    }
    m_buckets[expert ? 1 : 0] += times;
}

void
IterationCounter::Buckets(std::uint32_t p)
{
    const auto& model = m_job.model;
    std::uint32_t perStage = model.layers / m_p.pp;
    std::uint32_t begin = p * perStage;
    std::uint32_t end = begin + perStage;
    m_buckets = {};
    if (perStage > kReplayedLayers)
    {
        // At most one bucket of each kind per layer.
        Bucket(p, false, m_job.bucketBytes, perStage);
        std::uint64_t moe = model.experts == 0 ? 0 : end / model.moeEvery - begin / model.moeEvery;
        Bucket(p, true, m_job.bucketBytes, moe);
        return;
    }
    // Replays AddGradients: each layer's gradients join pending buckets, flushed when full and
    // at the stage's first layer. Gradient sizes depend only on whether a layer is MoE.
    LayerGradients dense;
    LayerGradients experts;
    bool denseSeen = false;
    bool expertsSeen = false;
    std::uint64_t embedding = static_cast<std::uint64_t>(model.vocabulary) * model.hidden / m_p.tp
                              * model.bytesPerValue;
    std::uint64_t pendingDense = 0;
    std::uint64_t pendingExpert = 0;
    for (std::uint32_t l = end; l-- > begin;)
    {
        bool moe = model.IsMoeLayer(l);
        bool& seen = moe ? expertsSeen : denseSeen;
        LayerGradients& g = moe ? experts : dense;
        if (!seen)
        {
            g = GradientsOfLayer(m_job, l);
            seen = true;
        }
        pendingDense += g.denseBytes;
        pendingExpert += g.expertBytes;
        bool flush = l == begin;
        if (flush && (p == 0 || p + 1 == m_p.pp))
        {
            pendingDense += embedding;
        }
        if (pendingDense >= m_job.bucketBytes || (flush && pendingDense > 0))
        {
            Bucket(p, false, pendingDense, 1);
            pendingDense = 0;
        }
        if (pendingExpert >= m_job.bucketBytes || (flush && pendingExpert > 0))
        {
            Bucket(p, true, pendingExpert, 1);
            pendingExpert = 0;
        }
    }
}

void
IterationCounter::Window()
{
    // A streamed iteration keeps the passes that overlap in 1F1B: measured on replays of
    // 1 to 8 stages and 1 to 32 micro-batches, at most 2(pp − 1) × layers + 8 of its
    // 2 × layers × micro-batches layer parts (a layer of one stage's pass).
    std::uint64_t layers = std::max(1u, m_job.model.layers);
    std::uint64_t parts = SatMul(2 * layers, std::max(1u, m_job.MicroBatches()));
    std::uint64_t window = SatAdd(SatMul(2 * (m_p.pp - 1), layers), 8);
    auto share = [&](std::uint64_t count)
    {
        if (window >= parts)
        {
            return count;
        }
        // count × window / parts without overflow: both below 2^64, the quotient below count.
        return static_cast<std::uint64_t>(static_cast<long double>(count)
                                          * static_cast<long double>(window)
                                          / static_cast<long double>(parts))
               + 1;
    };
    m_size.heldTasks = share(m_size.storedTasks);
    m_size.heldDependencies = share(m_size.storedDependencies);
    m_size.heldPlans = share(m_size.plans);
    m_size.heldPlanRanks = share(m_size.planRanks);
}

ScheduleSize
IterationCounter::Count()
{
    std::uint64_t microBatches = m_job.MicroBatches();
    m_size.gpus = m_p.Gpus();
    std::uint64_t stageRanks = static_cast<std::uint64_t>(m_p.dp) * m_p.tp;
    m_size.groups = 1; // the iteration, which owns the join points
    for (std::uint32_t p = 0; p < m_p.pp; ++p)
    {
        bool last = p + 1 == m_p.pp;
        Layers(p, 2 * microBatches);
        // Joins with the activations (forward) or their gradients (backward) a stage waits for.
        std::uint64_t arrivals
            = SatMul((p > 0 ? 1 : 0) + (last ? 0 : 1), microBatches * stageRanks);
        m_size.AddJoins(arrivals, 2);
        if (last && m_times.headNs > 0)
        {
            m_size.AddCompute(stageRanks, 2 * microBatches);
        }
        if (!last)
        {
            Sends(p, p + 1, microBatches);
        }
        if (p > 0)
        {
            Sends(p, p - 1, microBatches);
        }
        Buckets(p);
    }
    // Every rank's end of iteration: its compute and DP streams joined.
    m_size.AddJoins(m_p.Gpus(), 2);
    m_size.senders = std::min<std::uint64_t>(m_size.senders, m_p.Gpus());
    Window();
    return m_size;
}

} // namespace

void
ScheduleSize::AddCollective(const CollectiveSize& size, std::uint32_t ranks, std::uint64_t times)
{
    if (times == 0)
    {
        return;
    }
    tasks = SatAdd(tasks, SatMul(times, size.tasks));
    transfers = SatAdd(transfers, SatMul(times, size.transfers));
    dependencies = SatAdd(dependencies, SatMul(times, size.dependencies));
    groups = SatAdd(groups, times);
    groupRanks = SatAdd(groupRanks, SatMul(times, ranks));
    collectives = SatAdd(collectives, times);
    fabricTransfers = SatAdd(fabricTransfers, SatMul(times, size.fabricTransfers));
    fabricPackets = SatAdd(fabricPackets, SatMul(times, size.fabricPackets));
    queuePairs = SatAdd(queuePairs, size.queuePairs);
    senders = SatAdd(senders, size.senders);
    steps = std::max(steps, size.steps);
    if (size.planned != 0)
    {
        plans = SatAdd(plans, times);
        planRanks = SatAdd(planRanks, SatMul(times, ranks));
    }
    else
    {
        storedTasks = SatAdd(storedTasks, SatMul(times, size.tasks));
        storedDependencies = SatAdd(storedDependencies, SatMul(times, size.dependencies));
    }
    // As many of these side by side as the job's GPUs make.
    std::uint64_t sideBySide = std::max<std::uint64_t>(1, gpus / std::max(1u, ranks));
    posted = std::max(posted, SatMul(size.posted, sideBySide));
    waiting = std::max(waiting, SatMul(size.waiting, sideBySide));
}

void
ScheduleSize::AddCompute(std::uint64_t ranks, std::uint64_t times)
{
    tasks = SatAdd(tasks, SatMul(times, ranks));
    dependencies = SatAdd(dependencies, SatMul(times, ranks));
    storedTasks = SatAdd(storedTasks, SatMul(times, ranks));
    storedDependencies = SatAdd(storedDependencies, SatMul(times, ranks));
    groups = SatAdd(groups, times);
    groupRanks = SatAdd(groupRanks, SatMul(times, ranks));
}

void
ScheduleSize::AddJoins(std::uint64_t count, std::uint64_t dependenciesEach)
{
    tasks = SatAdd(tasks, count);
    dependencies = SatAdd(dependencies, SatMul(count, dependenciesEach));
    storedTasks = SatAdd(storedTasks, count);
    storedDependencies = SatAdd(storedDependencies, SatMul(count, dependenciesEach));
}

void
ScheduleSize::HoldAll()
{
    heldTasks = storedTasks;
    heldDependencies = storedDependencies;
    heldPlans = plans;
    heldPlanRanks = planRanks;
}

ScheduleSize
SizeIteration(const JobSpec& job, std::uint32_t gpusPerServer, std::uint32_t payloadMtu)
{
    return IterationCounter(job, gpusPerServer, std::max(1u, payloadMtu)).Count();
}

ScheduleSize
SizeCollectiveIteration(const CollectiveJobSpec& job,
                        std::uint32_t gpusPerServer,
                        std::uint32_t payloadMtu)
{
    std::uint32_t perServer
        = std::max(1u, job.gpusPerServer != 0 ? job.gpusPerServer : gpusPerServer);
    AlgorithmOptions options = job.options;
    options.ranksPerServer = std::min(job.gpus, perServer); // as BuildCollectiveIteration finds it
    ScheduleSize size;
    size.groups = 1; // the iteration
    size.gpus = job.gpus;
    size.AddCollective(SizeCollective(job.op,
                                      job.algorithm,
                                      job.gpus,
                                      job.bytes,
                                      options,
                                      RankLayout{0, 1, perServer},
                                      std::max(1u, payloadMtu)),
                       job.gpus,
                       1);
    size.HoldAll(); // one collective, kept whole
    return size;
}

} // namespace fab::traffic
