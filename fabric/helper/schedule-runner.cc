#include "fabric/helper/schedule-runner.h"

#include "fabric/model/pooled-event.h"

#include <algorithm>
#include <limits>
#include <ns3/simulator.h>
#include <stdexcept>

namespace ns3::fabric
{
namespace
{

std::uint64_t
PeerKey(std::uint32_t endpoint, std::uint32_t qp)
{
    return static_cast<std::uint64_t>(endpoint) << 32 | qp;
}

/** QP numbers the runner hands out: clear of the small ones tests and examples use by hand. */
constexpr std::uint32_t kFirstQp = 0x100;

} // namespace

std::vector<RankPlacement>
PlaceOnNics(const topo::Design& design, const std::vector<traffic::RankPlace>& places)
{
    std::uint32_t ports = design.servers.PortsPerServer();
    std::uint32_t gpus = std::max(1u, design.servers.gpus);
    std::vector<RankPlacement> nics;
    for (const auto& place : places)
    {
        nics.push_back({place.server, static_cast<std::uint16_t>(place.gpu % gpus * ports / gpus)});
    }
    return nics;
}

ScheduleRunner::ScheduleRunner(FabricBuilder& fabric)
: m_fabric(fabric)
, m_nextQp(fabric.Hosts(), kFirstQp)
, m_inFlight(fabric.Hosts())
, m_listening(fabric.Hosts(), false)
{
}

ScheduleRunner::~ScheduleRunner() = default;

std::uint32_t
ScheduleRunner::AddJob(FabricJob job)
{
    const traffic::Schedule& schedule = job.iteration;
    if (job.ranks.size() != schedule.Ranks())
    {
        throw std::invalid_argument("job " + job.name + ": " + std::to_string(job.ranks.size())
                                    + " placements for " + std::to_string(schedule.Ranks())
                                    + " ranks");
    }
    std::uint32_t ports = m_fabric.Design().servers.PortsPerServer();
    for (const auto& rank : job.ranks)
    {
        if (rank.server >= m_fabric.Hosts() || rank.port >= ports)
        {
            throw std::invalid_argument("job " + job.name + ": no NIC port "
                                        + std::to_string(rank.port) + " on server "
                                        + std::to_string(rank.server));
        }
    }
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
    // Each queue pair gets its own UDP source port, the ECMP entropy NCCL relies on.
    spec.udpSrcPort = static_cast<std::uint16_t>(0xC000 | (spec.destQp * 0x9E37u & 0x3FFF));
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
    // Join points (group 0) and tasks that took no time are no one's span.
    if (task.group != 0 && now > startNs)
    {
        if (job.extent.size() <= task.group)
        {
            job.extent.resize(task.group + 1, {std::numeric_limits<std::int64_t>::max(), -1});
        }
        auto& e = job.extent[task.group];
        e.first = std::min(e.first, startNs);
        e.second = std::max(e.second, now);
        for (auto rank : {task.src, task.dst})
        {
            auto key = static_cast<std::uint64_t>(task.group) << 32 | rank;
            std::uint32_t at = job.spanOf.Find(key);
            if (at == KeyIndex::kNone)
            {
                job.spanOf.Insert(key, static_cast<std::uint32_t>(job.spans.size()));
                job.spans.push_back(SpanSoFar{key, startNs, now});
                continue;
            }
            SpanSoFar& span = job.spans[at];
            span.startNs = std::min(span.startNs, startNs);
            span.endNs = std::max(span.endNs, now);
        }
    }
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
    const auto& groups = job.spec.iteration.Groups();
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    for (std::uint32_t g = 1; g < groups.size() && g < job.extent.size(); ++g)
    {
        if (groups[g].kind != traffic::GroupKind::Collective || job.extent[g].second < 0)
        {
            continue;
        }
        CollectiveRecord record;
        record.job = j;
        record.iteration = job.iteration;
        record.group = g;
        record.startNs = job.extent[g].first;
        record.endNs = job.extent[g].second;
        double seconds = static_cast<double>(record.endNs - record.startNs) * 1e-9;
        record.algbwGbps = static_cast<double>(groups[g].bytes) * 8 / seconds / 1e9;
        record.busbwGbps = record.algbwGbps
                           * traffic::BusBandwidthFactor(
                               groups[g].op, static_cast<std::uint32_t>(groups[g].ranks.size()));
        if (groups[g].busiestSenderBytes > 0)
        {
            double factor = traffic::BusBandwidthFactor(
                groups[g].op, static_cast<std::uint32_t>(groups[g].ranks.size()));
            record.boundGbps = factor * static_cast<double>(groups[g].bytes)
                               * static_cast<double>(m_fabric.PayloadRateBps())
                               / static_cast<double>(groups[g].busiestSenderBytes) / 1e9;
        }
        m_collectives.push_back(record);
    }
    // By group, then rank.
    std::sort(job.spans.begin(),
              job.spans.end(),
              [](const SpanSoFar& a, const SpanSoFar& b) { return a.key < b.key; });
    for (const SpanSoFar& span : job.spans)
    {
        m_spans.push_back(RankSpan{j,
                                   job.iteration,
                                   static_cast<std::uint32_t>(span.key),
                                   static_cast<std::uint32_t>(span.key >> 32),
                                   span.startNs,
                                   span.endNs});
    }
    job.extent.clear();
    job.spans.clear();
    job.spanOf.Clear();
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
