#ifndef FABRICSCOPE_TESTS_SMALL_TRAINING_H
#define FABRICSCOPE_TESTS_SMALL_TRAINING_H

#include "traffic/model/job.h"

#include <cstdint>

namespace fab::tests
{

/** A 4-layer model small enough to expand, with fixed layer times, over dp × tp × pp GPUs. */
inline traffic::JobSpec
SmallTraining(std::uint32_t dp, std::uint32_t tp, std::uint32_t pp)
{
    traffic::JobSpec job;
    job.model.layers = 4;
    job.model.hidden = 256;
    job.model.sequence = 256;
    job.model.vocabulary = 1000;
    job.parallel.dp = dp;
    job.parallel.tp = tp;
    job.parallel.pp = pp;
    job.bucketBytes = 1 << 20;
    job.compute.layerForwardNs = 10'000;
    return job;
}

} // namespace fab::tests

#endif
