#ifndef FABRICSCOPE_TELEMETRY_UDP_SENDER_H
#define FABRICSCOPE_TELEMETRY_UDP_SENDER_H

#include "telemetry/net/socket-address.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace fab::telemetry
{

struct UdpSenderStats
{
    std::uint64_t datagramsSent{0};
    std::uint64_t bytesSent{0};
    /** Datagrams the kernel refused (full buffer, no route, an earlier ICMP unreachable). */
    std::uint64_t sendFailures{0};
};

/**
 * Sends datagrams to one address (an exporter's collector) from an unbound, non-blocking UDP
 * socket. A send never waits and never throws: what cannot go out now is counted and dropped, so
 * an absent or slow collector costs the sender nothing but its datagrams. Not thread-safe.
 */
class UdpSender
{
public:
    /**
     * `destination` as ParseSocketAddress reads it ("127.0.0.1:6343", "[::1]:6343"). Throws
     * std::invalid_argument for a bad address or port 0, std::system_error when no socket opens.
     */
    explicit UdpSender(const std::string& destination);
    ~UdpSender();

    UdpSender(const UdpSender&) = delete;
    UdpSender& operator=(const UdpSender&) = delete;

    /** False when the datagram was not sent (counted in sendFailures). */
    bool Send(const std::uint8_t* data, std::size_t size);

    const SocketAddress& Destination() const { return m_destination; }

    UdpSenderStats Stats() const { return m_stats; }

private:
    class Impl;

    SocketAddress m_destination;
    std::unique_ptr<Impl> m_impl;
    UdpSenderStats m_stats;
};

} // namespace fab::telemetry

#endif
