#ifndef FABRICSCOPE_TELEMETRY_METRICS_SERVER_H
#define FABRICSCOPE_TELEMETRY_METRICS_SERVER_H

#include "telemetry/net/socket-address.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace fab::telemetry
{

struct MetricsServerConfig
{
    /** Where to listen; the collect command chooses the public default, port 0 picks one. */
    std::string listen{"127.0.0.1:0"};
    /**
     * Connections at once, in total and from one peer (an IPv4 address or an IPv6 /64). A new
     * connection past either limit takes the place of the connection idle the longest (the
     * peer's own, or the fullest peer's) and is refused only when all of them are busy
     * answering: see ConnectionSlots. A scraper needs one or two; 16 leave room for several
     * behind one address, and 128 descriptors and 8 KiB buffers each are little to hold.
     */
    std::size_t maxConnections{128};
    std::size_t maxConnectionsPerPeer{16};
    /** Request line and headers together; a longer head is answered 431. */
    std::size_t maxHeaderBytes{8192};
    /**
     * From the connection (or the previous response) to a complete request head. A deadline,
     * not an idle timer, so a client that sends a byte now and then is dropped all the same.
     * A scraper sends its whole head at once, in its first segment: 3 s is many round trips.
     */
    std::chrono::milliseconds readTimeout{3'000};
    /** For one whole response: a scraper that stops reading is dropped after this. */
    std::chrono::milliseconds writeTimeout{10'000};
};

/** The server's own health, read at one moment. */
struct MetricsServerStats
{
    std::uint64_t connectionsAccepted{0};
    /** New connections closed at once: the limit met had only busy connections under it. */
    std::uint64_t rejectedAtPeerLimit{0};
    std::uint64_t rejectedAtTotalLimit{0};
    /** Idle connections closed to make room for a new one (not counted as timeouts). */
    std::uint64_t evictedAtPeerLimit{0};
    std::uint64_t evictedAtTotalLimit{0};
    std::uint64_t activeConnections{0};
    /** Complete request heads read, whatever the answer. */
    std::uint64_t requests{0};
    std::uint64_t metricsResponses{0};
    std::uint64_t notFound{0};
    std::uint64_t methodNotAllowed{0};
    std::uint64_t headerTooLarge{0};
    std::uint64_t badRequests{0};
    std::uint64_t bytesSent{0};
    /** A client that did not finish its request in time (not counting idle keep-alives). */
    std::uint64_t readTimeouts{0};
    std::uint64_t writeTimeouts{0};
    /** Keep-alive connections closed after readTimeout without a new request. */
    std::uint64_t idleCloses{0};
    /** The body source threw: answered 500. */
    std::uint64_t serverErrors{0};
};

/**
 * Returns the text to serve at /metrics (Prometheus text format 0.0.4), e.g.
 * MetricsSnapshot::Current. Called on the server's thread for each scrape, so it must not
 * wait for the producer; null is served as an empty body.
 */
using MetricsBodySource = std::function<std::shared_ptr<const std::string>()>;

/**
 * A small HTTP/1.1 server for Prometheus scrapes, on a Boost.Asio thread of its own.
 *
 * GET (and HEAD) /metrics serves the body source's text with the exposition format's content
 * type; GET / a small index page; other paths 404, other methods 405. Keep-alive follows
 * HTTP/1.1 (and "Connection: keep-alive" from HTTP/1.0 clients); a request that carries a body,
 * a malformed one or one whose head exceeds maxHeaderBytes (431) is answered and the connection
 * closed. Every connection runs asynchronously under its own deadlines, so a client that never
 * sends, sends slowly or never reads delays nobody else and is dropped when its deadline
 * passes; connections held idle by the hundred (a slowloris) give way to new ones, so scrapers
 * are still answered.
 */
class MetricsServer
{
public:
    /**
     * Binds and starts. Throws std::invalid_argument for a bad configuration and
     * std::system_error when the address cannot be bound.
     */
    MetricsServer(const MetricsServerConfig& config, MetricsBodySource body);

    ~MetricsServer();

    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    /** The bound address, with the port the kernel chose when 0 was asked for. */
    SocketAddress LocalAddress() const;

    std::uint16_t LocalPort() const { return LocalAddress().port; }

    /** Safe from any thread, also after Stop. */
    MetricsServerStats Stats() const;

    /**
     * Closes the listening socket and every connection, then returns when the server's thread
     * has finished. Safe from any thread, except the body source's, and more than once.
     */
    void Stop();

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fab::telemetry

#endif
