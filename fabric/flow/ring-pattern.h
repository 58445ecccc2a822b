#ifndef FABRICSCOPE_FABRIC_FLOW_RING_PATTERN_H
#define FABRICSCOPE_FABRIC_FLOW_RING_PATTERN_H

#include <cstdint>
#include <vector>

namespace fab::flow
{

/**
 * One step of a ring phase, solved once for all the phase's steps: in every step each member
 * sends one chunk to the next member of its ring, over the same queue pairs and so the same
 * paths, so the set of flows is the same from step to step. The members crossing the fabric
 * become one group flow of the max-min solver (its links with how many members cross each),
 * held to one rate: a step ends when its slowest member does, so what the faster ones could
 * have had beyond it would only change other flows.
 *
 * A member's send of one step ends when its chunk has arrived, and its next send waits for that
 * (one send at a time) and for the chunk it forwards, so a ring advances no faster than its
 * slowest hop: the steps follow each other at a period that is the larger of two bounds, the
 * time a chunk takes at the shared rate (the bandwidth bound, where the collective's channels
 * keep the links busy in turn) and the time it takes alone (the channels' whole share: while
 * one channel waits for its chunk to arrive, the others send) plus the longest path latency.
 * With one channel this is the step of the per-transfer model exactly when every member has
 * the same rate and the same latency; otherwise it is the approximation a flow model of the
 * ring makes (measured against the per-transfer model in the README). Members inside one
 * server take the scale-up link's time per step.
 */
class RingPattern
{
public:
    RingPattern(std::uint32_t steps, std::uint64_t wireBytes, std::uint32_t channels);

    /** A member crossing the fabric: its directed links, its path latency and the capacity of
     *  its narrowest link. */
    void AddFabricMember(const std::vector<std::uint32_t>& path,
                         std::int64_t latencyNs,
                         std::uint64_t narrowestBps);
    /** A member inside a server: one step's time over the scale-up link. */
    void AddScaleUpMember(std::int64_t stepNs);
    /** Sorts the links and counts the members on each; call once, after the members. */
    void Finish();

    bool CrossesFabric() const { return m_fabricMembers > 0; }
    std::uint32_t FabricMembers() const { return m_fabricMembers; }
    std::uint32_t Steps() const { return m_steps; }
    std::uint64_t WireBytes() const { return m_wireBytes; }
    /** Directed links the members cross, increasing, and how many members cross each. */
    const std::vector<std::uint32_t>& Links() const { return m_links; }
    const std::vector<std::uint32_t>& Counts() const { return m_counts; }
    /** Time from the first step's start to the last chunk's arrival when every member crossing
     *  the fabric sends at `rateBps` (ignored without any). */
    double DurationNs(double rateBps) const;

private:
    std::uint32_t m_steps;
    std::uint64_t m_wireBytes;
    std::uint32_t m_channels;
    std::uint32_t m_fabricMembers{0};
    std::int64_t m_latencyMaxNs{0};
    std::uint64_t m_narrowestBps{0};
    std::int64_t m_scaleUpNs{0};
    std::vector<std::uint32_t> m_links;
    std::vector<std::uint32_t> m_counts;
};

} // namespace fab::flow

#endif
