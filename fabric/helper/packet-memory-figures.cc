#include "fabric/helper/packet-memory-figures.h"

#include "fabric/helper/fabric-sampler.h"
#include "fabric/helper/schedule-runner.h"
#include "fabric/model/endpoint-places.h"
#include "traffic/model/schedule.h"

namespace ns3::fabric
{
namespace
{

/** glibc's smallest heap block: a vector of a few ids takes this much. */
constexpr std::uint64_t kSmallBlock = 32;

} // namespace

::fab::traffic::MemoryFigures
PacketMemoryFigures()
{
    // Checked against the peak RSS of whole runs (estimate ÷ measured): a 64 MiB ring AllReduce
    // over 256 and 1,024 GPUs of roce-10k-rail 1.02 and 1.01 (the fabric is most of it; since
    // retransmit timers are kept lazily, a pending event per queue pair instead of one per ACK
    // of the last timeout), the default scenario 1.04; before that change a 4 MiB ring over 16
    // GPUs of roce-128-rail 0.97 and a small training job 0.99. Collectives are plans and training
    // iterations are streamed, so tasks no longer dominate: the run holds per collective its
    // plan and ready points, per rank and channel a wait count and a posted transfer.
    namespace traffic = ::fab::traffic;
    traffic::MemoryFigures f;
    // Measured: `simulate --print-scenario` peaks at 13 MiB (code, ns-3's libraries, the
    // embedded designs); parsing and planning add little.
    f.baseBytes = 14ull << 20;
    // Measured on one small run of three designs (roce-128-rail, ib-ndr-1024-superpod,
    // roce-10k-rail: 768 to 61,440 ports): about 4.5 KiB per cable end, 480 B less since ports
    // call their node directly instead of through two ns-3 Callbacks (roce-10k-rail's built
    // fabric: 308 -> 279 MB). Most of it is the device itself (1.8 KiB); the rest is the
    // switch's buffer accounting per port and priority, the channel, the port's counters in the
    // summary (1 KiB) and its LLDP timer. Frame queues take memory only once a port queues a
    // frame.
    f.perPort = 4'120;
    f.perHost = 2'048;   // the node, its NIC port table, the runner's per-host tables
    f.perSwitch = 4'096; // the node, its recovery tables, its buffer's totals
    // Where each endpoint sits (plane, pod, leaf and port), one copy for every switch.
    f.perEndpoint = sizeof(EndpointPlace);
    // A 16-bit group index per switch and destination leaf or pod. Identical switches share one
    // table, so counting every switch's entries bounds the tables from above; failover keeps
    // only what faults change.
    f.perRouteEntry = sizeof(std::uint16_t);
    // A held task (a compute, join or scale-up task: collectives between servers are plans):
    // its record in the schedule's deque, its dependency list's block, the list of tasks that
    // wait for it (a hash-map node and its block) and its bucket.
    f.perTask = sizeof(traffic::Task) + 1 + 3 * kSmallBlock + 2 * sizeof(void*);
    // An id in a dependency list and in a list of dependents.
    f.perDependency = 2 * sizeof(traffic::TaskId);
    // A collective kept as its plan: the schedule's record, the plan and its control block.
    f.perPlan = 256;
    // Per rank: its ready point, the hook that lets that task find the collective's roots (a
    // hash-map node and its block), and the tree tables of a tree plan.
    f.perPlanRank = sizeof(traffic::TaskId) + 3 * kSmallBlock + 32;
    // A wait count in the generator's hash map: node and bucket.
    f.perWaitingTask = kSmallBlock + 2 * sizeof(void*);
    // The runner's record of a posted transfer and the sender's message in their deques.
    f.perPostedTransfer = 96;
    // A group in the schedule and again in the job's summary, with its name on the heap.
    f.perGroup = 2 * (sizeof(traffic::TaskGroup) + 48);
    f.perGroupRank = 2 * sizeof(std::uint32_t);
    // Measured (All-to-All of 16 MiB over 256 servers, 65,280 queue pairs): the sender's state
    // and its message queue, the receiver's record, the runner's record and maps.
    f.perQueuePair = 2'100;
    // A pending ns-3 event: the event object (48 B, from its type's pool) and its entry in one of
    // the scheduler's runs (24 B, in a ring of up to twice the slots it holds).
    f.perEvent = 84;
    // Kept by the runner and copied into the result.
    f.perCollectiveRecord = 2 * sizeof(CollectiveRecord);
    f.perSpan = 2 * sizeof(RankSpan) + 64; // and its entry and index slots while gathered
    f.perSample = 2 * (sizeof(FabricSample) + 64);
    f.perFault = 1'024;
    return f;
}

} // namespace ns3::fabric
