#ifndef FABRICSCOPE_TOPOLOGIES_DESIGN_RULES_H
#define FABRICSCOPE_TOPOLOGIES_DESIGN_RULES_H

#include "telemetry/model/finding.h"
#include "telemetry/model/rule-config.h"
#include "topologies/model/bill-of-materials.h"
#include "topologies/model/fabric-graph.h"

#include <vector>

namespace fab::topo
{

/** What the design rules look at. `graph` may be null: rules then use closed forms only. */
struct DesignReviewInput
{
    const Design& design;
    const FatTreePlan& plan;
    const BillOfMaterials& bom;
    const FabricGraph* graph;
};

/** Registers every design rule ("design.*") with its default thresholds and severity. */
void RegisterDesignRules(telemetry::RuleConfig& config);

/** A rule configuration holding the design rules at their defaults. */
telemetry::RuleConfig DefaultDesignRules();

/** Runs every enabled design rule. */
std::vector<telemetry::Finding> CheckDesign(const DesignReviewInput& input,
                                            const telemetry::RuleConfig& config);

// The rules, in two families; each appends its findings.
void CheckOversubscription(const DesignReviewInput& in,
                           const telemetry::RuleConfig& c,
                           std::vector<telemetry::Finding>& out);
void CheckPortBudget(const DesignReviewInput& in,
                     const telemetry::RuleConfig& c,
                     std::vector<telemetry::Finding>& out);
void CheckTierCount(const DesignReviewInput& in,
                    const telemetry::RuleConfig& c,
                    std::vector<telemetry::Finding>& out);
void CheckScalableUnits(const DesignReviewInput& in,
                        const telemetry::RuleConfig& c,
                        std::vector<telemetry::Finding>& out);
void CheckRailAlignment(const DesignReviewInput& in,
                        const telemetry::RuleConfig& c,
                        std::vector<telemetry::Finding>& out);
void CheckBlastRadius(const DesignReviewInput& in,
                      const telemetry::RuleConfig& c,
                      std::vector<telemetry::Finding>& out);
void CheckHopCount(const DesignReviewInput& in,
                   const telemetry::RuleConfig& c,
                   std::vector<telemetry::Finding>& out);
void CheckEcmpFanout(const DesignReviewInput& in,
                     const telemetry::RuleConfig& c,
                     std::vector<telemetry::Finding>& out);
void CheckPlaneSymmetry(const DesignReviewInput& in,
                        const telemetry::RuleConfig& c,
                        std::vector<telemetry::Finding>& out);

void CheckMediaReach(const DesignReviewInput& in,
                     const telemetry::RuleConfig& c,
                     std::vector<telemetry::Finding>& out);
void CheckNicSpeed(const DesignReviewInput& in,
                   const telemetry::RuleConfig& c,
                   std::vector<telemetry::Finding>& out);
void CheckPfcHeadroom(const DesignReviewInput& in,
                      const telemetry::RuleConfig& c,
                      std::vector<telemetry::Finding>& out);
void CheckMtu(const DesignReviewInput& in,
              const telemetry::RuleConfig& c,
              std::vector<telemetry::Finding>& out);
void CheckModulePower(const DesignReviewInput& in,
                      const telemetry::RuleConfig& c,
                      std::vector<telemetry::Finding>& out);
void CheckCostShare(const DesignReviewInput& in,
                    const telemetry::RuleConfig& c,
                    std::vector<telemetry::Finding>& out);
void CheckRadix(const DesignReviewInput& in,
                const telemetry::RuleConfig& c,
                std::vector<telemetry::Finding>& out);

} // namespace fab::topo

#endif
