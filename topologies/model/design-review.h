#ifndef FABRICSCOPE_TOPOLOGIES_DESIGN_REVIEW_H
#define FABRICSCOPE_TOPOLOGIES_DESIGN_REVIEW_H

#include "telemetry/model/report.h"
#include "topologies/model/design-rules.h"

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

/** Plans, expands, counts and checks a design. InputError when it cannot be built. */
DesignReview ReviewDesign(const Design& design, const telemetry::RuleConfig& rules);

/** The machine-readable result (the JSON report's top-level keys besides findings). */
nlohmann::json ReviewToJson(const DesignReview& review);

/** The report a design review meeting reads. */
telemetry::Report MakeReviewReport(const DesignReview& review, const telemetry::RuleConfig& rules);

} // namespace fab::topo

#endif
