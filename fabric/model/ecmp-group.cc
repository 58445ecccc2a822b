#include "fabric/model/ecmp-group.h"

#include <algorithm>
#include <map>

namespace ns3::fabric
{

std::uint32_t
MixHash(std::uint32_t h, std::uint32_t seed)
{
    // murmur3's 32-bit finaliser over the seeded value.
    h ^= seed * 0x9E3779B9u;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

std::uint32_t
RoceFlowHash(std::uint32_t srcIp,
             std::uint32_t dstIp,
             std::uint16_t udpSrcPort,
             std::uint32_t destQp)
{
    std::uint32_t h = MixHash(srcIp, 0x1234567u);
    h = MixHash(h ^ dstIp, 0x2345678u);
    h = MixHash(h ^ udpSrcPort, 0x3456789u);
    return MixHash(h ^ destQp, 0x456789Au);
}

ResilientEcmpGroup::ResilientEcmpGroup(std::vector<std::uint16_t> members,
                                       std::uint32_t bucketsPerMember)
: m_members(std::move(members))
{
    std::sort(m_members.begin(), m_members.end());
    m_buckets.resize(m_members.size() * bucketsPerMember);
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
    {
        m_buckets[i] = m_members[i % m_members.size()];
    }
}

void
ResilientEcmpGroup::Remove(std::uint16_t member)
{
    auto it = std::find(m_members.begin(), m_members.end(), member);
    if (it == m_members.end())
    {
        return;
    }
    m_members.erase(it);
    if (m_members.empty())
    {
        return;
    }
    std::size_t next = 0;
    for (auto& bucket : m_buckets)
    {
        if (bucket == member)
        {
            bucket = m_members[next++ % m_members.size()];
        }
    }
}

void
ResilientEcmpGroup::Add(std::uint16_t member)
{
    if (std::find(m_members.begin(), m_members.end(), member) != m_members.end())
    {
        return;
    }
    m_members.push_back(member);
    std::sort(m_members.begin(), m_members.end());
    if (m_buckets.empty())
    {
        m_buckets.assign(16, member);
        return;
    }
    // Take buckets from the most loaded members until the new one has its fair share.
    std::size_t share = m_buckets.size() / m_members.size();
    std::map<std::uint16_t, std::size_t> load;
    for (auto bucket : m_buckets)
    {
        load[bucket]++;
    }
    std::size_t given = 0;
    for (auto& bucket : m_buckets)
    {
        if (given == share)
        {
            break;
        }
        if (load[bucket] > share)
        {
            load[bucket]--;
            bucket = member;
            ++given;
        }
    }
}

} // namespace ns3::fabric
