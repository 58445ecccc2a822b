#ifndef FABRICSCOPE_TELEMETRY_SOCKET_ADDRESS_H
#define FABRICSCOPE_TELEMETRY_SOCKET_ADDRESS_H

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace fab::telemetry
{

/**
 * An IPv4 or IPv6 address with a port: where a server listens, or where a datagram came from.
 * Plain bytes, so that the network edges can hand it out without exposing Boost.Asio.
 */
struct SocketAddress
{
    bool isIpv6{false};
    /** Network byte order; an IPv4 address fills the first four bytes. */
    std::array<std::uint8_t, 16> address{};
    std::uint16_t port{0};

    /** "10.0.0.1:6343" or "[2001:db8::1]:6343". */
    std::string ToString() const;

    bool operator==(const SocketAddress& other) const
    {
        return isIpv6 == other.isIpv6 && address == other.address && port == other.port;
    }

    bool operator!=(const SocketAddress& other) const { return !(*this == other); }
};

/**
 * Parses a numeric listening address: "127.0.0.1:6343", "0.0.0.0:0", "[::1]:9464", "[::]:6343".
 * Port 0 asks for an ephemeral port. Host names are refused: a collector binds to an address,
 * and resolving one here would hide which. Throws std::invalid_argument naming the text and the
 * expected form.
 */
SocketAddress ParseSocketAddress(std::string_view text);

} // namespace fab::telemetry

#endif
