#include "traffic/model/transfer-dag.h"

#include <algorithm>

namespace fab::traffic
{

std::uint32_t
TransferDag::Add(std::uint32_t src,
                 std::uint32_t dst,
                 std::uint64_t bytes,
                 std::uint32_t channel,
                 std::uint32_t step,
                 std::vector<std::uint32_t> dependsOn)
{
    Transfer transfer;
    transfer.id = static_cast<std::uint32_t>(transfers.size());
    transfer.src = src;
    transfer.dst = dst;
    transfer.bytes = bytes;
    transfer.channel = channel;
    transfer.step = step;
    transfer.dependsOn = std::move(dependsOn);
    transfers.push_back(std::move(transfer));
    return transfers.back().id;
}

std::uint32_t
TransferDag::Steps() const
{
    std::uint32_t steps = 0;
    for (const auto& t : transfers)
    {
        steps = std::max(steps, t.step + 1);
    }
    return steps;
}

std::uint64_t
TransferDag::TotalBytes() const
{
    std::uint64_t total = 0;
    for (const auto& t : transfers)
    {
        total += t.bytes;
    }
    return total;
}

std::uint64_t
TransferDag::BytesSentBy(std::uint32_t rank) const
{
    std::uint64_t total = 0;
    for (const auto& t : transfers)
    {
        total += t.src == rank ? t.bytes : 0;
    }
    return total;
}

bool
TransferDag::IsTopologicallyOrdered() const
{
    for (const auto& t : transfers)
    {
        for (auto d : t.dependsOn)
        {
            if (d >= t.id)
            {
                return false;
            }
        }
    }
    return true;
}

} // namespace fab::traffic
