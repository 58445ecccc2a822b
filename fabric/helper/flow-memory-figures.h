#ifndef FABRICSCOPE_FABRIC_FLOW_MEMORY_FIGURES_H
#define FABRICSCOPE_FABRIC_FLOW_MEMORY_FIGURES_H

#include "traffic/model/memory-estimate.h"

namespace ns3::fabric
{

/** Resident bytes per item of the flow engine, which holds the same schedules as the packet
 *  engine but per link a solver entry instead of a port device, no per-packet state and no
 *  retransmit timers (see the source for how they were measured). */
::fab::traffic::MemoryFigures FlowMemoryFigures();

/** Events the flow engine holds at once, at most: per transfer under way its end and the
 *  earlier predictions a rate change left behind, per held task its end. */
std::uint64_t FlowPendingEvents(const ::fab::traffic::RunCounts& counts);

} // namespace ns3::fabric

#endif
