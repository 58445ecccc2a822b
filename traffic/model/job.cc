#include "traffic/model/job.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace fab::traffic
{

double
ModelSpec::ShapeParameters() const
{
    double h = hidden;
    double f = Ffn();
    double total = static_cast<double>(vocabulary) * h;
    for (std::uint32_t l = 0; l < layers; ++l)
    {
        total += 4 * h * h + (IsMoeLayer(l) ? experts : 1) * 2 * h * f;
    }
    return total;
}

std::uint32_t
JobSpec::MicroBatches() const
{
    std::uint32_t perStep = microBatch * parallel.dp;
    return globalBatch == 0 ? 1 : globalBatch / perStep;
}

void
ValidateJob(const JobSpec& job, std::uint32_t gpusPerServer, std::uint32_t servers)
{
    const ParallelSpec& p = job.parallel;
    for (auto [value, name] : {std::pair{p.dp, "dp"}, {p.tp, "tp"}, {p.pp, "pp"}, {p.ep, "ep"}})
    {
        if (value == 0)
        {
            throw JobError(std::string("parallel/") + name, "a parallel degree is at least 1");
        }
    }
    if (p.tp > gpusPerServer || gpusPerServer % p.tp != 0)
    {
        throw JobError("parallel/tp",
                       "tensor parallelism of " + std::to_string(p.tp)
                           + " does not fit in a server of " + std::to_string(gpusPerServer)
                           + " GPUs (it must divide the GPUs of a server)");
    }
    if (p.dp % p.ep != 0)
    {
        throw JobError("parallel/ep",
                       "expert parallelism " + std::to_string(p.ep)
                           + " must divide data parallelism " + std::to_string(p.dp));
    }
    if (p.ep > 1 && job.model.experts == 0)
    {
        throw JobError("parallel/ep", "expert parallelism needs a model with experts");
    }
    if (job.model.experts > 0 && job.model.experts % p.ep != 0)
    {
        throw JobError("model/experts",
                       std::to_string(job.model.experts) + " experts do not split over "
                           + std::to_string(p.ep) + " expert-parallel ranks");
    }
    if (job.model.layers == 0 || job.model.layers % p.pp != 0)
    {
        throw JobError("model/layers",
                       std::to_string(job.model.layers) + " layers do not split into "
                           + std::to_string(p.pp) + " pipeline stages");
    }
    if (job.model.hidden == 0 || job.model.sequence == 0 || job.microBatch == 0)
    {
        throw JobError("model/hidden", "hidden size, sequence length and micro-batch are > 0");
    }
    if (job.model.experts > 0 && (job.model.topK == 0 || job.model.topK > job.model.experts))
    {
        throw JobError("model/top_k", "top-k is between 1 and the number of experts");
    }
    std::uint32_t perStep = job.microBatch * p.dp;
    if (job.globalBatch != 0 && (job.globalBatch % perStep != 0))
    {
        throw JobError("global_batch",
                       "global batch " + std::to_string(job.globalBatch)
                           + " is not a multiple of micro-batch × dp = " + std::to_string(perStep));
    }
    std::uint64_t needed
        = (static_cast<std::uint64_t>(p.Gpus()) + gpusPerServer - 1) / gpusPerServer;
    if (job.firstServer + needed > servers)
    {
        throw JobError("first_server",
                       "the job needs " + std::to_string(needed) + " servers from server "
                           + std::to_string(job.firstServer) + " but the design has "
                           + std::to_string(servers));
    }
    if (job.compute.layerForwardNs < 0 || job.compute.peakFlops <= 0 || job.compute.mfu <= 0
        || job.compute.mfu > 1)
    {
        throw JobError("compute", "peak FLOP/s > 0 and 0 < MFU ≤ 1, or a layer time ≥ 0");
    }
}

std::vector<RankPlace>
PlaceRanks(const JobSpec& job, std::uint32_t gpusPerServer)
{
    std::vector<RankPlace> places(job.parallel.Gpus());
    for (std::uint32_t r = 0; r < places.size(); ++r)
    {
        places[r].server = job.firstServer + r / gpusPerServer;
        places[r].gpu = r % gpusPerServer;
    }
    return places;
}

LayerTimes
ComputeLayerTimes(const JobSpec& job)
{
    const ModelSpec& m = job.model;
    double b = job.microBatch;
    double s = m.sequence;
    double h = m.hidden;
    double f = m.Ffn();
    double tp = job.parallel.tp;
    // Forward FLOPs per micro-batch (Narayanan et al. 2021): two per multiply-add.
    double attention = (8 * b * s * h * h + 4 * b * s * s * h) / tp;
    double mlp = 4 * b * s * h * f / tp;
    double moe = mlp * m.topK;
    double head = 2 * b * s * h * m.vocabulary / tp;
    LayerTimes times;
    if (job.compute.layerForwardNs > 0)
    {
        double perFlop = static_cast<double>(job.compute.layerForwardNs) / (attention + mlp);
        times.attentionNs = std::llround(attention * perFlop);
        times.mlpNs = job.compute.layerForwardNs - times.attentionNs;
        times.moeNs = std::llround(moe * perFlop);
        times.headNs = 0; // a fixed layer time covers the whole model
        return times;
    }
    double flopsPerNs = job.compute.peakFlops * job.compute.mfu * 1e-9;
    times.attentionNs = std::llround(attention / flopsPerNs);
    times.mlpNs = std::llround(mlp / flopsPerNs);
    times.moeNs = std::llround(moe / flopsPerNs);
    times.headNs = std::llround(head / flopsPerNs);
    return times;
}

std::uint64_t
ActivationBytes(const JobSpec& job)
{
    const auto& m = job.model;
    return static_cast<std::uint64_t>(job.microBatch) * m.sequence * m.hidden * m.bytesPerValue;
}

std::uint64_t
ExpertAllToAllBytes(const JobSpec& job)
{
    return ActivationBytes(job) * job.model.topK / job.parallel.tp;
}

LayerGradients
GradientsOfLayer(const JobSpec& job, std::uint32_t layer)
{
    const ModelSpec& m = job.model;
    double h = m.hidden;
    double f = m.Ffn();
    double tp = job.parallel.tp;
    double scale
        = m.parameters == 0 ? 1.0 : static_cast<double>(m.parameters) / m.ShapeParameters();
    double dense = 4 * h * h;
    double expert = 0;
    if (m.IsMoeLayer(layer))
    {
        expert = static_cast<double>(m.experts) / job.parallel.ep * 2 * h * f;
    }
    else
    {
        dense += 2 * h * f;
    }
    LayerGradients g;
    g.denseBytes = static_cast<std::uint64_t>(std::llround(dense / tp * scale * m.bytesPerValue));
    g.expertBytes = static_cast<std::uint64_t>(std::llround(expert / tp * scale * m.bytesPerValue));
    return g;
}

namespace
{

/** Emits one iteration of a job into a schedule; keeps each rank's compute and DP streams. */
class IterationBuilder
{
public:
    IterationBuilder(const JobSpec& job, Schedule& schedule)
    : m_job(job)
    , m_p(job.parallel)
    , m_s(schedule)
    , m_times(ComputeLayerTimes(job))
    , m_front(m_p.Gpus(), kNoTask)
    , m_comm(m_p.Gpus(), kNoTask)
    {
        m_options = job.algorithm;
        m_options.ranksPerServer = 1;
        m_activationBytes = ActivationBytes(job);
        m_a2aBytes = ExpertAllToAllBytes(job);
    }

    void Build();

private:
    std::uint32_t Rank(std::uint32_t t, std::uint32_t d, std::uint32_t p) const
    {
        return t + m_p.tp * (d + m_p.dp * p);
    }
    std::vector<std::uint32_t> StageRanks(std::uint32_t p) const;
    void Compute(const std::string& name, std::uint32_t p, std::int64_t ns);
    /** A collective on the given stream (compute or DP) of its ranks. */
    void Collective(const std::string& name,
                    CollectiveOp op,
                    CollectiveAlgorithm algorithm,
                    const std::vector<std::uint32_t>& ranks,
                    std::uint64_t bytes,
                    std::vector<std::uint32_t>& stream);
    void TensorParallel(const std::string& name, std::uint32_t p, CollectiveOp op);
    void ExpertAllToAll(const std::string& name, std::uint32_t p);
    void Layer(std::uint32_t p, std::uint32_t layer, std::uint32_t mb, bool backward);
    void Pass(std::uint32_t p, std::uint32_t mb, bool backward);
    /** Activations (forward) or their gradients (backward) to the neighbouring stage. */
    void SendToStage(std::uint32_t from, std::uint32_t to, std::uint32_t mb, bool backward);
    void AddGradients(std::uint32_t p, std::uint32_t layer, bool flush);
    void Bucket(std::uint32_t p, bool expert, std::uint64_t bytes);

    const JobSpec& m_job;
    const ParallelSpec& m_p;
    Schedule& m_s;
    LayerTimes m_times;
    AlgorithmOptions m_options;
    std::uint64_t m_activationBytes{0};
    std::uint64_t m_a2aBytes{0};
    std::vector<std::uint32_t> m_front; ///< last task of each rank's compute stream
    std::vector<std::uint32_t> m_comm;  ///< last task of each rank's DP stream
    /** (rank, micro-batch, backward) → the join of a stage-to-stage transfer it waits for. */
    std::map<std::tuple<std::uint32_t, std::uint32_t, bool>, std::uint32_t> m_arrivals;
    std::vector<std::uint64_t> m_pendingDense;
    std::vector<std::uint64_t> m_pendingExpert;
    std::vector<std::uint32_t> m_buckets;
};

std::vector<std::uint32_t>
IterationBuilder::StageRanks(std::uint32_t p) const
{
    std::vector<std::uint32_t> ranks;
    for (std::uint32_t d = 0; d < m_p.dp; ++d)
    {
        for (std::uint32_t t = 0; t < m_p.tp; ++t)
        {
            ranks.push_back(Rank(t, d, p));
        }
    }
    return ranks;
}

void
IterationBuilder::Compute(const std::string& name, std::uint32_t p, std::int64_t ns)
{
    if (ns <= 0)
    {
        return;
    }
    TaskGroup group;
    group.name = name;
    group.kind = GroupKind::Compute;
    group.ranks = StageRanks(p);
    std::uint32_t g = m_s.AddGroup(group);
    for (auto r : m_s.Groups()[g].ranks)
    {
        m_front[r] = m_s.AddCompute(g, r, ns, {m_front[r]});
    }
}

void
IterationBuilder::Collective(const std::string& name,
                             CollectiveOp op,
                             CollectiveAlgorithm algorithm,
                             const std::vector<std::uint32_t>& ranks,
                             std::uint64_t bytes,
                             std::vector<std::uint32_t>& stream)
{
    TaskGroup group;
    group.name = name;
    group.kind = GroupKind::Collective;
    group.op = op;
    group.algorithm = CollectiveAlgorithmName(algorithm);
    group.ranks = ranks;
    group.bytes = bytes;
    std::uint32_t g = m_s.AddGroup(std::move(group));
    std::vector<std::uint32_t> ready;
    for (auto r : ranks)
    {
        ready.push_back(stream[r]);
    }
    auto dag = ExpandCollective(
        op, algorithm, static_cast<std::uint32_t>(ranks.size()), bytes, m_options);
    auto done = m_s.AddCollective(g, dag, ready);
    for (std::size_t i = 0; i < ranks.size(); ++i)
    {
        stream[ranks[i]] = done[i];
    }
}

void
IterationBuilder::TensorParallel(const std::string& name, std::uint32_t p, CollectiveOp op)
{
    if (m_p.tp < 2)
    {
        return;
    }
    for (std::uint32_t d = 0; d < m_p.dp; ++d)
    {
        std::vector<std::uint32_t> ranks;
        for (std::uint32_t t = 0; t < m_p.tp; ++t)
        {
            ranks.push_back(Rank(t, d, p));
        }
        Collective(name, op, DefaultAlgorithm(op), ranks, m_activationBytes, m_front);
    }
}

void
IterationBuilder::ExpertAllToAll(const std::string& name, std::uint32_t p)
{
    if (m_p.ep < 2)
    {
        return;
    }
    for (std::uint32_t t = 0; t < m_p.tp; ++t)
    {
        for (std::uint32_t block = 0; block < m_p.dp / m_p.ep; ++block)
        {
            std::vector<std::uint32_t> ranks;
            for (std::uint32_t i = 0; i < m_p.ep; ++i)
            {
                ranks.push_back(Rank(t, block * m_p.ep + i, p));
            }
            Collective(name,
                       CollectiveOp::AllToAll,
                       DefaultAlgorithm(CollectiveOp::AllToAll),
                       ranks,
                       m_a2aBytes,
                       m_front);
        }
    }
}

void
IterationBuilder::Layer(std::uint32_t p, std::uint32_t layer, std::uint32_t mb, bool backward)
{
    std::string prefix = std::string(backward ? "bwd" : "fwd") + ".mb" + std::to_string(mb)
                         + ".layer" + std::to_string(layer) + ".";
    std::int64_t scale = backward ? 2 : 1;
    bool sp = m_p.sequenceParallel;
    bool moe = m_job.model.IsMoeLayer(layer);
    auto sublayer = [&](const std::string& part, std::int64_t ns, bool experts)
    {
        // Megatron: with SP, gather the sequence before the block and scatter its output.
        if (sp)
        {
            TensorParallel(prefix + part + ".tp-allgather", p, CollectiveOp::AllGather);
        }
        if (experts)
        {
            ExpertAllToAll(prefix + part + ".ep-dispatch", p);
        }
        Compute(prefix + part, p, ns * scale);
        if (experts)
        {
            ExpertAllToAll(prefix + part + ".ep-combine", p);
        }
        TensorParallel(prefix + part + (sp ? ".tp-reducescatter" : ".tp-allreduce"),
                       p,
                       sp ? CollectiveOp::ReduceScatter : CollectiveOp::AllReduce);
    };
    if (!backward)
    {
        sublayer("attention", m_times.attentionNs, false);
        sublayer(moe ? "moe" : "mlp", moe ? m_times.moeNs : m_times.mlpNs, moe);
    }
    else
    {
        sublayer(moe ? "moe" : "mlp", moe ? m_times.moeNs : m_times.mlpNs, moe);
        sublayer("attention", m_times.attentionNs, false);
    }
}

void
IterationBuilder::SendToStage(std::uint32_t from, std::uint32_t to, std::uint32_t mb, bool backward)
{
    std::uint64_t bytes = m_activationBytes / m_p.tp; // Megatron's scatter-gather over TP ranks
    for (std::uint32_t d = 0; d < m_p.dp; ++d)
    {
        for (std::uint32_t t = 0; t < m_p.tp; ++t)
        {
            std::uint32_t src = Rank(t, d, from);
            std::uint32_t dst = Rank(t, d, to);
            TaskGroup group;
            group.name = std::string(backward ? "bwd" : "fwd") + ".mb" + std::to_string(mb)
                         + ".pp-send.stage" + std::to_string(from);
            group.kind = GroupKind::Collective;
            group.op = CollectiveOp::SendRecv;
            group.algorithm = CollectiveAlgorithmName(CollectiveAlgorithm::Direct);
            group.ranks = {src, dst};
            group.bytes = bytes;
            std::uint32_t g = m_s.AddGroup(std::move(group));
            // The receiver posted its buffer ahead (Megatron's batched isend/irecv), and the
            // sender goes on computing while the activations travel.
            auto dag
                = ExpandCollective(CollectiveOp::SendRecv, CollectiveAlgorithm::Direct, 2, bytes);
            auto done = m_s.AddCollective(g, dag, {m_front[src], kNoTask});
            m_arrivals[{dst, mb, backward}] = done[1];
        }
    }
}

void
IterationBuilder::Pass(std::uint32_t p, std::uint32_t mb, bool backward)
{
    std::uint32_t perStage = m_job.model.layers / m_p.pp;
    for (auto r : StageRanks(p))
    {
        auto arrival = m_arrivals.find({r, mb, backward});
        if (arrival != m_arrivals.end())
        {
            m_front[r] = m_s.AddCompute(0, r, 0, {m_front[r], arrival->second});
        }
    }
    bool last = p + 1 == m_p.pp;
    std::string mbName = ".mb" + std::to_string(mb);
    if (!backward)
    {
        for (std::uint32_t l = p * perStage; l < (p + 1) * perStage; ++l)
        {
            Layer(p, l, mb, false);
        }
        if (last)
        {
            Compute("fwd" + mbName + ".head", p, m_times.headNs);
        }
        else
        {
            SendToStage(p, p + 1, mb, false);
        }
        return;
    }
    if (last)
    {
        Compute("bwd" + mbName + ".head", p, 2 * m_times.headNs);
    }
    bool lastMicroBatch = mb + 1 == m_job.MicroBatches();
    for (std::uint32_t l = (p + 1) * perStage; l-- > p * perStage;)
    {
        Layer(p, l, mb, true);
        if (lastMicroBatch)
        {
            AddGradients(p, l, l == p * perStage);
        }
    }
    if (p > 0)
    {
        SendToStage(p, p - 1, mb, true);
    }
}

void
IterationBuilder::AddGradients(std::uint32_t p, std::uint32_t layer, bool flush)
{
    LayerGradients g = GradientsOfLayer(m_job, layer);
    const auto& m = m_job.model;
    std::uint64_t embedding
        = static_cast<std::uint64_t>(m.vocabulary) * m.hidden / m_p.tp * m.bytesPerValue;
    m_pendingDense[p] += g.denseBytes;
    m_pendingExpert[p] += g.expertBytes;
    if (flush && (p == 0 || p + 1 == m_p.pp))
    {
        m_pendingDense[p] += embedding; // input embedding, and the output head on the last stage
    }
    if (m_pendingDense[p] >= m_job.bucketBytes || (flush && m_pendingDense[p] > 0))
    {
        Bucket(p, false, m_pendingDense[p]);
        m_pendingDense[p] = 0;
    }
    if (m_pendingExpert[p] >= m_job.bucketBytes || (flush && m_pendingExpert[p] > 0))
    {
        Bucket(p, true, m_pendingExpert[p]);
        m_pendingExpert[p] = 0;
    }
}

void
IterationBuilder::Bucket(std::uint32_t p, bool expert, std::uint64_t bytes)
{
    // Dense gradients are reduced over every replica; an expert's over the replicas that hold
    // the same experts (one per expert-parallel block).
    std::uint32_t groups = expert ? m_p.ep : 1;
    std::uint32_t stride = expert ? m_p.ep : 1;
    std::uint32_t size = m_p.dp / stride;
    std::string name = std::string(expert ? "dp-expert-bucket" : "dp-bucket")
                       + std::to_string(m_buckets[p]++) + ".stage" + std::to_string(p);
    if (size < 2)
    {
        return;
    }
    for (std::uint32_t t = 0; t < m_p.tp; ++t)
    {
        for (std::uint32_t first = 0; first < groups; ++first)
        {
            std::vector<std::uint32_t> ranks;
            for (std::uint32_t i = 0; i < size; ++i)
            {
                ranks.push_back(Rank(t, first + i * stride, p));
            }
            // The bucket is ready when the backward pass has produced it on this rank.
            for (auto r : ranks)
            {
                m_comm[r] = m_s.AddCompute(0, r, 0, {m_comm[r], m_front[r]});
            }
            Collective(name, CollectiveOp::AllReduce, m_job.dpAlgorithm, ranks, bytes, m_comm);
        }
    }
}

void
IterationBuilder::Build()
{
    m_pendingDense.assign(m_p.pp, 0);
    m_pendingExpert.assign(m_p.pp, 0);
    m_buckets.assign(m_p.pp, 0);
    // The first group is the iteration itself: join points belong to it.
    TaskGroup iteration;
    iteration.name = "iteration";
    iteration.kind = GroupKind::Compute;
    m_s.AddGroup(iteration);

    // 1F1B: stage p runs pp − p − 1 forward passes, then alternates, then drains backward ones.
    std::uint32_t microBatches = m_job.MicroBatches();
    std::vector<std::vector<std::pair<std::uint32_t, bool>>> order(m_p.pp);
    for (std::uint32_t p = 0; p < m_p.pp; ++p)
    {
        std::uint32_t warmup = std::min(m_p.pp - p - 1, microBatches);
        for (std::uint32_t m = 0; m < warmup; ++m)
        {
            order[p].emplace_back(m, false);
        }
        for (std::uint32_t i = 0; i + warmup < microBatches; ++i)
        {
            order[p].emplace_back(warmup + i, false);
            order[p].emplace_back(i, true);
        }
        for (std::uint32_t m = microBatches - warmup; m < microBatches; ++m)
        {
            order[p].emplace_back(m, true);
        }
    }
    // Emit passes in an order that respects stage-to-stage dependencies, so task ids stay a
    // topological order.
    std::vector<std::size_t> next(m_p.pp, 0);
    std::set<std::pair<std::uint32_t, std::uint32_t>> forwardDone;
    std::set<std::pair<std::uint32_t, std::uint32_t>> backwardDone;
    bool progress = true;
    while (progress)
    {
        progress = false;
        for (std::uint32_t p = 0; p < m_p.pp; ++p)
        {
            while (next[p] < order[p].size())
            {
                auto [mb, backward] = order[p][next[p]];
                bool ready = backward ? (p + 1 == m_p.pp || backwardDone.count({p + 1, mb}))
                                      : (p == 0 || forwardDone.count({p - 1, mb}));
                if (!ready)
                {
                    break;
                }
                Pass(p, mb, backward);
                (backward ? backwardDone : forwardDone).insert({p, mb});
                ++next[p];
                progress = true;
            }
        }
    }
    for (std::uint32_t r = 0; r < m_p.Gpus(); ++r)
    {
        m_s.AddCompute(0, r, 0, {m_front[r], m_comm[r]});
    }
}

} // namespace

Schedule
BuildIteration(const JobSpec& job, const std::vector<RankPlace>& places, const ScaleUpLink& scaleUp)
{
    std::vector<std::uint32_t> servers;
    for (const auto& place : places)
    {
        servers.push_back(place.server);
    }
    Schedule schedule(std::move(servers), scaleUp);
    IterationBuilder builder(job, schedule);
    builder.Build();
    return schedule;
}

} // namespace fab::traffic
