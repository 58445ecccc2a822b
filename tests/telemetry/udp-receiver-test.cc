#include "support/local-sockets.h"
#include "telemetry/net/udp-receiver.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

using namespace fab::telemetry;
using namespace std::chrono_literals;
using fab::tests::SocketHandle;

namespace
{

bool
WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition())
    {
        if (std::chrono::steady_clock::now() > deadline)
        {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

std::int64_t
RealtimeNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/** A UDP socket bound to an ephemeral port, sending to one receiver. */
class Sender
{
public:
    Sender(const SocketAddress& to)
    : m_socket(::socket(to.isIpv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0))
    {
        if (to.isIpv6)
        {
            sockaddr_in6 address{};
            address.sin6_family = AF_INET6;
            address.sin6_port = htons(to.port);
            std::memcpy(&address.sin6_addr, to.address.data(), 16);
            ::connect(m_socket.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
        }
        else
        {
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(to.port);
            std::memcpy(&address.sin_addr, to.address.data(), 4);
            ::connect(m_socket.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
        }
    }

    bool Send(const void* data, std::size_t size)
    {
        return ::send(m_socket.Get(), data, size, 0) == static_cast<ssize_t>(size);
    }

    bool Send(const std::vector<std::uint8_t>& bytes) { return Send(bytes.data(), bytes.size()); }

    std::uint16_t LocalPort() const
    {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        ::getsockname(m_socket.Get(), reinterpret_cast<sockaddr*>(&address), &length);
        return ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port); // same offset in v6
    }

private:
    SocketHandle m_socket;
};

/** The datagram numbered `sequence`: its number, then bytes derived from it. */
std::vector<std::uint8_t>
NumberedDatagram(std::uint32_t sequence, std::size_t size)
{
    std::vector<std::uint8_t> bytes(std::max<std::size_t>(size, 4));
    std::memcpy(bytes.data(), &sequence, 4);
    for (std::size_t i = 4; i < bytes.size(); ++i)
    {
        bytes[i] = static_cast<std::uint8_t>(sequence * 31 + i);
    }
    return bytes;
}

std::uint32_t
SequenceOf(const Datagram& datagram)
{
    std::uint32_t sequence = 0;
    std::memcpy(&sequence, datagram.data, 4);
    return sequence;
}

/** A gate the callback waits at until the test opens it. */
class Latch
{
public:
    void Wait()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_waiting = true;
        m_changed.notify_all();
        m_changed.wait(lock, [this] { return m_open; });
    }

    void WaitUntilWaiting()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return m_waiting; });
    }

    void Open()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_open = true;
        m_changed.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_waiting{false};
    bool m_open{false};
};

std::size_t
ResidentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return std::stoul(line.substr(6)) * 1024;
        }
    }
    return 0;
}

void
RequireAccountedFor(const UdpReceiverStats& stats)
{
    CAPTURE(stats.datagramsReceived,
            stats.datagramsDelivered,
            stats.droppedQueueFull,
            stats.droppedTruncated,
            stats.discardedAtStop);
    REQUIRE(stats.datagramsReceived
            == stats.datagramsDelivered + stats.droppedQueueFull + stats.droppedTruncated
                   + stats.discardedAtStop);
}

UdpReceiverConfig
LoopbackConfig()
{
    UdpReceiverConfig config;
    config.listen = "127.0.0.1:0";
    return config;
}

} // namespace

TEST_CASE("every datagram reaches the callback with its bytes, sender and time",
          "[telemetry][udp-receiver]")
{
    std::mutex mutex;
    std::vector<std::vector<std::uint8_t>> seen;
    std::vector<std::pair<SocketAddress, std::int64_t>> meta; // sender, receive time
    UdpReceiver receiver(LoopbackConfig(),
                         [&](const Datagram& datagram)
                         {
                             std::lock_guard<std::mutex> lock(mutex);
                             seen.emplace_back(datagram.data, datagram.data + datagram.size);
                             meta.emplace_back(datagram.sender, datagram.receiveTimeNs);
                         });
    REQUIRE(receiver.LocalPort() != 0);
    REQUIRE(receiver.LocalAddress().ToString()
            == "127.0.0.1:" + std::to_string(receiver.LocalPort()));

    Sender sender(receiver.LocalAddress());
    const std::uint32_t count = 1000;
    std::uint64_t bytes = 0;
    auto before = RealtimeNowNs();
    for (std::uint32_t i = 0; i < count; ++i)
    {
        auto datagram = NumberedDatagram(i, 1 + i % 1400);
        bytes += datagram.size();
        REQUIRE(sender.Send(datagram));
    }
    REQUIRE(WaitFor([&] { return receiver.Stats().datagramsDelivered == count; }));
    auto after = RealtimeNowNs();

    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(seen.size() == count);
    for (std::uint32_t i = 0; i < count; ++i)
    {
        CAPTURE(i);
        REQUIRE(seen[i] == NumberedDatagram(i, 1 + i % 1400)); // in order, byte for byte
        REQUIRE(meta[i].first.ToString() == "127.0.0.1:" + std::to_string(sender.LocalPort()));
        REQUIRE(meta[i].second >= before - 1'000'000); // the kernel's stamp, on the same clock
        REQUIRE(meta[i].second <= after + 1'000'000);
    }
    auto stats = receiver.Stats();
    REQUIRE(stats.datagramsReceived == count);
    REQUIRE(stats.bytesReceived == bytes);
    REQUIRE(stats.droppedQueueFull == 0);
    REQUIRE(stats.droppedTruncated == 0);
    REQUIRE(stats.kernelDrops == 0);
    REQUIRE(stats.kernelDropsKnown);
    REQUIRE(stats.queueCapacity == 4096);
    REQUIRE(stats.maxQueueDepth >= 1);
    REQUIRE(stats.socketReceiveBufferBytes > 0);
    REQUIRE(WaitFor([&] { return receiver.Stats().queueDepth == 0; }));
}

TEST_CASE("a full queue drops exactly what does not fit", "[telemetry][udp-receiver]")
{
    // The consumer is held in the callback of the first datagram: it holds one buffer, the
    // other capacity - 1 fill up, and every further datagram is read and dropped.
    const std::size_t capacity = 8;
    const std::uint32_t sent = 50;
    Latch latch;
    std::vector<std::uint32_t> delivered;
    auto config = LoopbackConfig();
    config.queueCapacity = capacity;
    UdpReceiver receiver(config,
                         [&](const Datagram& datagram)
                         {
                             if (delivered.empty())
                             {
                                 latch.Wait();
                             }
                             delivered.push_back(SequenceOf(datagram));
                         });
    Sender sender(receiver.LocalAddress());
    REQUIRE(sender.Send(NumberedDatagram(0, 64)));
    latch.WaitUntilWaiting();
    for (std::uint32_t i = 1; i < sent; ++i)
    {
        REQUIRE(sender.Send(NumberedDatagram(i, 64)));
    }
    REQUIRE(WaitFor([&] { return receiver.Stats().datagramsReceived == sent; }));
    auto full = receiver.Stats();
    REQUIRE(full.droppedQueueFull == sent - capacity);
    REQUIRE(full.queueDepth == capacity);
    REQUIRE(full.maxQueueDepth == capacity);
    REQUIRE(full.kernelDrops == 0);

    latch.Open();
    REQUIRE(WaitFor([&] { return receiver.Stats().datagramsDelivered == capacity; }));
    receiver.Stop();
    REQUIRE(delivered == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}); // the first ones
    RequireAccountedFor(receiver.Stats());
}

TEST_CASE("Stop delivers or discards what is queued, as asked", "[telemetry][udp-receiver]")
{
    const std::size_t capacity = 16;
    auto mode = GENERATE(StopMode::DeliverQueued, StopMode::DiscardQueued);
    Latch latch;
    std::atomic<int> calls{0};
    auto config = LoopbackConfig();
    config.queueCapacity = capacity;
    std::atomic<UdpReceiver*> self{nullptr};
    auto receiver = std::make_unique<UdpReceiver>(
        config,
        [&](const Datagram&)
        {
            if (calls++ == 0)
            {
                latch.Wait();
                self.load()->Stop(mode); // from the callback: returns at once
            }
        });
    self = receiver.get();
    Sender sender(receiver->LocalAddress());
    REQUIRE(sender.Send(NumberedDatagram(0, 64)));
    latch.WaitUntilWaiting();
    for (std::uint32_t i = 1; i < capacity; ++i)
    {
        REQUIRE(sender.Send(NumberedDatagram(i, 64)));
    }
    REQUIRE(WaitFor([&] { return receiver->Stats().datagramsReceived == capacity; }));
    latch.Open();
    receiver->Stop(); // waits for the consumer thread
    auto stats = receiver->Stats();
    RequireAccountedFor(stats);
    if (mode == StopMode::DeliverQueued)
    {
        REQUIRE(calls == static_cast<int>(capacity));
        REQUIRE(stats.discardedAtStop == 0);
    }
    else
    {
        REQUIRE(calls == 1);
        REQUIRE(stats.discardedAtStop == capacity - 1);
    }
    REQUIRE(stats.queueDepth == 0);

    // Nothing is read any more.
    REQUIRE(sender.Send(NumberedDatagram(99, 64)));
    REQUIRE(receiver->Stats().datagramsReceived == capacity);
    receiver.reset();
}

TEST_CASE("Stop while datagrams keep coming", "[telemetry][udp-receiver]")
{
    auto mode = GENERATE(StopMode::DeliverQueued, StopMode::DiscardQueued);
    auto config = LoopbackConfig();
    config.queueCapacity = 64;
    std::atomic<std::uint64_t> calls{0};
    UdpReceiver receiver(config,
                         [&](const Datagram&)
                         {
                             ++calls;
                             std::this_thread::sleep_for(
                                 50us); // a slow consumer: the queue fills and drops
                         });
    std::atomic<bool> sending{true};
    std::thread flood(
        [&]
        {
            Sender sender(receiver.LocalAddress());
            auto datagram = NumberedDatagram(1, 256);
            while (sending.load())
            {
                sender.Send(datagram);
            }
        });
    REQUIRE(WaitFor([&] { return receiver.Stats().droppedQueueFull > 100; }));
    std::thread stopper([&] { receiver.Stop(mode); });
    receiver.Stop(mode); // twice, from two threads
    stopper.join();
    auto stopped = receiver.Stats();
    RequireAccountedFor(stopped);
    REQUIRE(calls == stopped.datagramsDelivered);
    REQUIRE(stopped.queueDepth == 0);
    if (mode == StopMode::DeliverQueued)
    {
        REQUIRE(stopped.discardedAtStop == 0);
    }
    std::this_thread::sleep_for(20ms); // the sender goes on; nothing more is read
    REQUIRE(receiver.Stats().datagramsReceived == stopped.datagramsReceived);
    sending = false;
    flood.join();
}

TEST_CASE("datagrams larger than the buffers are dropped and counted", "[telemetry][udp-receiver]")
{
    auto config = LoopbackConfig();
    config.maxDatagramBytes = 100;
    std::mutex mutex;
    std::vector<std::size_t> sizes;
    UdpReceiver receiver(config,
                         [&](const Datagram& datagram)
                         {
                             std::lock_guard<std::mutex> lock(mutex);
                             sizes.push_back(datagram.size);
                         });
    Sender sender(receiver.LocalAddress());
    for (std::size_t size : {50, 100, 101, 1000, 65507, 1})
    {
        REQUIRE(sender.Send(NumberedDatagram(0, size)));
    }
    REQUIRE(WaitFor([&] { return receiver.Stats().datagramsReceived == 6; }));
    receiver.Stop();
    auto stats = receiver.Stats();
    REQUIRE(stats.droppedTruncated == 3);
    REQUIRE(stats.bytesReceived == 50 + 100 + 101 + 1000 + 65507 + 4);
    REQUIRE(sizes == std::vector<std::size_t>{50, 100, 4});
    RequireAccountedFor(stats);
}

TEST_CASE("a throwing callback is counted and the receiver goes on", "[telemetry][udp-receiver]")
{
    std::atomic<int> calls{0};
    UdpReceiver receiver(LoopbackConfig(),
                         [&](const Datagram&)
                         {
                             if (calls++ % 2 == 0)
                             {
                                 throw std::runtime_error("decoder bug");
                             }
                         });
    Sender sender(receiver.LocalAddress());
    for (std::uint32_t i = 0; i < 10; ++i)
    {
        REQUIRE(sender.Send(NumberedDatagram(i, 32)));
    }
    REQUIRE(WaitFor([&] { return receiver.Stats().datagramsDelivered == 10; }));
    REQUIRE(receiver.Stats().callbackExceptions == 5);
}

TEST_CASE("the receiver listens on IPv6 and, from [::], hears IPv4", "[telemetry][udp-receiver][needs:ipv6]")
{
    std::mutex mutex;
    std::vector<SocketAddress> senders;
    auto config = LoopbackConfig();
    config.listen = "[::]:0";
    auto receiver = std::make_unique<UdpReceiver>(config,
                                                  [&](const Datagram& datagram)
                                                  {
                                                      std::lock_guard<std::mutex> lock(mutex);
                                                      senders.push_back(datagram.sender);
                                                  });
    REQUIRE(receiver->LocalAddress().isIpv6);
    auto port = receiver->LocalPort();
    Sender overIpv4(ParseSocketAddress("127.0.0.1:" + std::to_string(port)));
    REQUIRE(overIpv4.Send(NumberedDatagram(1, 8)));
    REQUIRE(WaitFor([&] { return receiver->Stats().datagramsDelivered == 1; }));
    Sender overIpv6(ParseSocketAddress("[::1]:" + std::to_string(port)));
    REQUIRE(overIpv6.Send(NumberedDatagram(2, 8)));
    REQUIRE(WaitFor([&] { return receiver->Stats().datagramsDelivered == 2; }));
    receiver->Stop();
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE_FALSE(senders[0].isIpv6); // the mapped address is given as IPv4
    REQUIRE(senders[0].ToString() == "127.0.0.1:" + std::to_string(overIpv4.LocalPort()));
    REQUIRE(senders[1].ToString() == "[::1]:" + std::to_string(overIpv6.LocalPort()));
}

TEST_CASE("a bad receiver configuration is refused", "[telemetry][udp-receiver]")
{
    auto ignore = [](const Datagram&) {
    };
    auto config = LoopbackConfig();
    config.queueCapacity = 0;
    REQUIRE_THROWS_AS(UdpReceiver(config, ignore), std::invalid_argument);
    config = LoopbackConfig();
    config.maxDatagramBytes = 70000;
    REQUIRE_THROWS_AS(UdpReceiver(config, ignore), std::invalid_argument);
    config = LoopbackConfig();
    config.listen = "6343";
    REQUIRE_THROWS_AS(UdpReceiver(config, ignore), std::invalid_argument);
    REQUIRE_THROWS_AS(UdpReceiver(LoopbackConfig(), nullptr), std::invalid_argument);

    UdpReceiver taken(LoopbackConfig(), ignore);
    config = LoopbackConfig();
    config.listen = taken.LocalAddress().ToString();
    REQUIRE_THROWS_AS(UdpReceiver(config, ignore), std::system_error);
}

TEST_CASE("a flood of 200,000 datagrams is accounted for in bounded memory",
          "[telemetry][udp-receiver][flood]")
{
    const std::uint32_t count = 200'000;
    const std::size_t size = 1400; // a typical sFlow datagram, within a 1500-byte MTU
    // Nanoseconds of work per datagram in the callback, and the socket buffer asked for: the
    // small one makes the kernel drop too, so all three fates are counted.
    auto [spin, socketBuffer] = GENERATE(table<int, std::size_t>({
        {0, 8u << 20},
        {2000, 8u << 20},
        {2000, 32u << 10},
    }));
    CAPTURE(spin, socketBuffer);
    auto config = LoopbackConfig();
    config.socketReceiveBufferBytes = socketBuffer;

    auto residentBefore = ResidentBytes();
    std::vector<std::uint8_t> seen(count, 0); // allocated before the flood
    std::uint64_t duplicates = 0;
    std::uint64_t damaged = 0;
    UdpReceiver receiver(
        config,
        [&](const Datagram& datagram)
        {
            auto sequence = SequenceOf(datagram);
            if (sequence >= count || datagram.size != size
                || datagram.data[size - 1] != static_cast<std::uint8_t>(sequence * 31 + size - 1))
            {
                ++damaged;
                return;
            }
            duplicates += seen[sequence]++ > 0 ? 1 : 0;
            auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(spin);
            while (spin > 0 && std::chrono::steady_clock::now() < until)
            {
            }
        });

    Sender sender(receiver.LocalAddress());
    auto datagram = NumberedDatagram(0, size);
    std::uint64_t sent = 0;
    auto start = std::chrono::steady_clock::now();
    for (std::uint32_t i = 0; i < count; ++i)
    {
        std::memcpy(datagram.data(), &i, 4);
        for (std::size_t j = 4; j < size; ++j)
        {
            datagram[j] = static_cast<std::uint8_t>(i * 31 + j);
        }
        sent += sender.Send(datagram) ? 1 : 0;
    }
    auto sendSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    // Every datagram sent is read by us or counted as dropped by the kernel.
    REQUIRE(WaitFor(
        [&]
        {
            auto stats = receiver.Stats();
            return stats.datagramsReceived + stats.kernelDrops == sent;
        }));
    auto readSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    auto residentAfter = ResidentBytes();
    receiver.Stop();
    auto stats = receiver.Stats();

    std::cout << "udp flood (callback spin " << spin << " ns, socket buffer asked " << socketBuffer
              << " B): sent " << sent << " of " << count << " in " << sendSeconds.count()
              << " s; received " << stats.datagramsReceived << " ("
              << stats.datagramsReceived / readSeconds.count() << " datagrams/s, "
              << stats.bytesReceived * 8 / readSeconds.count() / 1e9 << " Gbit/s), delivered "
              << stats.datagramsDelivered << ", dropped: queue full " << stats.droppedQueueFull
              << ", kernel " << stats.kernelDrops << "; max queue depth " << stats.maxQueueDepth
              << " of " << stats.queueCapacity << "; socket buffer granted "
              << stats.socketReceiveBufferBytes << " B; callback mean "
              << (stats.datagramsDelivered > 0 ? stats.callbackTimeNs / stats.datagramsDelivered
                                               : 0)
              << " ns, max " << stats.maxCallbackTimeNs << " ns; pool " << receiver.PoolBytes()
              << " B; resident +" << (residentAfter - residentBefore) / 1024 << " KiB\n";

    REQUIRE(sent == count);
    REQUIRE(stats.kernelDropsKnown);
    REQUIRE(stats.datagramsReceived + stats.kernelDrops == sent);
    RequireAccountedFor(stats);
    REQUIRE(stats.discardedAtStop == 0);
    REQUIRE(stats.droppedTruncated == 0);
    REQUIRE(stats.receiveErrors == 0);
    REQUIRE(damaged == 0);
    REQUIRE(duplicates == 0);
    REQUIRE(stats.maxQueueDepth <= stats.queueCapacity);
#if !defined(__SANITIZE_THREAD__)
    // The pool is the only memory that grows with the traffic (the sanitizers' shadow of it
    // adds an eighth under AddressSanitizer; ThreadSanitizer's quadruples it, so not there).
    REQUIRE(residentAfter <= residentBefore + receiver.PoolBytes() * 9 / 8 + (16u << 20));
#endif
}
