#include "telemetry/net/udp-receiver.h"

#include "telemetry/net/asio-endpoint.h"
#include "telemetry/net/datagram-queue.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <linux/sock_diag.h>
#include <mutex>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <vector>

namespace fab::telemetry
{

namespace asio = boost::asio;
using asio::ip::udp;

namespace
{

/** Datagrams asked of one recvmmsg call, and handed to the callback per lock of the queue. */
constexpr std::size_t kBatch = 32;

/**
 * Reads per readiness wake-up before the reader returns to the event loop, so that a flood
 * cannot keep Stop waiting.
 */
constexpr std::size_t kReadsPerWakeup = 1024;

constexpr std::size_t kControlBytes
    = CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(std::uint32_t));

std::int64_t
RealtimeNowNs()
{
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

SocketAddress
ToSocketAddress(const sockaddr_storage& storage)
{
    SocketAddress address;
    if (storage.ss_family == AF_INET)
    {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(storage);
        std::memcpy(address.address.data(), &v4.sin_addr, 4);
        address.port = ntohs(v4.sin_port);
    }
    else if (storage.ss_family == AF_INET6)
    {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(storage);
        address.port = ntohs(v6.sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr))
        {
            std::memcpy(address.address.data(), v6.sin6_addr.s6_addr + 12, 4);
        }
        else
        {
            address.isIpv6 = true;
            std::memcpy(address.address.data(), v6.sin6_addr.s6_addr, 16);
        }
    }
    return address;
}

const UdpReceiverConfig&
CheckedConfig(const UdpReceiverConfig& config)
{
    if (config.queueCapacity == 0 || config.queueCapacity > UINT32_MAX)
    {
        throw std::invalid_argument("UDP receiver: the queue capacity must be at least 1");
    }
    if (config.maxDatagramBytes == 0 || config.maxDatagramBytes > 65535)
    {
        throw std::invalid_argument(
            "UDP receiver: the largest datagram must be from 1 to 65535 bytes");
    }
    return config;
}

void
RaiseMax(std::atomic<std::uint64_t>& maximum, std::uint64_t value)
{
    auto current = maximum.load(std::memory_order_relaxed);
    while (value > current
           && !maximum.compare_exchange_weak(current, value, std::memory_order_relaxed))
    {
    }
}

} // namespace

class UdpReceiver::Impl
{
public:
    Impl(const UdpReceiverConfig& config, Callback callback);
    ~Impl();

    SocketAddress LocalAddress() const { return m_local; }

    UdpReceiverStats Stats() const;
    void Stop(StopMode mode);

    std::size_t PoolBytes() const { return m_queue.PoolBytes(); }

private:
    struct SlotInfo
    {
        std::size_t size{0};
        SocketAddress sender;
        std::int64_t receiveTimeNs{0};
    };

    void OpenSocket(const SocketAddress& address, std::size_t receiveBufferBytes);
    void ArmRead();
    void ReadAvailable();
    std::size_t ReceiveBatch(std::size_t taken);
    bool DropOne();
    void ReadControl(msghdr& header, std::int64_t& receiveTimeNs);
    void ConsumeLoop();
    void Deliver(std::uint32_t id);
    void RefreshKernelDrops() const;

    const Callback m_callback;
    DatagramQueue m_queue;
    std::vector<SlotInfo> m_slotInfo; // by buffer id

    // The reader thread's own scratch space for recvmmsg.
    std::array<std::uint32_t, kBatch> m_batchIds{};
    std::array<mmsghdr, kBatch> m_messages{};
    std::array<iovec, kBatch> m_vectors{};
    std::array<sockaddr_storage, kBatch> m_senders{};
    std::array<std::array<char, kControlBytes>, kBatch> m_controls{};
    std::unique_ptr<std::uint8_t[]> m_dropBuffer;

    asio::io_context m_io;
    udp::socket m_socket;
    SocketAddress m_local;
    mutable std::mutex m_descriptorMutex; // Stats may ask the socket while Stop closes it
    int m_descriptor{-1};
    bool m_kernelDropsKnown{false};
    std::size_t m_socketReceiveBufferBytes{0};

    std::atomic<std::uint64_t> m_received{0};
    std::atomic<std::uint64_t> m_bytes{0};
    std::atomic<std::uint64_t> m_delivered{0};
    std::atomic<std::uint64_t> m_droppedQueueFull{0};
    std::atomic<std::uint64_t> m_droppedTruncated{0};
    std::atomic<std::uint64_t> m_callbackExceptions{0};
    std::atomic<std::uint64_t> m_receiveErrors{0};
    mutable std::atomic<std::uint64_t> m_kernelDrops{0};
    std::atomic<std::uint64_t> m_callbackTimeNs{0};
    std::atomic<std::uint64_t> m_maxCallbackTimeNs{0};

    std::atomic<bool> m_stopReading{false};
    std::atomic<bool> m_stopStarted{false};
    std::mutex m_stopDoneMutex;
    std::condition_variable m_stopDoneCondition;
    bool m_stopDone{false};
    std::mutex m_joinMutex;

    std::thread m_consumerThread;
    std::thread::id m_consumerId;
    std::thread m_ioThread;
};

UdpReceiver::Impl::Impl(const UdpReceiverConfig& config, Callback callback)
: m_callback(std::move(callback))
, m_queue(CheckedConfig(config).queueCapacity, config.maxDatagramBytes)
, m_slotInfo(config.queueCapacity)
, m_dropBuffer(new std::uint8_t[config.maxDatagramBytes])
, m_socket(m_io)
{
    if (!m_callback)
    {
        throw std::invalid_argument("UDP receiver: no callback");
    }
    auto address = ParseSocketAddress(config.listen);
    try
    {
        OpenSocket(address, config.socketReceiveBufferBytes);
    }
    catch (const boost::system::system_error& error)
    {
        throw std::system_error(std::error_code(error.code().value(), std::system_category()),
                                "UDP receiver: cannot bind " + config.listen);
    }
    ArmRead();

    m_consumerThread = std::thread([this] { ConsumeLoop(); });
    m_consumerId = m_consumerThread.get_id();
    try
    {
        m_ioThread = std::thread([this] { m_io.run(); });
    }
    catch (...)
    {
        Stop(StopMode::DiscardQueued);
        throw;
    }
}

UdpReceiver::Impl::~Impl()
{
    Stop(StopMode::DiscardQueued);
}

void
UdpReceiver::Impl::OpenSocket(const SocketAddress& address, std::size_t receiveBufferBytes)
{
    auto endpoint = ToAsioEndpoint<udp>(address);
    m_socket.open(endpoint.protocol());
    if (address.isIpv6)
    {
        // "[::]" should hear IPv4 agents too, whatever net.ipv6.bindv6only says.
        m_socket.set_option(asio::ip::v6_only(false));
    }
    int fd = m_socket.native_handle();
    int wanted = static_cast<int>(std::min<std::size_t>(receiveBufferBytes, INT32_MAX / 2));
    if (wanted > 0 && ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof wanted) != 0)
    {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &wanted, sizeof wanted);
    }
    int granted = 0;
    socklen_t length = sizeof granted;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length) == 0)
    {
        m_socketReceiveBufferBytes = static_cast<std::size_t>(granted);
    }
    int on = 1;
    m_kernelDropsKnown = ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == 0;
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);

    m_socket.bind(endpoint);
    m_local = FromAsioEndpoint(m_socket.local_endpoint());
    m_descriptor = fd;
}

void
UdpReceiver::Impl::ArmRead()
{
    m_socket.async_wait(udp::socket::wait_read,
                        [this](const boost::system::error_code& error)
                        {
                            if (error == asio::error::operation_aborted || m_stopReading.load())
                            {
                                return;
                            }
                            if (error)
                            {
                                m_receiveErrors.fetch_add(1, std::memory_order_relaxed);
                            }
                            else
                            {
                                ReadAvailable();
                            }
                            if (!m_stopReading.load())
                            {
                                ArmRead();
                            }
                        });
}

void
UdpReceiver::Impl::ReadAvailable()
{
    std::size_t reads = 0;
    while (reads < kReadsPerWakeup && !m_stopReading.load(std::memory_order_relaxed))
    {
        std::size_t taken = m_queue.TakeFree(m_batchIds.data(), kBatch);
        if (taken == 0)
        {
            if (!DropOne())
            {
                return;
            }
            ++reads;
            continue;
        }
        std::size_t received = ReceiveBatch(taken);
        reads += received;
        if (received < taken)
        {
            return; // the socket is drained; the next wake-up says when there is more
        }
    }
}

void
UdpReceiver::Impl::ReadControl(msghdr& header, std::int64_t& receiveTimeNs)
{
    for (cmsghdr* control = CMSG_FIRSTHDR(&header); control != nullptr;
         control = CMSG_NXTHDR(&header, control))
    {
        if (control->cmsg_level != SOL_SOCKET)
        {
            continue;
        }
        if (control->cmsg_type == SCM_TIMESTAMPNS
            && control->cmsg_len >= CMSG_LEN(sizeof(struct timespec)))
        {
            struct timespec stamp;
            std::memcpy(&stamp, CMSG_DATA(control), sizeof stamp);
            receiveTimeNs = static_cast<std::int64_t>(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec;
        }
        else if (control->cmsg_type == SO_RXQ_OVFL
                 && control->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t)))
        {
            std::uint32_t drops = 0;
            std::memcpy(&drops, CMSG_DATA(control), sizeof drops);
            RaiseMax(m_kernelDrops, drops);
        }
    }
}

std::size_t
UdpReceiver::Impl::ReceiveBatch(std::size_t taken)
{
    const std::size_t bufferBytes = m_queue.BufferBytes();
    for (std::size_t i = 0; i < taken; ++i)
    {
        m_vectors[i] = {m_queue.Buffer(m_batchIds[i]), bufferBytes};
        msghdr& header = m_messages[i].msg_hdr;
        header = {};
        header.msg_name = &m_senders[i];
        header.msg_namelen = sizeof(sockaddr_storage);
        header.msg_iov = &m_vectors[i];
        header.msg_iovlen = 1;
        header.msg_control = m_controls[i].data();
        header.msg_controllen = kControlBytes;
        m_messages[i].msg_len = 0;
    }
    // MSG_TRUNC: msg_len is the datagram's real length, so bytes are counted even when dropped.
    int count = ::recvmmsg(m_descriptor,
                           m_messages.data(),
                           static_cast<unsigned>(taken),
                           MSG_DONTWAIT | MSG_TRUNC,
                           nullptr);
    std::size_t received = count > 0 ? static_cast<std::size_t>(count) : 0;
    if (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    {
        m_receiveErrors.fetch_add(1, std::memory_order_relaxed);
    }

    std::array<bool, kBatch> ready{};
    std::uint64_t bytes = 0;
    std::uint64_t truncated = 0;
    for (std::size_t i = 0; i < received; ++i)
    {
        std::size_t size = m_messages[i].msg_len;
        bytes += size;
        std::int64_t receiveTimeNs = 0;
        ReadControl(m_messages[i].msg_hdr, receiveTimeNs);
        if ((m_messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 || size > bufferBytes)
        {
            ++truncated;
            continue;
        }
        m_slotInfo[m_batchIds[i]] = {size,
                                     ToSocketAddress(m_senders[i]),
                                     receiveTimeNs != 0 ? receiveTimeNs : RealtimeNowNs()};
        ready[i] = true;
    }
    m_received.fetch_add(received, std::memory_order_relaxed);
    m_bytes.fetch_add(bytes, std::memory_order_relaxed);
    m_droppedTruncated.fetch_add(truncated, std::memory_order_relaxed);
    m_queue.Submit(m_batchIds.data(), ready.data(), taken);
    return received;
}

bool
UdpReceiver::Impl::DropOne()
{
    iovec vector{m_dropBuffer.get(), m_queue.BufferBytes()};
    sockaddr_storage sender;
    std::array<char, kControlBytes> control;
    msghdr header{};
    header.msg_name = &sender;
    header.msg_namelen = sizeof sender;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    auto size = ::recvmsg(m_descriptor, &header, MSG_DONTWAIT | MSG_TRUNC);
    if (size < 0)
    {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
            m_receiveErrors.fetch_add(1, std::memory_order_relaxed);
        }
        return false;
    }
    std::int64_t receiveTimeNs = 0;
    ReadControl(header, receiveTimeNs);
    m_received.fetch_add(1, std::memory_order_relaxed);
    m_bytes.fetch_add(static_cast<std::uint64_t>(size), std::memory_order_relaxed);
    m_droppedQueueFull.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void
UdpReceiver::Impl::ConsumeLoop()
{
    std::array<std::uint32_t, kBatch> batch;
    while (std::size_t count = m_queue.WaitForReady(batch.data(), batch.size()))
    {
        std::size_t delivered = 0;
        for (; delivered < count && !m_queue.Discarding(); ++delivered)
        {
            Deliver(batch[delivered]);
        }
        m_queue.Release(batch.data(), count, count - delivered);
    }
}

void
UdpReceiver::Impl::Deliver(std::uint32_t id)
{
    const SlotInfo& info = m_slotInfo[id];
    Datagram datagram{m_queue.Buffer(id), info.size, info.sender, info.receiveTimeNs};
    auto start = std::chrono::steady_clock::now();
    try
    {
        m_callback(datagram);
    }
    catch (...)
    {
        // The collector keeps going; the count tells that a decoder has a bug.
        m_callbackExceptions.fetch_add(1, std::memory_order_relaxed);
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    m_callbackTimeNs.fetch_add(static_cast<std::uint64_t>(elapsed), std::memory_order_relaxed);
    RaiseMax(m_maxCallbackTimeNs, static_cast<std::uint64_t>(elapsed));
    m_delivered.fetch_add(1, std::memory_order_relaxed);
}

void
UdpReceiver::Impl::RefreshKernelDrops() const
{
    // SK_MEMINFO_DROPS counts like SO_RXQ_OVFL but also sees the drops after the last datagram
    // read; callers hold m_descriptorMutex.
    if (m_descriptor < 0)
    {
        return;
    }
    std::uint32_t memory[SK_MEMINFO_VARS] = {};
    socklen_t length = sizeof memory;
    if (::getsockopt(m_descriptor, SOL_SOCKET, SO_MEMINFO, memory, &length) == 0
        && length > SK_MEMINFO_DROPS * sizeof(std::uint32_t))
    {
        RaiseMax(m_kernelDrops, memory[SK_MEMINFO_DROPS]);
    }
}

UdpReceiverStats
UdpReceiver::Impl::Stats() const
{
    {
        std::lock_guard<std::mutex> lock(m_descriptorMutex);
        RefreshKernelDrops();
    }
    UdpReceiverStats stats;
    stats.datagramsReceived = m_received.load(std::memory_order_relaxed);
    stats.bytesReceived = m_bytes.load(std::memory_order_relaxed);
    stats.datagramsDelivered = m_delivered.load(std::memory_order_relaxed);
    stats.droppedQueueFull = m_droppedQueueFull.load(std::memory_order_relaxed);
    stats.droppedTruncated = m_droppedTruncated.load(std::memory_order_relaxed);
    stats.discardedAtStop = m_queue.Discarded();
    stats.callbackExceptions = m_callbackExceptions.load(std::memory_order_relaxed);
    stats.receiveErrors = m_receiveErrors.load(std::memory_order_relaxed);
    stats.kernelDrops = m_kernelDrops.load(std::memory_order_relaxed);
    stats.kernelDropsKnown = m_kernelDropsKnown;
    stats.queueDepth = m_queue.Depth();
    stats.maxQueueDepth = m_queue.MaxDepth();
    stats.queueCapacity = m_queue.Capacity();
    stats.callbackTimeNs = m_callbackTimeNs.load(std::memory_order_relaxed);
    stats.maxCallbackTimeNs = m_maxCallbackTimeNs.load(std::memory_order_relaxed);
    stats.socketReceiveBufferBytes = m_socketReceiveBufferBytes;
    return stats;
}

void
UdpReceiver::Impl::Stop(StopMode mode)
{
    if (mode == StopMode::DiscardQueued)
    {
        // At once, so the callback under way is the last; the queue is finished only once the
        // reader has stopped, so nothing it still submits is left uncounted.
        m_queue.Discard();
    }
    bool onConsumer = std::this_thread::get_id() == m_consumerId;
    if (!m_stopStarted.exchange(true))
    {
        m_stopReading.store(true);
        m_io.stop();
        if (m_ioThread.joinable())
        {
            m_ioThread.join();
        }
        {
            std::lock_guard<std::mutex> lock(m_descriptorMutex);
            RefreshKernelDrops();
            boost::system::error_code ignored;
            m_socket.close(ignored);
            m_descriptor = -1;
        }
        m_queue.Finish(mode == StopMode::DiscardQueued);
        {
            std::lock_guard<std::mutex> lock(m_stopDoneMutex);
            m_stopDone = true;
        }
        m_stopDoneCondition.notify_all();
    }
    else if (!onConsumer)
    {
        std::unique_lock<std::mutex> lock(m_stopDoneMutex);
        m_stopDoneCondition.wait(lock, [this] { return m_stopDone; });
    }
    if (!onConsumer)
    {
        std::lock_guard<std::mutex> lock(m_joinMutex);
        if (m_consumerThread.joinable())
        {
            m_consumerThread.join();
        }
    }
}

UdpReceiver::UdpReceiver(const UdpReceiverConfig& config, Callback callback)
: m_impl(std::make_unique<Impl>(config, std::move(callback)))
{
}

UdpReceiver::~UdpReceiver() = default;

SocketAddress
UdpReceiver::LocalAddress() const
{
    return m_impl->LocalAddress();
}

UdpReceiverStats
UdpReceiver::Stats() const
{
    return m_impl->Stats();
}

void
UdpReceiver::Stop(StopMode mode)
{
    m_impl->Stop(mode);
}

std::size_t
UdpReceiver::PoolBytes() const
{
    return m_impl->PoolBytes();
}

} // namespace fab::telemetry
