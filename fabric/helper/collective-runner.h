#ifndef FABRICSCOPE_FABRIC_COLLECTIVE_RUNNER_H
#define FABRICSCOPE_FABRIC_COLLECTIVE_RUNNER_H

#include "fabric/helper/fabric-builder.h"
#include "traffic/model/collective.h"
#include "traffic/model/transfer-dag.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

namespace ns3::fabric
{

namespace traffic = ::fab::traffic;

/** Where a rank lives: a server and one of its NIC ports. */
struct RankPlacement
{
    std::uint32_t server{0};
    std::uint16_t port{0};
};

/** What one run of a collective took. */
struct CollectiveResult
{
    std::int64_t startNs{-1};
    std::int64_t endNs{-1};
    std::uint64_t bytes{0}; ///< the collective's buffer size S (nccl-tests' definition)
    double algbwGbps{0};
    double busbwGbps{0};
    std::uint32_t transfersDone{0};
};

/**
 * Runs a transfer DAG on the fabric's RDMA NICs: a transfer is posted (one RC WRITE on a QP of
 * its own) once every transfer it depends on has completed, and completes when its sender sees
 * the last ACK. Reports algbw = S / t and busbw = algbw × the nccl-tests factor.
 */
class CollectiveRunner
{
public:
    CollectiveRunner(FabricBuilder& fabric,
                     traffic::TransferDag dag,
                     std::vector<RankPlacement> ranks,
                     traffic::CollectiveOp op,
                     std::uint64_t bytes);

    /** Starts the collective at `start` (simulated time). */
    void Start(Time start);
    const CollectiveResult& Result() const { return m_result; }
    bool Done() const { return m_result.transfersDone == m_dag.transfers.size(); }
    /** Called once when the last transfer completes. */
    void SetDoneCallback(std::function<void(const CollectiveResult&)> done)
    {
        m_done = std::move(done);
    }

private:
    void Begin();
    void Post(std::uint32_t transfer);
    void OnCompletion(std::uint32_t server,
                      std::uint32_t flow,
                      std::int64_t posted,
                      std::int64_t completed);

    FabricBuilder& m_fabric;
    traffic::TransferDag m_dag;
    std::vector<RankPlacement> m_ranks;
    traffic::CollectiveOp m_op;
    std::vector<std::uint32_t> m_waitingOn; ///< unfinished dependencies per transfer
    std::vector<std::vector<std::uint32_t>> m_dependents;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>
        m_transferOfFlow; ///< (server, flow) → transfer
    CollectiveResult m_result;
    std::function<void(const CollectiveResult&)> m_done;
};

} // namespace ns3::fabric

#endif
