// Feeds hand-built RoCE frames to a flow table, for the flow-table and capture-rule tests.
#ifndef FABRICSCOPE_TESTS_DPI_FLOW_FEEDER_H
#define FABRICSCOPE_TESTS_DPI_FLOW_FEEDER_H

#include "dpi/packet-decoder.h"
#include "dpi/rdma-flow-table.h"
#include "tests/dpi/frame-builder.h"

#include <catch2/catch.hpp>

namespace fab::dpi::test
{

inline constexpr std::uint8_t kSendOnly = 0x04;
inline constexpr std::uint8_t kWriteOnly = 0x0A;
inline constexpr std::uint8_t kReadRequest = 0x0C;
inline constexpr std::uint8_t kAck = 0x11;
inline constexpr std::uint8_t kCnp = 0x81;

/** Feeds hand-built frames to a flow table; `reverse` sends from 10.0.0.2 to 10.0.0.1. */
class Feeder
{
public:
    Feeder() = default;
    /** Feeds someone else's table (an analysis result's). */
    explicit Feeder(RdmaFlowTable& other)
    : table(other)
    {
    }

    void Send(RoceSpec spec, std::int64_t timeNs, bool reverse = false)
    {
        auto frame = BuildRoceFrame(spec);
        if (reverse)
        {
            // Swap the IPv4 addresses (bytes 26-29 and 30-33); the ICRC no longer matches,
            // which the flow table does not look at.
            for (int i = 0; i < 4; ++i)
            {
                std::swap(frame[26 + i], frame[30 + i]);
            }
        }
        DecodeOptions options;
        options.verifyCrcs = false;
        DecodedPacket packet;
        DecodePacket(
            LinkKind::Ethernet, frame.data(), frame.size(), frame.size(), packet, counts, options);
        REQUIRE(packet.Has(Layer::Bth));
        table.Add(packet, timeNs, ++number);
    }

    void Request(std::uint32_t psn,
                 std::int64_t timeNs = 0,
                 std::uint32_t qp = 0x100,
                 std::uint8_t opcode = kSendOnly,
                 bool ackRequest = false)
    {
        RoceSpec spec;
        spec.opcode = opcode;
        spec.psn = psn;
        spec.destQp = qp;
        spec.payload = 64;
        spec.ackRequest = ackRequest;
        if (opcode == kReadRequest)
        {
            spec.headers = Reth(0x1000, 0x22, 8192);
            spec.payload = 0;
        }
        Send(spec, timeNs);
    }

    void Response(std::uint8_t syndrome,
                  std::uint32_t psn,
                  std::int64_t timeNs = 0,
                  std::uint32_t qp = 0x200)
    {
        RoceSpec spec;
        spec.opcode = kAck;
        spec.psn = psn;
        spec.destQp = qp;
        spec.headers = Aeth(syndrome, 1);
        Send(spec, timeNs, true);
    }

    const RdmaFlow& Flow(std::size_t i) const { return table.Flows().at(i); }

    RdmaFlowTable ownTable;
    RdmaFlowTable& table{ownTable};
    AnomalyCounts counts;
    std::uint64_t number{0};
};

} // namespace fab::dpi::test

#endif
