#ifndef FABRICSCOPE_FABRIC_PACKET_MEMORY_FIGURES_H
#define FABRICSCOPE_FABRIC_PACKET_MEMORY_FIGURES_H

#include "traffic/model/memory-estimate.h"

namespace ns3::fabric
{

/** Resident bytes per item of the packet engine (ns-3), from the sizes of its structures and
 *  peak RSS measured on runs of several sizes (see the source for how). */
::fab::traffic::MemoryFigures PacketMemoryFigures();

} // namespace ns3::fabric

#endif
