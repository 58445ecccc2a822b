#include "traffic/model/collective-plan.h"

namespace fab::traffic
{

std::uint32_t
CollectivePlan::DependencyCount(std::uint64_t index) const
{
    std::vector<std::uint64_t> deps;
    DependsOn(index, deps);
    return static_cast<std::uint32_t>(deps.size());
}

std::uint64_t
CollectivePlan::BytesSentBy(std::uint32_t rank) const
{
    std::vector<PeerSends> sends;
    SendsOf(rank, sends);
    std::uint64_t total = 0;
    for (const auto& s : sends)
    {
        total += s.bytes;
    }
    return total;
}

} // namespace fab::traffic
