#ifndef FABRICSCOPE_TOOLS_INVENTORY_CHECK_H
#define FABRICSCOPE_TOOLS_INVENTORY_CHECK_H

#include "dpi/capture-analysis.h"
#include "telemetry/model/report.h"
#include "telemetry/model/rule-config.h"
#include "topologies/model/design.h"

#include <vector>

namespace fab::tools
{

/** Registers the inventory rules of `analyze --design`. */
void RegisterInventoryRules(telemetry::RuleConfig& config);

struct InventoryCheck
{
    std::vector<telemetry::Finding> findings;
    telemetry::Section section;
};

/**
 * Compares what LLDP showed in the captures with a design: every LLDP speaker (chassis and port
 * names as the design's graph names them, "leaf-1-0" and "leaf-1-0:2") must exist, the two ends
 * seen in one capture must be a link of the design, and a speed advertised must be the link's.
 * Also counts the links seen by tier against the design's and the optical modules they carry.
 */
InventoryCheck CheckInventory(const dpi::AnalysisResult& result,
                              const topo::Design& design,
                              const telemetry::RuleConfig& rules);

} // namespace fab::tools

#endif
