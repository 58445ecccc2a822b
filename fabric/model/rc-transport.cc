#include "fabric/model/rc-transport.h"

#include <algorithm>

namespace ns3::fabric
{

std::uint64_t
UnwrapPsn(std::uint32_t wire, std::uint64_t reference)
{
    // Signed 24-bit distance from the reference, then applied in 64 bits.
    constexpr std::int64_t kSpan = std::int64_t{1} << 24;
    std::int64_t diff
        = static_cast<std::int64_t>((wire - static_cast<std::uint32_t>(reference)) & kPsnMask);
    if (diff >= kSpan / 2)
    {
        diff -= kSpan;
    }
    if (diff < 0 && static_cast<std::uint64_t>(-diff) > reference)
    {
        diff += kSpan; // nothing lies below zero
    }
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(reference) + diff);
}

RcSender::RcSender(std::uint32_t mtuBytes, std::uint64_t firstPsn)
: m_mtu(mtuBytes)
, m_nextPsn(firstPsn)
, m_sendPsn(firstPsn)
, m_unacked(firstPsn)
, m_highestSent(firstPsn)
{
}

RcMessage
RcSender::Post(std::uint64_t id, std::uint64_t bytes, std::int64_t nowNs)
{
    RcMessage message;
    message.id = id;
    message.bytes = bytes;
    message.firstPsn = m_nextPsn;
    std::uint64_t packets = bytes == 0 ? 1 : (bytes + m_mtu - 1) / m_mtu;
    message.lastPsn = m_nextPsn + packets - 1;
    message.postedNs = nowNs;
    m_nextPsn = message.lastPsn + 1;
    m_messages.PushBack(message);
    return message;
}

const RcMessage&
RcSender::MessageOf(std::uint64_t psn) const
{
    for (std::size_t i = 0; i < m_messages.Size(); ++i)
    {
        const RcMessage& message = m_messages[i];
        if (psn >= message.firstPsn && psn <= message.lastPsn)
        {
            return message;
        }
    }
    return m_messages.Back();
}

RcPacket
RcSender::Next()
{
    const RcMessage& message = MessageOf(m_sendPsn);
    RcPacket packet;
    packet.psn = m_sendPsn;
    packet.messageId = message.id;
    packet.messageBytes = message.bytes;
    packet.first = m_sendPsn == message.firstPsn;
    packet.last = m_sendPsn == message.lastPsn;
    std::uint64_t offset = (m_sendPsn - message.firstPsn) * m_mtu;
    packet.payloadBytes
        = static_cast<std::uint32_t>(std::min<std::uint64_t>(m_mtu, message.bytes - offset));
    packet.retransmission = m_sendPsn < m_highestSent;
    m_retransmitted += packet.retransmission ? 1 : 0;
    ++m_sendPsn;
    m_highestSent = std::max(m_highestSent, m_sendPsn);
    return packet;
}

std::vector<RcMessage>
RcSender::Retire(std::uint64_t upTo)
{
    std::vector<RcMessage> done;
    if (upTo <= m_unacked)
    {
        return done;
    }
    m_unacked = std::min(upTo, m_nextPsn);
    m_sendPsn = std::max(m_sendPsn, m_unacked);
    while (!m_messages.Empty() && m_messages.Front().lastPsn < m_unacked)
    {
        done.push_back(m_messages.Front());
        m_messages.PopFront();
    }
    return done;
}

std::vector<RcMessage>
RcSender::OnAck(std::uint64_t psn)
{
    return Retire(psn + 1);
}

std::vector<RcMessage>
RcSender::OnNak(std::uint64_t psn)
{
    auto done = Retire(psn);
    if (psn >= m_unacked && psn < m_nextPsn)
    {
        m_sendPsn = psn; // go back N
    }
    return done;
}

void
RcSender::OnTimeout()
{
    m_sendPsn = m_unacked;
}

RcReceiver::RcReceiver(std::uint32_t ackEvery, std::uint64_t firstPsn)
: m_ackEvery(std::max<std::uint32_t>(1, ackEvery))
, m_expected(firstPsn)
{
}

RcResponse
RcReceiver::OnPacket(std::uint32_t wirePsn, bool ackRequested)
{
    RcResponse response;
    std::uint64_t psn = UnwrapPsn(wirePsn, m_expected);
    if (psn == m_expected)
    {
        ++m_expected;
        m_nakOutstanding = false;
        response.deliver = true;
        if (++m_sinceAck >= m_ackEvery || ackRequested)
        {
            m_sinceAck = 0;
            response.kind = RcResponse::Kind::Ack;
            response.psn = psn;
        }
        return response;
    }
    if (psn > m_expected)
    {
        ++m_outOfSequence;
        response.outOfSequence = true;
        if (!m_nakOutstanding)
        {
            m_nakOutstanding = true;
            ++m_naks;
            response.kind = RcResponse::Kind::Nak;
            response.psn = m_expected;
        }
        return response;
    }
    // A duplicate: the ACK that retired it was lost or is late. Acknowledge again.
    ++m_duplicates;
    response.duplicate = true;
    if (m_expected > 0)
    {
        response.kind = RcResponse::Kind::Ack;
        response.psn = m_expected - 1;
    }
    return response;
}

} // namespace ns3::fabric
