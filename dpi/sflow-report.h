#ifndef FABRICSCOPE_DPI_SFLOW_REPORT_H
#define FABRICSCOPE_DPI_SFLOW_REPORT_H

#include "dpi/live-rules.h"
#include "dpi/sflow-collector.h"
#include "telemetry/model/report.h"

namespace fab::dpi
{

/**
 * The report `collect` writes periodically and when it stops: agents, ports (busiest first),
 * RDMA traffic classes over the window and since the start, the findings that hold, and the
 * same as JSON data.
 */
telemetry::Report CollectReport(const SflowCollector& collector, const LiveRules& rules);

} // namespace fab::dpi

#endif
