#include "fabric/helper/schedule-runner.h"

#include "fabric/model/pooled-event.h"
#include "fabric/model/queue-pair-numbers.h"

#include <algorithm>
#include <limits>
#include <ns3/simulator.h>
#include <stdexcept>

namespace ns3::fabric
{
ScheduleRunner::ScheduleRunner(FabricBuilder& fabric)
: m_fabric(fabric)
, m_nextQp(fabric.Hosts(), kFirstScheduledQp)
, m_inFlight(fabric.Hosts())
, m_listening(fabric.Hosts(), false)
{
}

ScheduleRunner::~ScheduleRunner() = default;

std::uint32_t
ScheduleRunner::AddJob(FabricJob job)
{
    CheckPlacements(job, m_fabric.Hosts(), m_fabric.Design().servers.PortsPerServer());
    JobState& state = m_jobs.emplace_back();
    state.spec = std::move(job);
    m_queuePairOf.emplace_back();
    return static_cast<std::uint32_t>(m_jobs.size() - 1);
}

void
ScheduleRunner::Start(Time at)
{
    for (std::uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        Simulator::Schedule(at - Simulator::Now(), &ScheduleRunner::StartIteration, this, j);
    }
}

bool
ScheduleRunner::Done() const
{
    return std::all_of(m_jobs.begin(), m_jobs.end(), [](const JobState& j) { return j.finished; });
}

double
ScheduleRunner::Progress() const
{
    if (m_iterations == 0 || m_jobs.empty())
    {
        return 0;
    }
    double done = 0;
    for (const auto& job : m_jobs)
    {
        double tasks = static_cast<double>(job.spec.iteration.TaskCount());
        double current
            = !job.running || tasks == 0 ? 0 : static_cast<double>(job.generator->Ended()) / tasks;
        done += std::min<double>(job.iteration + current, m_iterations);
    }
    return done / (static_cast<double>(m_iterations) * static_cast<double>(m_jobs.size()));
}

std::size_t
ScheduleRunner::WaitingTasks() const
{
    std::size_t waiting = 0;
    for (const auto& job : m_jobs)
    {
        waiting += job.generator ? job.generator->Waiting() : 0;
    }
    return waiting;
}

void
ScheduleRunner::StartIteration(std::uint32_t j)
{
    JobState& job = m_jobs[j];
    job.iterationStartNs = Simulator::Now().GetNanoSeconds();
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
ScheduleRunner::Begin(std::uint32_t j, traffic::TaskId id)
{
    JobState& job = m_jobs[j];
    traffic::TaskView task = job.spec.iteration.View(id);
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    const RankPlacement& src = job.spec.ranks[task.src];
    const RankPlacement& dst = job.spec.ranks[task.dst];
    bool fabric = task.kind == traffic::TaskKind::Transfer && src.server != dst.server;
    if (!fabric)
    {
        std::int64_t ns = task.kind == traffic::TaskKind::Transfer
                              ? job.spec.iteration.ScaleUp().TransferNs(task.bytes)
                              : task.durationNs;
        if (ns == 0)
        {
            End(j, id, now);
            return;
        }
        SchedulePooled(NanoSeconds(ns), &ScheduleRunner::End, this, j, id, now);
        return;
    }
    std::uint32_t qp = QueuePairFor(j, task);
    const QueuePairRecord& record = m_queuePairs[qp];
    Ptr<RoceHost> host = m_fabric.Host(src.server);
    const RoceFlowSpec& spec = host->GetFlow(record.flow).spec;
    InFlight& inFlight = m_inFlight[dst.server];
    auto key = PeerKey(m_fabric.Endpoint(src.server, src.port), spec.destQp);
    std::uint32_t queue = inFlight.index.Find(key);
    if (queue == KeyIndex::kNone)
    {
        queue = static_cast<std::uint32_t>(inFlight.queues.size());
        inFlight.index.Insert(key, queue);
        inFlight.queues.emplace_back();
    }
    inFlight.queues[queue].PushBack(Posted{j, id, now});
    // A chunk can round down to nothing: the message still carries one byte, as a real
    // zero-length WRITE still carries its headers.
    host->PostMessage(record.flow, std::max<std::uint64_t>(task.bytes, 1), id);
}

std::uint32_t
ScheduleRunner::QueuePairFor(std::uint32_t j, const traffic::TaskView& task)
{
    auto& byChannel = m_queuePairOf[j];
    if (byChannel.size() <= task.channel)
    {
        byChannel.resize(task.channel + 1u);
    }
    auto key = static_cast<std::uint64_t>(task.src) << 32 | task.dst;
    std::uint32_t known = byChannel[task.channel].Find(key);
    if (known != KeyIndex::kNone)
    {
        return known;
    }
    const FabricJob& job = m_jobs[j].spec;
    const RankPlacement& src = job.ranks[task.src];
    const RankPlacement& dst = job.ranks[task.dst];
    if (!m_listening[dst.server])
    {
        m_listening[dst.server] = true;
        std::uint32_t server = dst.server;
        m_fabric.Host(server)->SetDeliveryCallback(RoceHost::DeliveryCallback(
            [this, server](std::uint32_t srcEndpoint, std::uint32_t qp, std::int64_t)
            { OnDelivery(server, srcEndpoint, qp); }));
    }
    RoceFlowSpec spec;
    spec.port = src.port;
    spec.dstEndpoint = m_fabric.Endpoint(dst.server, dst.port);
    spec.destQp = m_nextQp[src.server]++;
    spec.udpSrcPort = QueuePairUdpSourcePort(spec.destQp);
    spec.priority = job.priority;
    QueuePairRecord record;
    record.job = j;
    record.server = src.server;
    record.flow = m_fabric.Host(src.server)->OpenQueuePair(spec);
    record.srcRank = task.src;
    record.dstRank = task.dst;
    record.channel = task.channel;
    m_queuePairs.push_back(record);
    auto index = static_cast<std::uint32_t>(m_queuePairs.size() - 1);
    byChannel[task.channel].Insert(key, index);
    return index;
}

void
ScheduleRunner::OnDelivery(std::uint32_t server, std::uint32_t srcEndpoint, std::uint32_t qp)
{
    InFlight& inFlight = m_inFlight[server];
    std::uint32_t queue = inFlight.index.Find(PeerKey(srcEndpoint, qp));
    if (queue == KeyIndex::kNone || inFlight.queues[queue].Empty())
    {
        return; // traffic the runner did not post
    }
    Posted posted = inFlight.queues[queue].Front();
    inFlight.queues[queue].PopFront();
    End(posted.job, posted.task, posted.startNs);
}

void
ScheduleRunner::End(std::uint32_t j, traffic::TaskId id, std::int64_t startNs)
{
    JobState& job = m_jobs[j];
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    traffic::TaskView task = job.spec.iteration.View(id);
    job.recorder.TaskEnded(task, startNs, now);
    job.generator->End(id);
    if (job.running && job.generator->Finished())
    {
        EndIteration(j);
    }
}

void
ScheduleRunner::EndIteration(std::uint32_t j)
{
    JobState& job = m_jobs[j];
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    job.recorder.IterationEnded(
        j, job.iteration, job.spec.iteration, m_fabric.PayloadRateBps(), m_collectives, m_spans);
    job.running = false;
    IterationRecord record{j, job.iteration, job.iterationStartNs, now};
    m_iterationRecords.push_back(record);
    if (m_onIteration)
    {
        m_onIteration(record);
    }
    ++job.iteration;
    if (m_iterations != 0 && job.iteration >= m_iterations)
    {
        job.finished = true;
        if (Done())
        {
            Simulator::Stop();
        }
        return;
    }
    Simulator::ScheduleNow(&ScheduleRunner::StartIteration, this, j);
}

} // namespace ns3::fabric
