// libFuzzer target: any bytes, decoded as an Ethernet frame, a native InfiniBand packet and a
// cooked-capture IPv4 payload, each whole and as if cut by a snap length, then fed to the flow
// table and the pause tracker. The decoders must never read past the bytes, never crash, and
// always return a named status; the tables must take whatever the decoders let through.
#include "dpi/packet-decoder.h"
#include "dpi/pfc-tracker.h"
#include "dpi/rdma-flow-table.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace
{

void
Check(const fab::dpi::DecodedPacket& packet, fab::dpi::Anomaly stop)
{
    if (stop != packet.stopReason || static_cast<std::size_t>(stop) >= fab::dpi::kAnomalyCount)
    {
        std::abort();
    }
    // The payload starts inside the bytes read; its length is what the headers claim (16-bit
    // fields), which a malformed frame may place beyond its end.
    if (packet.payloadOffset > packet.capturedLength || packet.payloadLength > 0xFFFF)
    {
        std::abort();
    }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace fab::dpi;
    static AnomalyCounts counts;
    // Tables live across inputs, as across a capture's packets, and start afresh now and then
    // so that memory stays bounded.
    static RdmaFlowTable flows;
    static PfcTracker pauses;
    static std::uint64_t number = 0;
    if (++number % 4096 == 0)
    {
        flows = RdmaFlowTable();
        pauses = PfcTracker();
    }
    auto feed = [&](const DecodedPacket& p)
    {
        auto timeNs = static_cast<std::int64_t>(number) * 1000;
        if (p.Has(Layer::Bth))
        {
            flows.Add(p, timeNs, number);
        }
        if (p.Has(Layer::Pfc) || p.Has(Layer::Pause))
        {
            pauses.Add(0, p.ethernet.source, p.macControl, 400'000'000'000ULL, timeNs, number);
        }
    };
    DecodedPacket packet;
    // The first byte, when present, picks a wire length longer than the capture (snap cut).
    std::size_t wire = size + (size > 0 ? data[0] : 0);
    for (std::size_t wireLength : {size, wire})
    {
        Check(packet, DecodePacket(LinkKind::Ethernet, data, size, wireLength, packet, counts));
        feed(packet);
        Check(packet, DecodePacket(LinkKind::InfiniBand, data, size, wireLength, packet, counts));
        feed(packet);
        Check(packet, DecodeFromEtherType(kEtherTypeIpv4, data, size, wireLength, packet, counts));
        feed(packet);
    }
    return 0;
}
