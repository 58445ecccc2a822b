#include "traffic/model/job.h"

#include "traffic/model/iteration-emitter.h"

#include <algorithm>
#include <cmath>

namespace fab::traffic
{

double
ModelSpec::ShapeParameters() const
{
    double h = hidden;
    double f = Ffn();
    double total = static_cast<double>(vocabulary) * h;
    for (std::uint32_t l = 0; l < layers; ++l)
    {
        total += 4 * h * h + (IsMoeLayer(l) ? experts : 1) * 2 * h * f;
    }
    return total;
}

std::uint32_t
JobSpec::MicroBatches() const
{
    std::uint32_t perStep = microBatch * parallel.dp;
    return globalBatch == 0 ? 1 : globalBatch / perStep;
}

void
ValidateJob(const JobSpec& job, std::uint32_t gpusPerServer, std::uint32_t servers)
{
    const ParallelSpec& p = job.parallel;
    for (auto [value, name] : {std::pair{p.dp, "dp"}, {p.tp, "tp"}, {p.pp, "pp"}, {p.ep, "ep"}})
    {
        if (value == 0)
        {
            throw JobError(std::string("parallel/") + name, "a parallel degree is at least 1");
        }
    }
    if (p.tp > gpusPerServer || gpusPerServer % p.tp != 0)
    {
        throw JobError("parallel/tp",
                       "tensor parallelism of " + std::to_string(p.tp)
                           + " does not fit in a server of " + std::to_string(gpusPerServer)
                           + " GPUs (it must divide the GPUs of a server)");
    }
    if (p.dp % p.ep != 0)
    {
        throw JobError("parallel/ep",
                       "expert parallelism " + std::to_string(p.ep)
                           + " must divide data parallelism " + std::to_string(p.dp));
    }
    if (p.ep > 1 && job.model.experts == 0)
    {
        throw JobError("parallel/ep", "expert parallelism needs a model with experts");
    }
    if (job.model.experts > 0 && job.model.experts % p.ep != 0)
    {
        throw JobError("model/experts",
                       std::to_string(job.model.experts) + " experts do not split over "
                           + std::to_string(p.ep) + " expert-parallel ranks");
    }
    if (job.model.layers == 0 || job.model.layers % p.pp != 0)
    {
        throw JobError("model/layers",
                       std::to_string(job.model.layers) + " layers do not split into "
                           + std::to_string(p.pp) + " pipeline stages");
    }
    if (job.model.hidden == 0 || job.model.sequence == 0 || job.microBatch == 0)
    {
        throw JobError("model/hidden", "hidden size, sequence length and micro-batch are > 0");
    }
    if (job.model.experts > 0 && (job.model.topK == 0 || job.model.topK > job.model.experts))
    {
        throw JobError("model/top_k", "top-k is between 1 and the number of experts");
    }
    std::uint32_t perStep = job.microBatch * p.dp;
    if (job.globalBatch != 0 && (job.globalBatch % perStep != 0))
    {
        throw JobError("global_batch",
                       "global batch " + std::to_string(job.globalBatch)
                           + " is not a multiple of micro-batch × dp = " + std::to_string(perStep));
    }
    std::uint64_t needed
        = (static_cast<std::uint64_t>(p.Gpus()) + gpusPerServer - 1) / gpusPerServer;
    if (job.firstServer + needed > servers)
    {
        throw JobError("first_server",
                       "the job needs " + std::to_string(needed) + " servers from server "
                           + std::to_string(job.firstServer) + " but the design has "
                           + std::to_string(servers));
    }
    if (job.compute.layerForwardNs < 0 || job.compute.peakFlops <= 0 || job.compute.mfu <= 0
        || job.compute.mfu > 1)
    {
        throw JobError("compute", "peak FLOP/s > 0 and 0 < MFU ≤ 1, or a layer time ≥ 0");
    }
}

std::vector<RankPlace>
PlaceRanks(const JobSpec& job, std::uint32_t gpusPerServer)
{
    std::vector<RankPlace> places(job.parallel.Gpus());
    for (std::uint32_t r = 0; r < places.size(); ++r)
    {
        places[r].server = job.firstServer + r / gpusPerServer;
        places[r].gpu = r % gpusPerServer;
    }
    return places;
}

LayerTimes
ComputeLayerTimes(const JobSpec& job)
{
    const ModelSpec& m = job.model;
    double b = job.microBatch;
    double s = m.sequence;
    double h = m.hidden;
    double f = m.Ffn();
    double tp = job.parallel.tp;
    // Forward FLOPs per micro-batch (Narayanan et al. 2021): two per multiply-add.
    double attention = (8 * b * s * h * h + 4 * b * s * s * h) / tp;
    double mlp = 4 * b * s * h * f / tp;
    double moe = mlp * m.topK;
    double head = 2 * b * s * h * m.vocabulary / tp;
    LayerTimes times;
    if (job.compute.layerForwardNs > 0)
    {
        double perFlop = static_cast<double>(job.compute.layerForwardNs) / (attention + mlp);
        times.attentionNs = std::llround(attention * perFlop);
        times.mlpNs = job.compute.layerForwardNs - times.attentionNs;
        times.moeNs = std::llround(moe * perFlop);
        times.headNs = 0; // a fixed layer time covers the whole model
        return times;
    }
    double flopsPerNs = job.compute.peakFlops * job.compute.mfu * 1e-9;
    times.attentionNs = std::llround(attention / flopsPerNs);
    times.mlpNs = std::llround(mlp / flopsPerNs);
    times.moeNs = std::llround(moe / flopsPerNs);
    times.headNs = std::llround(head / flopsPerNs);
    return times;
}

std::uint64_t
ActivationBytes(const JobSpec& job)
{
    const auto& m = job.model;
    return static_cast<std::uint64_t>(job.microBatch) * m.sequence * m.hidden * m.bytesPerValue;
}

std::uint64_t
ExpertAllToAllBytes(const JobSpec& job)
{
    return ActivationBytes(job) * job.model.topK / job.parallel.tp;
}

LayerGradients
GradientsOfLayer(const JobSpec& job, std::uint32_t layer)
{
    const ModelSpec& m = job.model;
    double h = m.hidden;
    double f = m.Ffn();
    double tp = job.parallel.tp;
    double scale
        = m.parameters == 0 ? 1.0 : static_cast<double>(m.parameters) / m.ShapeParameters();
    double dense = 4 * h * h;
    double expert = 0;
    if (m.IsMoeLayer(layer))
    {
        expert = static_cast<double>(m.experts) / job.parallel.ep * 2 * h * f;
    }
    else
    {
        dense += 2 * h * f;
    }
    LayerGradients g;
    g.denseBytes = static_cast<std::uint64_t>(std::llround(dense / tp * scale * m.bytesPerValue));
    g.expertBytes = static_cast<std::uint64_t>(std::llround(expert / tp * scale * m.bytesPerValue));
    return g;
}

namespace
{

std::vector<std::uint32_t>
ServersOf(const std::vector<RankPlace>& places)
{
    std::vector<std::uint32_t> servers;
    for (const auto& place : places)
    {
        servers.push_back(place.server);
    }
    return servers;
}

} // namespace

Schedule
BuildIteration(const JobSpec& job, const std::vector<RankPlace>& places, const ScaleUpLink& scaleUp)
{
    Schedule schedule(ServersOf(places), scaleUp);
    IterationEmitter emitter(job);
    while (emitter.EmitNext(schedule))
    {
    }
    return schedule;
}

Schedule
StreamIteration(const JobSpec& job,
                const std::vector<RankPlace>& places,
                const ScaleUpLink& scaleUp)
{
    return Schedule(ServersOf(places), scaleUp, std::make_unique<IterationEmitter>(job));
}

} // namespace fab::traffic
