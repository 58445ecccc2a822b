#ifndef FABRICSCOPE_TRAFFIC_RING_ROUNDS_PLAN_H
#define FABRICSCOPE_TRAFFIC_RING_ROUNDS_PLAN_H

#include "traffic/model/collective-plan.h"
#include "traffic/model/fast-divider.h"
#include "traffic/model/rail-aligned-ring.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace fab::traffic
{

/** Which rings a round runs; every rank is on exactly one of them. */
enum class RingKind : std::uint8_t
{
    AllRanks, ///< one ring over every rank, in RailAlignedRingOrder of the channel
    Servers,  ///< one ring per server, over its ranks in local order
    Rails,    ///< one ring per local index, over the servers in order
};

/** Steps that a set of disjoint rings run side by side (RingSteps, for every ring at once). */
struct RingRound
{
    RingKind kind{RingKind::AllRanks};
    std::uint32_t steps{0};
    std::uint32_t firstStep{0};
    std::uint64_t chunkBytes{0};
};

/**
 * Ring collectives as rules: on each channel, rounds of rings one after another. In step s of a
 * round, member j of each ring sends one chunk to member j + 1; it waits for what it received in
 * step s − 1 (from member j − 1) and for its own send of step s − 1. A rank's first send of a
 * round waits for its last receive and its last send of the previous round that had steps, so a
 * rank moves on as soon as it is done, not when the whole round is. Channels never wait for each
 * other. The ring AllReduce is one round of 2(n − 1) steps, AllGather and ReduceScatter one of
 * n − 1; the hierarchical AllReduce is three (servers, rails, servers).
 *
 * Transfers are numbered as AppendRingSteps adds them: channel by channel, round by round, ring
 * by ring, step by step, member by member. Ranks are grouped into servers of `ranksPerServer`.
 * It holds its rounds and a ring order per channel: O(rounds + channels), whatever the ranks.
 */
class RingRoundsPlan final : public CollectivePlan
{
public:
    RingRoundsPlan(std::uint32_t ranks,
                   std::uint32_t ranksPerServer,
                   std::uint32_t channels,
                   std::vector<RingRound> rounds);

    std::uint64_t Transfers() const override;
    std::uint32_t Steps() const override;
    PlannedTransfer At(std::uint64_t index) const override;
    void DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const override;
    void Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const override;
    void RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const override;
    std::uint64_t TransfersOf(std::uint32_t rank) const override;
    void SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const override;
    std::vector<CollectivePhase> Phases() const override;
    std::uint32_t DependencyCount(std::uint64_t index) const override;

private:
    /** Where a transfer is: its sender is `position` on ring `ring` of the round. */
    struct Place
    {
        std::uint32_t channel{0};
        std::uint32_t round{0};
        std::uint32_t ring{0};
        std::uint32_t step{0}; ///< within the round
        std::uint32_t position{0};
    };

    Place Locate(std::uint64_t index) const;
    std::uint64_t IndexOf(const Place& place) const;
    std::uint32_t RingSize(std::uint32_t round) const;
    std::uint32_t RankAt(std::uint32_t channel,
                         std::uint32_t round,
                         std::uint32_t ring,
                         std::uint32_t position) const;
    /** The ring and position of `rank` in a round. */
    std::pair<std::uint32_t, std::uint32_t> PositionOf(std::uint32_t channel,
                                                       std::uint32_t round,
                                                       std::uint32_t rank) const;
    /** The round with steps before (or after) `round`; rounds.size() when there is none. */
    std::uint32_t PreviousRound(std::uint32_t round) const;
    std::uint32_t NextRound(std::uint32_t round) const;
    /** The transfer `rank` sends in the first step of `round`. */
    std::uint64_t FirstSendOf(std::uint32_t channel, std::uint32_t round, std::uint32_t rank) const;
    /** Its last receive and last send of `round`, increasing. */
    void LastOf(std::uint32_t channel,
                std::uint32_t round,
                std::uint32_t rank,
                std::vector<std::uint64_t>& out) const;

    std::uint32_t m_local;
    std::uint32_t m_channels;
    std::vector<RingRound> m_rounds;
    std::vector<std::uint64_t> m_roundStart; ///< transfers of a channel before each round
    std::uint64_t m_perChannel{0};
    std::uint32_t m_totalSteps{0};
    // What Locate divides by, and each channel's ring over all ranks: a plan answers several
    // questions per transfer.
    FastDivider m_byPerChannel;
    std::vector<FastDivider> m_byRingSize;  ///< per round
    std::vector<FastDivider> m_byPerRing;   ///< per round: ring size × steps
    std::vector<RailAlignedRing> m_allRanks; ///< per channel
};

} // namespace fab::traffic

#endif
