#ifndef FABRICSCOPE_TELEMETRY_UDP_RECEIVER_H
#define FABRICSCOPE_TELEMETRY_UDP_RECEIVER_H

#include "telemetry/net/socket-address.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace fab::telemetry
{

struct UdpReceiverConfig
{
    /** Where to bind: "127.0.0.1:6343", "[::]:6343" (IPv4 too, as mapped addresses), port 0. */
    std::string listen{"127.0.0.1:6343"};
    /**
     * Datagrams that may wait for, or be in, the callback at once. Each holds a buffer of
     * maxDatagramBytes, allocated once; the pages of one are touched only when the queue first
     * grows that deep, so a queue that stays short costs little resident memory.
     */
    std::size_t queueCapacity{4096};
    /**
     * Larger datagrams are dropped and counted (droppedTruncated). sFlow agents keep datagrams
     * within the path MTU (1400 bytes by default in hsflowd), so a jumbo frame is plenty.
     */
    std::size_t maxDatagramBytes{9216};
    /**
     * Asked of the kernel for the socket's receive buffer, with SO_RCVBUFFORCE when the process
     * may (CAP_NET_ADMIN), else SO_RCVBUF, which net.core.rmem_max caps. The size granted is in
     * the stats.
     */
    std::size_t socketReceiveBufferBytes{8u << 20};
};

/** One datagram as handed to the callback. The bytes are valid until the callback returns. */
struct Datagram
{
    const std::uint8_t* data{nullptr};
    std::size_t size{0};
    /** IPv4-mapped IPv6 senders are given as IPv4. */
    SocketAddress sender;
    /** CLOCK_REALTIME nanoseconds since the Unix epoch, stamped by the kernel on arrival. */
    std::int64_t receiveTimeNs{0};
};

/**
 * Health of a receiver, read at one moment. Once Stop has returned,
 * datagramsReceived == datagramsDelivered + droppedQueueFull + droppedTruncated + discardedAtStop.
 */
struct UdpReceiverStats
{
    /** Read from the socket, whatever became of them. */
    std::uint64_t datagramsReceived{0};
    std::uint64_t bytesReceived{0};
    /** Handed to the callback (including those whose callback threw). */
    std::uint64_t datagramsDelivered{0};
    /** Read while every buffer was taken: dropped rather than making the socket wait. */
    std::uint64_t droppedQueueFull{0};
    /** Larger than maxDatagramBytes. */
    std::uint64_t droppedTruncated{0};
    /** Still queued when Stop(StopMode::DiscardQueued) ran. */
    std::uint64_t discardedAtStop{0};
    std::uint64_t callbackExceptions{0};
    std::uint64_t receiveErrors{0};
    /** Dropped by the kernel because the socket buffer was full (SO_RXQ_OVFL, SO_MEMINFO). */
    std::uint64_t kernelDrops{0};
    bool kernelDropsKnown{false};
    /** Buffers taken: queued or in the callback. */
    std::size_t queueDepth{0};
    std::size_t maxQueueDepth{0};
    std::size_t queueCapacity{0};
    std::uint64_t callbackTimeNs{0};
    std::uint64_t maxCallbackTimeNs{0};
    /** What the kernel granted (Linux reports twice the size asked for, bookkeeping included). */
    std::size_t socketReceiveBufferBytes{0};
};

enum class StopMode
{
    /** Stop reading, hand every queued datagram to the callback, then return. */
    DeliverQueued,
    /** Stop reading, finish the callback under way, count the rest as discardedAtStop. */
    DiscardQueued,
};

/**
 * Receives UDP datagrams and hands each to a callback on a consumer thread of its own.
 *
 * An Asio thread reads the socket (recvmmsg, in batches) into a fixed pool of buffers and queues
 * them; the consumer thread calls the callback for each in arrival order and returns the buffer
 * to the pool. Nothing is allocated per datagram. When every buffer is taken, the reader still
 * drains the socket and drops what it reads, counted, so a slow callback never leaves datagrams
 * waiting in the kernel and the drops are ours to count.
 */
class UdpReceiver
{
public:
    using Callback = std::function<void(const Datagram&)>;

    /**
     * Binds and starts both threads. Throws std::invalid_argument for a bad configuration and
     * std::system_error when the address cannot be bound.
     */
    UdpReceiver(const UdpReceiverConfig& config, Callback callback);

    /** Stop(StopMode::DiscardQueued). Must not run on the consumer thread (in the callback). */
    ~UdpReceiver();

    UdpReceiver(const UdpReceiver&) = delete;
    UdpReceiver& operator=(const UdpReceiver&) = delete;

    /** The bound address, with the port the kernel chose when 0 was asked for. */
    SocketAddress LocalAddress() const;

    std::uint16_t LocalPort() const { return LocalAddress().port; }

    /** Safe from any thread, also after Stop. */
    UdpReceiverStats Stats() const;

    /**
     * Stops reading, then delivers or discards what is queued (see StopMode) and returns when
     * the consumer thread has finished. Safe from any thread and more than once. Called from
     * the callback, it returns at once; the consumer thread ends when the callback returns.
     */
    void Stop(StopMode mode = StopMode::DeliverQueued);

    /** Bytes of buffer memory reserved: queueCapacity × maxDatagramBytes. */
    std::size_t PoolBytes() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fab::telemetry

#endif
