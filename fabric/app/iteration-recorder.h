#ifndef FABRICSCOPE_FABRIC_APP_ITERATION_RECORDER_H
#define FABRICSCOPE_FABRIC_APP_ITERATION_RECORDER_H

#include "fabric/app/run-records.h"
#include "fabric/model/key-index.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace ns3::fabric
{

/**
 * What one iteration of a job spent where, gathered as its tasks end: per group its first start
 * and last end, per (group, rank) the same. When the iteration ends it becomes a record per
 * collective and a span per rank and group. Both engines keep one per job.
 */
class IterationRecorder
{
public:
    void TaskEnded(const traffic::TaskView& task, std::int64_t startNs, std::int64_t endNs);
    /** Appends the iteration's collectives (busbw bound from a NIC's payload rate) and spans,
     *  and starts over for the next iteration. */
    void IterationEnded(std::uint32_t job,
                        std::uint32_t iteration,
                        const traffic::Schedule& schedule,
                        std::uint64_t payloadRateBps,
                        std::vector<CollectiveRecord>& collectives,
                        std::vector<RankSpan>& spans);

private:
    /** Per group of the iteration: its first start and last end. */
    std::vector<std::pair<std::int64_t, std::int64_t>> m_extent;
    /** group << 32 | rank → its position in m_spans (a lookup per rank of every task). */
    KeyIndex m_spanOf;
    /** What each (group, rank) spent, in first-seen order; sorted by key at the end. */
    std::vector<std::pair<std::uint64_t, std::pair<std::int64_t, std::int64_t>>> m_spans;
};

} // namespace ns3::fabric

#endif
