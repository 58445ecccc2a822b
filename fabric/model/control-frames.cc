#include "fabric/model/control-frames.h"

#include "fabric/model/big-endian.h"

#include <algorithm>
#include <cstring>

namespace ns3::fabric
{
namespace
{

const MacBytes kPfcDestination = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};
const MacBytes kLldpDestination = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E};
constexpr std::size_t kMinFrameWithoutFcs = 60;

std::size_t
WriteEthernet(Frame& frame, const MacBytes& dst, const MacBytes& src, std::uint16_t etherType)
{
    std::memcpy(frame.header.data(), dst.data(), 6);
    std::memcpy(frame.header.data() + 6, src.data(), 6);
    Put16(frame.header.data() + 12, etherType);
    return kEthernetBytes;
}

/** An LLDP TLV: 7-bit type, 9-bit length, value. Strings longer than the header allows are cut. */
std::size_t
PutTlv(Frame& frame, std::size_t at, std::uint8_t type, const std::uint8_t* value, std::size_t size)
{
    std::size_t room = Frame::kMaxHeaderBytes - at - 2 - 2; // keep room for the End TLV
    size = std::min(size, room);
    Put16(frame.header.data() + at, static_cast<std::uint16_t>(type << 9 | size));
    std::memcpy(frame.header.data() + at + 2, value, size);
    return at + 2 + size;
}

std::size_t
PutStringTlv(
    Frame& frame, std::size_t at, std::uint8_t type, std::uint8_t subtype, const std::string& text)
{
    std::uint8_t value[Frame::kMaxHeaderBytes];
    std::size_t size = 0;
    if (subtype != 0)
    {
        value[size++] = subtype;
    }
    std::size_t n = std::min(text.size(), sizeof value - size);
    std::memcpy(value + size, text.data(), n);
    return PutTlv(frame, at, type, value, size + n);
}

void
PadToMinimum(Frame& frame)
{
    frame.zeroBytes
        = frame.headerBytes < kMinFrameWithoutFcs ? kMinFrameWithoutFcs - frame.headerBytes : 0;
}

} // namespace

void
WritePfcFrame(Frame& frame, const MacBytes& srcMac, const PfcPause& pause)
{
    std::size_t at = WriteEthernet(frame, kPfcDestination, srcMac, kEtherTypeMacControl);
    Put16(frame.header.data() + at, kMacControlPfc);
    Put16(frame.header.data() + at + 2, pause.classEnable);
    at += 4;
    for (auto quanta : pause.quanta)
    {
        Put16(frame.header.data() + at, quanta);
        at += 2;
    }
    frame.headerBytes = static_cast<std::uint16_t>(at);
    frame.trailerBytes = 0;
    frame.kind = FrameKind::Pfc;
    frame.priority = 7;
    frame.ipOffset = 0;
    PadToMinimum(frame);
}

std::optional<PfcPause>
ReadPfcFrame(const Frame& frame)
{
    const auto& h = frame.header;
    if (frame.headerBytes < kEthernetBytes + 4 + 16
        || ((h[12] << 8) | h[13]) != kEtherTypeMacControl
        || ((h[14] << 8) | h[15]) != kMacControlPfc)
    {
        return std::nullopt;
    }
    PfcPause pause;
    pause.classEnable = h[17];
    for (std::size_t i = 0; i < 8; ++i)
    {
        pause.quanta[i] = static_cast<std::uint16_t>((h[18 + 2 * i] << 8) | h[19 + 2 * i]);
    }
    return pause;
}

std::int64_t
PauseQuantaToNs(std::uint16_t quanta, std::uint64_t bitsPerSecond)
{
    // 512 bit times per quantum: 0xFFFF × 512 × 10^9 stays far inside 64 bits.
    return static_cast<std::int64_t>(quanta) * 512 * 1'000'000'000LL
           / static_cast<std::int64_t>(bitsPerSecond);
}

void
WriteLldpFrame(Frame& frame,
               const MacBytes& srcMac,
               const std::string& chassis,
               const std::string& port,
               std::uint16_t ttlSeconds)
{
    std::size_t at = WriteEthernet(frame, kLldpDestination, srcMac, kEtherTypeLldp);
    at = PutStringTlv(frame, at, 1, 7, chassis); // chassis id, locally assigned
    at = PutStringTlv(frame, at, 2, 5, port);    // port id, interface name
    std::uint8_t ttl[2]
        = {static_cast<std::uint8_t>(ttlSeconds >> 8), static_cast<std::uint8_t>(ttlSeconds)};
    at = PutTlv(frame, at, 3, ttl, 2);
    at = PutStringTlv(frame, at, 5, 0, chassis); // system name
    // A system description keeps the LLDPDU past the 60-byte minimum, so no padding follows it.
    at = PutStringTlv(frame, at, 6, 0, "fabricscope simulated device");
    Put16(frame.header.data() + at, 0); // end of LLDPDU
    at += 2;
    frame.headerBytes = static_cast<std::uint16_t>(at);
    frame.trailerBytes = 0;
    frame.kind = FrameKind::Lldp;
    frame.priority = 7;
    frame.ipOffset = 0;
    PadToMinimum(frame);
}

void
WritePathFaultFrame(Frame& frame,
                    const MacBytes& dstMac,
                    const MacBytes& srcMac,
                    const PathFaultNotice& notice)
{
    std::uint8_t* p = frame.header.data();
    std::size_t at = WriteEthernet(frame, dstMac, srcMac, kEtherTypePathFault);
    std::memcpy(p + at, "DPFR", 4);
    p[at + 4] = 1;
    p[at + 5] = notice.restored ? 2 : 1;
    Put16(p + at + 6, 0);
    for (int i = 0; i < 4; ++i)
    {
        p[at + 8 + i] = static_cast<std::uint8_t>(notice.reporter >> (24 - 8 * i));
        p[at + 12 + i] = static_cast<std::uint8_t>(notice.leaf >> (24 - 8 * i));
        p[at + 16 + i] = static_cast<std::uint8_t>(notice.sequence >> (24 - 8 * i));
    }
    auto detected = static_cast<std::uint64_t>(notice.detectedNs);
    for (int i = 0; i < 8; ++i)
    {
        p[at + 20 + i] = static_cast<std::uint8_t>(detected >> (56 - 8 * i));
    }
    frame.headerBytes = static_cast<std::uint16_t>(at + 28);
    frame.trailerBytes = 0;
    frame.kind = FrameKind::Other;
    frame.priority = 7;
    frame.ipOffset = 0;
    PadToMinimum(frame);
}

std::optional<PathFaultNotice>
ReadPathFaultFrame(const Frame& frame)
{
    const std::uint8_t* p = frame.header.data();
    if (frame.headerBytes < kEthernetBytes + 28 || (p[12] << 8 | p[13]) != kEtherTypePathFault
        || std::memcmp(p + kEthernetBytes, "DPFR", 4) != 0 || p[kEthernetBytes + 4] != 1
        || (p[kEthernetBytes + 5] != 1 && p[kEthernetBytes + 5] != 2))
    {
        return std::nullopt;
    }
    const std::uint8_t* at = p + kEthernetBytes;
    auto u32 = [](const std::uint8_t* b)
    {
        return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8
               | b[3];
    };
    PathFaultNotice notice;
    notice.restored = at[5] == 2;
    notice.reporter = u32(at + 8);
    notice.leaf = u32(at + 12);
    notice.sequence = u32(at + 16);
    std::uint64_t detected = 0;
    for (int i = 0; i < 8; ++i)
    {
        detected = detected << 8 | at[20 + i];
    }
    notice.detectedNs = static_cast<std::int64_t>(detected);
    return notice;
}

void
WriteLinkProbeFrame(Frame& frame,
                    const MacBytes& dstMac,
                    const MacBytes& srcMac,
                    const LinkProbe& probe)
{
    // The notice's layout: type 3, the flag byte and the sender's port in the leaf's place.
    PathFaultNotice carrier;
    carrier.reporter = probe.sender;
    carrier.leaf = probe.port;
    carrier.sequence = probe.sequence;
    carrier.detectedNs = probe.sentNs;
    WritePathFaultFrame(frame, dstMac, srcMac, carrier);
    std::uint8_t* at = frame.header.data() + kEthernetBytes;
    at[5] = 3;
    at[6] = probe.hearing ? 1 : 0;
}

std::optional<LinkProbe>
ReadLinkProbeFrame(const Frame& frame)
{
    const std::uint8_t* p = frame.header.data();
    if (frame.headerBytes < kEthernetBytes + 28 || (p[12] << 8 | p[13]) != kEtherTypePathFault
        || std::memcmp(p + kEthernetBytes, "DPFR", 4) != 0 || p[kEthernetBytes + 4] != 1
        || p[kEthernetBytes + 5] != 3)
    {
        return std::nullopt;
    }
    const std::uint8_t* at = p + kEthernetBytes;
    auto u32 = [](const std::uint8_t* b)
    {
        return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8
               | b[3];
    };
    LinkProbe probe;
    probe.hearing = at[6] == 1;
    probe.sender = u32(at + 8);
    probe.port = u32(at + 12);
    probe.sequence = u32(at + 16);
    std::uint64_t sent = 0;
    for (int i = 0; i < 8; ++i)
    {
        sent = sent << 8 | at[20 + i];
    }
    probe.sentNs = static_cast<std::int64_t>(sent);
    return probe;
}

} // namespace ns3::fabric
