// RoCEv2, ACK and PFC frames for the benchmarks, built in place with a correct ICRC.
#ifndef FABRICSCOPE_TOOLS_BENCH_ROCE_FRAME_MAKER_H
#define FABRICSCOPE_TOOLS_BENCH_ROCE_FRAME_MAKER_H

#include "dpi/icrc.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fab::bench
{

/** Builds RoCEv2 frames (IPv4, DSCP 26, ECT(0)) with a correct ICRC. */
class FrameMaker
{
public:
    std::size_t Roce(std::uint32_t srcHost,
                     std::uint32_t dstHost,
                     std::uint8_t opcode,
                     std::uint32_t destQp,
                     std::uint32_t psn,
                     bool ackRequest,
                     std::size_t extraHeader,
                     std::size_t payload,
                     bool ce = false)
    {
        std::uint8_t* f = m_frame;
        std::size_t transport = 12 + extraHeader + payload + 4;
        std::size_t udp = 8 + transport;
        std::size_t ip = 20 + udp;
        std::memset(f, 0, 64);
        Mac(f, dstHost);
        Mac(f + 6, srcHost);
        f[12] = 0x08;
        f[13] = 0x00;
        std::uint8_t* h = f + 14;
        h[0] = 0x45;
        h[1] = ce ? 0x6B : 0x6A;
        Put16(h + 2, static_cast<std::uint16_t>(ip));
        h[8] = 64;
        h[9] = 17;
        Put32(h + 12, 0x0A000000 | srcHost);
        Put32(h + 16, 0x0A000000 | dstHost);
        std::uint8_t* u = h + 20;
        Put16(u, static_cast<std::uint16_t>(0xC000 | (destQp & 0x3FFF)));
        Put16(u + 2, 4791);
        Put16(u + 4, static_cast<std::uint16_t>(udp));
        Put16(u + 6, 0);
        std::uint8_t* bth = u + 8;
        bth[0] = opcode;
        bth[1] = 0;
        Put16(bth + 2, 0xFFFF);
        Put32(bth + 4, destQp & 0xFFFFFF);
        bth[4] = opcode == 0x81 ? 0x40 : 0; // BECN on CNPs
        Put32(bth + 8, psn & 0xFFFFFF);
        bth[8] = ackRequest ? 0x80 : 0;
        std::memset(bth + 12, 0, extraHeader + payload);
        std::size_t length = 14 + ip;
        Seal(length);
        return length;
    }

    /** An ACK or NAK (AETH syndrome) from the responder. */
    std::size_t Ack(std::uint32_t srcHost,
                    std::uint32_t dstHost,
                    std::uint32_t destQp,
                    std::uint32_t psn,
                    std::uint8_t syndrome)
    {
        std::size_t length = Roce(srcHost, dstHost, 0x11, destQp, psn, false, 4, 0);
        std::uint8_t* aeth = m_frame + 14 + 20 + 8 + 12;
        aeth[0] = syndrome;
        Seal(length); // the ICRC again, over the AETH
        return length;
    }

    std::size_t Pfc(std::uint32_t switchPort, std::uint16_t quanta)
    {
        std::uint8_t* f = m_frame;
        std::memset(f, 0, 60);
        const std::uint8_t dst[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};
        std::memcpy(f, dst, 6);
        Mac(f + 6, 0xFF0000 | switchPort);
        f[12] = 0x88;
        f[13] = 0x08;
        Put16(f + 14, 0x0101);
        Put16(f + 16, 1u << 3);
        Put16(f + 18 + 2 * 3, quanta);
        return 60;
    }

    const std::uint8_t* Data() const { return m_frame; }

private:
    /** Writes the ICRC of the IPv4 RoCE frame of `length` bytes into its last 4 bytes. */
    void Seal(std::size_t length)
    {
        std::uint8_t* ip = m_frame + 14;
        std::uint32_t icrc
            = fab::dpi::ComputeIcrc(fab::dpi::IcrcScope::RoceV2Ipv4, ip, 20, length - 14 - 4);
        std::uint8_t* end = m_frame + length - 4;
        for (int i = 0; i < 4; ++i)
        {
            end[i] = static_cast<std::uint8_t>(icrc >> (8 * i));
        }
    }

    static void Put16(std::uint8_t* p, std::uint32_t v)
    {
        p[0] = static_cast<std::uint8_t>(v >> 8);
        p[1] = static_cast<std::uint8_t>(v);
    }
    static void Put32(std::uint8_t* p, std::uint32_t v)
    {
        Put16(p, v >> 16);
        Put16(p + 2, v);
    }
    static void Mac(std::uint8_t* p, std::uint32_t host)
    {
        p[0] = 0x02;
        p[1] = 0;
        Put32(p + 2, host);
    }

    std::uint8_t m_frame[9216]; // a jumbo frame
};

} // namespace fab::bench

#endif
