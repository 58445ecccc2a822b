#ifndef FABRICSCOPE_TESTS_FABRIC_FLOWS_H
#define FABRICSCOPE_TESTS_FABRIC_FLOWS_H

#include "fabric/model/roce-host.h"

namespace fab::tests
{

/** A flow to `dst` of `bytes` on QP `qp`, starting at 1 us. */
inline ns3::fabric::RoceFlowSpec
Flow(std::uint32_t dst, std::uint64_t bytes, std::uint32_t qp, std::uint8_t priority = 3)
{
    ns3::fabric::RoceFlowSpec flow;
    flow.dstEndpoint = dst;
    flow.bytes = bytes;
    flow.destQp = qp;
    flow.priority = priority;
    flow.start = ns3::MicroSeconds(1);
    return flow;
}

} // namespace fab::tests

#endif
