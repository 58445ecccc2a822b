#include "support/small-training.h"
#include "support/task-replay.h"
#include "traffic/model/schedule-size.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>

using namespace fab::traffic;
using fab::tests::SmallTraining;

namespace
{

constexpr std::uint32_t kMtu = 4096;

/** What a built schedule holds, measured the way ScheduleSize counts it. */
struct Measured
{
    std::uint64_t tasks{0};
    std::uint64_t dependencies{0};
    std::uint64_t groups{0};
    std::uint64_t groupRanks{0};
    std::uint64_t collectives{0};
    std::uint64_t transferTasks{0};
    std::uint64_t fabricTransfers{0};
    std::uint64_t fabricPackets{0};
    std::uint64_t queuePairs{0};
    std::uint64_t storedTasks{0};
    std::uint64_t plans{0};
};

Measured
Measure(const Schedule& schedule)
{
    Measured m;
    auto tasks = schedule.ExpandTasks();
    m.tasks = tasks.size();
    m.storedTasks = schedule.HeldTasks();
    m.plans = schedule.HeldPlans();
    m.groups = schedule.Groups().size();
    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> pairs;
    for (const auto& task : tasks)
    {
        m.dependencies += task.dependsOn.size();
        if (task.kind != TaskKind::Transfer)
        {
            continue;
        }
        ++m.transferTasks;
        if (schedule.ServerOf(task.src) != schedule.ServerOf(task.dst))
        {
            ++m.fabricTransfers;
            m.fabricPackets += std::max<std::uint64_t>(1, (task.bytes + kMtu - 1) / kMtu);
            pairs.insert({task.src, task.dst, task.channel});
        }
    }
    m.queuePairs = pairs.size();
    for (const auto& group : schedule.Groups())
    {
        m.groupRanks += group.ranks.size();
        m.collectives += group.kind == GroupKind::Collective ? 1 : 0;
    }
    return m;
}

/** Exact figures, and those that are upper bounds for trees and halving-doubling. */
void
RequireMatches(const ScheduleSize& size, const Measured& m, bool exactBetweenServers)
{
    REQUIRE(size.tasks == m.tasks);
    REQUIRE(size.storedTasks == m.storedTasks);
    REQUIRE(size.plans == m.plans);
    REQUIRE(size.groups == m.groups);
    REQUIRE(size.groupRanks == m.groupRanks);
    REQUIRE(size.collectives == m.collectives);
    REQUIRE(size.transfers >= m.transferTasks);
    // Dependencies are an upper bound, but a close one: the memory estimate relies on it.
    REQUIRE(size.dependencies >= m.dependencies);
    REQUIRE(size.dependencies <= 2 * m.dependencies + 64);
    if (exactBetweenServers)
    {
        REQUIRE(size.fabricTransfers == m.fabricTransfers);
        REQUIRE(size.fabricPackets == m.fabricPackets);
        REQUIRE(size.queuePairs == m.queuePairs);
    }
    else
    {
        REQUIRE(size.fabricTransfers >= m.fabricTransfers);
        REQUIRE(size.fabricPackets >= m.fabricPackets);
        REQUIRE(size.queuePairs >= m.queuePairs);
    }
}

/** A replay's durations: compute as given, a transfer by its size. */
std::int64_t
Busy(const TaskView& task)
{
    return task.durationNs > 0 ? task.durationNs
                               : 1'000 + static_cast<std::int64_t>(task.bytes / 100);
}

} // namespace

TEST_CASE("a collective's transfers are counted as ExpandCollective makes them",
          "[traffic][estimate]")
{
    using A = CollectiveAlgorithm;
    using Op = CollectiveOp;
    struct Case
    {
        Op op;
        A algorithm;
        std::uint32_t ranks;
    };
    auto c = GENERATE(values<Case>({{Op::AllReduce, A::Ring, 2},
                                    {Op::AllReduce, A::Ring, 13},
                                    {Op::AllGather, A::Ring, 9},
                                    {Op::ReduceScatter, A::Ring, 16},
                                    {Op::AllReduce, A::Tree, 2},
                                    {Op::AllReduce, A::Tree, 11},
                                    {Op::AllReduce, A::HalvingDoubling, 16},
                                    {Op::AllReduce, A::Hierarchical, 24},
                                    {Op::AllToAll, A::Direct, 7},
                                    {Op::AllToAll, A::Pairwise, 12},
                                    {Op::SendRecv, A::Direct, 2}}));
    AlgorithmOptions options;
    options.channels = GENERATE(1u, 3u);
    options.treeChunks = GENERATE(1u, 5u);
    options.ranksPerServer = c.algorithm == A::Hierarchical ? 4 : 1;
    INFO(CollectiveOpName(c.op) << " " << CollectiveAlgorithmName(c.algorithm) << " over "
                                << c.ranks << ", " << options.channels << " channels, "
                                << options.treeChunks << " chunks");
    auto dag = ExpandCollective(c.op, c.algorithm, c.ranks, 1 << 20, options);
    auto size = SizeCollective(c.op, c.algorithm, c.ranks, 1 << 20, options, {0, 1, 4}, kMtu);
    REQUIRE(size.transfers == dag.transfers.size());
}

TEST_CASE("a collective job's schedule is counted without building it", "[traffic][estimate]")
{
    using A = CollectiveAlgorithm;
    using Op = CollectiveOp;
    struct Case
    {
        Op op;
        A algorithm;
        std::uint32_t gpus;
        std::uint32_t perServer; ///< the job's GPUs per server; 0: the server's 8
        bool exact;
    };
    auto c = GENERATE(values<Case>({{Op::AllReduce, A::Ring, 16, 1, true},
                                    {Op::AllReduce, A::Ring, 32, 0, true},
                                    {Op::AllReduce, A::Ring, 20, 0, true},
                                    {Op::AllReduce, A::Ring, 6, 0, true},
                                    {Op::AllGather, A::Ring, 24, 4, true},
                                    {Op::AllReduce, A::Tree, 24, 0, false},
                                    {Op::AllReduce, A::HalvingDoubling, 32, 0, false},
                                    {Op::AllReduce, A::Hierarchical, 32, 0, true},
                                    {Op::AllReduce, A::Hierarchical, 12, 3, true},
                                    {Op::AllToAll, A::Direct, 20, 0, true},
                                    {Op::AllToAll, A::Pairwise, 12, 5, true},
                                    {Op::SendRecv, A::Direct, 2, 1, true},
                                    {Op::SendRecv, A::Direct, 2, 0, true}}));
    CollectiveJobSpec job;
    job.op = c.op;
    job.algorithm = c.algorithm;
    job.gpus = c.gpus;
    job.gpusPerServer = c.perServer;
    job.bytes = GENERATE(as<std::uint64_t>{}, 3, 1 << 20, 64 << 20);
    job.options.channels = 2;
    INFO(CollectiveOpName(c.op) << " " << CollectiveAlgorithmName(c.algorithm) << " over " << c.gpus
                                << " GPUs, " << c.perServer << " per server, " << job.bytes
                                << " bytes");
    auto places = PlaceCollective(job, 8);
    auto schedule = BuildCollectiveIteration(job, places, {});
    auto size = SizeCollectiveIteration(job, 8, kMtu);
    RequireMatches(size, Measure(schedule), c.exact);
    auto dag = ExpandCollective(c.op,
                                c.algorithm,
                                c.gpus,
                                job.bytes,
                                {job.options.channels,
                                 job.options.treeChunks,
                                 std::min(c.gpus, c.perServer != 0 ? c.perServer : 8)});
    REQUIRE(size.transfers == dag.transfers.size());
    // One collective, held whole: a plan between servers, scale-up tasks inside one.
    REQUIRE(size.heldTasks == size.storedTasks);
    REQUIRE(size.heldPlans == size.plans);
    if (size.plans == 1)
    {
        fab::tests::ReplayFootprint footprint;
        fab::tests::ReplayGenerated(schedule, Busy, &footprint);
        REQUIRE(footprint.waiting <= size.waiting);
        REQUIRE(size.posted <= size.transfers);
    }
}

TEST_CASE("a training job's schedule is counted without building it", "[traffic][estimate]")
{
    struct Case
    {
        std::string name;
        JobSpec job;
        std::uint32_t gpusPerServer;
        bool exact;
    };
    std::vector<Case> cases;
    cases.push_back({"tp inside servers, dp across", SmallTraining(4, 8, 1), 8, true});
    cases.push_back({"tp smaller than a server", SmallTraining(8, 2, 1), 8, true});
    {
        auto job = SmallTraining(4, 2, 2);
        job.globalBatch = 16; // 4 micro-batches in 1F1B
        cases.push_back({"pipeline over servers", job, 8, true});
    }
    {
        auto job = SmallTraining(2, 2, 4);
        job.globalBatch = 6;
        job.model.layers = 8;
        cases.push_back({"pipeline stages sharing servers", job, 8, true});
    }
    {
        auto job = SmallTraining(16, 1, 1);
        job.model.experts = 8;
        job.model.moeEvery = 2;
        job.parallel.ep = 4;
        cases.push_back({"experts over some servers", job, 4, true});
    }
    {
        auto job = SmallTraining(8, 2, 1);
        job.model.experts = 4;
        job.parallel.ep = 4;
        job.parallel.sequenceParallel = true;
        job.compute.layerForwardNs = 0; // compute from FLOP/s
        cases.push_back({"sequence parallel with experts", job, 8, true});
    }
    {
        auto job = SmallTraining(8, 1, 1);
        job.dpAlgorithm = CollectiveAlgorithm::Tree;
        job.algorithm.treeChunks = 3;
        cases.push_back({"tree buckets", job, 2, false});
    }
    {
        auto job = SmallTraining(8, 1, 2);
        job.dpAlgorithm = CollectiveAlgorithm::HalvingDoubling;
        job.model.parameters = 50'000'000;
        cases.push_back({"halving-doubling buckets of a scaled model", job, 4, false});
    }
    {
        auto job = SmallTraining(4, 2, 1);
        job.dpAlgorithm = CollectiveAlgorithm::Hierarchical;
        job.algorithm.channels = 3;
        cases.push_back({"hierarchical buckets", job, 8, true});
    }
    for (const auto& c : cases)
    {
        INFO(c.name);
        auto places = PlaceRanks(c.job, c.gpusPerServer);
        auto schedule = BuildIteration(c.job, places, {});
        auto size = SizeIteration(c.job, c.gpusPerServer, kMtu);
        RequireMatches(size, Measure(schedule), c.exact);
        // Streamed, a run holds no more than the estimate's window.
        auto streamed = StreamIteration(c.job, places, {});
        fab::tests::ReplayFootprint footprint;
        fab::tests::ReplayGenerated(streamed, Busy, &footprint);
        REQUIRE(footprint.held > 0);
        REQUIRE(footprint.held <= size.heldTasks + size.heldPlans);
        REQUIRE(size.heldTasks <= size.storedTasks);
    }
}

TEST_CASE("counting a huge job takes no memory and names its size", "[traffic][estimate]")
{
    JobSpec job = SmallTraining(1024, 8, 1);
    job.model.layers = 1'000'000'000;
    job.model.experts = 0;
    auto size = SizeIteration(job, 8, kMtu);
    // 1e9 layers, each with attention and MLP compute and 2 TP AllReduce of 8 scale-up tasks
    // per DP rank, forward and backward.
    REQUIRE(size.tasks > 1e9 * 2 * 2 * 8 * 1024);

    CollectiveJobSpec ring;
    ring.gpus = 4096;
    ring.options.channels = 1'000'000;
    auto collective = SizeCollectiveIteration(ring, 8, kMtu);
    REQUIRE(collective.transfers == 1'000'000ull * 2 * 4095 * 4096);
}
