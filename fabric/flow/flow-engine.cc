#include "fabric/flow/flow-engine.h"

#include "fabric/model/queue-pair-numbers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace fab::flow
{

namespace fabric = ::ns3::fabric;

namespace
{

/**
 * How much more of a shared bottleneck each further channel of a transfer gets. A NIC serves its
 * queue pairs a packet at a time, yet channels posted together do not stay in step: in the packet
 * engine the first posted ends its message several packets ahead, and once apart each channel's
 * per-step latency is covered by the others' sending. An exactly fair fluid share keeps them in
 * step and leaves the NIC idle for every step's latency (+10% on a 4-channel ring across spines);
 * a one percent tilt per channel lets them drift apart as they do there.
 */
constexpr double kChannelWeightStep = 0.01;

} // namespace

FlowEngine::FlowEngine(const FlowFabric& fabric)
: m_fabric(fabric)
, m_nextQp(fabric.Servers(), fabric::kFirstScheduledQp)
, m_linkBytes(fabric.Paths().DirectedLinks(), 0)
{
    std::uint32_t links = static_cast<std::uint32_t>(fabric.Graph().Links().size());
    for (std::uint32_t l = 0; l < links; ++l)
    {
        std::uint64_t rate = fabric.FiguresOf(l).rateBps;
        m_solver.AddLink(rate); // FlowPaths::Directed(l, true)
        m_solver.AddLink(rate); // FlowPaths::Directed(l, false)
    }
}

FlowEngine::~FlowEngine() = default;

std::uint32_t
FlowEngine::AddJob(fabric::FabricJob job)
{
    fabric::CheckPlacements(job, m_fabric.Servers(), m_fabric.Paths().PortsPerServer());
    JobState& state = m_jobs.emplace_back();
    state.spec = std::move(job);
    return static_cast<std::uint32_t>(m_jobs.size() - 1);
}

bool
FlowEngine::Done() const
{
    return std::all_of(m_jobs.begin(), m_jobs.end(), [](const JobState& j) { return j.finished; });
}

void
FlowEngine::Push(std::int64_t timeNs,
                 EventKind kind,
                 std::uint32_t index,
                 std::uint64_t task,
                 std::int64_t startNs)
{
    m_agenda.push(Event{timeNs, m_sequence++, kind, index, task, startNs});
}

void
FlowEngine::Run()
{
    for (std::uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        Push(m_nowNs, EventKind::StartIteration, j, 0);
    }
    while (!m_agenda.empty() && !Done())
    {
        std::int64_t timeNs = m_agenda.top().timeNs;
        if (m_stopNs > 0 && timeNs > m_stopNs)
        {
            m_nowNs = m_stopNs;
            break;
        }
        m_nowNs = timeNs;
        // Everything that happens at one time, then one solve for all the flows it started
        // and ended.
        while (!m_agenda.empty() && m_agenda.top().timeNs == timeNs)
        {
            Event event = m_agenda.top();
            m_agenda.pop();
            Handle(event);
        }
        if (m_solveDue)
        {
            Resolve();
        }
    }
    if (m_stopNs > 0 && !Done() && m_agenda.empty())
    {
        m_nowNs = std::max(m_nowNs, m_stopNs);
    }
    CountUnfinished();
}

void
FlowEngine::Handle(const Event& event)
{
    switch (event.kind)
    {
        case EventKind::StartIteration:
            ++m_events;
            StartIteration(event.index);
            break;
        case EventKind::TaskEnd:
            ++m_events;
            End(event.index, event.task, event.startNs);
            break;
        case EventKind::FlowDone:
            FlowDone(event.index, static_cast<std::uint32_t>(event.task));
            break;
        case EventKind::PhaseDone:
            PhaseDone(event.index, static_cast<std::uint32_t>(event.task));
            break;
    }
}

void
FlowEngine::StartIteration(std::uint32_t j)
{
    JobState& job = m_jobs[j];
    job.iterationStartNs = m_nowNs;
    job.running = true;
    job.spec.iteration.Restart();
    job.generator = std::make_unique<traffic::TaskGenerator>(
        job.spec.iteration, [this, j](traffic::TaskId id) { Begin(j, id); });
    job.generator->Start();
    if (job.running && job.generator->Finished())
    {
        EndIteration(j); // nothing to run
    }
}

void
FlowEngine::Begin(std::uint32_t j, traffic::TaskId id)
{
    JobState& job = m_jobs[j];
    traffic::TaskView task = job.spec.iteration.View(id);
    const fabric::RankPlacement& src = job.spec.ranks[task.src];
    const fabric::RankPlacement& dst = job.spec.ranks[task.dst];
    if (task.kind == traffic::TaskKind::Transfer && m_patternMinTransfers != kNoPatterns)
    {
        std::uint32_t r = PatternRunOf(j, id);
        if (r != kNoRun)
        {
            // A root: its queue pair is opened now, as it would be flow by flow (the order in
            // which a server opens them numbers them, and so picks their ECMP paths); the
            // pattern starts when the last root may.
            if (src.server != dst.server)
            {
                QueuePairFor(j, task);
            }
            if (--m_runs[r].rootsLeft == 0)
            {
                m_runs[r].startNs = m_nowNs;
                for (std::uint32_t c = 0; c < m_runs[r].phases.size(); ++c)
                {
                    if (!m_runs[r].phases[c].empty())
                    {
                        StartPhase(r, c);
                    }
                }
            }
            return;
        }
    }
    bool overFabric = task.kind == traffic::TaskKind::Transfer && src.server != dst.server;
    if (!overFabric)
    {
        std::int64_t ns = task.kind == traffic::TaskKind::Transfer
                              ? job.spec.iteration.ScaleUp().TransferNs(task.bytes)
                              : task.durationNs;
        if (ns == 0)
        {
            End(j, id, m_nowNs);
            return;
        }
        Push(m_nowNs + ns, EventKind::TaskEnd, j, id, m_nowNs);
        return;
    }
    std::uint32_t qp = QueuePairFor(j, task);
    // A chunk can round down to nothing: the message still carries one byte, as in the packet
    // engine.
    m_queuePairs[qp].waiting.PushBack(
        Message{j, id, m_nowNs, std::max<std::uint64_t>(task.bytes, 1)});
    if (!m_queuePairs[qp].busy)
    {
        SendNext(qp);
    }
}

std::uint32_t
FlowEngine::QueuePairFor(std::uint32_t j, const traffic::TaskView& task)
{
    QueuePairKey key{j, task.src, task.dst, task.channel};
    auto it = m_queuePairOf.find(key);
    if (it != m_queuePairOf.end())
    {
        return it->second;
    }
    const fabric::FabricJob& job = m_jobs[j].spec;
    const fabric::RankPlacement& src = job.ranks[task.src];
    const fabric::RankPlacement& dst = job.ranks[task.dst];
    QueuePair qp;
    qp.srcEndpoint = m_fabric.Endpoint(src.server, src.port);
    qp.dstEndpoint = m_fabric.Endpoint(dst.server, dst.port);
    qp.qpn = m_nextQp[src.server]++;
    qp.channel = task.channel;
    qp.routed = m_fabric.Paths().Path(
        qp.srcEndpoint, qp.dstEndpoint, fabric::QueuePairUdpSourcePort(qp.qpn), qp.qpn, qp.path);
    m_queuePairs.push_back(std::move(qp));
    auto index = static_cast<std::uint32_t>(m_queuePairs.size() - 1);
    m_queuePairOf.emplace(key, index);
    return index;
}

void
FlowEngine::SendNext(std::uint32_t q)
{
    QueuePair& qp = m_queuePairs[q];
    if (qp.waiting.Empty() || !qp.routed)
    {
        return; // without a route its messages never arrive, as frames to nowhere are dropped
    }
    qp.busy = true;
    Message message = qp.waiting.Front();
    qp.waiting.PopFront();
    MaxMinSolver::FlowId id = m_solver.AddFlow(
        qp.path, MaxMinSolver::kUnlimited, 1.0 + kChannelWeightStep * qp.channel);
    if (id >= m_flows.size())
    {
        m_flows.resize(id + 1);
    }
    ActiveFlow& flow = m_flows[id];
    flow.phase = kNoPhase;
    flow.queuePair = q;
    flow.message = message;
    flow.wireBytes = m_fabric.WireBytes(message.bytes);
    flow.leftBits = static_cast<double>(flow.wireBytes) * 8;
    flow.rateBps = 0;
    flow.sinceNs = m_nowNs;
    ++flow.version;
    ++m_flowsStarted;
    m_solveDue = true;
}

void
FlowEngine::Resolve()
{
    m_solveDue = false;
    m_solver.Solve();
    for (auto id : m_solver.Changed())
    {
        ActiveFlow& flow = m_flows[id];
        if (flow.phase != kNoPhase)
        {
            UpdatePhase(flow.phase, m_solver.RateBps(id));
            continue;
        }
        flow.leftBits = std::max(
            0.0, flow.leftBits - flow.rateBps * static_cast<double>(m_nowNs - flow.sinceNs) * 1e-9);
        flow.sinceNs = m_nowNs;
        flow.rateBps = m_solver.RateBps(id);
        ++flow.version;
        if (flow.rateBps > 0)
        {
            auto ns = static_cast<std::int64_t>(std::ceil(flow.leftBits / flow.rateBps * 1e9));
            Push(m_nowNs + ns, EventKind::FlowDone, id, flow.version);
        }
    }
}

void
FlowEngine::FlowDone(std::uint32_t id, std::uint32_t version)
{
    ActiveFlow& flow = m_flows[id];
    if (flow.version != version)
    {
        return; // its rate changed since this was predicted
    }
    ++m_events;
    ++flow.version;
    const QueuePair& qp = m_queuePairs[flow.queuePair];
    for (auto link : qp.path)
    {
        m_linkBytes[link] += flow.wireBytes;
    }
    m_solver.RemoveFlow(id);
    m_solveDue = true;
    Push(m_nowNs + m_fabric.PathLatencyNs(qp.path, flow.message.bytes),
         EventKind::TaskEnd,
         flow.message.job,
         flow.message.task,
         flow.message.startNs);
    std::uint32_t q = flow.queuePair;
    m_queuePairs[q].busy = false;
    SendNext(q);
}

void
FlowEngine::End(std::uint32_t j, traffic::TaskId id, std::int64_t startNs)
{
    JobState& job = m_jobs[j];
    traffic::TaskView task = job.spec.iteration.View(id);
    job.recorder.TaskEnded(task, startNs, m_nowNs);
    job.generator->End(id);
    if (job.running && job.generator->Finished())
    {
        EndIteration(j);
    }
}

void
FlowEngine::EndIteration(std::uint32_t j)
{
    JobState& job = m_jobs[j];
    job.recorder.IterationEnded(
        j, job.iteration, job.spec.iteration, m_fabric.PayloadRateBps(), m_collectives, m_spans);
    job.running = false;
    // Ids start again from 0 next iteration: forget which collectives ran flow by flow.
    for (auto it = m_runOf.lower_bound({j, 0}); it != m_runOf.end() && it->first.first == j;)
    {
        it = m_runOf.erase(it);
    }
    m_iterationRecords.push_back(
        fabric::IterationRecord{j, job.iteration, job.iterationStartNs, m_nowNs});
    ++job.iteration;
    if (m_iterations != 0 && job.iteration >= m_iterations)
    {
        job.finished = true;
        return;
    }
    Push(m_nowNs, EventKind::StartIteration, j, 0);
}

void
FlowEngine::CountUnfinished()
{
    for (std::uint32_t id = 0; id < m_flows.size(); ++id)
    {
        const ActiveFlow& flow = m_flows[id];
        if (flow.phase != kNoPhase || flow.rateBps <= 0 || m_solver.PathOf(id).empty())
        {
            continue;
        }
        double leftBits
            = flow.leftBits - flow.rateBps * static_cast<double>(m_nowNs - flow.sinceNs) * 1e-9;
        auto sent = static_cast<std::uint64_t>(
            std::max(0.0, static_cast<double>(flow.wireBytes) - std::max(0.0, leftBits) / 8));
        for (auto link : m_solver.PathOf(id))
        {
            m_linkBytes[link] += sent;
        }
    }
    for (const PhaseFlow& flow : m_phases)
    {
        if (!flow.pattern || flow.durationNs <= 0)
        {
            continue;
        }
        double done = std::min(
            1.0, flow.doneFraction + static_cast<double>(m_nowNs - flow.sinceNs) / flow.durationNs);
        const RingPattern& pattern = *flow.pattern;
        auto perMember = static_cast<std::uint64_t>(
            static_cast<double>(pattern.WireBytes() * pattern.Steps()) * done);
        for (std::size_t k = 0; k < pattern.Links().size(); ++k)
        {
            m_linkBytes[pattern.Links()[k]] += perMember * pattern.Counts()[k];
        }
    }
}

} // namespace fab::flow
