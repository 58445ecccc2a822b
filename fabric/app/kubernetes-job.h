#ifndef FABRICSCOPE_FABRIC_APP_KUBERNETES_JOB_H
#define FABRICSCOPE_FABRIC_APP_KUBERNETES_JOB_H

#include "fabric/app/sweep-work.h"

#include <cstdint>
#include <string>

namespace ns3::fabric::app
{

/**
 * A Kubernetes Indexed Job that runs the same tasks as the other executors: completion index K
 * runs line K of `taskList`. The sweep's folder is mounted at its own path from the claim
 * "fabricscope-sweep", so that the plan's paths hold in the pods.
 */
std::string KubernetesIndexedJob(const SweepWork& work,
                                 const std::string& taskList,
                                 const std::string& image,
                                 std::uint32_t parallelism);

} // namespace ns3::fabric::app

#endif
