#include "telemetry/net/udp-sender.h"

#include "telemetry/net/asio-endpoint.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <stdexcept>
#include <system_error>

namespace fab::telemetry
{

class UdpSender::Impl
{
public:
    explicit Impl(const SocketAddress& destination)
    : m_socket(m_context)
    , m_endpoint(ToAsioEndpoint<boost::asio::ip::udp>(destination))
    {
        boost::system::error_code error;
        m_socket.open(m_endpoint.protocol(), error);
        if (!error)
        {
            m_socket.non_blocking(true, error);
        }
        if (error)
        {
            throw std::system_error(error.value(),
                                    std::generic_category(),
                                    "cannot open a UDP socket to " + destination.ToString());
        }
    }

    bool Send(const std::uint8_t* data, std::size_t size)
    {
        boost::system::error_code error;
        std::size_t sent = m_socket.send_to(boost::asio::buffer(data, size), m_endpoint, 0, error);
        return !error && sent == size;
    }

private:
    boost::asio::io_context m_context;
    boost::asio::ip::udp::socket m_socket;
    boost::asio::ip::udp::endpoint m_endpoint;
};

UdpSender::UdpSender(const std::string& destination)
: m_destination(ParseSocketAddress(destination))
{
    if (m_destination.port == 0)
    {
        throw std::invalid_argument("\"" + destination
                                    + "\": a destination needs a port other than 0");
    }
    m_impl = std::make_unique<Impl>(m_destination);
}

UdpSender::~UdpSender() = default;

bool
UdpSender::Send(const std::uint8_t* data, std::size_t size)
{
    if (!m_impl->Send(data, size))
    {
        ++m_stats.sendFailures;
        return false;
    }
    ++m_stats.datagramsSent;
    m_stats.bytesSent += size;
    return true;
}

} // namespace fab::telemetry
