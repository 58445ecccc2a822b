#ifndef FABRICSCOPE_TELEMETRY_CONNECTION_SLOTS_H
#define FABRICSCOPE_TELEMETRY_CONNECTION_SLOTS_H

#include "telemetry/net/socket-address.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>

namespace fab::telemetry
{

/** The limit a new connection met. */
enum class ConnectionLimit : std::uint8_t
{
    PerPeer,
    Total,
};

/**
 * Who holds a server's connections: at most `total` at once, at most `perPeer` from one peer. A
 * peer is an IPv4 address or an IPv6 /64 (what one host, or one site, holds; an IPv4 address
 * mapped into IPv6 is its IPv4 self). A connection is idle while it waits for a request head,
 * its first or the next on a keep-alive connection, and busy while a request is answered and
 * while it closes.
 *
 * When a limit is reached, the new connection takes the slot of the connection idle the longest:
 * the peer's own for the per-peer limit, the fullest peer's for the total. Only when every
 * candidate is busy is the newcomer refused. Holding idle slots is all a slowloris does, and
 * refusing newcomers would let it keep them; closing the longest idle instead makes an idle slot
 * last only until that many newer connections arrive, while a real scraper, which sends its
 * request with the connection, is busy (and kept) by then. Busy connections end by themselves
 * under the server's write and linger deadlines.
 *
 * Plain bookkeeping, no sockets: the server asks, closes what it is told to and reports back.
 */
class ConnectionSlots
{
public:
    using Id = std::uint64_t;

    enum class Action : std::uint8_t
    {
        Admit,
        /** Close `victim` (an idle connection), then admit. */
        EvictThenAdmit,
        Refuse,
    };

    struct Decision
    {
        Action action{Action::Admit};
        /** The limit that was met: EvictThenAdmit and Refuse only. */
        ConnectionLimit limit{ConnectionLimit::Total};
        Id victim{0};
    };

    /** Throws std::invalid_argument when either limit is 0. */
    ConnectionSlots(std::size_t total, std::size_t perPeer);

    /** What a new connection from `peer` needs; changes nothing. */
    Decision Decide(const SocketAddress& peer) const;

    /** Records a new connection, idle. The victim of Decide must have been removed first. */
    Id Add(const SocketAddress& peer);

    void SetIdle(Id id, bool idle);
    void Remove(Id id);

    std::size_t Open() const { return m_slots.size(); }
    std::size_t OpenFrom(const SocketAddress& peer) const;

private:
    /** The address family, then the address bytes that name the peer (the rest zero). */
    using PeerKey = std::pair<bool, std::array<std::uint8_t, 16>>;

    struct Slot
    {
        PeerKey peer;
        /** When it last became idle, in the order of events here; 0 while busy. */
        std::uint64_t idleSince{0};
    };

    struct Peer
    {
        std::size_t open{0};
        /** Its idle connections, the longest idle first. */
        std::map<std::uint64_t, Id> idle;
    };

    static PeerKey KeyOf(const SocketAddress& address);

    std::size_t m_total;
    std::size_t m_perPeer;
    std::unordered_map<Id, Slot> m_slots;
    std::map<PeerKey, Peer> m_peers;
    Id m_nextId{1};
    std::uint64_t m_events{0};
};

} // namespace fab::telemetry

#endif
