#ifndef FABRICSCOPE_TELEMETRY_ASIO_ENDPOINT_H
#define FABRICSCOPE_TELEMETRY_ASIO_ENDPOINT_H

// Between our SocketAddress and Boost.Asio's endpoints, for the network edges' sources only:
// public headers of telemetry/net do not include Asio.

#include "telemetry/net/socket-address.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/basic_endpoint.hpp>

namespace fab::telemetry
{

template <typename Protocol>
boost::asio::ip::basic_endpoint<Protocol>
ToAsioEndpoint(const SocketAddress& address)
{
    namespace ip = boost::asio::ip;
    if (address.isIpv6)
    {
        ip::address_v6::bytes_type bytes;
        std::copy(address.address.begin(), address.address.end(), bytes.begin());
        return {ip::address_v6(bytes), address.port};
    }
    ip::address_v4::bytes_type bytes;
    std::copy(address.address.begin(), address.address.begin() + 4, bytes.begin());
    return {ip::address_v4(bytes), address.port};
}

template <typename Protocol>
SocketAddress
FromAsioEndpoint(const boost::asio::ip::basic_endpoint<Protocol>& endpoint)
{
    SocketAddress address;
    address.port = endpoint.port();
    if (endpoint.address().is_v6())
    {
        address.isIpv6 = true;
        auto bytes = endpoint.address().to_v6().to_bytes();
        std::copy(bytes.begin(), bytes.end(), address.address.begin());
    }
    else
    {
        auto bytes = endpoint.address().to_v4().to_bytes();
        std::copy(bytes.begin(), bytes.end(), address.address.begin());
    }
    return address;
}

} // namespace fab::telemetry

#endif
