#include "traffic/model/collective-job.h"
#include "traffic/model/job.h"

#include <catch2/catch.hpp>
#include <map>

using namespace fab::traffic;

namespace
{

/** Collective groups of a schedule by op: (count, bytes of the first). */
std::map<CollectiveOp, std::pair<std::uint32_t, std::uint64_t>>
CollectivesByOp(const Schedule& schedule)
{
    std::map<CollectiveOp, std::pair<std::uint32_t, std::uint64_t>> byOp;
    for (const auto& g : schedule.Groups())
    {
        if (g.kind == GroupKind::Collective)
        {
            auto& entry = byOp[g.op];
            entry.second = entry.first == 0 ? g.bytes : entry.second;
            entry.first++;
        }
    }
    return byOp;
}

JobSpec
SmallJob()
{
    JobSpec job;
    job.model.layers = 4;
    job.model.hidden = 1024;
    job.model.sequence = 2048;
    job.model.vocabulary = 32000;
    job.compute.layerForwardNs = 100'000;
    return job;
}

} // namespace

TEST_CASE("a TP group inside a server: two AllReduce per layer and pass, over the scale-up link",
          "[traffic][job]")
{
    auto job = SmallJob();
    job.parallel.tp = 8;
    job.parallel.dp = 2;
    auto places = PlaceRanks(job, 8);
    REQUIRE(places[7].server == 0);
    REQUIRE(places[8].server == 1);
    ScaleUpLink nvlink{3'600'000'000'000ULL, 2'000};
    auto schedule = BuildIteration(job, places, nvlink);
    REQUIRE(schedule.IsTopologicallyOrdered());
    auto byOp = CollectivesByOp(schedule);
    // 4 layers x (2 forward + 2 backward) x 2 TP groups, plus 1 DP bucket per GPU index.
    std::uint64_t activations = 1ull * 2048 * 1024 * 2;
    REQUIRE(byOp[CollectiveOp::AllReduce].first == 4 * 4 * 2 + 8);
    REQUIRE(byOp[CollectiveOp::AllReduce].second == activations);
    // The TP AllReduce runs in closed form: 2(n-1) steps of latency plus 2(n-1)/n of the
    // buffer at the scale-up rate.
    for (const auto& task : schedule.ExpandTasks())
    {
        if (task.kind == TaskKind::ScaleUp)
        {
            REQUIRE(task.durationNs
                    == 14 * 2'000 + nvlink.TransferNs(activations * 14 / 8) - 2'000);
            break;
        }
    }
    // The DP groups are rail-aligned: rank t of each replica, one per server.
    for (const auto& g : schedule.Groups())
    {
        if (g.name.rfind("dp-bucket", 0) == 0)
        {
            REQUIRE(g.ranks.size() == 2);
            REQUIRE(places[g.ranks[0]].gpu == places[g.ranks[1]].gpu);
            REQUIRE(places[g.ranks[0]].server != places[g.ranks[1]].server);
        }
    }
}

TEST_CASE("sequence parallelism turns each TP AllReduce into an AllGather and a ReduceScatter",
          "[traffic][job]")
{
    auto job = SmallJob();
    job.parallel.tp = 4;
    job.parallel.sequenceParallel = true;
    auto schedule = BuildIteration(job, PlaceRanks(job, 8), {});
    auto byOp = CollectivesByOp(schedule);
    REQUIRE(byOp.count(CollectiveOp::AllReduce) == 0); // dp = 1: no gradient AllReduce
    REQUIRE(byOp[CollectiveOp::AllGather].first == 4 * 4);
    REQUIRE(byOp[CollectiveOp::ReduceScatter].first == 4 * 4);
}

TEST_CASE("expert parallelism: an All-to-All before and after each MoE layer, both passes",
          "[traffic][job]")
{
    auto job = SmallJob();
    job.model.experts = 8;
    job.model.topK = 2;
    job.model.moeEvery = 2; // layers 1 and 3
    job.parallel.dp = 8;
    job.parallel.ep = 4;
    auto schedule = BuildIteration(job, PlaceRanks(job, 2), {});
    auto byOp = CollectivesByOp(schedule);
    // 2 MoE layers x 4 All-to-All x 2 expert-parallel groups.
    REQUIRE(byOp[CollectiveOp::AllToAll].first == 2 * 4 * 2);
    REQUIRE(byOp[CollectiveOp::AllToAll].second == 1ull * 2048 * 2 * 1024 * 2);
    // Expert gradients go to the replicas holding the same experts: dp / ep = 2 of them.
    bool expertBucket = false;
    for (const auto& g : schedule.Groups())
    {
        if (g.name.rfind("dp-expert-bucket", 0) == 0)
        {
            expertBucket = true;
            REQUIRE(g.ranks.size() == 2);
            REQUIRE(g.ranks[1] - g.ranks[0] == 4);
        }
    }
    REQUIRE(expertBucket);
    auto gradients = GradientsOfLayer(job, 1);
    REQUIRE(gradients.expertBytes == 8ull / 4 * 2 * 1024 * 4096 * 2);
    REQUIRE(gradients.denseBytes == 4ull * 1024 * 1024 * 2);
}

TEST_CASE("pipeline parallelism: 1F1B with activations and gradients between stages",
          "[traffic][job]")
{
    auto job = SmallJob();
    job.parallel.pp = 4;
    job.globalBatch = 8; // 8 micro-batches
    auto schedule = BuildIteration(job, PlaceRanks(job, 1), {});
    REQUIRE(schedule.IsTopologicallyOrdered());
    auto byOp = CollectivesByOp(schedule);
    // Forward: stages 0-2 send each micro-batch on; backward: stages 1-3 send it back.
    REQUIRE(byOp[CollectiveOp::SendRecv].first == 2 * 3 * 8);
    REQUIRE(byOp[CollectiveOp::SendRecv].second == 1ull * 2048 * 1024 * 2);
    // Every stage computes 8 forward and 8 backward passes of its one layer.
    std::map<std::uint32_t, std::int64_t> busy;
    for (const auto& t : schedule.ExpandTasks())
    {
        if (t.kind == TaskKind::Compute)
        {
            busy[t.src] += t.durationNs;
        }
    }
    REQUIRE(busy.size() == 4);
    for (const auto& [rank, ns] : busy)
    {
        REQUIRE(ns == 8 * (100'000 + 200'000));
    }
}

TEST_CASE("compute time follows the transformer FLOPs formula", "[traffic][job]")
{
    JobSpec job;
    job.model.hidden = 4096;
    job.model.sequence = 2048;
    job.model.vocabulary = 50000;
    job.compute.peakFlops = 1e15;
    job.compute.mfu = 0.5;
    auto times = ComputeLayerTimes(job);
    // Attention: 8 b s h^2 + 4 b s^2 h FLOPs; MLP: 16 b s h^2 (ffn = 4h); head: 2 b s h V.
    REQUIRE(times.attentionNs
            == Approx((8.0 * 2048 * 4096 * 4096 + 4.0 * 2048 * 2048 * 4096) / 0.5e6).margin(1));
    REQUIRE(times.mlpNs == Approx(16.0 * 2048 * 4096 * 4096 / 0.5e6).margin(1));
    REQUIRE(times.headNs == Approx(2.0 * 2048 * 4096 * 50000 / 0.5e6).margin(1));
    job.parallel.tp = 8;
    REQUIRE(ComputeLayerTimes(job).mlpNs == Approx(times.mlpNs / 8.0).margin(1));
}

TEST_CASE("jobs that cannot run are refused with the field at fault", "[traffic][job]")
{
    auto field = [](JobSpec job, std::uint32_t gpusPerServer, std::uint32_t servers)
    {
        try
        {
            ValidateJob(job, gpusPerServer, servers);
        }
        catch (const JobError& e)
        {
            return e.Field();
        }
        return std::string("ok");
    };
    auto job = SmallJob();
    job.parallel.tp = 16;
    REQUIRE(field(job, 8, 4) == "parallel/tp");
    job = SmallJob();
    job.parallel.dp = 6;
    job.parallel.ep = 4;
    job.model.experts = 8;
    REQUIRE(field(job, 8, 4) == "parallel/ep");
    job = SmallJob();
    job.parallel.pp = 3;
    REQUIRE(field(job, 8, 4) == "model/layers");
    job = SmallJob();
    job.parallel.dp = 64;
    REQUIRE(field(job, 8, 4) == "first_server");
    job.parallel.dp = 32;
    REQUIRE(field(job, 8, 4) == "ok");
    job.globalBatch = 48;
    REQUIRE(field(job, 8, 4) == "global_batch");
}

TEST_CASE("rail-aligned rings: every hop between servers joins equal GPU indices",
          "[traffic][collective]")
{
    for (std::uint32_t channel = 0; channel < 8; ++channel)
    {
        auto order = RailAlignedRingOrder(64, 8, channel);
        REQUIRE(order.size() == 64);
        std::vector<bool> seen(64, false);
        for (std::size_t i = 0; i < order.size(); ++i)
        {
            REQUIRE_FALSE(seen[order[i]]);
            seen[order[i]] = true;
            auto from = order[i];
            auto to = order[(i + 1) % order.size()];
            if (from / 8 != to / 8)
            {
                REQUIRE(from % 8 == to % 8);
            }
        }
        REQUIRE(order.front() % 8 == channel);
    }
    auto plain = RailAlignedRingOrder(16, 1, 3);
    for (std::uint32_t i = 0; i < 16; ++i)
    {
        REQUIRE(plain[i] == i);
    }
}

TEST_CASE("direct All-to-All posts every block at once", "[traffic][collective]")
{
    auto dag = DirectAllToAll(8, 8 << 20);
    REQUIRE(dag.transfers.size() == 56);
    REQUIRE(dag.Steps() == 1);
    for (std::uint32_t r = 0; r < 8; ++r)
    {
        REQUIRE(dag.BytesSentBy(r) == 7ull << 20);
    }
}
