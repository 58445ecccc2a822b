#ifndef FABRICSCOPE_FABRIC_RC_TRANSPORT_H
#define FABRICSCOPE_FABRIC_RC_TRANSPORT_H

#include "fabric/model/ring-queue.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace ns3::fabric
{

/** PSNs are 24 bits on the wire; inside we count them in 64 bits and wrap only when writing. */
inline constexpr std::uint32_t kPsnMask = 0xFFFFFF;

/** The 64-bit PSN nearest to `reference` whose low 24 bits are `wire`. */
std::uint64_t UnwrapPsn(std::uint32_t wire, std::uint64_t reference);

/** AETH syndromes (IBA 9.3.5): ACK with unlimited credits, and NAK "PSN sequence error". */
inline constexpr std::uint8_t kAethAck = 0x1F;
inline constexpr std::uint8_t kAethNakSequenceError = 0x60;

/** A message posted on a queue pair: its PSN range once segmented. */
struct RcMessage
{
    std::uint64_t id{0};
    std::uint64_t bytes{0};
    std::uint64_t firstPsn{0};
    std::uint64_t lastPsn{0}; ///< inclusive
    std::int64_t postedNs{0};
};

/** One packet the sender is to put on the wire next. */
struct RcPacket
{
    std::uint64_t psn{0};
    std::uint64_t messageId{0};
    std::uint32_t payloadBytes{0};
    bool first{false};
    bool last{false};
    bool retransmission{false};
    std::uint64_t messageBytes{0};
};

/**
 * Requester side of an RC queue pair with go-back-N: messages are cut into MTU packets with
 * consecutive PSNs; cumulative ACKs retire them; a NAK (PSN sequence error) or a timeout rewinds
 * the send point to the first unacknowledged PSN and resends everything after it.
 */
class RcSender
{
public:
    explicit RcSender(std::uint32_t mtuBytes, std::uint64_t firstPsn = 0);

    /** Queues a message; returns its PSN range. */
    RcMessage Post(std::uint64_t id, std::uint64_t bytes, std::int64_t nowNs);
    bool HasPacketToSend() const { return m_sendPsn < m_nextPsn; }
    /** The next packet to send; advances the send point. */
    RcPacket Next();
    /** Cumulative ACK of every PSN up to `psn`; returns the messages it completed. */
    std::vector<RcMessage> OnAck(std::uint64_t psn);
    /** NAK: the responder expects `psn`. Everything before it is acknowledged, and sending
     *  restarts there. Returns the messages completed by the implied ACK. */
    std::vector<RcMessage> OnNak(std::uint64_t psn);
    /** Retransmission timeout: go back to the oldest unacknowledged PSN. */
    void OnTimeout();

    bool Outstanding() const { return m_unacked < m_nextPsn; }
    std::uint64_t Unacked() const { return m_unacked; }
    std::uint64_t SendPsn() const { return m_sendPsn; }
    std::uint64_t NextPsn() const { return m_nextPsn; }
    std::uint64_t Retransmitted() const { return m_retransmitted; }

private:
    const RcMessage& MessageOf(std::uint64_t psn) const;
    std::vector<RcMessage> Retire(std::uint64_t upTo);

    std::uint32_t m_mtu;
    RingQueue<RcMessage> m_messages; ///< not yet fully acknowledged
    std::uint64_t m_nextPsn;         ///< first PSN of the next message posted
    std::uint64_t m_sendPsn;         ///< next PSN to put on the wire
    std::uint64_t m_unacked;         ///< oldest PSN not acknowledged
    std::uint64_t m_highestSent;     ///< one past the highest PSN ever sent
    std::uint64_t m_retransmitted{0};
};

/** What the responder answers to one packet. */
struct RcResponse
{
    enum class Kind : std::uint8_t
    {
        None,
        Ack,
        Nak,
    };
    Kind kind{Kind::None};
    std::uint64_t psn{0}; ///< ACK: last PSN received in order; NAK: the PSN expected
    bool deliver{false};  ///< the packet is new and in order: its payload counts
    bool outOfSequence{false};
    bool duplicate{false};
};

/**
 * Responder side: accepts packets in PSN order only. A gap drops the packet and NAKs the
 * expected PSN once (until it arrives); a duplicate is dropped and re-acknowledged. ACKs are
 * coalesced: one for every `ackEvery` in-order packets, and one for every packet that asks.
 */
class RcReceiver
{
public:
    explicit RcReceiver(std::uint32_t ackEvery = 1, std::uint64_t firstPsn = 0);

    RcResponse OnPacket(std::uint32_t wirePsn, bool ackRequested);

    std::uint64_t Expected() const { return m_expected; }
    std::uint64_t OutOfSequence() const { return m_outOfSequence; }
    std::uint64_t Duplicates() const { return m_duplicates; }
    std::uint64_t NaksSent() const { return m_naks; }

private:
    std::uint32_t m_ackEvery;
    std::uint64_t m_expected;
    std::uint32_t m_sinceAck{0};
    bool m_nakOutstanding{false};
    std::uint64_t m_outOfSequence{0};
    std::uint64_t m_duplicates{0};
    std::uint64_t m_naks{0};
};

} // namespace ns3::fabric

#endif
