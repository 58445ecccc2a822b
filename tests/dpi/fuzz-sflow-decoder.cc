// libFuzzer target: any bytes as an sFlow v5 datagram, decoded with the default limits and with
// tight ones, then every raw packet header it yields through DecodePacket, the way the
// collector chains them. The decoder must never read outside the bytes, always return a named
// reason, and only ever point raw headers inside the datagram.
#include "dpi/packet-decoder.h"
#include "dpi/sflow-decoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace
{

void
Check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

void
Decode(const std::uint8_t* data, std::size_t size, const fab::dpi::SflowDecodeLimits& limits)
{
    using namespace fab::dpi;
    static SflowDatagram datagram;
    static SflowAnomalyCounts sflowCounts;
    static AnomalyCounts packetCounts;
    static DecodedPacket packet;
    SflowStatus status = DecodeSflowDatagram(data, size, datagram, limits);
    Check(static_cast<std::size_t>(status.reason) < kSflowAnomalyCount);
    Check(!IsSflowNote(status.reason));
    Check(status.offset <= size);
    sflowCounts.Add(status.reason);
    sflowCounts.Add(datagram.notes);
    Check(datagram.flowSamples.size() <= limits.maxSamples);
    Check(datagram.counterSamples.size() <= limits.maxSamples);
    std::size_t headers = 0;
    for (const SflowFlowSample& sample : datagram.flowSamples)
    {
        Check(sample.firstRawHeader == headers);
        headers += sample.rawHeaderCount;
    }
    Check(headers == datagram.rawHeaders.size());
    for (const SflowRawHeader& raw : datagram.rawHeaders)
    {
        Check(raw.flowSample < datagram.flowSamples.size());
        Check(raw.headerOffset <= size && raw.headerLength <= size - raw.headerOffset);
        // The frame length is the agent's word: it may be shorter than the header it sent.
        std::size_t wire = raw.frameLength >= raw.stripped ? raw.frameLength - raw.stripped : 0;
        wire = wire < raw.headerLength ? raw.headerLength : wire;
        const std::uint8_t* header = data + raw.headerOffset;
        if (raw.protocol == kSflowHeaderIpv4 || raw.protocol == kSflowHeaderIpv6)
        {
            std::uint16_t etherType
                = raw.protocol == kSflowHeaderIpv4 ? kEtherTypeIpv4 : kEtherTypeIpv6;
            DecodeFromEtherType(etherType, header, raw.headerLength, wire, packet, packetCounts);
        }
        else
        {
            DecodePacket(LinkKind::Ethernet, header, raw.headerLength, wire, packet, packetCounts);
        }
    }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    Decode(data, size, fab::dpi::SflowDecodeLimits{});
    fab::dpi::SflowDecodeLimits tight;
    tight.maxSamples = 2;
    tight.maxRecordsPerSample = 2;
    Decode(data, size, tight);
    return 0;
}
