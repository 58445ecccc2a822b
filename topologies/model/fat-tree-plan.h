#ifndef FABRICSCOPE_TOPOLOGIES_FAT_TREE_PLAN_H
#define FABRICSCOPE_TOPOLOGIES_FAT_TREE_PLAN_H

#include "topologies/model/design.h"

#include <cstdint>
#include <vector>

namespace fab::topo
{

enum class Tier
{
    Leaf,
    Spine,
    Core,
};

/** "leaf", "spine", "core". */
const char* TierName(Tier tier);

/** The three kinds of links, named by the tiers they join. */
enum class LinkTier
{
    ServerLeaf,
    LeafSpine,
    SpineCore,
};

/** "server-leaf", "leaf-spine", "spine-core". */
const char* LinkTierName(LinkTier tier);

/** A pod: leaves that share a set of spines; every leaf reaches every spine of its pod. */
struct PodPlan
{
    std::uint32_t firstLeaf{0};
    std::uint32_t leaves{0};
    std::uint32_t firstSpine{0};
    std::uint32_t spines{0};
    std::uint32_t linksPerLeafSpine{0}; ///< parallel links between one leaf and one spine
};

/** Core group j joins spine j of every pod that has one; each such spine reaches each core. */
struct CoreGroupPlan
{
    std::uint32_t firstCore{0};
    std::uint32_t cores{0};
    std::uint32_t pods{0}; ///< pods with a spine in this group (pods 0..pods-1)
    std::uint32_t linksPerSpineCore{0};
};

/**
 * The shape of one plane of a fat-tree, in closed form: how many switches of each tier, how
 * their ports split, and how the pods and core groups are built. All planes are identical.
 *
 * Sizing follows NVIDIA's SuperPOD construction: whole scalable units of rail leaves; every leaf
 * reaches every spine of its pod by the same number of links (so the spine count of a pod is the
 * smallest divisor of the leaf's uplinks that gives enough spine ports: 16 spines for 3 SUs of
 * 64-port leaves, 18 for 4 SUs of 144-port ones); the same rule sizes each core group.
 */
struct FatTreePlan
{
    std::uint32_t tiers{2};
    std::uint32_t planes{1};
    std::uint32_t servers{0};
    std::uint32_t railsPerPlane{1}; ///< NIC ports of a server in one plane
    bool railOptimized{true};
    std::uint64_t endpointsPerPlane{0};

    std::uint32_t leafRadix{0};
    std::uint32_t spineRadix{0};
    std::uint32_t coreRadix{0};
    std::uint32_t leafDown{0};
    std::uint32_t leafUp{0};
    std::uint32_t spineDown{0};
    std::uint32_t spineUp{0}; ///< 0 in a 2-tier fabric

    std::uint32_t suServers{0}; ///< servers per scalable unit
    std::uint32_t scalableUnits{0};
    std::uint32_t leavesPerSu{0};        ///< leaves of a whole SU
    std::uint32_t leavesPerRailPerSu{0}; ///< rail-optimized: leaves of one rail in one SU
    std::uint32_t serversPerLeaf{0};     ///< top-of-rack (not rail-optimized): servers on one leaf
    std::uint32_t lastSuServers{0};      ///< servers in the last SU
    std::uint32_t lastSuLeaves{0};       ///< leaves built for the last SU

    std::uint32_t leaves{0};
    std::uint32_t spines{0};
    std::uint32_t cores{0};
    std::vector<PodPlan> pods;
    std::vector<CoreGroupPlan> coreGroups;

    std::uint32_t SwitchesPerPlane() const { return leaves + spines + cores; }
    std::uint64_t LinksPerPlane(LinkTier tier) const;
    std::uint32_t SwitchesPerPlane(Tier tier) const;
    /** Down and up ports a switch of a tier has in use at most. */
    std::uint32_t DownPorts(Tier tier) const;
    std::uint32_t UpPorts(Tier tier) const;
    std::uint32_t Radix(Tier tier) const;
    /** Ports in use over all switches of a tier in one plane (down, up). */
    std::uint64_t DownPortsUsed(Tier tier) const;
    std::uint64_t UpPortsUsed(Tier tier) const;
    /** Largest number of switch hops between two endpoints (3 for 2 tiers, 5 for 3). */
    std::uint32_t MaxSwitchHops() const { return 2 * tiers - 1; }

    /** The leaf (index within the plane) and its down port that carry a server's rail port. */
    std::uint32_t LeafOf(std::uint32_t server, std::uint32_t rail) const;
    std::uint32_t LeafDownPortOf(std::uint32_t server, std::uint32_t rail) const;
    /** Index of the pod a leaf belongs to. */
    std::uint32_t PodOfLeaf(std::uint32_t leaf) const;
};

/** Sizes a design; an InputError names the key that makes it impossible (too few ports...). */
FatTreePlan PlanFatTree(const Design& design);

/** The smallest divisor of `n` that is at least `atLeast`, or 0 if none (atLeast > n). */
std::uint32_t SmallestDivisorAtLeast(std::uint32_t n, std::uint32_t atLeast);

/** Downlinks and uplinks of a switch of `radix` ports at an oversubscription (down ÷ up). */
void SplitPorts(std::uint32_t radix,
                double oversubscription,
                std::uint32_t& down,
                std::uint32_t& up);

} // namespace fab::topo

#endif
