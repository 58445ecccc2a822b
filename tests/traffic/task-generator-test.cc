#include "support/small-training.h"
#include "support/task-replay.h"
#include "traffic/model/collective-algorithm.h"
#include "traffic/model/collective-job.h"
#include "traffic/model/job.h"
#include "traffic/model/schedule.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

using namespace fab::traffic;
using fab::tests::Begun;
using fab::tests::ExpandedCollective;
using fab::tests::ReplayExpanded;
using fab::tests::ReplayFootprint;
using fab::tests::ReplayGenerated;

namespace
{

/** Durations that differ from task to task, some of them zero (a task that ends as it begins). */
std::int64_t
Scrambled(const TaskView& task)
{
    std::uint64_t h = (task.id + 1) * 0x9E3779B97F4A7C15ull ^ (std::uint64_t{task.src} << 32)
                      ^ task.dst ^ (task.bytes << 7);
    h ^= h >> 29;
    return task.durationNs > 0 ? task.durationNs : static_cast<std::int64_t>(h % 5) * 100;
}

void
RequireSameTasks(const std::vector<Task>& got, const std::vector<Task>& expected)
{
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
    {
        INFO("task " << i);
        REQUIRE(got[i].id == expected[i].id);
        REQUIRE(got[i].kind == expected[i].kind);
        REQUIRE(got[i].src == expected[i].src);
        REQUIRE(got[i].dst == expected[i].dst);
        REQUIRE(got[i].bytes == expected[i].bytes);
        REQUIRE(got[i].channel == expected[i].channel);
        REQUIRE(got[i].group == expected[i].group);
        REQUIRE(got[i].durationNs == expected[i].durationNs);
        REQUIRE(got[i].dependsOn == expected[i].dependsOn);
    }
}

struct CollectiveCase
{
    CollectiveOp op;
    CollectiveAlgorithm algorithm;
    std::uint32_t ranks;
    AlgorithmOptions options;
};

std::vector<CollectiveCase>
CollectiveCases()
{
    using A = CollectiveAlgorithm;
    using Op = CollectiveOp;
    std::vector<CollectiveCase> cases;
    for (std::uint32_t n : {2u, 3u, 5u, 8u, 12u, 13u})
    {
        for (std::uint32_t channels : {1u, 3u})
        {
            cases.push_back({Op::AllReduce, A::Ring, n, {channels, 1, 4}});
            cases.push_back({Op::AllGather, A::Ring, n, {channels, 1, 1}});
            if (n % 4 == 0)
            {
                cases.push_back({Op::AllReduce, A::Hierarchical, n, {channels, 1, 4}});
            }
        }
        cases.push_back({Op::AllReduce, A::Tree, n, {1, 3, 1}});
        if ((n & (n - 1)) == 0)
        {
            cases.push_back({Op::AllReduce, A::HalvingDoubling, n, {}});
        }
        cases.push_back({Op::AllToAll, A::Pairwise, n, {}});
        cases.push_back({Op::AllToAll, A::Direct, n, {}});
    }
    cases.push_back({Op::SendRecv, A::Direct, 2, {}});
    cases.push_back({Op::AllReduce, A::Ring, 1, {}});
    return cases;
}

/** SmallTraining with its collectives on two channels. */
JobSpec
Training(std::uint32_t dp, std::uint32_t tp, std::uint32_t pp)
{
    JobSpec job = fab::tests::SmallTraining(dp, tp, pp);
    job.algorithm.channels = 2;
    return job;
}

} // namespace

TEST_CASE("a collective appended as a plan is the schedule its expanded DAG made",
          "[traffic][generator]")
{
    for (const auto& c : CollectiveCases())
    {
        if (c.ranks < 2)
        {
            continue; // one rank is one server: the scale-up link, no transfers
        }
        INFO(CollectiveOpName(c.op) << " " << CollectiveAlgorithmName(c.algorithm) << " over "
                                    << c.ranks << " ranks, " << c.options.channels << " channels");
        std::uint64_t bytes = 3'000'000;
        // Every rank on a server of its own, in an order that is not the ranks'.
        std::vector<std::uint32_t> servers(c.ranks);
        std::vector<std::uint32_t> ranks(c.ranks);
        for (std::uint32_t r = 0; r < c.ranks; ++r)
        {
            servers[r] = r;
            ranks[r] = c.ranks - 1 - r;
        }
        Schedule schedule(servers);
        std::vector<Task> expected;
        TaskGroup named;
        named.name = "iteration";
        schedule.AddGroup(named);
        named.name = "compute";
        std::uint32_t compute = schedule.AddGroup(named);
        // Ready points: none, a task of the rank's own, or the task the previous rank waits for.
        std::vector<TaskId> ready(c.ranks, kNoTask);
        for (std::uint32_t i = 0; i < c.ranks; ++i)
        {
            if (i % 3 == 1)
            {
                ready[i] = schedule.AddCompute(compute, ranks[i], 500 + i, {});
                Task task;
                task.id = ready[i];
                task.src = ranks[i];
                task.dst = ranks[i];
                task.durationNs = 500 + i;
                task.group = compute;
                expected.push_back(task);
            }
            else if (i % 3 == 2)
            {
                ready[i] = ready[i - 1];
            }
        }
        TaskGroup group;
        group.name = "collective";
        group.kind = GroupKind::Collective;
        group.ranks = ranks;
        std::uint32_t g = schedule.AddGroup(group);
        TaskId base = schedule.Appended();
        auto done = schedule.AddCollective(
            g, PlanCollective(c.op, c.algorithm, c.ranks, bytes, c.options), ready);
        auto dag = ExpandCollective(c.op, c.algorithm, c.ranks, bytes, c.options);
        auto collective = ExpandedCollective(base, g, ranks, dag, ready);
        expected.insert(expected.end(), collective.begin(), collective.end());
        // What comes after waits for the ranks' joins.
        for (std::uint32_t i = 0; i < c.ranks; ++i)
        {
            Task task;
            task.id = schedule.AddCompute(compute, ranks[i], 300, {done[i]});
            task.src = ranks[i];
            task.dst = ranks[i];
            task.durationNs = 300;
            task.group = compute;
            task.dependsOn = {done[i]};
            expected.push_back(task);
        }
        RequireSameTasks(schedule.ExpandTasks(), expected);
        // Every transfer and join knows its collective; the ready points, their own tasks, none.
        auto view = schedule.CollectiveOf(base);
        REQUIRE(view.has_value());
        REQUIRE(view->first == base);
        REQUIRE(view->group == g);
        REQUIRE(view->plan->Transfers() == dag.transfers.size());
        REQUIRE(schedule.CollectiveOf(done.back())->first == base);
        REQUIRE_FALSE(schedule.CollectiveOf(schedule.Appended() - 1).has_value());
        REQUIRE(schedule.IsTopologicallyOrdered());
        auto reference = ReplayExpanded(expected, Scrambled);
        REQUIRE(reference.size() == expected.size());
        REQUIRE(ReplayGenerated(schedule, Scrambled) == reference);
    }
}

TEST_CASE("a collective job's iteration runs in the order its expanded DAG ran",
          "[traffic][generator]")
{
    for (const auto& c : CollectiveCases())
    {
        INFO(CollectiveOpName(c.op)
             << " " << CollectiveAlgorithmName(c.algorithm) << " over " << c.ranks << " ranks");
        CollectiveJobSpec job;
        job.op = c.op;
        job.algorithm = c.algorithm;
        job.gpus = c.ranks;
        job.gpusPerServer = 2;
        job.options = c.options;
        job.bytes = 1 << 20;
        auto places = PlaceCollective(job, 8);
        if (c.algorithm == CollectiveAlgorithm::Hierarchical && c.ranks % 2 != 0)
        {
            continue;
        }
        auto schedule = BuildCollectiveIteration(job, places, {});
        auto tasks = schedule.ExpandTasks();
        REQUIRE(tasks.size() == schedule.TaskCount());
        auto reference = ReplayExpanded(tasks, Scrambled);
        REQUIRE(reference.size() == tasks.size());
        REQUIRE(ReplayGenerated(schedule, Scrambled) == reference);
        // Again: a complete schedule runs every iteration the same.
        REQUIRE(ReplayGenerated(schedule, Scrambled) == reference);
    }
}

TEST_CASE("a training iteration streamed layer by layer runs as the whole iteration does",
          "[traffic][generator]")
{
    struct Case
    {
        std::string name;
        JobSpec job;
        std::uint32_t gpusPerServer;
    };
    std::vector<Case> cases;
    cases.push_back({"tp inside servers, dp across", Training(4, 8, 1), 8});
    {
        auto job = Training(4, 2, 2);
        job.globalBatch = 16; // 4 micro-batches in 1F1B
        cases.push_back({"pipeline over servers", job, 8});
    }
    {
        auto job = Training(2, 2, 4);
        job.globalBatch = 6;
        job.model.layers = 8;
        job.parallel.sequenceParallel = true;
        cases.push_back({"sequence parallel pipeline sharing servers", job, 8});
    }
    {
        auto job = Training(16, 1, 1);
        job.model.experts = 8;
        job.model.moeEvery = 2;
        job.parallel.ep = 4;
        job.dpAlgorithm = CollectiveAlgorithm::Tree;
        cases.push_back({"experts, tree buckets", job, 4});
    }
    {
        auto job = Training(8, 1, 2);
        job.dpAlgorithm = CollectiveAlgorithm::HalvingDoubling;
        job.globalBatch = 16;
        cases.push_back({"halving-doubling buckets", job, 4});
    }
    {
        auto job = Training(4, 2, 1);
        job.dpAlgorithm = CollectiveAlgorithm::Hierarchical;
        job.compute.layerForwardNs = 0; // from FLOP/s
        cases.push_back({"hierarchical buckets", job, 8});
    }
    {
        auto job = Training(2, 1, 1);
        job.compute.peakFlops = 1e30; // compute rounds to nothing: every rank starts late
        job.compute.layerForwardNs = 0;
        cases.push_back({"no compute", job, 1});
    }
    for (const auto& c : cases)
    {
        INFO(c.name);
        auto places = PlaceRanks(c.job, c.gpusPerServer);
        auto complete = BuildIteration(c.job, places, {});
        auto streamed = StreamIteration(c.job, places, {});
        REQUIRE(streamed.Streamed());
        REQUIRE_FALSE(complete.Streamed());
        REQUIRE(streamed.TaskCount() == complete.TaskCount());
        auto tasks = complete.ExpandTasks();
        auto reference = ReplayExpanded(tasks, Scrambled);
        REQUIRE(reference.size() == tasks.size());
        REQUIRE(ReplayGenerated(complete, Scrambled) == reference);
        REQUIRE(ReplayGenerated(streamed, Scrambled) == reference);
        // Once more, from a restart, and with every group where it was.
        REQUIRE(ReplayGenerated(streamed, Scrambled) == reference);
        REQUIRE(streamed.Groups().size() == complete.Groups().size());
        for (std::size_t g = 0; g < complete.Groups().size(); ++g)
        {
            REQUIRE(streamed.Groups()[g].name == complete.Groups()[g].name);
            REQUIRE(streamed.Groups()[g].ranks == complete.Groups()[g].ranks);
            REQUIRE(streamed.Groups()[g].busiestSenderBytes
                    == complete.Groups()[g].busiestSenderBytes);
        }
    }
}

TEST_CASE("a ring holds a task per rank and channel, a streamed iteration a few layers",
          "[traffic][generator]")
{
    SECTION("ring AllReduce over 256 ranks on 4 channels")
    {
        CollectiveJobSpec job;
        job.gpus = 256;
        job.gpusPerServer = 1;
        job.options.channels = 4;
        job.bytes = 64 << 20;
        auto schedule = BuildCollectiveIteration(job, PlaceCollective(job, 8), {});
        // 522,240 transfers; the generator waits on at most one send per rank and channel, and
        // on each rank's join.
        REQUIRE(schedule.TaskCount() == 2ull * 255 * 256 * 4 + 256);
        ReplayFootprint footprint;
        auto begun = ReplayGenerated(schedule, Scrambled, &footprint);
        REQUIRE(begun.size() == schedule.TaskCount());
        REQUIRE(footprint.waiting > 256);
        REQUIRE(footprint.waiting <= 256 * 4 + 256);
        REQUIRE(footprint.held == 1); // one collective, no task kept per transfer
    }
    SECTION("a 64-layer training job")
    {
        auto job = Training(8, 2, 1);
        job.model.layers = 64;
        auto streamed = StreamIteration(job, PlaceRanks(job, 8), {});
        ReplayFootprint footprint;
        auto begun = ReplayGenerated(streamed, Scrambled, &footprint);
        REQUIRE(begun.size() == streamed.TaskCount());
        // The iteration's 128 passes of a layer each, and buckets: a few layers are kept at once.
        REQUIRE(footprint.held > 0);
        REQUIRE(footprint.held * 16 < streamed.TaskCount());
    }
}

TEST_CASE("a collective's transfers ended as a whole begin its joins, and the iteration ends",
          "[traffic][generator]")
{
    // An engine that moves each collective as a whole: it waits until every root of the
    // collective has begun, then ends all its transfers at once; other tasks end as they begin.
    auto job = Training(4, 2, 2);
    job.globalBatch = 16;
    auto places = PlaceRanks(job, 2);
    bool streamedIteration = GENERATE(false, true);
    auto schedule = streamedIteration ? StreamIteration(job, places, {})
                                      : BuildIteration(job, places, {});
    std::vector<TaskId> ready;
    std::map<TaskId, std::uint64_t> rootsLeft; ///< by the collective's transfer 0
    std::vector<TaskId> wholes;
    std::uint64_t transfersBegun = 0;
    std::uint64_t rootsExpected = 0;
    TaskGenerator generator(schedule,
                            [&](TaskId id)
                            {
                                auto collective = schedule.CollectiveOf(id);
                                if (!collective || id >= collective->first
                                                              + collective->plan->Transfers())
                                {
                                    ready.push_back(id);
                                    return;
                                }
                                ++transfersBegun;
                                const CollectivePlan& plan = *collective->plan;
                                auto [left, fresh] = rootsLeft.try_emplace(collective->first, 0);
                                if (fresh)
                                {
                                    std::vector<std::uint64_t> roots;
                                    for (std::uint32_t r = 0; r < plan.Ranks(); ++r)
                                    {
                                        roots.clear();
                                        plan.RootsOf(r, roots);
                                        for (auto root : roots)
                                        {
                                            left->second += plan.At(root).src == r ? 1 : 0;
                                        }
                                    }
                                    rootsExpected += left->second;
                                }
                                REQUIRE(plan.DependencyCount(id - collective->first) == 0);
                                if (--left->second == 0)
                                {
                                    wholes.push_back(collective->first);
                                }
                            });
    generator.Start();
    while (!ready.empty() || !wholes.empty())
    {
        if (!wholes.empty())
        {
            TaskId first = wholes.back();
            wholes.pop_back();
            generator.EndTransfersOf(first);
            continue;
        }
        TaskId id = ready.back();
        ready.pop_back();
        generator.End(id);
    }
    CHECK(rootsExpected > 0);
    CHECK(transfersBegun == rootsExpected); // only roots began; the rest ended unbegun
    CHECK(generator.Finished());
    CHECK(generator.Ended() == schedule.TaskCount());
    CHECK(generator.Waiting() == 0);
    if (streamedIteration)
    {
        CHECK(schedule.HeldPlans() == 0); // released, transfers and joins alike
    }
}
