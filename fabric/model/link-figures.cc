#include "fabric/model/link-figures.h"

#include "topologies/model/media.h"

namespace ns3::fabric
{

LinkFigures
LinkFiguresOf(const topo::Design& design, const topo::LinkLine& line)
{
    LinkFigures figures;
    figures.rateBps
        = line.tier == topo::LinkTier::ServerLeaf ? design.servers.nicSpeedBps : line.speedBps;
    figures.delayNs = static_cast<std::int64_t>(line.lengthMetres
                                                * topo::PropagationNsPerMetre(line.media));
    return figures;
}

} // namespace ns3::fabric
