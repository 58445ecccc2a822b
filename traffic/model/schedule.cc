#include "traffic/model/schedule.h"

#include <algorithm>
#include <stdexcept>

namespace fab::traffic
{
namespace
{

void
SortUnique(std::vector<TaskId>& ids, std::size_t from)
{
    auto begin = ids.begin() + static_cast<std::ptrdiff_t>(from);
    std::sort(begin, ids.end());
    ids.erase(std::unique(begin, ids.end()), ids.end());
}

} // namespace

std::int64_t
ScaleUpLink::TransferNs(std::uint64_t bytes) const
{
    auto serialisation = static_cast<std::int64_t>(static_cast<long double>(bytes) * 8.0L * 1e9L
                                                   / static_cast<long double>(bitsPerSecond));
    return latencyNs + serialisation;
}

Schedule::Schedule(std::vector<std::uint32_t> serverOfRank, ScaleUpLink scaleUp)
: m_serverOfRank(std::move(serverOfRank))
, m_scaleUp(scaleUp)
{
}

Schedule::Schedule(std::vector<std::uint32_t> serverOfRank,
                   ScaleUpLink scaleUp,
                   std::unique_ptr<ScheduleEmitter> emitter)
: m_serverOfRank(std::move(serverOfRank))
, m_scaleUp(scaleUp)
, m_emitter(std::move(emitter))
{
    m_start = m_emitter->Clone();
}

Schedule::Schedule(const Schedule& other)
{
    *this = other;
}

Schedule::Schedule(Schedule&& other) noexcept = default;
Schedule& Schedule::operator=(Schedule&& other) noexcept = default;
Schedule::~Schedule() = default;

Schedule&
Schedule::operator=(const Schedule& other)
{
    if (this == &other)
    {
        return *this;
    }
    m_serverOfRank = other.m_serverOfRank;
    m_scaleUp = other.m_scaleUp;
    m_groups = other.m_groups;
    m_nextGroup = other.m_nextGroup;
    m_next = other.m_next;
    m_tasks = other.m_tasks;
    m_taskReleased = other.m_taskReleased;
    m_blocks = other.m_blocks;
    m_dependents = other.m_dependents;
    m_hooks = other.m_hooks;
    m_emitter = other.m_emitter ? other.m_emitter->Clone() : nullptr;
    m_start = other.m_start ? other.m_start->Clone() : nullptr;
    m_emitterDone = other.m_emitterDone;
    m_counting = other.m_counting;
    m_taskCount = other.m_taskCount;
    return *this;
}

std::uint32_t
Schedule::AddGroup(TaskGroup group)
{
    // A streamed schedule emitted again appends the same groups: they keep their indices.
    if (m_nextGroup < m_groups.size())
    {
        return m_nextGroup++;
    }
    m_groups.push_back(std::move(group));
    m_nextGroup = static_cast<std::uint32_t>(m_groups.size());
    return m_nextGroup - 1;
}

TaskId
Schedule::Add(Task task)
{
    if (m_counting)
    {
        return m_next++;
    }
    task.id = m_next++;
    auto& deps = task.dependsOn;
    deps.erase(std::remove(deps.begin(), deps.end(), kNoTask), deps.end());
    SortUnique(deps, 0);
    for (auto d : deps)
    {
        m_dependents[d].push_back(task.id);
    }
    m_tasks.push_back(std::move(task));
    m_taskReleased.push_back(false);
    return m_tasks.back().id;
}

TaskId
Schedule::AddCompute(std::uint32_t group,
                     std::uint32_t rank,
                     std::int64_t durationNs,
                     const std::vector<TaskId>& after)
{
    Task task;
    task.kind = TaskKind::Compute;
    task.src = rank;
    task.dst = rank;
    task.durationNs = durationNs;
    task.group = group;
    task.dependsOn = after;
    return Add(std::move(task));
}

bool
Schedule::WithinOneServer(const std::vector<std::uint32_t>& ranks) const
{
    return std::all_of(ranks.begin(),
                       ranks.end(),
                       [&](std::uint32_t r) { return ServerOf(r) == ServerOf(ranks.front()); });
}

std::vector<TaskId>
Schedule::AddScaleUp(std::uint32_t group,
                     const CollectivePlan& plan,
                     const std::vector<TaskId>& ready)
{
    // Inside a server the GPUs' links are not the fabric: every rank is busy for the algorithm's
    // steps of latency plus its share of the volume at the scale-up rate, after all ranks have
    // arrived.
    std::uint64_t heaviest = 0;
    for (std::uint32_t i = 0; i < plan.Ranks(); ++i)
    {
        heaviest = std::max(heaviest, plan.BytesSentBy(i));
    }
    std::int64_t duration = plan.Transfers() == 0
                                ? 0
                                : static_cast<std::int64_t>(plan.Steps() - 1) * m_scaleUp.latencyNs
                                      + m_scaleUp.TransferNs(heaviest);
    const std::vector<std::uint32_t>& ranks = m_groups.at(group).ranks;
    std::vector<TaskId> done(plan.Ranks(), kNoTask);
    for (std::uint32_t i = 0; i < plan.Ranks(); ++i)
    {
        Task task;
        task.kind = TaskKind::ScaleUp;
        task.src = ranks[i];
        task.dst = ranks[i];
        task.durationNs = duration;
        task.group = group;
        task.dependsOn = ready;
        done[i] = Add(std::move(task));
    }
    return done;
}

std::vector<TaskId>
Schedule::AddCollective(std::uint32_t group,
                        std::shared_ptr<const CollectivePlan> plan,
                        const std::vector<TaskId>& ready)
{
    TaskGroup& g = m_groups.at(group);
    const std::vector<std::uint32_t>& ranks = g.ranks;
    if (ranks.size() != plan->Ranks() || ready.size() != plan->Ranks())
    {
        throw std::invalid_argument("collective over " + std::to_string(plan->Ranks())
                                    + " ranks given " + std::to_string(ranks.size()) + " ranks and "
                                    + std::to_string(ready.size()) + " ready points");
    }
    if (m_counting)
    {
        // Only the ids, which the emitter keeps as the ranks' latest tasks.
        TaskId joins = m_next + (WithinOneServer(ranks) ? 0 : plan->Transfers());
        m_next = joins + plan->Ranks();
        std::vector<TaskId> done(plan->Ranks(), kNoTask);
        for (std::uint32_t i = 0; i < plan->Ranks(); ++i)
        {
            done[i] = joins + i;
        }
        return done;
    }
    if (WithinOneServer(ranks))
    {
        return AddScaleUp(group, *plan, ready);
    }
    std::uint64_t busiest = 0;
    std::vector<PeerSends> sends;
    for (std::uint32_t i = 0; i < plan->Ranks(); ++i)
    {
        sends.clear();
        plan->SendsOf(i, sends);
        std::uint64_t bytes = 0;
        for (const auto& s : sends)
        {
            bytes += ServerOf(ranks[s.peer]) != ServerOf(ranks[i]) ? s.bytes : 0;
        }
        busiest = std::max(busiest, bytes);
    }
    g.busiestSenderBytes = busiest;

    CollectiveBlock block;
    block.first = m_next;
    block.group = group;
    block.plan = std::move(plan);
    block.ready = ready;
    m_next = block.End();
    std::vector<TaskId> done(block.plan->Ranks(), kNoTask);
    for (std::uint32_t i = 0; i < block.plan->Ranks(); ++i)
    {
        done[i] = block.Joins() + i;
        if (block.plan->TransfersOf(i) == 0)
        {
            // A rank with nothing to send or receive is done once it is ready.
            if (ready[i] != kNoTask)
            {
                m_dependents[ready[i]].push_back(done[i]);
            }
        }
        else if (ready[i] != kNoTask)
        {
            m_hooks[ready[i]].push_back(ReadyHook{block.first, i});
        }
    }
    m_blocks.push_back(std::move(block));
    return done;
}

const Schedule::CollectiveBlock*
Schedule::BlockOf(TaskId id) const
{
    auto it
        = std::upper_bound(m_blocks.begin(),
                           m_blocks.end(),
                           id,
                           [](TaskId value, const CollectiveBlock& b) { return value < b.first; });
    if (it == m_blocks.begin())
    {
        return nullptr;
    }
    --it;
    return id < it->End() ? &*it : nullptr;
}

const Task*
Schedule::ExplicitTask(TaskId id) const
{
    auto it = std::lower_bound(m_tasks.begin(),
                               m_tasks.end(),
                               id,
                               [](const Task& t, TaskId value) { return t.id < value; });
    if (it == m_tasks.end() || it->id != id)
    {
        throw std::out_of_range("task " + std::to_string(id) + " is not in the schedule");
    }
    return &*it;
}

TaskView
Schedule::View(TaskId id) const
{
    const CollectiveBlock* block = BlockOf(id);
    if (block == nullptr)
    {
        return *ExplicitTask(id);
    }
    const std::vector<std::uint32_t>& ranks = m_groups[block->group].ranks;
    TaskView view;
    view.id = id;
    view.group = block->group;
    if (id < block->Joins())
    {
        PlannedTransfer t = block->plan->At(id - block->first);
        view.kind = TaskKind::Transfer;
        view.src = ranks[t.src];
        view.dst = ranks[t.dst];
        view.bytes = t.bytes;
        view.channel = t.channel;
        return view;
    }
    view.kind = TaskKind::Compute;
    view.src = ranks[id - block->Joins()];
    view.dst = view.src;
    return view;
}

std::optional<Schedule::CollectiveView>
Schedule::CollectiveOf(TaskId id) const
{
    const CollectiveBlock* block = BlockOf(id);
    if (block == nullptr)
    {
        return std::nullopt;
    }
    return CollectiveView{block->first, block->group, block->plan.get()};
}

void
Schedule::DependenciesOf(TaskId id, std::vector<TaskId>& out) const
{
    const CollectiveBlock* block = BlockOf(id);
    if (block == nullptr)
    {
        const auto& deps = ExplicitTask(id)->dependsOn;
        out.insert(out.end(), deps.begin(), deps.end());
        return;
    }
    std::size_t from = out.size();
    const CollectivePlan& plan = *block->plan;
    if (id >= block->Joins())
    {
        auto rank = static_cast<std::uint32_t>(id - block->Joins());
        if (plan.TransfersOf(rank) == 0)
        {
            out.push_back(block->ready[rank]);
        }
        else
        {
            // Every transfer the rank sends or receives: finding them walks the plan, which only
            // tests and small schedules ask for (ExpandTasks walks each plan once for all ranks).
            for (std::uint64_t t = 0; t < plan.Transfers(); ++t)
            {
                PlannedTransfer p = plan.At(t);
                if (p.src == rank || p.dst == rank)
                {
                    out.push_back(block->first + t);
                }
            }
        }
    }
    else
    {
        std::uint64_t local = id - block->first;
        std::size_t inPlan = out.size();
        std::vector<std::uint64_t> deps;
        plan.DependsOn(local, deps);
        for (auto d : deps)
        {
            out.push_back(block->first + d);
        }
        if (out.size() == inPlan)
        {
            PlannedTransfer p = plan.At(local);
            out.push_back(block->ready[p.src]);
            out.push_back(block->ready[p.dst]);
        }
    }
    out.erase(std::remove(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), kNoTask),
              out.end());
    SortUnique(out, from);
}

std::uint32_t
Schedule::DependencyCount(TaskId id) const
{
    const CollectiveBlock* block = BlockOf(id);
    if (block == nullptr)
    {
        return static_cast<std::uint32_t>(ExplicitTask(id)->dependsOn.size());
    }
    const CollectivePlan& plan = *block->plan;
    if (id >= block->Joins())
    {
        auto rank = static_cast<std::uint32_t>(id - block->Joins());
        std::uint64_t transfers = plan.TransfersOf(rank);
        if (transfers > 0)
        {
            return static_cast<std::uint32_t>(transfers);
        }
        return block->ready[rank] != kNoTask ? 1 : 0;
    }
    std::uint64_t local = id - block->first;
    std::uint32_t count = plan.DependencyCount(local);
    if (count > 0)
    {
        return count;
    }
    PlannedTransfer p = plan.At(local);
    TaskId a = block->ready[p.src];
    TaskId b = block->ready[p.dst];
    return (a != kNoTask ? 1 : 0) + (b != kNoTask && b != a ? 1 : 0);
}

void
Schedule::DependentsOf(TaskId id, std::vector<TaskId>& out) const
{
    std::size_t from = out.size();
    const CollectiveBlock* block = BlockOf(id);
    if (block != nullptr && id < block->Joins())
    {
        std::uint64_t local = id - block->first;
        // Into `out` as plan indices, then moved to task ids: no list of its own per transfer.
        block->plan->Dependents(local, out);
        for (std::size_t k = from; k < out.size(); ++k)
        {
            out[k] += block->first;
        }
        // Both ranks' joins come after every transfer.
        PlannedTransfer p = block->plan->At(local);
        out.push_back(block->Joins() + std::min(p.src, p.dst));
        out.push_back(block->Joins() + std::max(p.src, p.dst));
        return;
    }
    auto dependents = m_dependents.find(id);
    if (dependents != m_dependents.end())
    {
        out.insert(out.end(), dependents->second.begin(), dependents->second.end());
    }
    auto hooks = m_hooks.find(id);
    if (hooks != m_hooks.end())
    {
        std::vector<std::uint64_t> roots;
        for (const auto& hook : hooks->second)
        {
            const CollectiveBlock* readied = BlockOf(hook.block);
            roots.clear();
            readied->plan->RootsOf(hook.rank, roots);
            for (auto r : roots)
            {
                out.push_back(readied->first + r);
            }
        }
        SortUnique(out, from);
    }
}

void
Schedule::Roots(std::vector<TaskId>& out) const
{
    std::size_t from = out.size();
    for (const auto& task : m_tasks)
    {
        if (task.dependsOn.empty())
        {
            out.push_back(task.id);
        }
    }
    std::vector<std::uint64_t> roots;
    for (const auto& block : m_blocks)
    {
        for (std::uint32_t i = 0; i < block.plan->Ranks(); ++i)
        {
            if (block.ready[i] != kNoTask)
            {
                continue;
            }
            if (block.plan->TransfersOf(i) == 0)
            {
                out.push_back(block.Joins() + i);
                continue;
            }
            roots.clear();
            block.plan->RootsOf(i, roots);
            for (auto r : roots)
            {
                PlannedTransfer p = block.plan->At(r);
                if (block.ready[p.src] == kNoTask && block.ready[p.dst] == kNoTask)
                {
                    out.push_back(block.first + r);
                }
            }
        }
    }
    SortUnique(out, from);
}

std::vector<Task>
Schedule::ExpandTasks() const
{
    std::vector<Task> tasks;
    tasks.reserve(m_next);
    for (TaskId id = 0; id < m_next; ++id)
    {
        Task task;
        static_cast<TaskView&>(task) = View(id);
        const CollectiveBlock* block = BlockOf(id);
        if (block == nullptr || id < block->Joins())
        {
            DependenciesOf(id, task.dependsOn);
        }
        tasks.push_back(std::move(task));
    }
    // A rank's join waits for every transfer it sends or receives: one walk per collective.
    for (const auto& block : m_blocks)
    {
        for (TaskId id = block.first; id < block.Joins(); ++id)
        {
            PlannedTransfer p = block.plan->At(id - block.first);
            tasks[block.Joins() + p.src].dependsOn.push_back(id);
            tasks[block.Joins() + p.dst].dependsOn.push_back(id);
        }
        for (std::uint32_t i = 0; i < block.plan->Ranks(); ++i)
        {
            if (block.plan->TransfersOf(i) == 0 && block.ready[i] != kNoTask)
            {
                tasks[block.Joins() + i].dependsOn.push_back(block.ready[i]);
            }
        }
    }
    return tasks;
}

bool
Schedule::IsTopologicallyOrdered() const
{
    auto tasks = ExpandTasks();
    return std::all_of(tasks.begin(),
                       tasks.end(),
                       [](const Task& t)
                       {
                           return std::all_of(t.dependsOn.begin(),
                                              t.dependsOn.end(),
                                              [&](TaskId d) { return d < t.id; });
                       });
}

} // namespace fab::traffic
