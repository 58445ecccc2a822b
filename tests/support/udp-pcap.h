#ifndef FABRICSCOPE_TESTS_UDP_PCAP_H
#define FABRICSCOPE_TESTS_UDP_PCAP_H

// Ethernet/IPv4/UDP frames around given payloads, and a classic pcap file of them, so that
// tools which read captures (tshark, pmacct's daemons offline) can read datagrams a test made.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

namespace fab::tests
{

struct UdpEndpoints
{
    std::uint32_t sourceIp{0x7F000001}; ///< host order: 127.0.0.1
    std::uint32_t destinationIp{0x7F000001};
    std::uint16_t sourcePort{40000};
    std::uint16_t destinationPort{6343};
};

/** Sets the header checksum of the 20-byte IPv4 header at `ip` in `frame`. */
inline void
SetIpv4Checksum(std::vector<std::uint8_t>& frame, std::size_t ip)
{
    frame[ip + 10] = 0;
    frame[ip + 11] = 0;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2)
    {
        sum += (std::uint32_t{frame[ip + i]} << 8) | frame[ip + i + 1];
    }
    while (sum > 0xFFFF)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    frame[ip + 10] = static_cast<std::uint8_t>(~sum >> 8);
    frame[ip + 11] = static_cast<std::uint8_t>(~sum);
}

/** An Ethernet II / IPv4 (checksum set) / UDP (checksum 0: none) frame around `payload`. */
inline std::vector<std::uint8_t>
UdpFrame(const std::uint8_t* payload, std::size_t size, const UdpEndpoints& at)
{
    std::vector<std::uint8_t> frame;
    auto u8 = [&](std::uint32_t v)
    {
        frame.push_back(static_cast<std::uint8_t>(v));
    };
    auto u16 = [&](std::uint32_t v)
    {
        u8(v >> 8);
        u8(v);
    };
    auto u32 = [&](std::uint32_t v)
    {
        u16(v >> 16);
        u16(v);
    };
    u16(0x0200);
    u32(0x00000002); // destination 02:00:00:00:00:02
    u16(0x0200);
    u32(0x00000001); // source 02:00:00:00:00:01
    u16(0x0800);
    std::size_t ip = frame.size();
    u8(0x45);
    u8(0);
    u16(static_cast<std::uint32_t>(20 + 8 + size));
    u16(0);
    u16(0x4000); // don't fragment
    u8(64);
    u8(17);
    u16(0);
    u32(at.sourceIp);
    u32(at.destinationIp);
    SetIpv4Checksum(frame, ip);
    u16(at.sourcePort);
    u16(at.destinationPort);
    u16(static_cast<std::uint32_t>(8 + size));
    u16(0);
    frame.insert(frame.end(), payload, payload + size);
    return frame;
}

/** Writes a microsecond pcap (Ethernet) of the frames, one a millisecond from t = 1 s. */
inline bool
WritePcap(const std::filesystem::path& path, const std::vector<std::vector<std::uint8_t>>& frames)
{
    std::ofstream out(path, std::ios::binary);
    auto put32 = [&](std::uint32_t v)
    {
        out.write(reinterpret_cast<const char*>(&v), 4);
    };
    auto put16 = [&](std::uint16_t v)
    {
        out.write(reinterpret_cast<const char*>(&v), 2);
    };
    put32(0xA1B2C3D4); // host order, as the magic says
    put16(2);
    put16(4);
    put32(0);
    put32(0);
    put32(65535);
    put32(1); // LINKTYPE_ETHERNET
    std::uint32_t micros = 0;
    for (const auto& frame : frames)
    {
        put32(1 + micros / 1'000'000);
        put32(micros % 1'000'000);
        put32(static_cast<std::uint32_t>(frame.size()));
        put32(static_cast<std::uint32_t>(frame.size()));
        out.write(reinterpret_cast<const char*>(frame.data()),
                  static_cast<std::streamsize>(frame.size()));
        micros += 1000;
    }
    return static_cast<bool>(out);
}

/** Writes each datagram as a UDP payload from `at` into a pcap. */
inline bool
WriteUdpPcap(const std::filesystem::path& path,
             const std::vector<std::vector<std::uint8_t>>& datagrams,
             const UdpEndpoints& at = {})
{
    std::vector<std::vector<std::uint8_t>> frames;
    for (const auto& datagram : datagrams)
    {
        frames.push_back(UdpFrame(datagram.data(), datagram.size(), at));
    }
    return WritePcap(path, frames);
}

} // namespace fab::tests

#endif
