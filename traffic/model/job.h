#ifndef FABRICSCOPE_TRAFFIC_JOB_H
#define FABRICSCOPE_TRAFFIC_JOB_H

#include "traffic/model/collective-algorithm.h"
#include "traffic/model/schedule.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fab::traffic
{

/** A transformer, as much of it as its traffic and compute time depend on. */
struct ModelSpec
{
    std::string name{"model"};
    std::uint32_t layers{24};
    std::uint32_t hidden{2048};
    std::uint32_t ffnHidden{0}; ///< 0: 4 × hidden
    std::uint32_t sequence{2048};
    std::uint32_t vocabulary{32000};
    std::uint64_t parameters{0}; ///< 0: derived from the shape; else gradients scale to it
    std::uint32_t experts{0};    ///< 0: dense
    std::uint32_t topK{2};
    std::uint32_t moeEvery{1};      ///< every n-th layer is a mixture of experts
    std::uint32_t bytesPerValue{2}; ///< bf16 activations and gradients

    std::uint32_t Ffn() const { return ffnHidden != 0 ? ffnHidden : 4 * hidden; }
    bool IsMoeLayer(std::uint32_t layer) const
    {
        return experts > 0 && (layer + 1) % moeEvery == 0;
    }
    /** Parameters of the whole model as its shape gives them. */
    double ShapeParameters() const;
};

/**
 * Degrees of parallelism. GPUs = dp × tp × pp; expert parallelism is carved out of data
 * parallelism (ep divides dp), as Megatron-LM and DeepSpeed-MoE do; sequence parallelism is
 * Megatron's: it splits activations across the tensor-parallel group and turns each TP AllReduce
 * into an AllGather and a ReduceScatter.
 */
struct ParallelSpec
{
    std::uint32_t dp{1};
    std::uint32_t tp{1};
    std::uint32_t pp{1};
    std::uint32_t ep{1};
    bool sequenceParallel{false};

    std::uint32_t Gpus() const { return dp * tp * pp; }
};

/** Compute speed: from peak FLOP/s and a model FLOPs utilisation, or a fixed time per layer. */
struct ComputeSpec
{
    double peakFlops{989e12}; ///< H100 SXM dense BF16
    double mfu{0.4};
    std::int64_t layerForwardNs{0}; ///< > 0: forward time of one layer and micro-batch; backward 2×
};

struct JobSpec
{
    std::string name{"job"};
    ModelSpec model;
    ParallelSpec parallel;
    std::uint32_t microBatch{1};  ///< sequences per micro-batch per replica
    std::uint32_t globalBatch{0}; ///< sequences per iteration; 0: one micro-batch per replica
    ComputeSpec compute;
    std::uint64_t bucketBytes{25ull << 20}; ///< DP gradient bucket (PyTorch DDP's 25 MiB)
    CollectiveAlgorithm dpAlgorithm{CollectiveAlgorithm::Ring};
    AlgorithmOptions algorithm;
    std::uint32_t firstServer{0};

    std::uint32_t MicroBatches() const;
};

/** A job that cannot run as given: `field` is its path inside the job ("parallel/tp"). */
class JobError : public std::invalid_argument
{
public:
    JobError(std::string field, const std::string& message)
    : std::invalid_argument(message)
    , m_field(std::move(field))
    {
    }

    const std::string& Field() const { return m_field; }

private:
    std::string m_field;
};

/** Where a rank runs. */
struct RankPlace
{
    std::uint32_t server{0};
    std::uint32_t gpu{0}; ///< index inside the server
};

/** Checks a job against the servers it gets; throws JobError. */
void ValidateJob(const JobSpec& job, std::uint32_t gpusPerServer, std::uint32_t servers);

/**
 * Megatron's rank order (tensor-parallel fastest, then data-parallel, then pipeline stage), filled
 * into servers from job.firstServer: a TP group shares a server and a data-parallel group has the
 * same GPU index on every server, so its traffic stays on one rail.
 */
std::vector<RankPlace> PlaceRanks(const JobSpec& job, std::uint32_t gpusPerServer);

/** Compute time of one layer's parts for one micro-batch on one rank, forward. */
struct LayerTimes
{
    std::int64_t attentionNs{0};
    std::int64_t mlpNs{0};
    std::int64_t moeNs{0};  ///< the expert MLP of a MoE layer
    std::int64_t headNs{0}; ///< the output projection to the vocabulary, last stage
};
LayerTimes ComputeLayerTimes(const JobSpec& job);

/** Bytes of one micro-batch's activations: what a TP collective moves per layer and what
 *  crosses between pipeline stages (split over the TP ranks). */
std::uint64_t ActivationBytes(const JobSpec& job);
/** Bytes of each EP All-to-All: the activations routed to the top-k experts, split over TP. */
std::uint64_t ExpertAllToAllBytes(const JobSpec& job);

/** What each rank holds of the gradients of one layer, in bytes: dense and expert parts. */
struct LayerGradients
{
    std::uint64_t denseBytes{0};
    std::uint64_t expertBytes{0};
};
LayerGradients GradientsOfLayer(const JobSpec& job, std::uint32_t layer);

/**
 * One training iteration as a schedule: per micro-batch forward and backward passes on each
 * pipeline stage in 1F1B order, with per layer the TP AllReduce (or SP AllGather and
 * ReduceScatter) and the EP All-to-All around MoE layers, activations between stages as
 * SendRecv, and DP gradient AllReduce in buckets that start as soon as the backward pass of the
 * last micro-batch has produced them, one after another on their own stream.
 */
Schedule BuildIteration(const JobSpec& job,
                        const std::vector<RankPlace>& places,
                        const ScaleUpLink& scaleUp);

/** The same iteration, streamed: appended layer by layer while a run gets to it. */
Schedule StreamIteration(const JobSpec& job,
                         const std::vector<RankPlace>& places,
                         const ScaleUpLink& scaleUp);

} // namespace fab::traffic

#endif
