#ifndef FABRICSCOPE_TESTS_TEST_DESIGNS_H
#define FABRICSCOPE_TESTS_TEST_DESIGNS_H

#include "topologies/model/design.h"

#include <string>

namespace fab::tests
{

/** A uniform design: every tier uses one model of `cages` × `breakout` logical ports. */
inline topo::Design
UniformDesign(std::uint32_t servers,
              std::uint32_t portsPerServer,
              std::uint32_t cages,
              std::uint32_t breakout,
              std::uint32_t tiers,
              std::uint64_t linkBps = 400'000'000'000ULL)
{
    topo::Design design;
    design.name = "test";
    design.servers.count = servers;
    design.servers.gpus = portsPerServer;
    design.servers.nics = portsPerServer;
    design.servers.nicSpeedBps = linkBps;
    topo::SwitchModel model;
    model.name = "sw";
    model.ports = cages;
    model.breakout = breakout;
    model.portSpeedBps = linkBps * breakout;
    model.ecmpMaxPaths = 1024;
    design.switchModels[model.name] = model;
    design.leaf.model = design.spine.model = design.core.model = "sw";
    design.tiers = tiers;
    topo::ValidateDesign(design);
    return design;
}

/** Full k-ary trees: one port per server, radix k at the link speed. */
inline topo::Design
KAryDesign(std::uint32_t k, std::uint32_t tiers)
{
    std::uint64_t endpoints = tiers == 2 ? static_cast<std::uint64_t>(k) * k / 2
                                         : static_cast<std::uint64_t>(k) * k * k / 4;
    return UniformDesign(static_cast<std::uint32_t>(endpoints), 1, k, 1, tiers);
}

} // namespace fab::tests

#endif
