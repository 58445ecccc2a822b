#ifndef FABRICSCOPE_TOOLS_DESIGN_FLAGS_H
#define FABRICSCOPE_TOOLS_DESIGN_FLAGS_H

#include "topologies/model/design.h"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace fab::tools
{

/** The flags that describe a design for quick what-ifs, alone or on top of a design file. */
struct DesignFlags
{
    std::optional<std::uint64_t> gpus;
    std::optional<std::uint32_t> gpusPerServer;
    std::optional<std::uint32_t> switchRadix;
    std::optional<std::string> tiers;
    std::optional<std::string> nicSpeed;
    std::optional<std::string> fabric;
    std::optional<std::string> oversubscription;
    std::optional<std::uint32_t> planes;

    void AddTo(CLI::App& app);
    bool Any() const;
};

/**
 * The design the flags describe: on top of `base` when given, else on a default of 8 GPUs and
 * 8 × 400G NIC ports per server, rail-optimized, one NIC port per GPU (endpoints = GPUs).
 * Contradictions throw an InputError naming the flag.
 */
topo::Design ApplyDesignFlags(const DesignFlags& flags, const std::optional<topo::Design>& base);

/** Where a design error points, said in flags when the design came from flags alone. */
std::string FlagForPointer(const std::string& pointer);

} // namespace fab::tools

#endif
