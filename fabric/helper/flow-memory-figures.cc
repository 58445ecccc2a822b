#include "fabric/helper/flow-memory-figures.h"

#include "fabric/helper/packet-memory-figures.h"
#include "traffic/model/saturating-count.h"

namespace ns3::fabric
{

::fab::traffic::MemoryFigures
FlowMemoryFigures()
{
    // The schedules, records and spans are the same structures in both engines; what differs is
    // the fabric and what a transfer under way holds.
    ::fab::traffic::MemoryFigures f = PacketMemoryFigures();
    // Per cable end, one direction of its cable: the solver's link (64 B and its list of flows),
    // the bytes it carried, the port's link in the path finder and the graph's port names.
    // Measured: the fabric of fat-tree-k64 (393,216 cable ends) with a 256-GPU ring, 92 MB.
    f.perPort = 240;
    f.perHost = 64;    // next queue pair number, placements
    f.perSwitch = 512; // its failover table and peers
    f.perEndpoint = 0; // paths are found hop by hop, nothing is kept per endpoint and switch
    // A message under way: its record in the queue pair's queue, the solver's flow (path and
    // slots, about six hops each) and the engine's record of it.
    f.perPostedTransfer = 320;
    // The engine's record (its message queue empty on the heap while idle), its path's block and
    // its entry in the map that finds it.
    f.perQueuePair = 256;
    // An entry of the agenda's heap, which doubles as it grows.
    f.perEvent = 2 * 48;
    // Kept by the engine, copied into the result, and written into summary.json's document and
    // the report's: the peak of a large run is while it writes them (measured: training over
    // 65,536 and 524,288 GPUs, 294,976 and 2,359,360 records, peaks of 2.46 and 19.5 GB).
    f.perCollectiveRecord += 3'600;
    return f;
}

std::uint64_t
FlowPendingEvents(const ::fab::traffic::RunCounts& counts)
{
    using ::fab::traffic::SatAdd;
    using ::fab::traffic::SatMul;
    return SatAdd(SatMul(counts.postedTransfers, 4), counts.heldTasks);
}

} // namespace ns3::fabric
