// A slowloris for tests: hundreds of connections held open to a local HTTP server without ever
// completing a request, opened again as soon as the server closes them.
#ifndef FABRICSCOPE_TESTS_SLOWLORIS_H
#define FABRICSCOPE_TESTS_SLOWLORIS_H

#include "support/local-sockets.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <poll.h>
#include <string>
#include <thread>
#include <vector>

namespace fab::tests
{

/** "127.0.0.<first>" and the `count` - 1 after it: all loopback, each a peer of its own. */
inline std::vector<std::string>
LoopbackSources(int first, int count)
{
    std::vector<std::string> sources;
    for (int i = first; i < first + count; ++i)
    {
        sources.push_back("127.0.0." + std::to_string(i));
    }
    return sources;
}

struct SlowlorisOptions
{
    std::uint16_t port{0};
    /** Loopback addresses to connect from, in turn: each is another peer to the server. */
    std::vector<std::string> sources{"127.0.0.2"};
    int connections{300};
    /** Every n-th connection sends a byte of a never-ending request head each round; 0: none. */
    int trickleEvery{0};
    std::chrono::milliseconds round{20};
};

/**
 * Holds the connections on a thread of its own. Each round it opens those that are not open,
 * notices the ones the server closed (which it opens again at the next round) and trickles.
 */
class Slowloris
{
public:
    explicit Slowloris(SlowlorisOptions options)
    : m_options(std::move(options))
    , m_sockets(static_cast<std::size_t>(m_options.connections))
    , m_thread([this] { Run(); })
    {
    }

    ~Slowloris() { Stop(); }

    Slowloris(const Slowloris&) = delete;
    Slowloris& operator=(const Slowloris&) = delete;

    /** Closes every connection; the counts stay readable. */
    void Stop()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
        {
            m_thread.join();
        }
    }

    /** Connections made, the first time and again. */
    std::uint64_t Opened() const { return m_opened.load(); }
    /** Connections the server closed (or reset) under it. */
    std::uint64_t ClosedByServer() const { return m_closedByServer.load(); }
    /** Open now, at most `connections`. */
    std::size_t Held() const { return m_held.load(); }

private:
    void Run()
    {
        static const std::string head = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        std::vector<std::size_t> sent(m_sockets.size(), 0);
        std::vector<pollfd> waits;
        std::vector<std::size_t> waiting;
        for (;;)
        {
            for (std::size_t i = 0; i < m_sockets.size(); ++i)
            {
                if (m_sockets[i].Get() >= 0)
                {
                    continue;
                }
                try
                {
                    m_sockets[i] = ConnectTcpFrom(m_options.sources[i % m_options.sources.size()],
                                                  m_options.port,
                                                  std::chrono::milliseconds(200));
                    sent[i] = 0;
                    ++m_opened;
                }
                catch (const std::exception&)
                {
                    // A full accept queue: the next round tries again.
                }
            }
            waits.clear();
            waiting.clear();
            for (std::size_t i = 0; i < m_sockets.size(); ++i)
            {
                if (m_sockets[i].Get() >= 0)
                {
                    waits.push_back({m_sockets[i].Get(), POLLIN, 0});
                    waiting.push_back(i);
                }
            }
            ::poll(waits.data(), waits.size(), 0);
            for (std::size_t w = 0; w < waits.size(); ++w)
            {
                std::size_t i = waiting[w];
                bool trickles = m_options.trickleEvery > 0
                                && i % static_cast<std::size_t>(m_options.trickleEvery) == 0;
                // The server never answers a head that never ends: anything readable is its
                // close (or reset).
                bool closed = waits[w].revents != 0;
                if (!closed && trickles)
                {
                    char byte = sent[i] < head.size() ? head[sent[i]] : 'z';
                    closed = ::send(m_sockets[i].Get(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1;
                    ++sent[i];
                }
                if (closed)
                {
                    m_sockets[i].Close();
                    ++m_closedByServer;
                }
            }
            std::size_t held = 0;
            for (const auto& socket : m_sockets)
            {
                held += socket.Get() >= 0 ? 1 : 0;
            }
            m_held = held;
            std::unique_lock<std::mutex> lock(m_mutex);
            if (m_wake.wait_for(lock, m_options.round, [this] { return m_stopping; }))
            {
                break;
            }
        }
        for (auto& socket : m_sockets)
        {
            socket.Close();
        }
        m_held = 0;
    }

    SlowlorisOptions m_options;
    std::vector<SocketHandle> m_sockets;
    std::atomic<std::uint64_t> m_opened{0};
    std::atomic<std::uint64_t> m_closedByServer{0};
    std::atomic<std::size_t> m_held{0};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping{false};
    std::thread m_thread; // last: it starts once everything above is ready
};

} // namespace fab::tests

#endif
