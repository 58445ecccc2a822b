#ifndef FABRICSCOPE_TESTS_UDP_RECEIVER_H
#define FABRICSCOPE_TESTS_UDP_RECEIVER_H

// A UDP socket on 127.0.0.1 and a port the kernel picks, for tests that let a real exporter
// send to them. Plain POSIX: the project's own receiver is what such tests check, not use.

#include "support/local-sockets.h"

#include <cstdint>
#include <poll.h>
#include <sys/socket.h>
#include <vector>

namespace fab::tests
{

class UdpReceiver
{
public:
    UdpReceiver()
    : m_socket(::socket(AF_INET, SOCK_DGRAM, 0))
    {
        // Room for a burst: a replayed capture arrives much faster than it was recorded.
        int buffer = 8 << 20;
        ::setsockopt(m_socket.Get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        auto address = Loopback(0);
        socklen_t length = sizeof address;
        if (::bind(m_socket.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
            || ::getsockname(m_socket.Get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        {
            m_socket.Close();
            return;
        }
        m_port = ntohs(address.sin_port);
    }

    bool Open() const { return m_socket.Get() >= 0; }
    std::uint16_t Port() const { return m_port; }

    /** Waits up to timeoutMs for one datagram; false when none came. */
    bool Receive(std::vector<std::uint8_t>& datagram, int timeoutMs)
    {
        pollfd ready{m_socket.Get(), POLLIN, 0};
        if (!Open() || ::poll(&ready, 1, timeoutMs) <= 0)
        {
            return false;
        }
        datagram.resize(65536);
        auto size = ::recv(m_socket.Get(), datagram.data(), datagram.size(), 0);
        if (size < 0)
        {
            return false;
        }
        datagram.resize(static_cast<std::size_t>(size));
        return true;
    }

private:
    SocketHandle m_socket;
    std::uint16_t m_port{0};
};

} // namespace fab::tests

#endif
