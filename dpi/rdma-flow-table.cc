#include "dpi/rdma-flow-table.h"

#include "dpi/opcode-table.h"

#include <cstdio>
#include <cstring>

namespace fab::dpi
{
namespace
{

/** A packet after which more of the same message must follow. */
bool
ContinuesMessage(Operation operation)
{
    return operation == Operation::SendFirst || operation == Operation::SendMiddle
           || operation == Operation::RdmaWriteFirst || operation == Operation::RdmaWriteMiddle;
}

bool
EndsMessage(Operation operation)
{
    switch (operation)
    {
        case Operation::SendLast:
        case Operation::SendLastWithImmediate:
        case Operation::SendOnly:
        case Operation::SendOnlyWithImmediate:
        case Operation::RdmaWriteLast:
        case Operation::RdmaWriteLastWithImmediate:
        case Operation::RdmaWriteOnly:
        case Operation::RdmaWriteOnlyWithImmediate:
        case Operation::RdmaReadRequest:
        case Operation::CompareSwap:
        case Operation::FetchAdd:
        case Operation::SendLastWithInvalidate:
        case Operation::SendOnlyWithInvalidate:
        case Operation::Flush:
        case Operation::AtomicWrite:
            return true;
        default:
            return false;
    }
}

FlowAddress
LidAddress(std::uint16_t lid)
{
    FlowAddress address;
    address.lid = true;
    address.bytes[14] = static_cast<std::uint8_t>(lid >> 8);
    address.bytes[15] = static_cast<std::uint8_t>(lid);
    return address;
}

/** Source and destination of a packet with a BTH: IP for RoCEv2, GIDs when there is a GRH,
 *  LIDs otherwise. */
void
AddressesOf(const DecodedPacket& packet, FlowAddress& source, FlowAddress& destination)
{
    if (packet.Has(Layer::Roce))
    {
        source = {packet.ip.source, false};
        destination = {packet.ip.destination, false};
    }
    else if (packet.Has(Layer::Grh))
    {
        source = {packet.grh.sourceGid, false};
        destination = {packet.grh.destinationGid, false};
    }
    else
    {
        source = LidAddress(packet.lrh.sourceLid);
        destination = LidAddress(packet.lrh.destinationLid);
    }
}

} // namespace

std::string
FormatFlowAddress(const FlowAddress& address)
{
    char text[64];
    const auto& b = address.bytes;
    if (address.lid)
    {
        std::snprintf(text, sizeof text, "lid:%u", unsigned{b[14]} << 8 | b[15]);
        return text;
    }
    if (IsIpv4Mapped(b))
    {
        std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
        return text;
    }
    std::string out;
    for (int i = 0; i < 16; i += 2)
    {
        std::snprintf(text, sizeof text, "%s%x", i == 0 ? "" : ":", unsigned{b[i]} << 8 | b[i + 1]);
        out += text;
    }
    return out;
}

std::uint64_t
HashFlowKey(const RdmaFlowKey& key)
{
    auto word = [](const std::uint8_t* p)
    {
        std::uint64_t w;
        std::memcpy(&w, p, sizeof w);
        return w;
    };
    // splitmix64's finalizer over each word folded in: cheap and well mixed.
    auto mix = [](std::uint64_t z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
    std::uint64_t h = mix(key.destinationQp ^ (key.source.lid ? 0x8000000000000000ull : 0));
    h = mix(h ^ word(key.source.bytes.data()));
    h = mix(h ^ word(key.source.bytes.data() + 8));
    h = mix(h ^ word(key.destination.bytes.data()));
    h = mix(h ^ word(key.destination.bytes.data() + 8));
    return h;
}

void
RttStats::Add(std::int64_t ns)
{
    minNs = samples == 0 ? ns : std::min(minNs, ns);
    maxNs = samples == 0 ? ns : std::max(maxNs, ns);
    sumNs += ns;
    ++samples;
}

std::uint64_t
RdmaFlow::Naks() const
{
    std::uint64_t sum = 0;
    for (auto n : naks)
    {
        sum += n;
    }
    return sum;
}

std::uint32_t
RdmaFlowTable::FlowOf(const RdmaFlowKey& key,
                      const DecodedPacket& packet,
                      std::int64_t timeNs,
                      std::uint64_t packetNumber)
{
    std::uint64_t hash = HashFlowKey(key);
    std::uint32_t found
        = m_index.Find(hash, [&](std::uint32_t position) { return m_flows[position].key == key; });
    if (found != FlowIndex::kNone)
    {
        return found;
    }
    RdmaFlow& flow = m_flows.emplace_back();
    flow.key = key;
    flow.transport = static_cast<std::uint8_t>(TransportOf(packet.bth.opcode));
    flow.firstNs = timeNs;
    flow.firstPacket = packetNumber;
    flow.ackRequests.fill({0, -1});
    auto position = static_cast<std::uint32_t>(m_flows.size() - 1);
    m_index.Insert(hash, position);
    return position;
}

std::uint8_t
RdmaFlowTable::Add(const DecodedPacket& packet, std::int64_t timeNs, std::uint64_t packetNumber)
{
    RdmaFlowKey key;
    AddressesOf(packet, key.source, key.destination);
    key.destinationQp = packet.bth.destinationQp;
    std::uint32_t index = FlowOf(key, packet, timeNs, packetNumber);
    RdmaFlow& flow = m_flows[index];
    std::int64_t previousNs = flow.packets > 0 ? flow.lastNs : timeNs;
    flow.lastNs = timeNs;
    flow.packets++;
    flow.bytes += packet.wireLength;
    flow.payloadBytes += packet.payloadLength;
    flow.fecn += packet.bth.fecn ? 1 : 0;
    flow.becn += packet.bth.becn ? 1 : 0;
    flow.badIcrc += packet.icrc == CrcStatus::Bad ? 1 : 0;
    if (packet.Has(Layer::Ipv4) || packet.Has(Layer::Ipv6))
    {
        flow.ecnCe += packet.ip.ecn == Ecn::Ce ? 1 : 0;
        flow.ecnCapable += packet.ip.ecn == Ecn::Ect0 || packet.ip.ecn == Ecn::Ect1 ? 1 : 0;
        flow.ecnNotCapable += packet.ip.ecn == Ecn::NotEct ? 1 : 0;
    }
    std::uint8_t events
        = packet.ip.ecn == Ecn::Ce && (packet.Has(Layer::Ipv4) || packet.Has(Layer::Ipv6))
              ? static_cast<std::uint8_t>(RdmaEvent::EcnCe)
              : 0;
    if (packet.Has(Layer::Cnp))
    {
        flow.cnps++;
        return events | static_cast<std::uint8_t>(RdmaEvent::Cnp);
    }
    auto operation = OperationOf(packet.bth.opcode);
    flow.operations[static_cast<std::size_t>(operation) % kOperations]++;
    if (operation == Operation::Acknowledge || operation == Operation::AtomicAcknowledge)
    {
        std::uint64_t naks = flow.Naks();
        TrackResponse(index, packet, timeNs, packetNumber);
        return events
               | (m_flows[index].Naks() > naks ? static_cast<std::uint8_t>(RdmaEvent::Nak) : 0);
    }
    std::uint64_t retransmitted = flow.retransmitted;
    std::uint64_t outOfSequence = flow.outOfSequence;
    if (flow.inMessage && timeNs - previousNs > flow.longestStallNs)
    {
        flow.longestStallNs = timeNs - previousNs;
        flow.longestStallStartNs = previousNs;
        flow.longestStallEndPacket = packetNumber;
    }
    flow.inMessage = ContinuesMessage(operation);
    TrackRequest(index, packet, timeNs, packetNumber);
    return events
           | (flow.retransmitted > retransmitted
                  ? static_cast<std::uint8_t>(RdmaEvent::Retransmitted)
                  : 0)
           | (flow.outOfSequence > outOfSequence
                  ? static_cast<std::uint8_t>(RdmaEvent::OutOfSequence)
                  : 0);
}

void
RdmaFlowTable::TrackRequest(std::uint32_t index,
                            const DecodedPacket& packet,
                            std::int64_t timeNs,
                            std::uint64_t packetNumber)
{
    RdmaFlow& flow = m_flows[index];
    auto operation = OperationOf(packet.bth.opcode);
    flow.messages += EndsMessage(operation) ? 1 : 0;
    bool afterRead = flow.lastWasRead;
    flow.lastWasRead = operation == Operation::RdmaReadRequest;
    std::uint32_t psn = packet.bth.psn & kPsnMask;
    if (packet.bth.ackRequest)
    {
        flow.ackRequests[flow.ackRequestNext] = {psn, timeNs};
        flow.ackRequestNext
            = static_cast<std::uint8_t>((flow.ackRequestNext + 1) % flow.ackRequests.size());
    }
    // Datagrams carry PSNs but nothing resends them, and the senders to one QP (QP1 on every
    // host) interleave their own PSNs: order is tracked for connected transports only.
    auto transport = static_cast<Transport>(flow.transport);
    if (transport == Transport::Ud || transport == Transport::Cnp)
    {
        return;
    }
    if (!flow.psnSeen)
    {
        flow.psnSeen = true;
        flow.firstPsn = psn;
        flow.expectedPsn = (psn + 1) & kPsnMask;
        // Index the request flow by its host pair, for responses to find it.
        IndexByPair(index);
        return;
    }
    std::int32_t distance = PsnDistance(flow.expectedPsn, psn);
    if (distance == 0)
    {
        flow.retransmitting = false;
        flow.expectedPsn = (psn + 1) & kPsnMask;
    }
    else if (distance > 0)
    {
        // A READ request takes one PSN per response packet, so the next request skips ahead.
        if (!afterRead)
        {
            flow.outOfSequence++;
            flow.missingPsns += static_cast<std::uint64_t>(distance);
        }
        flow.retransmitting = false;
        flow.expectedPsn = (psn + 1) & kPsnMask;
    }
    else
    {
        flow.retransmitted++;
        if (!flow.retransmitting)
        {
            flow.goBackNEpisodes++;
            flow.retransmitting = true;
            if (flow.firstRetransmissionPacket == 0)
            {
                flow.firstRetransmissionPacket = packetNumber;
            }
        }
    }
}

std::uint32_t
RdmaFlowTable::FirstOfPair(const FlowAddress& source, const FlowAddress& destination) const
{
    RdmaFlowKey pair{source, destination, 0};
    return m_byPair.Find(HashFlowKey(pair),
                         [&](std::uint32_t position)
                         {
                             const RdmaFlowKey& key = m_flows[position].key;
                             return key.source == source && key.destination == destination;
                         });
}

void
RdmaFlowTable::IndexByPair(std::uint32_t index)
{
    RdmaFlow& flow = m_flows[index];
    std::uint32_t first = FirstOfPair(flow.key.source, flow.key.destination);
    if (first == RdmaFlow::kNone)
    {
        m_byPair.Insert(HashFlowKey(RdmaFlowKey{flow.key.source, flow.key.destination, 0}), index);
        flow.lastOfPair = index;
        return;
    }
    RdmaFlow& head = m_flows[first];
    m_flows[head.lastOfPair].nextOfPair = index;
    head.lastOfPair = index;
}

std::uint32_t
RdmaFlowTable::Bind(std::uint32_t index, std::uint32_t psn)
{
    const RdmaFlow& response = m_flows[index];
    std::uint32_t first = FirstOfPair(response.key.destination, response.key.source);
    std::uint32_t best = RdmaFlow::kNone;
    std::int32_t bestDistance = 0;
    for (auto candidate = first; candidate != RdmaFlow::kNone;
         candidate = m_flows[candidate].nextOfPair)
    {
        const RdmaFlow& request = m_flows[candidate];
        if (request.answeredBy != RdmaFlow::kNone)
        {
            continue;
        }
        // An ACK or NAK names a PSN the requester has sent: at or after its first, before its
        // next.
        std::int32_t ahead = PsnDistance(psn, request.expectedPsn);
        std::int32_t sinceFirst = PsnDistance(request.firstPsn, psn);
        if (ahead >= 1 && sinceFirst >= 0 && (best == RdmaFlow::kNone || ahead < bestDistance))
        {
            best = candidate;
            bestDistance = ahead;
        }
    }
    if (best != RdmaFlow::kNone)
    {
        m_flows[best].answeredBy = index;
        m_flows[index].answers = best;
    }
    return best;
}

void
RdmaFlowTable::TrackResponse(std::uint32_t index,
                             const DecodedPacket& packet,
                             std::int64_t timeNs,
                             std::uint64_t packetNumber)
{
    std::uint32_t psn = packet.bth.psn & kPsnMask;
    RdmaFlow& flow = m_flows[index];
    if (packet.ext.Has(ExtendedHeader::Aeth))
    {
        const auto& aeth = packet.ext.aeth;
        switch (aeth.kind)
        {
            case AethKind::Ack:
                flow.acks++;
                break;
            case AethKind::RnrNak:
                flow.rnrNaks++;
                break;
            case AethKind::Nak:
                if (aeth.value < kNakCodes)
                {
                    flow.naks[aeth.value]++;
                }
                if (flow.firstNakPacket == 0)
                {
                    flow.firstNakPacket = packetNumber;
                }
                break;
            case AethKind::Reserved:
                break;
        }
    }
    std::uint32_t request = flow.answers;
    if (request == RdmaFlow::kNone)
    {
        request = Bind(index, psn);
    }
    if (request == RdmaFlow::kNone || !packet.ext.Has(ExtendedHeader::Aeth)
        || packet.ext.aeth.kind != AethKind::Ack)
    {
        return;
    }
    RdmaFlow& requester = m_flows[request];
    for (auto& [sentPsn, sentNs] : requester.ackRequests)
    {
        if (sentNs >= 0 && sentPsn == psn && timeNs >= sentNs)
        {
            requester.rtt.Add(timeNs - sentNs);
            sentNs = -1;
            break;
        }
    }
}

} // namespace fab::dpi
