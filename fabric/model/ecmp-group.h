#ifndef FABRICSCOPE_FABRIC_ECMP_GROUP_H
#define FABRICSCOPE_FABRIC_ECMP_GROUP_H

#include <cstdint>
#include <vector>

namespace ns3::fabric
{

/** Hash of a RoCE flow's identity: (source IP, destination IP, UDP source port, destination QP). */
std::uint32_t RoceFlowHash(std::uint32_t srcIp,
                           std::uint32_t dstIp,
                           std::uint16_t udpSrcPort,
                           std::uint32_t destQp);

/** Mixes a flow hash with a switch's seed so that tiers do not hash alike (no polarisation). */
std::uint32_t MixHash(std::uint32_t flowHash, std::uint32_t seed);

/** What a switch picks a flow's ECMP member by: the flow's hash mixed with the fabric's seed
 *  and the switch's node id (its graph node), so that each switch spreads flows its own way. */
inline std::uint32_t
SwitchFlowHash(std::uint32_t flowHash, std::uint32_t fabricSeed, std::uint32_t switchNode)
{
    return MixHash(flowHash, fabricSeed ^ switchNode);
}

/**
 * An ECMP group with resilient hashing: flows hash into a fixed table of buckets, each bucket
 * names a member. Removing a member reassigns only its own buckets, so flows on the other
 * members keep their path; adding one takes buckets evenly from the others.
 */
class ResilientEcmpGroup
{
public:
    ResilientEcmpGroup() = default;
    explicit ResilientEcmpGroup(std::vector<std::uint16_t> members,
                                std::uint32_t bucketsPerMember = 16);

    /** The member for a (mixed) hash; the group must not be empty. */
    std::uint16_t Select(std::uint32_t hash) const { return m_buckets[hash % m_buckets.size()]; }

    void Remove(std::uint16_t member);
    void Add(std::uint16_t member);

    bool Empty() const { return m_members.empty(); }
    const std::vector<std::uint16_t>& Members() const { return m_members; }
    const std::vector<std::uint16_t>& Buckets() const { return m_buckets; }

private:
    std::vector<std::uint16_t> m_members;
    std::vector<std::uint16_t> m_buckets;
};

} // namespace ns3::fabric

#endif
