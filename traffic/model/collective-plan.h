#ifndef FABRICSCOPE_TRAFFIC_COLLECTIVE_PLAN_H
#define FABRICSCOPE_TRAFFIC_COLLECTIVE_PLAN_H

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/** One point-to-point transfer of a collective, between local ranks (0..n − 1, the collective's
 *  own order). */
struct PlannedTransfer
{
    std::uint32_t src{0};
    std::uint32_t dst{0};
    std::uint64_t bytes{0};
    std::uint32_t channel{0};
    std::uint32_t step{0}; ///< algorithm step, from 0
};

/** How the transfers of a phase pair ranks up. */
enum class PhasePattern : std::uint8_t
{
    Ring,     ///< every member sends to the next member of its ring, every step
    TreeUp,   ///< every rank but the root sends to its parent, leaves first
    TreeDown, ///< every parent sends to its children, root first
    Exchange, ///< rank r and rank r xor distance swap data (halving-doubling)
    Shift,    ///< rank r sends to rank r + s mod n (All-to-All)
    Single,   ///< one transfer
};

/**
 * A run of steps with one pattern: what an engine that solves a pattern once and reuses it
 * (a flow model) needs instead of the transfers one by one. The phase's transfers are the indices
 * [firstTransfer, firstTransfer + transfers); with `sameEveryStep` every step moves data between
 * the same pairs of ranks, `transfers / steps` of them, in the same order. Phases of one plan with
 * equal `shape` send between the same pairs.
 */
struct CollectivePhase
{
    PhasePattern pattern{PhasePattern::Single};
    std::uint32_t channel{0};
    std::uint32_t firstStep{0};
    std::uint32_t steps{0};
    std::uint64_t bytes{0}; ///< of each transfer
    std::uint64_t firstTransfer{0};
    std::uint64_t transfers{0};
    std::uint32_t shape{0};
    bool sameEveryStep{false};
};

/** What one rank sends to one peer over a whole collective. */
struct PeerSends
{
    std::uint32_t peer{0};
    std::uint64_t transfers{0};
    std::uint64_t bytes{0}; ///< all of them together
};

/**
 * A collective algorithm run over n ranks, described without expanding it: its transfers are
 * numbered 0..Transfers() − 1 (the ids ExpandCollective gives them, so that both orders agree)
 * and every question about one of them is answered from the algorithm's rules, in time and
 * memory that do not grow with the number of transfers. A plan holds O(ranks) at most, is
 * immutable, and can be shared by every run of the same collective.
 *
 * Dependencies point to earlier transfers only. A transfer without any (a root) waits only for
 * both its ranks to be ready for the collective; a rank is done with the collective when every
 * transfer it sends or receives has ended.
 */
class CollectivePlan
{
public:
    explicit CollectivePlan(std::uint32_t ranks)
    : m_ranks(ranks)
    {
    }

    virtual ~CollectivePlan() = default;

    std::uint32_t Ranks() const { return m_ranks; }
    virtual std::uint64_t Transfers() const = 0;
    /** One more than the largest step; 0 without transfers. */
    virtual std::uint32_t Steps() const = 0;
    virtual PlannedTransfer At(std::uint64_t index) const = 0;
    /** Appends the transfers `index` waits for, increasing. */
    virtual void DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const = 0;
    /** Appends the transfers that wait for `index`, increasing. */
    virtual void Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const = 0;
    /** Appends the roots that `rank` sends or receives, increasing. */
    virtual void RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const = 0;
    /** Transfers `rank` sends or receives. */
    virtual std::uint64_t TransfersOf(std::uint32_t rank) const = 0;
    /** Appends what `rank` sends, by peer; a peer may appear more than once. */
    virtual void SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const = 0;
    /** The step structure, in transfer order. */
    virtual std::vector<CollectivePhase> Phases() const = 0;

    /** Dependencies of `index`; a plan answers without listing them where it can. */
    virtual std::uint32_t DependencyCount(std::uint64_t index) const;
    std::uint64_t BytesSentBy(std::uint32_t rank) const;

private:
    std::uint32_t m_ranks;
};

} // namespace fab::traffic

#endif
