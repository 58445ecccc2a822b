#ifndef FABRICSCOPE_TESTS_LOCAL_SOCKETS_H
#define FABRICSCOPE_TESTS_LOCAL_SOCKETS_H

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace fab::tests
{

/** A socket descriptor that closes itself. */
class SocketHandle
{
public:
    explicit SocketHandle(int descriptor = -1)
    : m_descriptor(descriptor)
    {
    }

    ~SocketHandle() { Close(); }

    SocketHandle(SocketHandle&& other) noexcept
    : m_descriptor(other.m_descriptor)
    {
        other.m_descriptor = -1;
    }

    SocketHandle& operator=(SocketHandle&& other) noexcept
    {
        if (this != &other)
        {
            Close();
            m_descriptor = other.m_descriptor;
            other.m_descriptor = -1;
        }
        return *this;
    }

    int Get() const { return m_descriptor; }

    void Close()
    {
        if (m_descriptor >= 0)
        {
            ::close(m_descriptor);
            m_descriptor = -1;
        }
    }

private:
    int m_descriptor;
};

inline sockaddr_in
Loopback(std::uint16_t port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a program that must be told its port
 * before it starts (a child process). Our own servers bind port 0 instead.
 */
inline std::uint16_t
FreeTcpPort()
{
    SocketHandle probe(::socket(AF_INET, SOCK_STREAM, 0));
    auto address = Loopback(0);
    socklen_t length = sizeof address;
    if (::bind(probe.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
        || ::getsockname(probe.Get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    {
        throw std::runtime_error("no free TCP port on 127.0.0.1");
    }
    return ntohs(address.sin_port);
}

/**
 * A blocking TCP connection to 127.0.0.1:port from `source` (another loopback address such as
 * "127.0.0.2", so that the server sees another peer; empty: the kernel's choice) whose connect,
 * reads and writes give up after `timeout`.
 */
inline SocketHandle
ConnectTcpFrom(const std::string& source,
               std::uint16_t port,
               std::chrono::milliseconds timeout = std::chrono::seconds(10))
{
    SocketHandle socket(::socket(AF_INET, SOCK_STREAM, 0));
    timeval limit{static_cast<time_t>(timeout.count() / 1000),
                  static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(socket.Get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(socket.Get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (!source.empty())
    {
        sockaddr_in from = Loopback(0);
        if (::inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1
            || ::bind(socket.Get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0)
        {
            throw std::runtime_error("cannot bind to " + source);
        }
    }
    auto address = Loopback(port);
    if (::connect(socket.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    {
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    return socket;
}

/** A blocking TCP connection to 127.0.0.1:port whose reads and writes give up after `timeout`. */
inline SocketHandle
ConnectTcp(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10))
{
    return ConnectTcpFrom("", port, timeout);
}

/** Writes everything or returns false (peer gone, timeout). */
inline bool
SendAll(const SocketHandle& socket, std::string_view bytes)
{
    while (!bytes.empty())
    {
        auto sent = ::send(socket.Get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
        {
            continue;
        }
        if (sent <= 0)
        {
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

/** Reads until the peer closes, an error or the socket's timeout. */
inline std::string
ReadUntilClosed(const SocketHandle& socket)
{
    std::string out;
    char buffer[65536];
    for (;;)
    {
        auto got = ::recv(socket.Get(), buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR)
        {
            continue;
        }
        if (got <= 0)
        {
            return out;
        }
        out.append(buffer, static_cast<std::size_t>(got));
    }
}

/** True when the peer closed (or reset) the connection within `timeout`, without reading data. */
inline bool
PeerClosesWithin(const SocketHandle& socket, std::chrono::milliseconds timeout)
{
    pollfd wait{socket.Get(), POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(timeout.count())) <= 0)
    {
        return false;
    }
    char byte;
    return ::recv(socket.Get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

struct HttpResponse
{
    int status{0};
    std::string head;
    std::string body;
    /** The raw response was complete: a status line, a head and Content-Length bytes of body. */
    bool complete{false};

    /** The value of a header (case-insensitive name), or empty. */
    std::string Header(std::string_view name) const
    {
        std::size_t start = head.find("\r\n");
        while (start != std::string::npos && start + 2 < head.size())
        {
            start += 2;
            auto end = head.find("\r\n", start);
            auto line = std::string_view(head).substr(start, end - start);
            auto colon = line.find(':');
            if (colon == name.size())
            {
                bool same = true;
                for (std::size_t i = 0; i < colon; ++i)
                {
                    same = same
                           && std::tolower(static_cast<unsigned char>(line[i]))
                                  == std::tolower(static_cast<unsigned char>(name[i]));
                }
                if (same)
                {
                    auto value = line.substr(colon + 1);
                    while (!value.empty() && value.front() == ' ')
                    {
                        value.remove_prefix(1);
                    }
                    return std::string(value);
                }
            }
            start = end;
        }
        return {};
    }
};

/**
 * Reads one response from a connection that may stay open: the head, then Content-Length
 * bytes, or up to the close when there is no Content-Length. Bytes read past the response are
 * kept in `pending` for the next call.
 */
inline HttpResponse
ReadHttpResponse(const SocketHandle& socket, std::string& pending, bool headOnly = false)
{
    HttpResponse response;
    char buffer[65536];
    auto fill = [&]()
    {
        for (;;)
        {
            auto got = ::recv(socket.Get(), buffer, sizeof buffer, 0);
            if (got < 0 && errno == EINTR)
            {
                continue;
            }
            if (got <= 0)
            {
                return false;
            }
            pending.append(buffer, static_cast<std::size_t>(got));
            return true;
        }
    };
    std::size_t headEnd;
    while ((headEnd = pending.find("\r\n\r\n")) == std::string::npos)
    {
        if (!fill())
        {
            return response;
        }
    }
    response.head = pending.substr(0, headEnd + 4);
    pending.erase(0, headEnd + 4);
    if (response.head.compare(0, 9, "HTTP/1.1 ") != 0
        && response.head.compare(0, 9, "HTTP/1.0 ") != 0)
    {
        return response;
    }
    response.status = std::stoi(response.head.substr(9, 3));
    auto lengthText = response.Header("Content-Length");
    if (headOnly)
    {
        response.complete = true;
        return response;
    }
    if (lengthText.empty())
    {
        while (fill())
        {
        }
        response.body.swap(pending);
        response.complete = true;
        return response;
    }
    std::size_t length = std::stoul(lengthText);
    while (pending.size() < length)
    {
        if (!fill())
        {
            return response;
        }
    }
    response.body = pending.substr(0, length);
    pending.erase(0, length);
    response.complete = true;
    return response;
}

/**
 * One request on a connection of its own, closed afterwards (HTTP/1.0: never chunked), from
 * `source` when one is given (see ConnectTcpFrom).
 */
inline HttpResponse
HttpGet(std::uint16_t port, const std::string& target, const std::string& source = "")
{
    auto socket = ConnectTcpFrom(source, port);
    if (!SendAll(socket, "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"))
    {
        return {};
    }
    std::string pending;
    return ReadHttpResponse(socket, pending);
}

} // namespace fab::tests

#endif
