// The flow engine's ring patterns: a ring collective's phases, each solved once for all its
// steps (see RingPattern), instead of its transfers one by one.
#include "fabric/flow/flow-engine.h"

#include <algorithm>
#include <cmath>

namespace fab::flow
{

namespace
{

/** A free slot of `slots` (the last freed), or a new one at its end. */
template <typename T>
std::uint32_t
TakeSlot(std::vector<T>& slots, std::vector<std::uint32_t>& freed)
{
    if (!freed.empty())
    {
        std::uint32_t slot = freed.back();
        freed.pop_back();
        return slot;
    }
    slots.emplace_back();
    return static_cast<std::uint32_t>(slots.size() - 1);
}

} // namespace

std::uint32_t
FlowEngine::PatternRunOf(std::uint32_t j, traffic::TaskId id)
{
    const traffic::Schedule& schedule = m_jobs[j].spec.iteration;
    auto view = schedule.CollectiveOf(id);
    if (!view || view->plan->Transfers() < m_patternMinTransfers)
    {
        return kNoRun;
    }
    auto key = std::make_pair(j, view->first);
    auto known = m_runOf.find(key);
    if (known != m_runOf.end())
    {
        return known->second;
    }
    std::vector<traffic::CollectivePhase> phases = view->plan->Phases();
    bool rings = !phases.empty()
                 && std::all_of(phases.begin(),
                                phases.end(),
                                [](const traffic::CollectivePhase& phase)
                                {
                                    return phase.pattern == traffic::PhasePattern::Ring
                                           && phase.sameEveryStep && phase.steps > 0
                                           && phase.transfers % phase.steps == 0;
                                });
    if (!rings)
    {
        m_runOf.emplace(key, kNoRun);
        return kNoRun;
    }
    std::uint32_t r = TakeSlot(m_runs, m_freeRuns);
    PatternRun& run = m_runs[r];
    run = PatternRun{};
    run.job = j;
    run.first = view->first;
    run.group = view->group;
    run.plan = view->plan;
    run.firstRootNs = m_nowNs;
    for (const auto& phase : phases)
    {
        if (run.phases.size() <= phase.channel)
        {
            run.phases.resize(phase.channel + 1);
        }
        auto& ofChannel = run.phases[phase.channel];
        if (ofChannel.empty())
        {
            // Its first sends are the plan's roots on that channel.
            run.rootsLeft += phase.transfers / phase.steps;
            ++run.channelsLeft;
        }
        ofChannel.push_back(phase);
    }
    run.nextPhase.assign(run.phases.size(), 0);
    m_runOf.emplace(key, r);
    return r;
}

void
FlowEngine::StartPhase(std::uint32_t r, std::uint32_t c)
{
    std::uint32_t p = TakeSlot(m_phases, m_freePhases);
    const PatternRun& run = m_runs[r];
    const traffic::CollectivePhase& phase = run.phases[c][run.nextPhase[c]];
    const traffic::Schedule& schedule = m_jobs[run.job].spec.iteration;
    const std::vector<std::uint32_t>& ranks = schedule.Groups()[run.group].ranks;
    const auto& placements = m_jobs[run.job].spec.ranks;
    PhaseFlow& flow = m_phases[p];
    flow.run = r;
    flow.channel = c;
    flow.stuck = false;
    flow.doneFraction = 0;
    flow.durationNs = 0;
    flow.sinceNs = m_nowNs;
    flow.pattern = std::make_unique<RingPattern>(phase.steps,
                                                 m_fabric.WireBytes(phase.bytes),
                                                 static_cast<std::uint32_t>(run.phases.size()));
    ++m_patternsSolved;

    // The first step's members, ring by ring: each ring's transfers are its first step's, then
    // the same members' in each later step.
    const traffic::CollectivePlan& plan = *run.plan;
    std::uint64_t end = phase.firstTransfer + phase.transfers;
    for (std::uint64_t i = phase.firstTransfer; i < end;)
    {
        std::uint64_t ringStart = i;
        for (traffic::PlannedTransfer t; i < end && (t = plan.At(i)).step == phase.firstStep; ++i)
        {
            traffic::TaskView task;
            task.kind = traffic::TaskKind::Transfer;
            task.src = ranks[t.src];
            task.dst = ranks[t.dst];
            task.channel = t.channel;
            task.bytes = t.bytes;
            if (placements[task.src].server == placements[task.dst].server)
            {
                flow.pattern->AddScaleUpMember(schedule.ScaleUp().TransferNs(t.bytes));
                continue;
            }
            const QueuePair& qp = m_queuePairs[QueuePairFor(run.job, task)];
            if (!qp.routed)
            {
                flow.stuck = true;
                continue;
            }
            std::uint64_t narrowestBps = UINT64_MAX;
            for (auto link : qp.path)
            {
                narrowestBps = std::min(narrowestBps, m_solver.CapacityBps(link));
            }
            flow.pattern->AddFabricMember(
                qp.path, m_fabric.PathLatencyNs(qp.path, t.bytes), narrowestBps);
        }
        if (i == ringStart)
        {
            break; // not a ring's first step: the plan is not laid out as phases say
        }
        i += (i - ringStart) * (phase.steps - 1);
    }
    flow.pattern->Finish();
    if (flow.stuck)
    {
        return; // without a route its chunks never arrive
    }
    if (!flow.pattern->CrossesFabric())
    {
        auto ns = static_cast<std::int64_t>(std::ceil(flow.pattern->DurationNs(0)));
        Push(m_nowNs + ns, EventKind::PhaseDone, p, flow.version);
        return;
    }
    flow.flow = m_solver.AddGroup(flow.pattern->Links(), flow.pattern->Counts());
    if (flow.flow >= m_flows.size())
    {
        m_flows.resize(flow.flow + 1);
    }
    m_flows[flow.flow].phase = p;
    m_flows[flow.flow].rateBps = 0;
    m_solveDue = true;
}

void
FlowEngine::UpdatePhase(std::uint32_t p, double rateBps)
{
    PhaseFlow& flow = m_phases[p];
    if (flow.durationNs > 0)
    {
        flow.doneFraction = std::min(
            1.0, flow.doneFraction + static_cast<double>(m_nowNs - flow.sinceNs) / flow.durationNs);
    }
    flow.sinceNs = m_nowNs;
    flow.durationNs = rateBps > 0 ? flow.pattern->DurationNs(rateBps) : 0;
    ++flow.version;
    if (rateBps > 0)
    {
        auto ns = static_cast<std::int64_t>(std::ceil((1 - flow.doneFraction) * flow.durationNs));
        Push(m_nowNs + ns, EventKind::PhaseDone, p, flow.version);
    }
}

void
FlowEngine::PhaseDone(std::uint32_t p, std::uint32_t version)
{
    PhaseFlow& flow = m_phases[p];
    if (flow.version != version || !flow.pattern)
    {
        return; // its rate changed since this was predicted
    }
    ++m_events;
    const RingPattern& pattern = *flow.pattern;
    std::uint64_t perMember = pattern.WireBytes() * pattern.Steps();
    for (std::size_t k = 0; k < pattern.Links().size(); ++k)
    {
        m_linkBytes[pattern.Links()[k]] += perMember * pattern.Counts()[k];
    }
    if (pattern.CrossesFabric())
    {
        m_solver.RemoveFlow(flow.flow);
        m_flows[flow.flow].phase = kNoPhase;
        m_solveDue = true;
    }
    std::uint32_t r = flow.run;
    std::uint32_t c = flow.channel;
    flow.pattern.reset();
    ++flow.version;
    m_freePhases.push_back(p);
    PatternRun& run = m_runs[r];
    if (++run.nextPhase[c] < run.phases[c].size())
    {
        StartPhase(r, c);
        return;
    }
    if (--run.channelsLeft == 0)
    {
        FinishRun(r);
    }
}

void
FlowEngine::FinishRun(std::uint32_t r)
{
    PatternRun& run = m_runs[r];
    JobState& job = m_jobs[run.job];
    traffic::TaskView span;
    span.kind = traffic::TaskKind::Transfer;
    span.group = run.group;
    for (auto rank : job.spec.iteration.Groups()[run.group].ranks)
    {
        span.src = rank;
        span.dst = rank;
        job.recorder.TaskEnded(span, run.firstRootNs, m_nowNs);
    }
    traffic::TaskId first = run.first;
    m_runOf.erase({run.job, first});
    run.phases.clear();
    run.nextPhase.clear();
    m_freeRuns.push_back(r);
    // Last: the joins may end the iteration and start the next.
    job.generator->EndTransfersOf(first);
}

} // namespace fab::flow
