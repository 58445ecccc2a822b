#include "traffic/model/ring-rounds-plan.h"

#include "traffic/model/rail-aligned-ring.h"

#include <algorithm>

namespace fab::traffic
{
namespace
{

void
PushIncreasing(std::vector<std::uint64_t>& out, std::uint64_t a, std::uint64_t b)
{
    out.push_back(std::min(a, b));
    out.push_back(std::max(a, b));
}

} // namespace

RingRoundsPlan::RingRoundsPlan(std::uint32_t ranks,
                               std::uint32_t ranksPerServer,
                               std::uint32_t channels,
                               std::vector<RingRound> rounds)
: CollectivePlan(ranks)
, m_local(std::max(1u, ranksPerServer))
, m_channels(channels)
, m_rounds(std::move(rounds))
{
    std::uint64_t start = 0;
    for (std::uint32_t r = 0; r < m_rounds.size(); ++r)
    {
        m_roundStart.push_back(start);
        start += std::uint64_t{ranks} * m_rounds[r].steps;
        m_totalSteps += m_rounds[r].steps;
        m_byRingSize.emplace_back(RingSize(r));
        m_byPerRing.emplace_back(std::uint64_t{RingSize(r)} * m_rounds[r].steps);
    }
    m_perChannel = start;
    m_byPerChannel = FastDivider(m_perChannel);
    for (std::uint32_t c = 0; c < m_channels; ++c)
    {
        m_allRanks.emplace_back(ranks, m_local, c);
    }
}

std::uint64_t
RingRoundsPlan::Transfers() const
{
    return m_perChannel * m_channels;
}

std::uint32_t
RingRoundsPlan::Steps() const
{
    std::uint32_t steps = 0;
    if (m_channels == 0)
    {
        return 0;
    }
    for (const auto& round : m_rounds)
    {
        if (round.steps > 0)
        {
            steps = std::max(steps, round.firstStep + round.steps);
        }
    }
    return steps;
}

std::uint32_t
RingRoundsPlan::RingSize(std::uint32_t round) const
{
    switch (m_rounds[round].kind)
    {
        case RingKind::AllRanks:
            return Ranks();
        case RingKind::Servers:
            return m_local;
        case RingKind::Rails:
            return Ranks() / m_local;
    }
    return Ranks();
}

std::uint32_t
RingRoundsPlan::RankAt(std::uint32_t channel,
                       std::uint32_t round,
                       std::uint32_t ring,
                       std::uint32_t position) const
{
    switch (m_rounds[round].kind)
    {
        case RingKind::AllRanks:
            return m_allRanks[channel].RankAt(position);
        case RingKind::Servers:
            return ring * m_local + position;
        case RingKind::Rails:
            return position * m_local + ring;
    }
    return position;
}

std::pair<std::uint32_t, std::uint32_t>
RingRoundsPlan::PositionOf(std::uint32_t channel, std::uint32_t round, std::uint32_t rank) const
{
    switch (m_rounds[round].kind)
    {
        case RingKind::AllRanks:
            return {0, m_allRanks[channel].PositionOf(rank)};
        case RingKind::Servers:
            return {rank / m_local, rank % m_local};
        case RingKind::Rails:
            return {rank % m_local, rank / m_local};
    }
    return {0, rank};
}

RingRoundsPlan::Place
RingRoundsPlan::Locate(std::uint64_t index) const
{
    Place place;
    std::uint64_t channel = m_byPerChannel.Quotient(index);
    place.channel = static_cast<std::uint32_t>(channel);
    std::uint64_t rest = index - channel * m_perChannel;
    std::uint32_t round = 0;
    // The last round starting at or before `rest` that has steps: empty rounds start where the
    // next one does.
    for (std::uint32_t r = 0; r < m_rounds.size(); ++r)
    {
        if (m_rounds[r].steps > 0 && m_roundStart[r] <= rest)
        {
            round = r;
        }
    }
    rest -= m_roundStart[round];
    const FastDivider& byPerRing = m_byPerRing[round];
    const FastDivider& bySize = m_byRingSize[round];
    place.round = round;
    std::uint64_t ring = byPerRing.Quotient(rest);
    place.ring = static_cast<std::uint32_t>(ring);
    rest -= ring * byPerRing.Divisor();
    std::uint64_t step = bySize.Quotient(rest);
    place.step = static_cast<std::uint32_t>(step);
    place.position = static_cast<std::uint32_t>(rest - step * bySize.Divisor());
    return place;
}

std::uint64_t
RingRoundsPlan::IndexOf(const Place& place) const
{
    std::uint64_t size = RingSize(place.round);
    return place.channel * m_perChannel + m_roundStart[place.round]
           + place.ring * size * m_rounds[place.round].steps + place.step * size + place.position;
}

std::uint32_t
RingRoundsPlan::PreviousRound(std::uint32_t round) const
{
    for (std::uint32_t r = round; r-- > 0;)
    {
        if (m_rounds[r].steps > 0)
        {
            return r;
        }
    }
    return static_cast<std::uint32_t>(m_rounds.size());
}

std::uint32_t
RingRoundsPlan::NextRound(std::uint32_t round) const
{
    for (std::uint32_t r = round + 1; r < m_rounds.size(); ++r)
    {
        if (m_rounds[r].steps > 0)
        {
            return r;
        }
    }
    return static_cast<std::uint32_t>(m_rounds.size());
}

std::uint64_t
RingRoundsPlan::FirstSendOf(std::uint32_t channel, std::uint32_t round, std::uint32_t rank) const
{
    auto [ring, position] = PositionOf(channel, round, rank);
    return IndexOf(Place{channel, round, ring, 0, position});
}

void
RingRoundsPlan::LastOf(std::uint32_t channel,
                       std::uint32_t round,
                       std::uint32_t rank,
                       std::vector<std::uint64_t>& out) const
{
    auto [ring, position] = PositionOf(channel, round, rank);
    std::uint32_t size = RingSize(round);
    std::uint32_t last = m_rounds[round].steps - 1;
    PushIncreasing(out,
                   IndexOf(Place{channel, round, ring, last, (position + size - 1) % size}),
                   IndexOf(Place{channel, round, ring, last, position}));
}

PlannedTransfer
RingRoundsPlan::At(std::uint64_t index) const
{
    Place p = Locate(index);
    std::uint32_t size = RingSize(p.round);
    PlannedTransfer t;
    t.src = RankAt(p.channel, p.round, p.ring, p.position);
    t.dst = RankAt(p.channel, p.round, p.ring, (p.position + 1) % size);
    t.bytes = m_rounds[p.round].chunkBytes;
    t.channel = p.channel;
    t.step = m_rounds[p.round].firstStep + p.step;
    return t;
}

void
RingRoundsPlan::DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    Place p = Locate(index);
    if (p.step > 0)
    {
        std::uint32_t size = RingSize(p.round);
        Place before = p;
        --before.step;
        std::uint64_t own = IndexOf(before);
        before.position = (p.position + size - 1) % size;
        PushIncreasing(out, IndexOf(before), own);
        return;
    }
    std::uint32_t previous = PreviousRound(p.round);
    if (previous < m_rounds.size())
    {
        LastOf(p.channel, previous, RankAt(p.channel, p.round, p.ring, p.position), out);
    }
}

std::uint32_t
RingRoundsPlan::DependencyCount(std::uint64_t index) const
{
    Place p = Locate(index);
    return p.step > 0 || PreviousRound(p.round) < m_rounds.size() ? 2 : 0;
}

void
RingRoundsPlan::Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    Place p = Locate(index);
    std::uint32_t size = RingSize(p.round);
    if (p.step + 1 < m_rounds[p.round].steps)
    {
        Place after = p;
        ++after.step;
        std::uint64_t own = IndexOf(after);
        after.position = (p.position + 1) % size;
        PushIncreasing(out, own, IndexOf(after));
        return;
    }
    // The last step: what the sender sent and the receiver received last in this round.
    std::uint32_t next = NextRound(p.round);
    if (next < m_rounds.size())
    {
        PushIncreasing(out,
                       FirstSendOf(p.channel, next, RankAt(p.channel, p.round, p.ring, p.position)),
                       FirstSendOf(p.channel,
                                   next,
                                   RankAt(p.channel, p.round, p.ring, (p.position + 1) % size)));
    }
}

void
RingRoundsPlan::RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const
{
    std::uint32_t first = m_rounds.empty() || m_rounds[0].steps > 0 ? 0 : NextRound(0);
    if (first >= m_rounds.size())
    {
        return;
    }
    std::uint32_t size = RingSize(first);
    for (std::uint32_t c = 0; c < m_channels; ++c)
    {
        auto [ring, position] = PositionOf(c, first, rank);
        PushIncreasing(out,
                       IndexOf(Place{c, first, ring, 0, position}),
                       IndexOf(Place{c, first, ring, 0, (position + size - 1) % size}));
    }
}

std::uint64_t
RingRoundsPlan::TransfersOf(std::uint32_t) const
{
    return std::uint64_t{2} * m_totalSteps * m_channels;
}

void
RingRoundsPlan::SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const
{
    for (std::uint32_t c = 0; c < m_channels; ++c)
    {
        for (std::uint32_t r = 0; r < m_rounds.size(); ++r)
        {
            const RingRound& round = m_rounds[r];
            if (round.steps == 0)
            {
                continue;
            }
            auto [ring, position] = PositionOf(c, r, rank);
            std::uint32_t peer = RankAt(c, r, ring, (position + 1) % RingSize(r));
            out.push_back(PeerSends{peer, round.steps, round.steps * round.chunkBytes});
        }
    }
}

std::vector<CollectivePhase>
RingRoundsPlan::Phases() const
{
    std::vector<CollectivePhase> phases;
    for (std::uint32_t c = 0; c < m_channels; ++c)
    {
        for (std::uint32_t r = 0; r < m_rounds.size(); ++r)
        {
            const RingRound& round = m_rounds[r];
            if (round.steps == 0)
            {
                continue;
            }
            // Channels of a snaking ring start on different GPUs of each server: their pairs
            // differ by the channel modulo the server's ranks.
            bool byChannel
                = round.kind == RingKind::AllRanks && m_allRanks[c].Snakes();
            CollectivePhase phase;
            phase.pattern = PhasePattern::Ring;
            phase.channel = c;
            phase.firstStep = round.firstStep;
            phase.steps = round.steps;
            phase.bytes = round.chunkBytes;
            phase.firstTransfer = c * m_perChannel + m_roundStart[r];
            phase.transfers = std::uint64_t{Ranks()} * round.steps;
            phase.shape = r * m_local + (byChannel ? c % m_local : 0);
            phase.sameEveryStep = true;
            phases.push_back(phase);
        }
    }
    return phases;
}

} // namespace fab::traffic
