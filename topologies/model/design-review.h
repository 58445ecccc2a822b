#ifndef FABRICSCOPE_TOPOLOGIES_DESIGN_REVIEW_H
#define FABRICSCOPE_TOPOLOGIES_DESIGN_REVIEW_H

#include "telemetry/model/process-memory.h"
#include "telemetry/model/report.h"
#include "topologies/model/design-rules.h"
#include "topologies/model/graph-size.h"

#include <optional>

namespace fab::topo
{

/** Everything a design review found: the plan, the expanded graph, the BOM and the findings. */
struct DesignReview
{
    Design design;
    FatTreePlan plan;
    std::optional<FabricGraph> graph;
    BillOfMaterials bom;
    std::vector<telemetry::Finding> findings;
};

/** Resident bytes a review holds at its peak: the process, the expanded graph and the rules'
 *  tables per node and link. */
std::uint64_t ReviewMemoryBytes(const GraphSize& size);

/**
 * Plans, expands, counts and checks a design. InputError when it cannot be built, or when the
 * expanded graph would not fit `limit` (or the graph's 32-bit ids): then /servers/count and the
 * figures, before anything is expanded.
 */
DesignReview ReviewDesign(const Design& design,
                          const telemetry::RuleConfig& rules,
                          const std::optional<telemetry::MemoryLimit>& limit = std::nullopt);

/** The machine-readable result (the JSON report's top-level keys besides findings). */
nlohmann::json ReviewToJson(const DesignReview& review);

/** The report a design review meeting reads. */
telemetry::Report MakeReviewReport(const DesignReview& review, const telemetry::RuleConfig& rules);

} // namespace fab::topo

#endif
