#ifndef FABRICSCOPE_DPI_RDMA_FLOW_TABLE_H
#define FABRICSCOPE_DPI_RDMA_FLOW_TABLE_H

#include "dpi/arena-allocator.h"
#include "dpi/flow-index.h"
#include "dpi/packet-decoder.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace fab::dpi
{

/**
 * Who sends to whom: an IP address (IPv4 kept in its IPv6-mapped form) for RoCE, or a LID
 * (bytes 14-15, with `lid` set) for native InfiniBand without a GRH.
 */
struct FlowAddress
{
    IpAddress bytes{};
    bool lid{false};

    bool operator==(const FlowAddress& other) const
    {
        return lid == other.lid && bytes == other.bytes;
    }
};

std::string FormatFlowAddress(const FlowAddress& address);

/** An RDMA flow: (source, destination, destination QP), the way a NIC demultiplexes. */
struct RdmaFlowKey
{
    FlowAddress source;
    FlowAddress destination;
    std::uint32_t destinationQp{0};

    bool operator==(const RdmaFlowKey& other) const
    {
        return destinationQp == other.destinationQp && source == other.source
               && destination == other.destination;
    }
};

/** A well-mixed 64-bit hash of a key: every input bit reaches every output bit. */
std::uint64_t HashFlowKey(const RdmaFlowKey& key);

inline constexpr std::size_t kNakCodes = 5;
inline constexpr std::size_t kOperations = 32;

/** Round-trip times of ACKs that answered packets with the AckReq bit. */
struct RttStats
{
    std::uint64_t samples{0};
    std::int64_t minNs{0};
    std::int64_t maxNs{0};
    std::int64_t sumNs{0};

    void Add(std::int64_t ns);
    double MeanNs() const { return samples == 0 ? 0.0 : static_cast<double>(sumNs) / samples; }
};

/**
 * Everything the analyser keeps per flow. PSN tracking follows IB go-back-N: a PSN ahead of
 * the expected one is a gap (packets missing before it), one behind it a retransmission, and a
 * run of retransmissions starting after new packets is one go-back-N episode. PSNs are 24-bit
 * and compared in serial arithmetic, so wrapping from 0xFFFFFF to 0 is in order.
 */
struct RdmaFlow
{
    RdmaFlowKey key;
    std::uint8_t transport{0}; ///< the Transport of its first packet (RC, UC, UD, …)
    std::int64_t firstNs{0};
    std::int64_t lastNs{0};
    std::uint64_t firstPacket{0}; ///< packet number (in the merged stream) of its first packet
    std::uint64_t packets{0};
    std::uint64_t bytes{0};                              ///< wire bytes
    std::uint64_t payloadBytes{0};                       ///< IB payload carried
    std::array<std::uint32_t, kOperations> operations{}; ///< by the low five opcode bits
    std::uint64_t messages{0}; ///< requests that end a message (…_LAST, …_ONLY, READ request)

    // Requests: PSN order.
    bool psnSeen{false};
    std::uint32_t expectedPsn{0};
    std::uint32_t firstPsn{0};
    std::uint64_t outOfSequence{0}; ///< packets that skipped ahead of the expected PSN
    std::uint64_t missingPsns{0};   ///< PSNs skipped over
    std::uint64_t retransmitted{0}; ///< packets at or behind a PSN already seen
    std::uint64_t goBackNEpisodes{0};
    bool retransmitting{false};
    bool lastWasRead{false};
    bool inMessage{false}; ///< the last request began or continued a multi-packet message
    /** The longest silence inside a message (FIRST or MIDDLE, then nothing): a stalled sender. */
    std::int64_t longestStallNs{0};
    std::int64_t longestStallStartNs{0};
    std::uint64_t longestStallEndPacket{0}; ///< the packet that ended it
    std::uint64_t firstRetransmissionPacket{0};

    // Responses this flow carries (it goes from a responder back to a requester's QP).
    std::uint64_t acks{0};
    std::array<std::uint64_t, kNakCodes> naks{};
    std::uint64_t rnrNaks{0};
    std::uint64_t cnps{0};
    std::uint64_t firstNakPacket{0};

    // Marks.
    std::uint64_t ecnCapable{0}; ///< ECT(0) or ECT(1)
    std::uint64_t ecnCe{0};
    std::uint64_t ecnNotCapable{0}; ///< over IP, Not-ECT: no switch can mark it
    std::uint64_t fecn{0};
    std::uint64_t becn{0};
    std::uint64_t badIcrc{0};

    /** The request flow whose QP this flow's ACKs and CNPs go to (kNone when unknown). */
    std::uint32_t answers{kNone};
    /** The response flow bound to this request flow (kNone when none). */
    std::uint32_t answeredBy{kNone};
    RttStats rtt;
    /** The next request flow between the same two hosts, in the order first seen (kNone: last);
     *  the first such flow also keeps the last, so that appending needs no walk. */
    std::uint32_t nextOfPair{kNone};
    std::uint32_t lastOfPair{kNone};
    /** Recent requests that asked for an ACK: (PSN, time), for round-trip times. */
    std::array<std::pair<std::uint32_t, std::int64_t>, 8> ackRequests{};
    std::uint8_t ackRequestNext{0};

    static constexpr std::uint32_t kNone = 0xFFFFFFFF;

    std::uint64_t Naks() const;
    bool IsResponseFlow() const { return acks + Naks() + rnrNaks + cnps > 0 && messages == 0; }
};

/** The flows of a table, in the order first seen; a new flow never moves the others. */
using RdmaFlows = std::deque<RdmaFlow, ArenaAllocator<RdmaFlow>>;

/** What one packet did to its flow, for time series: bits of RdmaEvent. */
enum class RdmaEvent : std::uint8_t
{
    Retransmitted = 1u << 0,
    OutOfSequence = 1u << 1,
    Nak = 1u << 2,
    Cnp = 1u << 3,
    EcnCe = 1u << 4,
};

/**
 * The flow table of RDMA traffic (DFI): one RdmaFlow per (source, destination, destination
 * QP), in the order flows were first seen. A response flow (ACKs, NAKs and CNPs that go back
 * to a requester's QP) is bound to the request flow it answers the first time an ACK's PSN
 * falls inside that flow's PSNs, so that NAKs, CNPs and round-trip times can be told per
 * request flow. Allocation happens only when a flow is new.
 */
class RdmaFlowTable
{
public:
    /** Adds a decoded packet that has a BTH; `packetNumber` is its place in the stream.
     *  Returns the RdmaEvent bits of what it showed. */
    std::uint8_t Add(const DecodedPacket& packet, std::int64_t timeNs, std::uint64_t packetNumber);

    /** Flows in the order first seen; a deque, so a new flow never moves the others. */
    const RdmaFlows& Flows() const { return m_flows; }
    std::size_t Size() const { return m_flows.size(); }

private:
    std::uint32_t FlowOf(const RdmaFlowKey& key,
                         const DecodedPacket& packet,
                         std::int64_t timeNs,
                         std::uint64_t packetNumber);
    void TrackRequest(std::uint32_t index,
                      const DecodedPacket& packet,
                      std::int64_t timeNs,
                      std::uint64_t packetNumber);
    void TrackResponse(std::uint32_t index,
                       const DecodedPacket& packet,
                       std::int64_t timeNs,
                       std::uint64_t packetNumber);
    /** The first request flow from `source` to `destination`, or kNone. */
    std::uint32_t FirstOfPair(const FlowAddress& source, const FlowAddress& destination) const;
    /** Appends request flow `index` to the chain of its host pair. */
    void IndexByPair(std::uint32_t index);
    /** The request flow an ACK with `psn` on response flow `index` answers, or kNone. */
    std::uint32_t Bind(std::uint32_t index, std::uint32_t psn);

    RdmaFlows m_flows;
    FlowIndex m_index;
    /** (source, destination) → the first request flow between them, whose nextOfPair chain
     *  holds the others: responses are bound by walking it. */
    FlowIndex m_byPair;
};

} // namespace fab::dpi

#endif
