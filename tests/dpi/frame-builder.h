#ifndef FABRICSCOPE_TESTS_DPI_FRAME_BUILDER_H
#define FABRICSCOPE_TESTS_DPI_FRAME_BUILDER_H

// Hand-built frames for the decoder tests: bytes are written field by field, big-endian, the
// way the specifications draw them, so a test reads like the wire layout it checks.

#include "dpi/icrc.h"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace fab::dpi::test
{

class Bytes
{
public:
    Bytes& U8(std::uint32_t v)
    {
        data.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Bytes& U16(std::uint32_t v) { return U8(v >> 8).U8(v); }
    Bytes& U24(std::uint32_t v) { return U8(v >> 16).U16(v); }
    Bytes& U32(std::uint32_t v) { return U16(v >> 16).U16(v); }
    Bytes& U64(std::uint64_t v)
    {
        return U32(static_cast<std::uint32_t>(v >> 32)).U32(static_cast<std::uint32_t>(v));
    }
    Bytes& Fill(std::size_t count, std::uint8_t value)
    {
        data.insert(data.end(), count, value);
        return *this;
    }
    Bytes& Append(const std::vector<std::uint8_t>& more)
    {
        data.insert(data.end(), more.begin(), more.end());
        return *this;
    }
    void Set16(std::size_t at, std::uint32_t v)
    {
        data[at] = static_cast<std::uint8_t>(v >> 8);
        data[at + 1] = static_cast<std::uint8_t>(v);
    }
    std::size_t Size() const { return data.size(); }

    std::vector<std::uint8_t> data;
};

// Extended transport headers.
inline std::vector<std::uint8_t>
Reth(std::uint64_t va, std::uint32_t rkey, std::uint32_t length)
{
    return Bytes().U64(va).U32(rkey).U32(length).data;
}

inline std::vector<std::uint8_t>
Aeth(std::uint8_t syndrome, std::uint32_t msn)
{
    return Bytes().U8(syndrome).U24(msn).data;
}

inline std::vector<std::uint8_t>
AtomicEth(std::uint64_t va, std::uint32_t rkey, std::uint64_t swapAdd, std::uint64_t compare)
{
    return Bytes().U64(va).U32(rkey).U64(swapAdd).U64(compare).data;
}

inline std::vector<std::uint8_t>
Deth(std::uint32_t qkey, std::uint32_t sourceQp)
{
    return Bytes().U32(qkey).U8(0).U24(sourceQp).data;
}

inline std::vector<std::uint8_t>
Word(std::uint32_t value) // ImmDt, IETH, RDETH, XRCETH, FETH
{
    return Bytes().U32(value).data;
}

inline std::vector<std::uint8_t>
Join(std::initializer_list<std::vector<std::uint8_t>> parts)
{
    Bytes all;
    for (const auto& part : parts)
    {
        all.Append(part);
    }
    return all.data;
}

struct VlanSpec
{
    std::uint16_t tpid;
    std::uint8_t pcp;
    std::uint16_t id;
};

/** A RoCEv2 packet; defaults make an RC SEND_ONLY over IPv4 without VLAN. */
struct RoceSpec
{
    std::uint8_t opcode{0x04};
    bool solicited{false};
    bool migration{false};
    std::uint8_t pad{0};
    std::uint16_t pkey{0xFFFF};
    bool fecn{false};
    bool becn{false};
    std::uint32_t destQp{0x000123};
    bool ackRequest{false};
    std::uint32_t psn{0x000010};
    std::vector<std::uint8_t> headers; ///< extended headers, already encoded
    std::size_t payload{0};            ///< payload bytes (0xA5), before the pad
    bool ipv6{false};
    std::uint8_t tos{0x6A}; ///< DSCP 26, ECT(0)
    std::vector<VlanSpec> vlans;
    std::uint16_t udpPort{4791};
    std::uint16_t udpSourcePort{0xC123};
    std::uint32_t sourceIpv4{0x0A000001};      ///< 10.0.0.1
    std::uint32_t destinationIpv4{0x0A000002}; ///< 10.0.0.2
    bool corruptIcrc{false};
};

inline void
PutEthernet(Bytes& frame, std::uint16_t etherType, const std::vector<VlanSpec>& vlans)
{
    frame.U16(0x0202).U32(0x03040506); // destination 02:02:03:04:05:06
    frame.U16(0x0211).U32(0x22334455); // source 02:11:22:33:44:55
    for (const VlanSpec& tag : vlans)
    {
        frame.U16(tag.tpid).U16((std::uint32_t{tag.pcp} << 13) | tag.id);
    }
    frame.U16(etherType);
}

/** Ethernet [tags] / IPv4|IPv6 / UDP / BTH / headers / payload / pad / ICRC. */
inline std::vector<std::uint8_t>
BuildRoceFrame(const RoceSpec& spec)
{
    Bytes frame;
    PutEthernet(frame, spec.ipv6 ? 0x86DD : 0x0800, spec.vlans);
    std::size_t ipStart = frame.Size();
    std::size_t transport = 12 + spec.headers.size() + spec.payload + spec.pad + 4;
    std::size_t udpLength = 8 + transport;
    if (spec.ipv6)
    {
        frame.U32((6u << 28) | (std::uint32_t{spec.tos} << 20) | 0x12345);
        frame.U16(static_cast<std::uint32_t>(udpLength)).U8(17).U8(64);
        frame.U64(0xFD00000000000000).U64(0x0000000000000001); // fd00::1
        frame.U64(0xFD00000000000000).U64(0x0000000000000002); // fd00::2
    }
    else
    {
        frame.U8(0x45).U8(spec.tos).U16(static_cast<std::uint32_t>(20 + udpLength));
        frame.U16(0x1234).U16(0x4000).U8(64).U8(17).U16(0);
        frame.U32(spec.sourceIpv4).U32(spec.destinationIpv4);
    }
    frame.U16(spec.udpSourcePort).U16(spec.udpPort).U16(static_cast<std::uint32_t>(udpLength)).U16(0);
    std::uint32_t flags = (spec.solicited ? 0x80u : 0) | (spec.migration ? 0x40u : 0)
                          | (std::uint32_t{spec.pad} << 4);
    frame.U8(spec.opcode).U8(flags).U16(spec.pkey);
    frame.U8((spec.fecn ? 0x80u : 0) | (spec.becn ? 0x40u : 0)).U24(spec.destQp);
    frame.U8(spec.ackRequest ? 0x80 : 0).U24(spec.psn);
    frame.Append(spec.headers);
    frame.Fill(spec.payload, 0xA5).Fill(spec.pad, 0);
    std::uint32_t icrc = ComputeIcrc(spec.ipv6 ? IcrcScope::RoceV2Ipv6 : IcrcScope::RoceV2Ipv4,
                                     frame.data.data() + ipStart,
                                     spec.ipv6 ? 40 : 20,
                                     frame.Size() - ipStart);
    if (spec.corruptIcrc)
    {
        icrc ^= 1;
    }
    frame.U8(icrc).U8(icrc >> 8).U8(icrc >> 16).U8(icrc >> 24);
    return frame.data;
}

/** A native IB packet: LRH [GRH] BTH headers payload pad ICRC VCRC. */
struct IbSpec
{
    std::uint8_t vl{0};
    std::uint8_t sl{0};
    bool global{false};
    std::uint16_t dlid{0x0005};
    std::uint16_t slid{0x0007};
    std::uint8_t opcode{0x04};
    std::uint8_t pad{0};
    bool fecn{false};
    std::uint32_t destQp{0x000042};
    std::uint32_t psn{0x000100};
    std::vector<std::uint8_t> headers;
    std::size_t payload{0};
    bool withVcrc{true};
};

inline std::vector<std::uint8_t>
BuildIbPacket(const IbSpec& spec)
{
    Bytes packet;
    std::size_t words
        = (8 + (spec.global ? 40 : 0) + 12 + spec.headers.size() + spec.payload + spec.pad + 4) / 4;
    packet.U8((std::uint32_t{spec.vl} << 4) | 0)
        .U8((std::uint32_t{spec.sl} << 4) | (spec.global ? 3 : 2));
    packet.U16(spec.dlid).U16(static_cast<std::uint32_t>(words)).U16(spec.slid);
    if (spec.global)
    {
        std::uint32_t payloadLength = static_cast<std::uint32_t>(words * 4 - 8 - 40);
        packet.U32((6u << 28) | (0x20u << 20) | 0x00ABC).U16(payloadLength).U8(0x1B).U8(1);
        packet.U64(0xFE80000000000000).U64(0x0002C90300001F2D); // source GID
        packet.U64(0xFF12401BFFFF0000).U64(0x00000000FFFFFFFF); // destination GID
    }
    packet.U8(spec.opcode).U8(std::uint32_t{spec.pad} << 4).U16(0xFFFF);
    packet.U8(spec.fecn ? 0x80 : 0).U24(spec.destQp).U8(0).U24(spec.psn);
    packet.Append(spec.headers);
    packet.Fill(spec.payload, 0x5A).Fill(spec.pad, 0);
    std::uint32_t icrc = ComputeIcrc(spec.global ? IcrcScope::IbGlobal : IcrcScope::IbLocal,
                                     packet.data.data(),
                                     0,
                                     packet.Size());
    packet.U8(icrc).U8(icrc >> 8).U8(icrc >> 16).U8(icrc >> 24);
    if (spec.withVcrc)
    {
        std::uint16_t vcrc = ComputeVcrc(packet.data.data(), packet.Size());
        packet.U8(vcrc).U8(vcrc >> 8);
    }
    return packet.data;
}

/** Parses the hex text of testdata files: '#' starts a comment, whitespace is ignored. */
inline std::vector<std::uint8_t>
ParseHex(const std::string& text)
{
    std::vector<std::uint8_t> bytes;
    int high = -1;
    bool comment = false;
    for (char c : text)
    {
        if (c == '\n')
        {
            comment = false;
            continue;
        }
        if (comment || c == '#')
        {
            comment = true;
            continue;
        }
        int nibble = -1;
        if (c >= '0' && c <= '9')
        {
            nibble = c - '0';
        }
        else if (c >= 'a' && c <= 'f')
        {
            nibble = c - 'a' + 10;
        }
        else if (c >= 'A' && c <= 'F')
        {
            nibble = c - 'A' + 10;
        }
        if (nibble < 0)
        {
            continue;
        }
        if (high < 0)
        {
            high = nibble;
        }
        else
        {
            bytes.push_back(static_cast<std::uint8_t>((high << 4) | nibble));
            high = -1;
        }
    }
    return bytes;
}

inline std::string
ReadTextFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace fab::dpi::test

#endif
