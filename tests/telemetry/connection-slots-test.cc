#include "telemetry/net/connection-slots.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

using namespace fab::telemetry;
using Action = ConnectionSlots::Action;

namespace
{

SocketAddress
Peer(const std::string& text)
{
    return ParseSocketAddress(text);
}

/** Decides for `peer`, closes the victim if told to, and adds the newcomer. */
ConnectionSlots::Id
Connect(ConnectionSlots& slots, const SocketAddress& peer)
{
    auto decision = slots.Decide(peer);
    REQUIRE(decision.action != Action::Refuse);
    if (decision.action == Action::EvictThenAdmit)
    {
        slots.Remove(decision.victim);
    }
    return slots.Add(peer);
}

} // namespace

TEST_CASE("connections are admitted up to both limits", "[telemetry][connection-slots]")
{
    ConnectionSlots slots(5, 3);
    auto a = Peer("10.0.0.1:40000");
    auto b = Peer("10.0.0.2:40000");
    for (int i = 0; i < 3; ++i)
    {
        REQUIRE(slots.Decide(a).action == Action::Admit);
        slots.Add(a);
    }
    REQUIRE(slots.OpenFrom(a) == 3);
    REQUIRE(slots.Decide(a).action == Action::EvictThenAdmit);
    REQUIRE(slots.Decide(a).limit == ConnectionLimit::PerPeer);
    REQUIRE(slots.Decide(b).action == Action::Admit);
    slots.Add(b);
    slots.Add(b);
    REQUIRE(slots.Open() == 5);
    REQUIRE(slots.Decide(Peer("10.0.0.3:1")).action == Action::EvictThenAdmit);
    REQUIRE(slots.Decide(Peer("10.0.0.3:1")).limit == ConnectionLimit::Total);
    // Deciding changed nothing.
    REQUIRE(slots.Open() == 5);
    REQUIRE(slots.OpenFrom(a) == 3);
}

TEST_CASE("a peer at its limit gives up its own longest idle connection, never a busy one",
          "[telemetry][connection-slots]")
{
    ConnectionSlots slots(100, 3);
    auto a = Peer("10.0.0.1:1");
    auto first = slots.Add(a);
    auto second = slots.Add(a);
    auto third = slots.Add(a);
    auto other = slots.Add(Peer("10.0.0.2:1"));

    SECTION("the longest idle goes first")
    {
        auto decision = slots.Decide(a);
        REQUIRE(decision.action == Action::EvictThenAdmit);
        REQUIRE(decision.limit == ConnectionLimit::PerPeer);
        REQUIRE(decision.victim == first);
    }

    SECTION("busy connections are passed over; idle again means idle since then")
    {
        slots.SetIdle(first, false); // answering a request
        REQUIRE(slots.Decide(a).victim == second);
        slots.SetIdle(first, true); // waiting for its next request: now the newest idle
        slots.SetIdle(second, false);
        REQUIRE(slots.Decide(a).victim == third);
        slots.SetIdle(second, true);
        REQUIRE(slots.Decide(a).victim == third);
    }

    SECTION("all three busy: the newcomer is refused, and others still come in")
    {
        for (auto id : {first, second, third})
        {
            slots.SetIdle(id, false);
        }
        auto decision = slots.Decide(a);
        REQUIRE(decision.action == Action::Refuse);
        REQUIRE(decision.limit == ConnectionLimit::PerPeer);
        REQUIRE(slots.Decide(Peer("10.0.0.3:1")).action == Action::Admit);
    }

    SECTION("a slowloris from one peer only ever holds its own three")
    {
        for (int i = 0; i < 500; ++i)
        {
            Connect(slots, a);
        }
        REQUIRE(slots.OpenFrom(a) == 3);
        REQUIRE(slots.Open() == 4);
        // The other peer's idle connection was never the victim: it is still there.
        auto decision = slots.Decide(Peer("10.0.0.2:1"));
        REQUIRE(decision.action == Action::Admit);
        slots.Remove(other);
        REQUIRE(slots.Open() == 3);
    }
}

TEST_CASE("a full server takes the slot from the peer holding the most",
          "[telemetry][connection-slots]")
{
    ConnectionSlots slots(10, 6);
    auto scraper = Peer("10.0.0.1:1");
    auto scraperConnection = slots.Add(scraper); // idle longest of all
    std::vector<ConnectionSlots::Id> big;
    std::vector<ConnectionSlots::Id> small;
    for (int i = 0; i < 6; ++i)
    {
        big.push_back(slots.Add(Peer("10.0.0.2:1")));
    }
    for (int i = 0; i < 3; ++i)
    {
        small.push_back(slots.Add(Peer("10.0.0.3:1")));
    }
    REQUIRE(slots.Open() == 10);

    SECTION("the fullest peer's longest idle, although another peer's has waited longer")
    {
        auto decision = slots.Decide(Peer("10.0.0.4:1"));
        REQUIRE(decision.action == Action::EvictThenAdmit);
        REQUIRE(decision.limit == ConnectionLimit::Total);
        REQUIRE(decision.victim == big.front());
    }

    SECTION("a fullest peer with nothing idle is passed over for the next")
    {
        for (auto id : big)
        {
            slots.SetIdle(id, false);
        }
        REQUIRE(slots.Decide(Peer("10.0.0.4:1")).victim == small.front());
    }

    SECTION("peers holding as many: the one idle longer gives way")
    {
        ConnectionSlots even(4, 2);
        auto x = even.Add(Peer("10.0.0.8:1"));
        even.Add(Peer("10.0.0.9:1"));
        even.Add(Peer("10.0.0.9:1"));
        even.Add(Peer("10.0.0.8:1"));
        REQUIRE(even.Decide(Peer("10.0.0.7:1")).victim == x);
    }

    SECTION("nothing idle anywhere: refused")
    {
        for (auto id : big)
        {
            slots.SetIdle(id, false);
        }
        for (auto id : small)
        {
            slots.SetIdle(id, false);
        }
        slots.SetIdle(scraperConnection, false);
        auto decision = slots.Decide(Peer("10.0.0.4:1"));
        REQUIRE(decision.action == Action::Refuse);
        REQUIRE(decision.limit == ConnectionLimit::Total);
    }

    SECTION("a slowloris from three peers never takes the scraper's one connection")
    {
        // Nine slots among three peers: one of them always holds more than the scraper's one.
        for (int i = 0; i < 1'000; ++i)
        {
            Connect(slots, Peer("10.1." + std::to_string(i % 3) + ".1:1"));
        }
        REQUIRE(slots.Open() == 10);
        REQUIRE(slots.OpenFrom(scraper) == 1);
    }
}

TEST_CASE("a peer is an IPv4 address or an IPv6 /64", "[telemetry][connection-slots]")
{
    ConnectionSlots slots(100, 1);
    slots.Add(Peer("192.0.2.7:1000"));
    // The port does not matter; an IPv4 address mapped into IPv6 is the same peer.
    REQUIRE(slots.Decide(Peer("192.0.2.7:2000")).action == Action::EvictThenAdmit);
    REQUIRE(slots.Decide(Peer("[::ffff:192.0.2.7]:3000")).action == Action::EvictThenAdmit);
    REQUIRE(slots.Decide(Peer("192.0.2.8:1000")).action == Action::Admit);

    slots.Add(Peer("[2001:db8:1:2::1]:1"));
    REQUIRE(slots.Decide(Peer("[2001:db8:1:2:ffff::99]:1")).action == Action::EvictThenAdmit);
    REQUIRE(slots.Decide(Peer("[2001:db8:1:3::1]:1")).action == Action::Admit);
    // An IPv6 address whose first bytes spell an IPv4 one is another peer.
    REQUIRE(slots.Decide(Peer("[c000:207::]:1")).action == Action::Admit);
    REQUIRE(slots.OpenFrom(Peer("[::ffff:192.0.2.7]:1")) == 1);
}

TEST_CASE("removing connections frees their slots and forgets their peers",
          "[telemetry][connection-slots]")
{
    ConnectionSlots slots(2, 2);
    auto a = slots.Add(Peer("10.0.0.1:1"));
    auto b = slots.Add(Peer("10.0.0.1:2"));
    slots.Remove(a);
    slots.Remove(a); // again: nothing
    slots.SetIdle(a, true);
    REQUIRE(slots.Open() == 1);
    REQUIRE(slots.Decide(Peer("10.0.0.2:1")).action == Action::Admit);
    slots.Remove(b);
    REQUIRE(slots.Open() == 0);
    REQUIRE(slots.OpenFrom(Peer("10.0.0.1:1")) == 0);
    REQUIRE_THROWS_AS(ConnectionSlots(0, 1), std::invalid_argument);
    REQUIRE_THROWS_AS(ConnectionSlots(1, 0), std::invalid_argument);
}
