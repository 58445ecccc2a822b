#include "traffic/model/iteration-emitter.h"

#include <algorithm>

namespace fab::traffic
{

IterationEmitter::IterationEmitter(const JobSpec& job)
: m_job(job)
, m_times(ComputeLayerTimes(job))
, m_front(job.parallel.Gpus(), kNoTask)
, m_comm(job.parallel.Gpus(), kNoTask)
{
    m_options = job.algorithm;
    m_options.ranksPerServer = 1;
    m_activationBytes = ActivationBytes(job);
    m_a2aBytes = ExpertAllToAllBytes(job);
    m_pendingDense.assign(Parallel().pp, 0);
    m_pendingExpert.assign(Parallel().pp, 0);
    m_buckets.assign(Parallel().pp, 0);
    PlanPasses();
}

std::unique_ptr<ScheduleEmitter>
IterationEmitter::Clone() const
{
    auto copy = std::make_unique<IterationEmitter>(*this);
    copy->m_s = nullptr;
    return copy;
}

std::unique_ptr<ScheduleEmitter>
IterationEmitter::Restarted() const
{
    return std::make_unique<IterationEmitter>(m_job);
}

void
IterationEmitter::PlanPasses()
{
    // 1F1B: stage p runs pp − p − 1 forward passes, then alternates, then drains backward ones.
    std::uint32_t pp = Parallel().pp;
    std::uint32_t microBatches = m_job.MicroBatches();
    m_order.assign(pp, {});
    m_next.assign(pp, 0);
    for (std::uint32_t p = 0; p < pp; ++p)
    {
        std::uint32_t warmup = std::min(pp - p - 1, microBatches);
        for (std::uint32_t m = 0; m < warmup; ++m)
        {
            m_order[p].emplace_back(m, false);
        }
        for (std::uint32_t i = 0; i + warmup < microBatches; ++i)
        {
            m_order[p].emplace_back(warmup + i, false);
            m_order[p].emplace_back(i, true);
        }
        for (std::uint32_t m = microBatches - warmup; m < microBatches; ++m)
        {
            m_order[p].emplace_back(m, true);
        }
    }
}

void
IterationEmitter::SetFront(std::uint32_t rank, TaskId id)
{
    if (m_front[rank] == kNoTask && id != kNoTask)
    {
        ++m_started;
    }
    m_front[rank] = id;
}

bool
IterationEmitter::MayBeWaitedFor(TaskId id, std::uint32_t rank) const
{
    // Every task waits for the latest of its rank's streams or for an arrival.
    return m_front[rank] == id || m_comm[rank] == id || m_arrivalIds.count(id) > 0;
}

bool
IterationEmitter::RootsEmitted() const
{
    // Once a rank's compute stream has a task, every later task of that rank waits for one.
    return m_finished || m_started == m_front.size();
}

bool
IterationEmitter::NextPass()
{
    // Sweeps over the stages, taking a stage's passes as long as their stage-to-stage inputs have
    // been emitted, so that task ids stay a topological order; ends after a sweep finds none.
    std::uint32_t pp = Parallel().pp;
    while (true)
    {
        if (m_stage == pp)
        {
            if (!m_progress)
            {
                return false;
            }
            m_progress = false;
            m_stage = 0;
        }
        std::uint32_t p = m_stage;
        if (m_next[p] < m_order[p].size())
        {
            auto [mb, backward] = m_order[p][m_next[p]];
            bool ready = backward ? (p + 1 == pp || m_backwardDone.count({p + 1, mb}) > 0)
                                  : (p == 0 || m_forwardDone.count({p - 1, mb}) > 0);
            if (ready)
            {
                (backward ? m_backwardDone : m_forwardDone).insert({p, mb});
                ++m_next[p];
                m_progress = true;
                m_pass = Pass{p, mb, backward};
                return true;
            }
        }
        ++m_stage;
    }
}

bool
IterationEmitter::EmitPart()
{
    std::uint32_t p = m_pass.stage;
    std::uint32_t mb = m_pass.microBatch;
    bool backward = m_pass.backward;
    std::uint32_t perStage = m_job.model.layers / Parallel().pp;
    bool last = p + 1 == Parallel().pp;
    std::string mbName = ".mb" + std::to_string(mb);
    std::uint32_t part = m_part++;
    if (part == 0)
    {
        // What the pass waits for from the neighbouring stage.
        for (auto r : StageRanks(p))
        {
            auto arrival = m_arrivals.find({r, mb, backward});
            if (arrival != m_arrivals.end())
            {
                TaskId id = arrival->second;
                SetFront(r, m_s->AddCompute(0, r, 0, {m_front[r], id}));
                m_arrivals.erase(arrival);
                if (--m_arrivalIds[id] == 0)
                {
                    m_arrivalIds.erase(id);
                }
            }
        }
        if (backward && last)
        {
            Compute("bwd" + mbName + ".head", p, 2 * m_times.headNs);
        }
        return true;
    }
    if (part <= perStage)
    {
        if (!backward)
        {
            Layer(p, p * perStage + part - 1, mb, false);
            return true;
        }
        std::uint32_t layer = (p + 1) * perStage - part;
        Layer(p, layer, mb, true);
        if (mb + 1 == m_job.MicroBatches())
        {
            AddGradients(p, layer, layer == p * perStage);
        }
        return true;
    }
    if (!backward)
    {
        if (last)
        {
            Compute("fwd" + mbName + ".head", p, m_times.headNs);
        }
        else
        {
            SendToStage(p, p + 1, mb, false);
        }
    }
    else if (p > 0)
    {
        SendToStage(p, p - 1, mb, true);
    }
    return false;
}

bool
IterationEmitter::EmitNext(Schedule& schedule)
{
    m_s = &schedule;
    if (!m_begun)
    {
        // The first group is the iteration itself: join points belong to it.
        TaskGroup iteration;
        iteration.name = "iteration";
        iteration.kind = GroupKind::Compute;
        m_s->AddGroup(iteration);
        m_begun = true;
    }
    if (!m_inPass)
    {
        m_inPass = NextPass();
        m_part = 0;
    }
    if (m_inPass)
    {
        m_inPass = EmitPart();
        return true;
    }
    // Every rank's end of iteration: its compute and DP streams joined.
    for (std::uint32_t r = 0; r < Parallel().Gpus(); ++r)
    {
        m_s->AddCompute(0, r, 0, {m_front[r], m_comm[r]});
    }
    m_finished = true;
    m_s = nullptr;
    return false;
}

std::vector<std::uint32_t>
IterationEmitter::StageRanks(std::uint32_t p) const
{
    std::vector<std::uint32_t> ranks;
    for (std::uint32_t d = 0; d < Parallel().dp; ++d)
    {
        for (std::uint32_t t = 0; t < Parallel().tp; ++t)
        {
            ranks.push_back(Rank(t, d, p));
        }
    }
    return ranks;
}

void
IterationEmitter::Compute(const std::string& name, std::uint32_t p, std::int64_t ns)
{
    if (ns <= 0)
    {
        return;
    }
    TaskGroup group;
    group.name = name;
    group.kind = GroupKind::Compute;
    group.ranks = StageRanks(p);
    std::uint32_t g = m_s->AddGroup(group);
    for (auto r : m_s->Groups()[g].ranks)
    {
        SetFront(r, m_s->AddCompute(g, r, ns, {m_front[r]}));
    }
}

void
IterationEmitter::Collective(const std::string& name,
                             CollectiveOp op,
                             CollectiveAlgorithm algorithm,
                             const std::vector<std::uint32_t>& ranks,
                             std::uint64_t bytes,
                             bool dataParallelStream)
{
    TaskGroup group;
    group.name = name;
    group.kind = GroupKind::Collective;
    group.op = op;
    group.algorithm = CollectiveAlgorithmName(algorithm);
    group.ranks = ranks;
    group.bytes = bytes;
    std::uint32_t g = m_s->AddGroup(std::move(group));
    std::vector<TaskId>& stream = dataParallelStream ? m_comm : m_front;
    std::vector<TaskId> ready;
    for (auto r : ranks)
    {
        ready.push_back(stream[r]);
    }
    auto plan
        = PlanCollective(op, algorithm, static_cast<std::uint32_t>(ranks.size()), bytes, m_options);
    auto done = m_s->AddCollective(g, std::move(plan), ready);
    for (std::size_t i = 0; i < ranks.size(); ++i)
    {
        if (dataParallelStream)
        {
            m_comm[ranks[i]] = done[i];
        }
        else
        {
            SetFront(ranks[i], done[i]);
        }
    }
}

void
IterationEmitter::TensorParallel(const std::string& name, std::uint32_t p, CollectiveOp op)
{
    if (Parallel().tp < 2)
    {
        return;
    }
    for (std::uint32_t d = 0; d < Parallel().dp; ++d)
    {
        std::vector<std::uint32_t> ranks;
        for (std::uint32_t t = 0; t < Parallel().tp; ++t)
        {
            ranks.push_back(Rank(t, d, p));
        }
        Collective(name, op, DefaultAlgorithm(op), ranks, m_activationBytes, false);
    }
}

void
IterationEmitter::ExpertAllToAll(const std::string& name, std::uint32_t p)
{
    if (Parallel().ep < 2)
    {
        return;
    }
    for (std::uint32_t t = 0; t < Parallel().tp; ++t)
    {
        for (std::uint32_t block = 0; block < Parallel().dp / Parallel().ep; ++block)
        {
            std::vector<std::uint32_t> ranks;
            for (std::uint32_t i = 0; i < Parallel().ep; ++i)
            {
                ranks.push_back(Rank(t, block * Parallel().ep + i, p));
            }
            Collective(name,
                       CollectiveOp::AllToAll,
                       DefaultAlgorithm(CollectiveOp::AllToAll),
                       ranks,
                       m_a2aBytes,
                       false);
        }
    }
}

void
IterationEmitter::Layer(std::uint32_t p, std::uint32_t layer, std::uint32_t mb, bool backward)
{
    std::string prefix = std::string(backward ? "bwd" : "fwd") + ".mb" + std::to_string(mb)
                         + ".layer" + std::to_string(layer) + ".";
    std::int64_t scale = backward ? 2 : 1;
    bool sp = Parallel().sequenceParallel;
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
IterationEmitter::SendToStage(std::uint32_t from, std::uint32_t to, std::uint32_t mb, bool backward)
{
    // Megatron's scatter-gather: each TP rank sends its share.
    std::uint64_t bytes = m_activationBytes / Parallel().tp;
    for (std::uint32_t d = 0; d < Parallel().dp; ++d)
    {
        for (std::uint32_t t = 0; t < Parallel().tp; ++t)
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
            std::uint32_t g = m_s->AddGroup(std::move(group));
            // The receiver posted its buffer ahead (Megatron's batched isend/irecv), and the
            // sender goes on computing while the activations travel.
            auto plan
                = PlanCollective(CollectiveOp::SendRecv, CollectiveAlgorithm::Direct, 2, bytes);
            auto done = m_s->AddCollective(g, std::move(plan), {m_front[src], kNoTask});
            m_arrivals[{dst, mb, backward}] = done[1];
            ++m_arrivalIds[done[1]];
        }
    }
}

void
IterationEmitter::AddGradients(std::uint32_t p, std::uint32_t layer, bool flush)
{
    LayerGradients g = GradientsOfLayer(m_job, layer);
    const auto& m = m_job.model;
    std::uint64_t embedding
        = static_cast<std::uint64_t>(m.vocabulary) * m.hidden / Parallel().tp * m.bytesPerValue;
    m_pendingDense[p] += g.denseBytes;
    m_pendingExpert[p] += g.expertBytes;
    if (flush && (p == 0 || p + 1 == Parallel().pp))
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
IterationEmitter::Bucket(std::uint32_t p, bool expert, std::uint64_t bytes)
{
    // Dense gradients are reduced over every replica; an expert's over the replicas that hold
    // the same experts (one per expert-parallel block).
    std::uint32_t groups = expert ? Parallel().ep : 1;
    std::uint32_t stride = expert ? Parallel().ep : 1;
    std::uint32_t size = Parallel().dp / stride;
    std::string name = std::string(expert ? "dp-expert-bucket" : "dp-bucket")
                       + std::to_string(m_buckets[p]++) + ".stage" + std::to_string(p);
    if (size < 2)
    {
        return;
    }
    for (std::uint32_t t = 0; t < Parallel().tp; ++t)
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
                m_comm[r] = m_s->AddCompute(0, r, 0, {m_comm[r], m_front[r]});
            }
            Collective(name, CollectiveOp::AllReduce, m_job.dpAlgorithm, ranks, bytes, true);
        }
    }
}

} // namespace fab::traffic
