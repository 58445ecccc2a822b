#include "support/local-sockets.h"
#include "support/process-usage.h"
#include "support/slowloris.h"
#include "telemetry/model/prometheus-text.h"
#include "telemetry/net/metrics-server.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace fab::telemetry;
using namespace std::chrono_literals;
using fab::tests::ConnectTcp;
using fab::tests::ConnectTcpFrom;
using fab::tests::HttpGet;
using fab::tests::LoopbackSources;
using fab::tests::OpenDescriptors;
using fab::tests::PeerClosesWithin;
using fab::tests::ReadHttpResponse;
using fab::tests::ReadUntilClosed;
using fab::tests::ResidentKiB;
using fab::tests::SendAll;
using fab::tests::Slowloris;
using fab::tests::SlowlorisOptions;
using fab::tests::SocketHandle;

namespace
{

/** Polls `condition` until it holds or `timeout` passes; the tests never sleep a fixed time. */
bool
WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition())
    {
        if (std::chrono::steady_clock::now() > deadline)
        {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

std::string
SampleText()
{
    MetricRegistry registry;
    auto datagrams = registry.AddCounter("fabricscope_sflow_datagrams_total", "Datagrams.");
    auto depth = registry.AddGauge("fabricscope_queue_depth", "Queue depth.", {"port"});
    registry.Set(datagrams, 12345);
    registry.Set(depth, {"leaf-1/p1"}, 42.5);
    return registry.Render();
}

struct ServedSnapshot
{
    MetricsSnapshot snapshot;
    MetricsBodySource Source()
    {
        return [this]
        {
            return snapshot.Current();
        };
    }
};

} // namespace

TEST_CASE("the server answers /metrics, the index, unknown paths and other methods",
          "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServerConfig config;
    MetricsServer server(config, served.Source());
    auto port = server.LocalPort();
    REQUIRE(port != 0);
    REQUIRE(server.LocalAddress().ToString() == "127.0.0.1:" + std::to_string(port));

    SECTION("GET /metrics")
    {
        auto response = HttpGet(port, "/metrics");
        REQUIRE(response.complete);
        REQUIRE(response.status == 200);
        REQUIRE(response.Header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
        REQUIRE(response.Header("Content-Length") == std::to_string(SampleText().size()));
        REQUIRE(response.Header("Connection") == "close"); // HTTP/1.0 without keep-alive
        REQUIRE_FALSE(response.Header("Date").empty());
        REQUIRE(response.body == SampleText());
        REQUIRE(HttpGet(port, "/metrics?name[]=x").body == SampleText());
        REQUIRE(HttpGet(port, "http://127.0.0.1/metrics").body == SampleText());
    }

    SECTION("a newly published snapshot is served at the next scrape")
    {
        served.snapshot.Publish("second 2\n");
        REQUIRE(HttpGet(port, "/metrics").body == "second 2\n");
    }

    SECTION("GET / links to /metrics")
    {
        auto response = HttpGet(port, "/");
        REQUIRE(response.status == 200);
        REQUIRE(response.Header("Content-Type") == "text/html; charset=utf-8");
        REQUIRE(response.body.find("<a href=\"/metrics\">") != std::string::npos);
    }

    SECTION("unknown paths are 404")
    {
        for (std::string path : {"/metric", "/metrics/", "/favicon.ico", "*"})
        {
            CAPTURE(path);
            REQUIRE(HttpGet(port, path).status == 404);
        }
        REQUIRE(server.Stats().notFound == 4);
    }

    SECTION("other methods are 405 with Allow")
    {
        for (std::string method : {"POST", "PUT", "DELETE", "OPTIONS", "get"})
        {
            CAPTURE(method);
            auto socket = ConnectTcp(port);
            REQUIRE(SendAll(socket, method + " /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            std::string pending;
            auto response = ReadHttpResponse(socket, pending);
            REQUIRE(response.status == 405);
            REQUIRE(response.Header("Allow") == "GET, HEAD");
        }
        REQUIRE(server.Stats().methodNotAllowed == 5);
    }

    SECTION("HEAD gives the length without the body")
    {
        auto socket = ConnectTcp(port);
        REQUIRE(SendAll(socket, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        auto raw = ReadUntilClosed(socket);
        auto headEnd = raw.find("\r\n\r\n");
        REQUIRE(headEnd != std::string::npos);
        REQUIRE(raw.size() == headEnd + 4); // nothing after the head
        REQUIRE(raw.find("Content-Length: " + std::to_string(SampleText().size()) + "\r\n")
                != std::string::npos);
    }

    SECTION("malformed requests are 400, other HTTP versions 505, and closed")
    {
        for (std::string request : {"GARBAGE\r\n\r\n",
                                    "GET /metrics\r\n\r\n",
                                    "GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
                                    "GET /metrics HTTP/1.1\r\n folded: header\r\n\r\n",
                                    "\x16\x03\x01\x02\xfc\x03\x03\r\n"})
        {
            CAPTURE(request);
            auto socket = ConnectTcp(port);
            REQUIRE(SendAll(socket, request));
            auto raw = ReadUntilClosed(socket); // the server closes after answering
            REQUIRE(raw.compare(0, 25, "HTTP/1.1 400 Bad Request\r") == 0);
        }
        auto socket = ConnectTcp(port);
        REQUIRE(SendAll(socket, "GET /metrics HTTP/2.0\r\n\r\n"));
        REQUIRE(ReadUntilClosed(socket).compare(0, 12, "HTTP/1.1 505") == 0);
        REQUIRE(server.Stats().badRequests == 6);
    }

    SECTION("a request with a body is answered, then the connection closed")
    {
        auto socket = ConnectTcp(port);
        REQUIRE(
            SendAll(socket, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
        auto raw = ReadUntilClosed(socket);
        REQUIRE(raw.compare(0, 15, "HTTP/1.1 200 OK") == 0);
        REQUIRE(raw.find("Connection: close\r\n") != std::string::npos);
    }

    SECTION("the body source throwing is a 500, and the server goes on")
    {
        MetricsServer failing(config,
                              []() -> std::shared_ptr<const std::string>
                              { throw std::runtime_error("no snapshot"); });
        REQUIRE(HttpGet(failing.LocalPort(), "/metrics").status == 500);
        REQUIRE(HttpGet(failing.LocalPort(), "/").status == 200);
        REQUIRE(failing.Stats().serverErrors == 1);
    }

    SECTION("a null snapshot is an empty body")
    {
        MetricsServer empty(config, [] { return std::shared_ptr<const std::string>(); });
        auto response = HttpGet(empty.LocalPort(), "/metrics");
        REQUIRE(response.status == 200);
        REQUIRE(response.body.empty());
    }
}

TEST_CASE("keep-alive serves several requests on one connection", "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServer server(MetricsServerConfig{}, served.Source());
    auto socket = ConnectTcp(server.LocalPort());
    std::string pending;

    for (int i = 0; i < 3; ++i)
    {
        REQUIRE(SendAll(socket, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto response = ReadHttpResponse(socket, pending);
        REQUIRE(response.complete);
        REQUIRE(response.status == 200);
        REQUIRE(response.Header("Connection") == "keep-alive");
        REQUIRE(response.body == SampleText());
    }

    // Pipelined: three requests in one write, answered in order.
    REQUIRE(SendAll(socket,
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                    "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                    "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(ReadHttpResponse(socket, pending).status == 200);
    REQUIRE(ReadHttpResponse(socket, pending).status == 404);
    auto head = ReadHttpResponse(socket, pending, true);
    REQUIRE(head.status == 200);
    REQUIRE(head.body.empty());

    // HTTP/1.0 keeps the connection only when asked to.
    REQUIRE(SendAll(socket, "GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    REQUIRE(ReadHttpResponse(socket, pending).Header("Connection") == "keep-alive");

    REQUIRE(SendAll(socket, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto last = ReadHttpResponse(socket, pending);
    REQUIRE(last.status == 200);
    REQUIRE(last.Header("Connection") == "close");
    REQUIRE(ReadUntilClosed(socket).empty()); // then the server closes
    socket.Close();                           // which ends the server's lingering close at once

    auto stats = server.Stats();
    REQUIRE(stats.connectionsAccepted == 1);
    REQUIRE(stats.requests == 8);
    REQUIRE(stats.metricsResponses == 6);
    REQUIRE(WaitFor([&] { return server.Stats().activeConnections == 0; }));
}

TEST_CASE("a request head larger than the limit is 431", "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServerConfig config;
    config.maxHeaderBytes = 8192;
    MetricsServer server(config, served.Source());

    auto requestOf = [](std::size_t size)
    {
        std::string start = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: ";
        std::string end = "\r\n\r\n";
        return start + std::string(size - start.size() - end.size(), 'p') + end;
    };

    SECTION("exactly at the limit is served")
    {
        auto socket = ConnectTcp(server.LocalPort());
        REQUIRE(SendAll(socket, requestOf(8192)));
        std::string pending;
        REQUIRE(ReadHttpResponse(socket, pending).status == 200);
    }

    SECTION("one byte more is refused")
    {
        auto size = GENERATE(8193u, 9000u, 64u * 1024u);
        CAPTURE(size);
        auto socket = ConnectTcp(server.LocalPort());
        REQUIRE(SendAll(socket, requestOf(size)));
        auto raw = ReadUntilClosed(socket);
        REQUIRE(raw.compare(0, 45, "HTTP/1.1 431 Request Header Fields Too Large\r") == 0);
        REQUIRE(raw.find("Connection: close\r\n") != std::string::npos);
        REQUIRE(server.Stats().headerTooLarge == 1);
    }
}

TEST_CASE("a scraper that never reads does not stall another", "[telemetry][metrics-server]")
{
    // 16 MiB is more than the kernel buffers of both sockets hold, so the server's write to the
    // stalled client cannot finish and stays pending.
    ServedSnapshot served;
    served.snapshot.Publish(std::string(16u << 20, '#') + "\n");
    MetricsServerConfig config;
    config.writeTimeout = 2s; // long beside a local scrape, short for a test
    MetricsServer server(config, served.Source());

    auto stalled = ConnectTcp(server.LocalPort());
    int small = 4096;
    ::setsockopt(stalled.Get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    REQUIRE(SendAll(stalled, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(WaitFor([&] { return server.Stats().requests == 1; }));
    // The stalled write keeps its 16 MiB snapshot alive; the next scrape gets a small one, so
    // it takes milliseconds even under a sanitizer, well inside the stalled one's deadline.
    served.snapshot.Publish("fabricscope_up 1\n");

    auto response = HttpGet(server.LocalPort(), "/metrics");
    REQUIRE(response.complete);
    REQUIRE(response.body == "fabricscope_up 1\n");
    // The second scrape finished while the first was still stuck in its write.
    auto during = server.Stats();
    REQUIRE(during.writeTimeouts == 0);
    REQUIRE(during.activeConnections >= 1);

    // Then the stalled one is dropped by its write deadline.
    REQUIRE(WaitFor([&] { return server.Stats().writeTimeouts == 1; }));
    REQUIRE(WaitFor([&] { return server.Stats().activeConnections == 0; }));
}

TEST_CASE("clients that do not send a request in time are dropped", "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServerConfig config;
    config.readTimeout = 300ms;
    MetricsServer server(config, served.Source());

    SECTION("a client that connects and never sends")
    {
        auto silent = ConnectTcp(server.LocalPort());
        REQUIRE(PeerClosesWithin(silent, 10s));
        REQUIRE(server.Stats().readTimeouts == 1);
        REQUIRE(HttpGet(server.LocalPort(), "/metrics").status == 200); // others still served
    }

    SECTION("a client that sends a byte now and then (slow loris)")
    {
        auto slow = ConnectTcp(server.LocalPort());
        std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        bool dropped = false;
        for (int i = 0; i < 400 && !dropped; ++i)
        {
            // Each byte comes well within the timeout; the deadline is for the whole head.
            dropped = !SendAll(slow, std::string(1, i < 40 ? request[i % request.size()] : 'z'))
                      || PeerClosesWithin(slow, 50ms);
        }
        REQUIRE(dropped);
        REQUIRE(server.Stats().readTimeouts == 1);
    }

    SECTION("an idle keep-alive connection is closed without counting a timeout")
    {
        auto idle = ConnectTcp(server.LocalPort());
        REQUIRE(SendAll(idle, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        std::string pending;
        REQUIRE(ReadHttpResponse(idle, pending).status == 200);
        REQUIRE(PeerClosesWithin(idle, 10s));
        auto stats = server.Stats();
        REQUIRE(stats.idleCloses == 1);
        REQUIRE(stats.readTimeouts == 0);
    }
}

namespace
{

/**
 * A scraper that asks for a 16 MiB body and never reads it: more than the kernel buffers of
 * both sockets hold, so the server's write stays pending (the connection busy) until its
 * deadline.
 */
SocketHandle
StalledScraper(std::uint16_t port, const std::string& source = "")
{
    auto stalled = ConnectTcpFrom(source, port);
    int small = 4096;
    ::setsockopt(stalled.Get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    REQUIRE(SendAll(stalled, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    return stalled;
}

} // namespace

TEST_CASE("past a limit, a new connection takes the place of the longest idle one",
          "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServerConfig config;
    config.maxConnections = 2;
    MetricsServer server(config, served.Source());
    std::string pending;

    auto first = ConnectTcp(server.LocalPort());
    REQUIRE(WaitFor([&] { return server.Stats().activeConnections == 1; }));
    auto second = ConnectTcp(server.LocalPort());
    REQUIRE(WaitFor([&] { return server.Stats().activeConnections == 2; }));
    auto third = ConnectTcp(server.LocalPort());
    REQUIRE(PeerClosesWithin(first, 10s));
    REQUIRE(SendAll(third, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(ReadHttpResponse(third, pending).body == SampleText());
    REQUIRE_FALSE(PeerClosesWithin(second, 0ms));

    // Answered, the third is idle again, and newer than the second: the second goes next.
    auto fourth = ConnectTcp(server.LocalPort());
    REQUIRE(PeerClosesWithin(second, 10s));
    // The close is seen before the newcomer is counted in.
    REQUIRE(WaitFor(
        [&]
        {
            auto stats = server.Stats();
            return stats.connectionsAccepted == 4 && stats.activeConnections == 2;
        }));
    auto stats = server.Stats();
    REQUIRE(stats.evictedAtTotalLimit == 2);
    REQUIRE(stats.evictedAtPeerLimit == 0);
    REQUIRE(stats.rejectedAtTotalLimit == 0);
    REQUIRE(stats.readTimeouts == 0); // an eviction is not a timeout
}

TEST_CASE("past a limit with every connection busy, the new one is refused",
          "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(std::string(16u << 20, '#') + "\n");
    MetricsServerConfig config;
    config.writeTimeout = 60s; // the stalled writes hold their connections for the whole test

    SECTION("the total")
    {
        config.maxConnections = 2;
        MetricsServer server(config, served.Source());
        auto one = StalledScraper(server.LocalPort());
        auto two = StalledScraper(server.LocalPort(), "127.0.0.2");
        REQUIRE(WaitFor([&] { return server.Stats().requests == 2; }));
        auto third = ConnectTcpFrom("127.0.0.3", server.LocalPort());
        REQUIRE(PeerClosesWithin(third, 10s));
        REQUIRE(server.Stats().rejectedAtTotalLimit == 1);

        one.Close();
        REQUIRE(WaitFor([&] { return server.Stats().activeConnections == 1; }));
        served.snapshot.Publish("fabricscope_up 1\n");
        REQUIRE(HttpGet(server.LocalPort(), "/metrics", "127.0.0.3").body == "fabricscope_up 1\n");
    }

    SECTION("one peer's")
    {
        config.maxConnectionsPerPeer = 2;
        MetricsServer server(config, served.Source());
        auto one = StalledScraper(server.LocalPort());
        auto two = StalledScraper(server.LocalPort());
        REQUIRE(WaitFor([&] { return server.Stats().requests == 2; }));
        auto third = ConnectTcp(server.LocalPort());
        REQUIRE(PeerClosesWithin(third, 10s));
        auto stats = server.Stats();
        REQUIRE(stats.rejectedAtPeerLimit == 1);
        REQUIRE(stats.rejectedAtTotalLimit == 0);
        // Another peer is not held to this one's limit.
        served.snapshot.Publish("fabricscope_up 1\n");
        REQUIRE(HttpGet(server.LocalPort(), "/metrics", "127.0.0.2").status == 200);
    }
}

namespace
{

struct SlowlorisRun
{
    int scrapes{0};
    int answered{0};
    int keptAliveAnswered{0};
    std::uint64_t mostConnections{0};
    std::size_t mostDescriptors{0};
    std::size_t descriptorsBefore{0};
    long residentGrowthKiB{0};
    /** Reported, not checked: tests do not judge wall-clock time. */
    std::chrono::microseconds slowestScrape{0};
    MetricsServerStats stats;
    std::uint64_t attackOpened{0};
    std::uint64_t attackClosed{0};
};

/**
 * Scrapes `scrapes` times from `source`, a new connection each (and, with `keepAlive`, once more
 * each time on one kept-alive connection, as Prometheus does), while a slowloris holds hundreds
 * of connections. Records what the scraper got and the most the server and this process held.
 */
SlowlorisRun
ScrapeUnderSlowloris(const MetricsServerConfig& config,
                     SlowlorisOptions attack,
                     const std::string& source,
                     bool keepAlive,
                     int scrapes = 50)
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServer server(config, served.Source());
    SlowlorisRun run;
    run.descriptorsBefore = OpenDescriptors();
    long residentBefore = ResidentKiB();
    SocketHandle kept;
    std::string pending;
    if (keepAlive)
    {
        kept = ConnectTcpFrom(source, server.LocalPort());
    }

    attack.port = server.LocalPort();
    auto connections = static_cast<std::uint64_t>(attack.connections);
    Slowloris slowloris(attack);
    // Every connection opened once, and the server has begun closing them: its limits are met.
    REQUIRE(WaitFor(
        [&] { return slowloris.Opened() >= connections && slowloris.ClosedByServer() > 0; }));
    for (run.scrapes = 0; run.scrapes < scrapes; ++run.scrapes)
    {
        auto started = std::chrono::steady_clock::now();
        try
        {
            auto response = HttpGet(server.LocalPort(), "/metrics", source);
            run.answered += response.complete && response.body == SampleText() ? 1 : 0;
        }
        catch (const std::exception&)
        {
            // refused at connect: a failed scrape
        }
        run.slowestScrape = std::max(run.slowestScrape,
                                     std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - started));
        if (keepAlive && SendAll(kept, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"))
        {
            auto response = ReadHttpResponse(kept, pending);
            run.keptAliveAnswered += response.complete && response.body == SampleText() ? 1 : 0;
        }
        run.mostConnections = std::max(run.mostConnections, server.Stats().activeConnections);
        run.mostDescriptors = std::max(run.mostDescriptors, OpenDescriptors());
        std::this_thread::sleep_for(20ms);
    }
    run.residentGrowthKiB = ResidentKiB() - residentBefore;
    run.stats = server.Stats();
    slowloris.Stop();
    run.attackOpened = slowloris.Opened();
    run.attackClosed = slowloris.ClosedByServer();
    WARN("slowloris of " << attack.connections << " from " << attack.sources.size()
                         << " address(es): opened " << run.attackOpened << ", closed by the server "
                         << run.attackClosed << "; evicted " << run.stats.evictedAtPeerLimit
                         << " (peer) + " << run.stats.evictedAtTotalLimit << " (total), refused "
                         << run.stats.rejectedAtPeerLimit + run.stats.rejectedAtTotalLimit
                         << ", read timeouts " << run.stats.readTimeouts << "; scrapes answered "
                         << run.answered << "/" << run.scrapes << " (the slowest in "
                         << run.slowestScrape.count() << " us), kept alive "
                         << run.keptAliveAnswered << "; at most " << run.mostConnections
                         << " connections, " << run.mostDescriptors - run.descriptorsBefore
                         << " descriptors more, resident +" << run.residentGrowthKiB << " KiB");
    return run;
}

/** What the run held at most: the server's limit, the attack's sockets and the scraper's two. */
void
RequireBounded(const SlowlorisRun& run, const MetricsServerConfig& config, int attackConnections)
{
    REQUIRE(run.mostConnections <= config.maxConnections);
    REQUIRE(run.mostDescriptors
            <= run.descriptorsBefore + static_cast<std::size_t>(attackConnections)
                   + config.maxConnections + 2 + 4);
#if !defined(__SANITIZE_ADDRESS__)
    // Connection buffers are 8 KiB: nothing grows with the attack. (AddressSanitizer keeps freed
    // memory in quarantine, so there resident memory says nothing.)
    REQUIRE(run.residentGrowthKiB < 64 * 1024);
#endif
}

MetricsServerConfig
SmallLimits()
{
    MetricsServerConfig config;
    config.maxConnections = 32;
    config.maxConnectionsPerPeer = 8;
    config.readTimeout = 1s; // the trickling ones meet their deadline during the run too
    return config;
}

} // namespace

TEST_CASE("a slowloris from one address: every scrape from another is answered",
          "[telemetry][metrics-server][slowloris]")
{
    auto config = SmallLimits();
    SlowlorisOptions attack;
    attack.sources = {"127.0.0.2"};
    attack.connections = 300;
    attack.trickleEvery = GENERATE(0, 2);
    CAPTURE(attack.trickleEvery);
    auto run = ScrapeUnderSlowloris(config, attack, "127.0.0.1", true);
    REQUIRE(run.answered == run.scrapes);
    REQUIRE(run.keptAliveAnswered == run.scrapes);
    // The attacker only ever held its own 8: the server was never full.
    REQUIRE(run.stats.evictedAtPeerLimit > 0);
    REQUIRE(run.stats.evictedAtTotalLimit == 0);
    REQUIRE(run.stats.rejectedAtPeerLimit + run.stats.rejectedAtTotalLimit == 0);
    REQUIRE(run.attackClosed > 0);
    RequireBounded(run, config, attack.connections);
}

TEST_CASE("a slowloris from eight addresses, idle and trickling: every scrape is answered",
          "[telemetry][metrics-server][slowloris]")
{
    auto config = SmallLimits();
    SlowlorisOptions attack;
    attack.sources = LoopbackSources(2, 8); // 8 peers × 8 each would be 64: the total binds
    attack.connections = 400;
    attack.trickleEvery = 2;
    auto run = ScrapeUnderSlowloris(config, attack, "127.0.0.1", true);
    REQUIRE(run.answered == run.scrapes);
    REQUIRE(run.keptAliveAnswered == run.scrapes);
    REQUIRE(run.stats.evictedAtTotalLimit > 0);
    REQUIRE(run.stats.rejectedAtPeerLimit + run.stats.rejectedAtTotalLimit == 0);
    RequireBounded(run, config, attack.connections);
}

TEST_CASE("a slowloris from the scraper's own address: its scrapes are still answered",
          "[telemetry][metrics-server][slowloris]")
{
    // Scraper and attacker are one peer here, so nothing tells them apart but their manners: the
    // scraper's request comes with its connection, the attacker's connections wait to be closed.
    // A scrape is lost only when eight attacking connections arrive between the scraper's
    // connect and its request; the attacker reconnects as fast as it is closed, so allow for a
    // few.
    auto config = SmallLimits();
    SlowlorisOptions attack;
    attack.sources = {"127.0.0.1"};
    attack.connections = 300;
    attack.trickleEvery = 3;
    auto run = ScrapeUnderSlowloris(config, attack, "127.0.0.1", false);
    REQUIRE(run.answered >= run.scrapes * 9 / 10);
    REQUIRE(run.stats.evictedAtPeerLimit > 0);
    RequireBounded(run, config, attack.connections);
}

TEST_CASE("Stop closes every connection and may be called again", "[telemetry][metrics-server]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServer server(MetricsServerConfig{}, served.Source());
    auto idle = ConnectTcp(server.LocalPort());
    auto partial = ConnectTcp(server.LocalPort());
    REQUIRE(SendAll(partial, "GET /metr"));
    REQUIRE(WaitFor([&] { return server.Stats().activeConnections == 2; }));

    std::thread other([&] { server.Stop(); });
    server.Stop();
    other.join();
    REQUIRE(server.Stats().activeConnections == 0);
    REQUIRE(PeerClosesWithin(idle, 10s));
    REQUIRE(PeerClosesWithin(partial, 10s));
    server.Stop();
}

TEST_CASE("the server listens on IPv6 and, from [::], on IPv4 too", "[telemetry][metrics-server][needs:ipv6]")
{
    ServedSnapshot served;
    served.snapshot.Publish(SampleText());
    MetricsServerConfig config;
    config.listen = "[::]:0";
    auto server = std::make_unique<MetricsServer>(config, served.Source());
    REQUIRE(server->LocalAddress().isIpv6);
    REQUIRE(HttpGet(server->LocalPort(), "/metrics").body == SampleText()); // over IPv4
}

TEST_CASE("a bad configuration is refused", "[telemetry][metrics-server]")
{
    auto source = []
    {
        return std::shared_ptr<const std::string>();
    };
    MetricsServerConfig config;
    config.listen = "localhost:80";
    REQUIRE_THROWS_AS(MetricsServer(config, source), std::invalid_argument);
    config = {};
    config.maxConnections = 0;
    REQUIRE_THROWS_AS(MetricsServer(config, source), std::invalid_argument);
    config = {};
    config.maxConnectionsPerPeer = 0;
    REQUIRE_THROWS_AS(MetricsServer(config, source), std::invalid_argument);
    config = {};
    config.readTimeout = 0ms;
    REQUIRE_THROWS_AS(MetricsServer(config, source), std::invalid_argument);
    REQUIRE_THROWS_AS(MetricsServer(MetricsServerConfig{}, nullptr), std::invalid_argument);

    MetricsServer taken(MetricsServerConfig{}, source);
    config = {};
    config.listen = "127.0.0.1:" + std::to_string(taken.LocalPort());
    REQUIRE_THROWS_AS(MetricsServer(config, source), std::system_error);
}
