#ifndef FABRICSCOPE_TESTS_TASK_REPLAY_H
#define FABRICSCOPE_TESTS_TASK_REPLAY_H

#include "traffic/model/schedule.h"
#include "traffic/model/task-generator.h"
#include "traffic/model/transfer-dag.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <tuple>
#include <vector>

namespace fab::tests
{

namespace traffic = ::fab::traffic;

/**
 * What Schedule::AddCollective appended when collectives were expanded DAGs: the DAG's transfers
 * from id `base` (a root waits for both its ranks' ready tasks), then one join per rank that
 * waits for every transfer of that rank.
 */
inline std::vector<traffic::Task>
ExpandedCollective(traffic::TaskId base,
                   std::uint32_t group,
                   const std::vector<std::uint32_t>& ranks,
                   const traffic::TransferDag& dag,
                   const std::vector<traffic::TaskId>& ready)
{
    auto clean = [](std::vector<traffic::TaskId> deps)
    {
        deps.erase(std::remove(deps.begin(), deps.end(), traffic::kNoTask), deps.end());
        std::sort(deps.begin(), deps.end());
        deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
        return deps;
    };
    std::vector<traffic::Task> tasks;
    std::vector<std::vector<traffic::TaskId>> touching(dag.ranks);
    for (const auto& t : dag.transfers)
    {
        traffic::Task task;
        task.id = base + t.id;
        task.kind = traffic::TaskKind::Transfer;
        task.src = ranks[t.src];
        task.dst = ranks[t.dst];
        task.bytes = t.bytes;
        task.channel = t.channel;
        task.group = group;
        if (t.dependsOn.empty())
        {
            task.dependsOn = clean({ready[t.src], ready[t.dst]});
        }
        else
        {
            for (auto d : t.dependsOn)
            {
                task.dependsOn.push_back(base + d);
            }
            task.dependsOn = clean(task.dependsOn);
        }
        touching[t.src].push_back(task.id);
        touching[t.dst].push_back(task.id);
        tasks.push_back(std::move(task));
    }
    for (std::uint32_t i = 0; i < dag.ranks; ++i)
    {
        traffic::Task join;
        join.id = base + dag.transfers.size() + i;
        join.kind = traffic::TaskKind::Compute;
        join.src = ranks[i];
        join.dst = ranks[i];
        join.group = group;
        join.dependsOn
            = clean(touching[i].empty() ? std::vector<traffic::TaskId>{ready[i]} : touching[i]);
        tasks.push_back(std::move(join));
    }
    return tasks;
}

/** A task begun at a time. */
struct Begun
{
    traffic::TaskId id{0};
    std::int64_t atNs{0};

    bool operator==(const Begun& other) const { return id == other.id && atNs == other.atNs; }
};

/** How long a task takes in a replay; 0 ends it as it begins. */
using ReplayDuration = std::function<std::int64_t(const traffic::TaskView&)>;

/**
 * A discrete-event loop over tasks: a task begun at t ends at t + its duration, events at the
 * same time in the order they were scheduled, as a simulator orders them.
 */
class ReplayClock
{
public:
    void At(std::int64_t ns, traffic::TaskId id) { m_events.emplace(ns, m_seq++, id); }

    /** Calls `end` for each event in time order; false when there are none left. */
    template <typename End>
    bool Next(End end)
    {
        if (m_events.empty())
        {
            return false;
        }
        auto [ns, seq, id] = m_events.top();
        m_events.pop();
        now = ns;
        end(id);
        return true;
    }

    std::int64_t now{0};

private:
    using Event = std::tuple<std::int64_t, std::uint64_t, traffic::TaskId>;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> m_events;
    std::uint64_t m_seq{0};
};

/** The schedule runner as it ran expanded tasks: a dependents list and a wait count per task. */
inline std::vector<Begun>
ReplayExpanded(const std::vector<traffic::Task>& tasks, const ReplayDuration& duration)
{
    std::vector<std::vector<traffic::TaskId>> dependents(tasks.size());
    std::vector<std::uint32_t> waiting(tasks.size(), 0);
    for (const auto& task : tasks)
    {
        waiting[task.id] = static_cast<std::uint32_t>(task.dependsOn.size());
        for (auto d : task.dependsOn)
        {
            dependents[d].push_back(task.id);
        }
    }
    std::vector<Begun> begun;
    ReplayClock clock;
    std::function<void(traffic::TaskId)> end;
    auto begin = [&](traffic::TaskId id)
    {
        begun.push_back({id, clock.now});
        std::int64_t ns = duration(tasks[id]);
        if (ns == 0)
        {
            end(id);
            return;
        }
        clock.At(clock.now + ns, id);
    };
    end = [&](traffic::TaskId id)
    {
        for (auto next : dependents[id])
        {
            if (--waiting[next] == 0)
            {
                begin(next);
            }
        }
    };
    for (const auto& task : tasks)
    {
        if (task.dependsOn.empty())
        {
            begin(task.id);
        }
    }
    while (clock.Next(end))
    {
    }
    return begun;
}

/** What a replay through the generator held at most. */
struct ReplayFootprint
{
    std::size_t waiting{0}; ///< tasks with some dependencies ended
    std::size_t held{0};    ///< tasks and collectives the schedule kept
};

/** The same replay through a TaskGenerator over `schedule` (streamed or complete). */
inline std::vector<Begun>
ReplayGenerated(traffic::Schedule& schedule,
                const ReplayDuration& duration,
                ReplayFootprint* footprint = nullptr)
{
    std::vector<Begun> begun;
    ReplayClock clock;
    std::function<void(traffic::TaskId)> end;
    traffic::TaskGenerator generator(schedule,
                                     [&](traffic::TaskId id)
                                     {
                                         begun.push_back({id, clock.now});
                                         std::int64_t ns = duration(schedule.View(id));
                                         if (ns == 0)
                                         {
                                             end(id);
                                             return;
                                         }
                                         clock.At(clock.now + ns, id);
                                     });
    end = [&](traffic::TaskId id)
    {
        generator.End(id);
        if (footprint != nullptr)
        {
            footprint->waiting = std::max(footprint->waiting, generator.Waiting());
            footprint->held = std::max(footprint->held, schedule.Held());
        }
    };
    schedule.Restart();
    generator.Start();
    while (clock.Next(end))
    {
    }
    if (!generator.Finished())
    {
        begun.push_back({traffic::kNoTask, -1}); // a replay that stalled differs from any other
    }
    return begun;
}

} // namespace fab::tests

#endif
