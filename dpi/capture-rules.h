#ifndef FABRICSCOPE_DPI_CAPTURE_RULES_H
#define FABRICSCOPE_DPI_CAPTURE_RULES_H

#include "dpi/capture-analysis.h"
#include "telemetry/model/report.h"
#include "telemetry/model/rule-config.h"

#include <vector>

namespace fab::dpi
{

/** Registers the runtime rules with their defaults (research notes, operator practice). */
void RegisterCaptureRules(telemetry::RuleConfig& config);
telemetry::RuleConfig DefaultCaptureRules();

/**
 * Judges an analysed capture: congestion (pause ratio, storms, ECN-CE ratio, CNP rate), link
 * health (retransmissions, gaps, NAKs, bad ICRC, malformed frames, captures cut short). Each
 * finding names its flow, port or file and carries packet numbers and times as evidence.
 */
std::vector<telemetry::Finding> CheckCapture(const AnalysisResult& result,
                                             const telemetry::RuleConfig& rules);

/** The analysis report: key figures, traffic over time, flows, pauses, anomalies, LLDP. */
telemetry::Report CaptureReport(const AnalysisResult& result,
                                std::vector<telemetry::Finding> findings);

} // namespace fab::dpi

#endif
