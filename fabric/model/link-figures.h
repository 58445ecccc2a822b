#ifndef FABRICSCOPE_FABRIC_LINK_FIGURES_H
#define FABRICSCOPE_FABRIC_LINK_FIGURES_H

#include "topologies/model/bill-of-materials.h"
#include "topologies/model/design.h"

#include <cstdint>

namespace ns3::fabric
{

namespace topo = ::fab::topo;

/** What a cable of a tier is to the traffic on it: its rate each way and its propagation delay. */
struct LinkFigures
{
    std::uint64_t rateBps{0};
    std::int64_t delayNs{0};
};

/** A server link runs at the NIC's speed, the others at their line's; the delay follows the
 *  line's length and medium. */
LinkFigures LinkFiguresOf(const topo::Design& design, const topo::LinkLine& line);

} // namespace ns3::fabric

#endif
