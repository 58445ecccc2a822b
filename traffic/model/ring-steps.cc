#include "traffic/model/ring-steps.h"

#include <utility>

namespace fab::traffic
{

void
AppendRingSteps(TransferDag& dag, const RingSteps& ring, RankFrontier& frontier)
{
    if (ring.steps == 0)
    {
        return;
    }
    const auto& members = ring.members;
    auto n = static_cast<std::uint32_t>(members.size());
    // last[j]: the transfer members[j] sent in the previous step.
    std::vector<std::uint32_t> last(n, 0);
    for (std::uint32_t s = 0; s < ring.steps; ++s)
    {
        std::vector<std::uint32_t> now(n, 0);
        for (std::uint32_t j = 0; j < n; ++j)
        {
            std::vector<std::uint32_t> deps;
            if (s == 0)
            {
                deps = frontier[members[j]];
            }
            else
            {
                deps = {last[(j + n - 1) % n], last[j]};
            }
            now[j] = dag.Add(members[j],
                             members[(j + 1) % n],
                             ring.chunkBytes,
                             ring.channel,
                             ring.firstStep + s,
                             std::move(deps));
        }
        last = std::move(now);
    }
    for (std::uint32_t j = 0; j < n; ++j)
    {
        frontier[members[j]] = {last[(j + n - 1) % n], last[j]};
    }
}

} // namespace fab::traffic
