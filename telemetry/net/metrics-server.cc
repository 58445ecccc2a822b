#include "telemetry/net/metrics-server.h"

#include "telemetry/model/prometheus-text.h"
#include "telemetry/net/asio-endpoint.h"
#include "telemetry/net/connection-slots.h"
#include "telemetry/net/http-request-head.h"
#include "telemetry/net/http-response.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

namespace fab::telemetry
{

namespace asio = boost::asio;
using asio::ip::tcp;

namespace
{

constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";
constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";

/**
 * How long a connection that is being closed may still send what it had sent us, which we read
 * and discard: closing a socket with unread bytes resets it, and the reset can destroy the
 * answer on its way to the client.
 */
constexpr std::chrono::milliseconds kLingerTime{2'000};

/** After a failed accept (out of descriptors, say), wait this long before the next. */
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

std::shared_ptr<const std::string>
SharedText(std::string text)
{
    return std::make_shared<const std::string>(std::move(text));
}

const std::shared_ptr<const std::string>&
IndexPage()
{
    static const auto page = SharedText("<!DOCTYPE html>\n"
                                        "<html><head><meta charset=\"utf-8\">"
                                        "<title>fabricscope</title></head>\n"
                                        "<body><h1>fabricscope</h1>\n"
                                        "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n");
    return page;
}

void
Count(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1)
{
    counter.fetch_add(amount, std::memory_order_relaxed);
}

} // namespace

/** The server's own health, shown on its /metrics page (named: the server's Impl holds it). */
struct MetricsServerCounters
{
    std::atomic<std::uint64_t> connectionsAccepted{0};
    std::atomic<std::uint64_t> rejectedAtPeerLimit{0};
    std::atomic<std::uint64_t> rejectedAtTotalLimit{0};
    std::atomic<std::uint64_t> evictedAtPeerLimit{0};
    std::atomic<std::uint64_t> evictedAtTotalLimit{0};
    std::atomic<std::uint64_t> activeConnections{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> metricsResponses{0};
    std::atomic<std::uint64_t> notFound{0};
    std::atomic<std::uint64_t> methodNotAllowed{0};
    std::atomic<std::uint64_t> headerTooLarge{0};
    std::atomic<std::uint64_t> badRequests{0};
    std::atomic<std::uint64_t> bytesSent{0};
    std::atomic<std::uint64_t> readTimeouts{0};
    std::atomic<std::uint64_t> writeTimeouts{0};
    std::atomic<std::uint64_t> idleCloses{0};
    std::atomic<std::uint64_t> serverErrors{0};
};

class MetricsServer::Impl
{
public:
    class Connection;

    Impl(const MetricsServerConfig& config, MetricsBodySource body);
    ~Impl();

    SocketAddress LocalAddress() const { return m_local; }
    MetricsServerStats Stats() const;
    void Stop();

    // For the connections, on the server's thread.
    const MetricsServerConfig& Config() const { return m_config; }
    MetricsServerCounters& Counts() { return m_counters; }
    bool Stopping() const { return m_stopping.load(); }
    std::shared_ptr<const std::string> MetricsBody();
    /** Waiting for a request head (evictable), or answering one. */
    void SetIdle(ConnectionSlots::Id slot, bool idle) { m_slots.SetIdle(slot, idle); }
    void Forget(ConnectionSlots::Id slot);

private:
    void Accept();
    void Admit(tcp::socket socket);
    void CloseEverything();

    const MetricsServerConfig m_config;
    const MetricsBodySource m_body;
    MetricsServerCounters m_counters;
    std::atomic<bool> m_stopping{false};

    asio::io_context m_io;
    tcp::acceptor m_acceptor;
    asio::steady_timer m_acceptRetry;
    SocketAddress m_local;
    // Server thread only, like the map: owned there until closed; pending handlers hold them too.
    ConnectionSlots m_slots;
    std::unordered_map<ConnectionSlots::Id, std::shared_ptr<Connection>> m_connections;

    std::mutex m_stopMutex;
    bool m_stopped{false};
    std::thread m_thread;
    std::thread::id m_threadId;
};

/**
 * One client connection: read a request head under the read deadline, write the answer under
 * the write deadline, then read the next (keep-alive) or close. Runs on the server's thread only.
 */
class MetricsServer::Impl::Connection : public std::enable_shared_from_this<Connection>
{
public:
    Connection(MetricsServer::Impl& server, tcp::socket socket, ConnectionSlots::Id slot)
    : m_server(server)
    , m_slot(slot)
    , m_socket(std::move(socket))
    , m_deadline(m_socket.get_executor())
    , m_in(server.Config().maxHeaderBytes)
    {
    }

    void Start()
    {
        boost::system::error_code ignored;
        m_socket.set_option(tcp::no_delay(true), ignored);
        ArmDeadline(Phase::Reading, m_server.Config().readTimeout);
        ReadRequest();
    }

    /** Closes at once: timeouts, errors, Stop. */
    void Close()
    {
        if (m_phase == Phase::Closed)
        {
            return;
        }
        m_phase = Phase::Closed;
        boost::system::error_code ignored;
        m_socket.close(ignored);
        m_deadline.cancel();
        m_server.Forget(m_slot); // may release the last owner but one: the caller's handler
    }

private:
    enum class Phase
    {
        Reading,
        Writing,
        Lingering,
        Closed,
    };

    void ArmDeadline(Phase phase, std::chrono::milliseconds timeout)
    {
        m_phase = phase;
        m_server.SetIdle(m_slot, phase == Phase::Reading);
        auto generation = ++m_deadlineGeneration;
        m_deadline.expires_after(timeout);
        m_deadline.async_wait(
            [self = shared_from_this(), generation](const boost::system::error_code& error)
            {
                if (!error && generation == self->m_deadlineGeneration)
                {
                    self->OnDeadline();
                }
            });
    }

    void OnDeadline()
    {
        auto& counts = m_server.Counts();
        if (m_phase == Phase::Reading)
        {
            // Nothing of a next request after a response is an idle keep-alive, not a fault.
            Count(m_filled == 0 && m_servedOne ? counts.idleCloses : counts.readTimeouts);
        }
        else if (m_phase == Phase::Writing)
        {
            Count(counts.writeTimeouts);
        }
        Close();
    }

    void ReadRequest()
    {
        auto head = ParseHttpRequestHead(std::string_view(m_in.data(), m_filled));
        switch (head.status)
        {
            case HttpHeadStatus::Complete:
                Answer(head);
                return;
            case HttpHeadStatus::Malformed:
                Count(m_server.Counts().badRequests);
                Respond(400, "Bad Request", kTextContentType, SharedText("bad request\n"), "", {});
                return;
            case HttpHeadStatus::UnsupportedVersion:
                Count(m_server.Counts().badRequests);
                Respond(505,
                        "HTTP Version Not Supported",
                        kTextContentType,
                        SharedText("HTTP/1.0 and HTTP/1.1 only\n"),
                        "",
                        {});
                return;
            case HttpHeadStatus::Incomplete:
                break;
        }
        if (m_filled == m_in.size())
        {
            Count(m_server.Counts().headerTooLarge);
            Respond(
                431,
                "Request Header Fields Too Large",
                kTextContentType,
                SharedText("request head larger than " + std::to_string(m_in.size()) + " bytes\n"),
                "",
                {});
            return;
        }
        m_socket.async_read_some(
            asio::buffer(m_in.data() + m_filled, m_in.size() - m_filled),
            [self = shared_from_this()](const boost::system::error_code& error, std::size_t n)
            {
                if (self->m_phase != Phase::Reading)
                {
                    return;
                }
                if (error)
                {
                    self->Close(); // the client went away (or Stop closed the socket)
                    return;
                }
                self->m_filled += n;
                self->ReadRequest();
            });
    }

    struct ResponseOptions
    {
        bool keepAlive{false};
        bool headOnly{false};
    };

    void Answer(const HttpRequestHead& head)
    {
        auto& counts = m_server.Counts();
        Count(counts.requests);
        ResponseOptions options;
        // A body we do not read would be taken for the next request: answer, then close.
        options.keepAlive = head.keepAlive && !head.hasBody && !m_server.Stopping();
        options.headOnly = head.method == "HEAD";
        bool get = head.method == "GET" || options.headOnly;
        std::string path(head.path);
        std::memmove(m_in.data(), m_in.data() + head.length, m_filled - head.length);
        m_filled -= head.length;

        if (!get)
        {
            Count(counts.methodNotAllowed);
            Respond(405,
                    "Method Not Allowed",
                    kTextContentType,
                    SharedText("only GET and HEAD\n"),
                    "Allow: GET, HEAD\r\n",
                    options);
        }
        else if (path == "/metrics")
        {
            std::shared_ptr<const std::string> body;
            try
            {
                body = m_server.MetricsBody();
            }
            catch (...)
            {
                Count(counts.serverErrors);
                options.keepAlive = false;
                Respond(500,
                        "Internal Server Error",
                        kTextContentType,
                        SharedText("the metrics are not available\n"),
                        "",
                        options);
                return;
            }
            Count(counts.metricsResponses);
            Respond(200, "OK", kPrometheusTextContentType, std::move(body), "", options);
        }
        else if (path == "/")
        {
            Respond(200, "OK", kHtmlContentType, IndexPage(), "", options);
        }
        else
        {
            Count(counts.notFound);
            Respond(404, "Not Found", kTextContentType, SharedText("not found\n"), "", options);
        }
    }

    void Respond(int status,
                 std::string_view reason,
                 std::string_view contentType,
                 std::shared_ptr<const std::string> body,
                 std::string_view extraHeaders,
                 ResponseOptions options)
    {
        if (!body)
        {
            body = SharedText("");
        }
        m_keepAlive = options.keepAlive;
        HttpResponseHeadFields fields;
        fields.status = status;
        fields.reason = reason;
        fields.contentType = contentType;
        fields.contentLength = body->size();
        fields.extraHeaders = extraHeaders;
        fields.keepAlive = m_keepAlive;
        fields.date = std::time(nullptr);
        m_head = FormatHttpResponseHead(fields);
        m_body = options.headOnly ? nullptr : std::move(body);

        ArmDeadline(Phase::Writing, m_server.Config().writeTimeout);
        std::array<asio::const_buffer, 2> buffers{
            asio::buffer(m_head), m_body ? asio::buffer(*m_body) : asio::const_buffer()};
        asio::async_write(
            m_socket,
            buffers,
            [self = shared_from_this()](const boost::system::error_code& error, std::size_t n)
            { self->OnWritten(error, n); });
    }

    void OnWritten(const boost::system::error_code& error, std::size_t written)
    {
        Count(m_server.Counts().bytesSent, written);
        if (m_phase != Phase::Writing)
        {
            return;
        }
        m_body.reset();
        if (error)
        {
            Close();
            return;
        }
        m_servedOne = true;
        if (m_keepAlive && !m_server.Stopping())
        {
            ArmDeadline(Phase::Reading, m_server.Config().readTimeout);
            ReadRequest(); // a pipelined request may already be in the buffer
            return;
        }
        Linger();
    }

    void Linger()
    {
        boost::system::error_code ignored;
        m_socket.shutdown(tcp::socket::shutdown_send, ignored);
        ArmDeadline(Phase::Lingering, std::min(kLingerTime, m_server.Config().readTimeout));
        DiscardInput();
    }

    void DiscardInput()
    {
        m_socket.async_read_some(
            asio::buffer(m_in),
            [self = shared_from_this()](const boost::system::error_code& error, std::size_t)
            {
                if (self->m_phase != Phase::Lingering)
                {
                    return;
                }
                if (error)
                {
                    self->Close(); // end of file: the client has read everything and closed
                    return;
                }
                self->DiscardInput();
            });
    }

    MetricsServer::Impl& m_server;
    const ConnectionSlots::Id m_slot;
    tcp::socket m_socket;
    asio::steady_timer m_deadline;
    std::uint64_t m_deadlineGeneration{0};
    Phase m_phase{Phase::Reading};
    std::vector<char> m_in;
    std::size_t m_filled{0};
    bool m_servedOne{false};
    bool m_keepAlive{false};
    std::string m_head;
    std::shared_ptr<const std::string> m_body;
};

MetricsServer::Impl::Impl(const MetricsServerConfig& config, MetricsBodySource body)
: m_config(config)
, m_body(std::move(body))
, m_acceptor(m_io)
, m_acceptRetry(m_io)
, m_slots(std::max<std::size_t>(1, config.maxConnections), // 0 is refused below, by name
          std::max<std::size_t>(1, config.maxConnectionsPerPeer))
{
    if (!m_body)
    {
        throw std::invalid_argument("metrics server: no body source");
    }
    if (m_config.maxConnections == 0 || m_config.maxConnectionsPerPeer == 0)
    {
        throw std::invalid_argument(
            "metrics server: maxConnections and maxConnectionsPerPeer must be at least 1");
    }
    if (m_config.maxHeaderBytes < 64)
    {
        throw std::invalid_argument("metrics server: maxHeaderBytes must be at least 64");
    }
    if (m_config.readTimeout.count() <= 0 || m_config.writeTimeout.count() <= 0)
    {
        throw std::invalid_argument("metrics server: timeouts must be positive");
    }
    auto address = ParseSocketAddress(m_config.listen);
    auto endpoint = ToAsioEndpoint<tcp>(address);
    try
    {
        m_acceptor.open(endpoint.protocol());
        m_acceptor.set_option(tcp::acceptor::reuse_address(true));
        if (address.isIpv6)
        {
            m_acceptor.set_option(asio::ip::v6_only(false));
        }
        m_acceptor.bind(endpoint);
        m_acceptor.listen(asio::socket_base::max_listen_connections);
        m_local = FromAsioEndpoint(m_acceptor.local_endpoint());
    }
    catch (const boost::system::system_error& error)
    {
        throw std::system_error(std::error_code(error.code().value(), std::system_category()),
                                "metrics server: cannot listen on " + m_config.listen);
    }

    Accept();
    m_thread = std::thread([this] { m_io.run(); });
    m_threadId = m_thread.get_id();
}

MetricsServer::Impl::~Impl()
{
    Stop();
}

std::shared_ptr<const std::string>
MetricsServer::Impl::MetricsBody()
{
    return m_body();
}

void
MetricsServer::Impl::Forget(ConnectionSlots::Id slot)
{
    m_slots.Remove(slot);
    m_connections.erase(slot);
    m_counters.activeConnections.store(m_connections.size(), std::memory_order_relaxed);
}

void
MetricsServer::Impl::Accept()
{
    m_acceptor.async_accept(
        [this](const boost::system::error_code& error, tcp::socket socket)
        {
            if (m_stopping.load() || error == asio::error::operation_aborted)
            {
                return;
            }
            if (error)
            {
                // Out of descriptors or memory: accepting again at once would spin.
                m_acceptRetry.expires_after(kAcceptRetryDelay);
                m_acceptRetry.async_wait(
                    [this](const boost::system::error_code& waitError)
                    {
                        if (!waitError && !m_stopping.load())
                        {
                            Accept();
                        }
                    });
                return;
            }
            Admit(std::move(socket));
            Accept();
        });
}

void
MetricsServer::Impl::Admit(tcp::socket socket)
{
    boost::system::error_code error;
    auto remote = socket.remote_endpoint(error);
    if (error)
    {
        socket.close(error); // gone already
        return;
    }
    auto peer = FromAsioEndpoint(remote);
    auto decision = m_slots.Decide(peer);
    bool perPeer = decision.limit == ConnectionLimit::PerPeer;
    if (decision.action == ConnectionSlots::Action::Refuse)
    {
        Count(perPeer ? m_counters.rejectedAtPeerLimit : m_counters.rejectedAtTotalLimit);
        socket.close(error);
        return;
    }
    if (decision.action == ConnectionSlots::Action::EvictThenAdmit)
    {
        Count(perPeer ? m_counters.evictedAtPeerLimit : m_counters.evictedAtTotalLimit);
        auto victim = m_connections.at(decision.victim); // kept alive through its Close
        victim->Close();
    }
    Count(m_counters.connectionsAccepted);
    auto slot = m_slots.Add(peer);
    auto connection = std::make_shared<Connection>(*this, std::move(socket), slot);
    m_connections.emplace(slot, connection);
    m_counters.activeConnections.store(m_connections.size(), std::memory_order_relaxed);
    connection->Start();
}

void
MetricsServer::Impl::CloseEverything()
{
    boost::system::error_code ignored;
    m_acceptor.close(ignored);
    m_acceptRetry.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    open.reserve(m_connections.size());
    for (auto& entry : m_connections)
    {
        open.push_back(entry.second);
    }
    for (auto& connection : open)
    {
        connection->Close();
    }
}

void
MetricsServer::Impl::Stop()
{
    std::lock_guard<std::mutex> lock(m_stopMutex);
    if (!m_stopped)
    {
        m_stopped = true;
        m_stopping.store(true);
        // Every handler sees the closed sockets, none arms another, and run() returns by itself.
        asio::post(m_io, [this] { CloseEverything(); });
    }
    if (m_thread.joinable() && std::this_thread::get_id() != m_threadId)
    {
        m_thread.join();
    }
}

MetricsServerStats
MetricsServer::Impl::Stats() const
{
    auto load = [](const std::atomic<std::uint64_t>& counter)
    {
        return counter.load(std::memory_order_relaxed);
    };
    MetricsServerStats stats;
    stats.connectionsAccepted = load(m_counters.connectionsAccepted);
    stats.rejectedAtPeerLimit = load(m_counters.rejectedAtPeerLimit);
    stats.rejectedAtTotalLimit = load(m_counters.rejectedAtTotalLimit);
    stats.evictedAtPeerLimit = load(m_counters.evictedAtPeerLimit);
    stats.evictedAtTotalLimit = load(m_counters.evictedAtTotalLimit);
    stats.activeConnections = load(m_counters.activeConnections);
    stats.requests = load(m_counters.requests);
    stats.metricsResponses = load(m_counters.metricsResponses);
    stats.notFound = load(m_counters.notFound);
    stats.methodNotAllowed = load(m_counters.methodNotAllowed);
    stats.headerTooLarge = load(m_counters.headerTooLarge);
    stats.badRequests = load(m_counters.badRequests);
    stats.bytesSent = load(m_counters.bytesSent);
    stats.readTimeouts = load(m_counters.readTimeouts);
    stats.writeTimeouts = load(m_counters.writeTimeouts);
    stats.idleCloses = load(m_counters.idleCloses);
    stats.serverErrors = load(m_counters.serverErrors);
    return stats;
}

MetricsServer::MetricsServer(const MetricsServerConfig& config, MetricsBodySource body)
: m_impl(std::make_unique<Impl>(config, std::move(body)))
{
}

MetricsServer::~MetricsServer() = default;

SocketAddress
MetricsServer::LocalAddress() const
{
    return m_impl->LocalAddress();
}

MetricsServerStats
MetricsServer::Stats() const
{
    return m_impl->Stats();
}

void
MetricsServer::Stop()
{
    m_impl->Stop();
}

} // namespace fab::telemetry
