#include "fabric/model/route-table.h"

#include <map>

namespace ns3::fabric
{

RouteTable::RouteTable(std::uint32_t homePod,
                       const std::vector<Ports>& portsOfLeaf,
                       const std::vector<Ports>& portsOfPod)
: m_homePod(homePod)
{
    std::map<Ports, std::uint16_t> index;
    auto groupFor = [&](const Ports& ports)
    {
        if (ports.empty())
        {
            return kNoRoute;
        }
        auto [it, added] = index.emplace(ports, static_cast<std::uint16_t>(m_groups.size()));
        if (added)
        {
            m_groups.emplace_back(ports);
        }
        return it->second;
    };
    m_groupOfLeaf.reserve(portsOfLeaf.size());
    for (const auto& ports : portsOfLeaf)
    {
        m_groupOfLeaf.push_back(groupFor(ports));
    }
    m_groupOfPod.reserve(portsOfPod.size());
    for (const auto& ports : portsOfPod)
    {
        m_groupOfPod.push_back(groupFor(ports));
    }
}

std::size_t
RouteTable::MemoryBytes() const
{
    std::size_t bytes = sizeof(*this) + Entries() * sizeof(std::uint16_t);
    for (const auto& group : m_groups)
    {
        bytes += sizeof(group)
                 + (group.Members().size() + group.Buckets().size()) * sizeof(std::uint16_t);
    }
    return bytes;
}

} // namespace ns3::fabric
