#include "dpi/sflow-collector.h"

#include "dpi/opcode-table.h"

#include <algorithm>
#include <cstdio>

namespace fab::dpi
{
namespace
{

bool
Has(std::uint8_t events, RdmaEvent event)
{
    return (events & static_cast<std::uint8_t>(event)) != 0;
}

/** Counter difference across a wrap of `bits`-bit counters (interface counters wrap). */
template <typename Counter>
double
Delta(Counter later, Counter earlier)
{
    return static_cast<double>(static_cast<Counter>(later - earlier));
}

} // namespace

std::string
FormatAgent(const SflowAgentKey& agent)
{
    std::string text = FormatFlowAddress(FlowAddress{agent.address, false});
    if (agent.subAgentId != 0)
    {
        text += "/" + std::to_string(agent.subAgentId);
    }
    return text;
}

std::string
FormatTrafficClass(const SflowTrafficClassKey& key)
{
    return (key.ib ? "sl" : "dscp") + std::to_string(key.value);
}

SflowClassCounts&
SflowClassCounts::operator+=(const SflowClassCounts& other)
{
    samples += other.samples;
    packets += other.packets;
    bytes += other.bytes;
    requests += other.requests;
    ecnCapable += other.ecnCapable;
    ecnCe += other.ecnCe;
    cnps += other.cnps;
    naks += other.naks;
    retransmitted += other.retransmitted;
    return *this;
}

SflowCollector::SflowCollector(const SflowCollectorOptions& options)
: m_options(options)
{
    m_options.stepNs = std::max<std::int64_t>(1, m_options.stepNs);
    m_options.windowNs = std::max(m_options.windowNs, m_options.stepNs);
}

SflowStatus
SflowCollector::Add(const std::uint8_t* data, std::size_t size, std::int64_t receivedNs)
{
    Advance(receivedNs);
    m_totals.datagrams++;
    m_totals.bytes += size;
    SflowStatus status = DecodeSflowDatagram(data, size, m_datagram);
    m_sflowAnomalies.Add(m_datagram.notes);
    if (!status.Ok())
    {
        m_sflowAnomalies.Add(status.reason);
        m_totals.badDatagrams++;
        Current().badDatagrams++;
    }
    if (m_datagram.header.version != kSflowVersion5
        || status.reason == SflowAnomaly::TruncatedHeader
        || status.reason == SflowAnomaly::BadAgentAddressType)
    {
        return status; // no agent to credit what follows to
    }
    if (!TakeAgent(m_datagram.header, receivedNs))
    {
        m_totals.agentsUntracked++;
        return status;
    }
    SflowAgentKey agent{m_datagram.header.agentAddress, m_datagram.header.subAgentId};
    m_totals.flowSamples += m_datagram.flowSamples.size();
    m_agents[agent].flowSamples += m_datagram.flowSamples.size();
    for (const auto& header : m_datagram.rawHeaders)
    {
        TakeFlowSample(data, m_datagram.flowSamples[header.flowSample], header);
    }
    for (const auto& sample : m_datagram.counterSamples)
    {
        TakeCounterSample(agent, m_datagram.header.uptimeMs, receivedNs, sample);
    }
    return status;
}

bool
SflowCollector::TakeAgent(const SflowDatagramHeader& header, std::int64_t receivedNs)
{
    SflowAgentKey key{header.agentAddress, header.subAgentId};
    auto found = m_agents.find(key);
    if (found == m_agents.end() && m_agents.size() >= m_options.maxAgents)
    {
        return false;
    }
    SflowAgentState& agent = found != m_agents.end() ? found->second : m_agents[key];
    if (agent.datagrams > 0)
    {
        auto ahead = static_cast<std::int32_t>(header.sequenceNumber - agent.lastSequence);
        if (header.uptimeMs < agent.uptimeMs || header.sequenceNumber < agent.lastSequence / 2)
        {
            agent.restarts++; // sequence numbers start again with the agent
        }
        else if (ahead > 1)
        {
            agent.lostDatagrams += static_cast<std::uint64_t>(ahead - 1);
        }
        else if (ahead <= 0)
        {
            agent.datagrams++; // late or repeated: counted, but the sequence stays ahead
            agent.lastSeenNs = receivedNs;
            return true;
        }
    }
    agent.datagrams++;
    agent.lastSequence = header.sequenceNumber;
    agent.uptimeMs = header.uptimeMs;
    agent.lastSeenNs = receivedNs;
    return true;
}

void
SflowCollector::TakeFlowSample(const std::uint8_t* data,
                               const SflowFlowSample& sample,
                               const SflowRawHeader& header)
{
    m_totals.headers++;
    double rate = std::max<std::uint32_t>(1, sample.samplingRate);
    std::uint32_t wire = header.frameLength > header.stripped ? header.frameLength - header.stripped
                                                              : header.headerLength;
    wire = std::max(wire, header.headerLength);
    const std::uint8_t* bytes = data + header.headerOffset;
    Anomaly stop = Anomaly::None;
    switch (header.protocol)
    {
        case kSflowHeaderEthernet:
            stop = DecodePacket(LinkKind::Ethernet,
                                bytes,
                                header.headerLength,
                                wire,
                                m_packet,
                                m_headerAnomalies,
                                m_options.decode);
            break;
        case kSflowHeaderIpv4:
        case kSflowHeaderIpv6:
            stop = DecodeFromEtherType(header.protocol == kSflowHeaderIpv4 ? kEtherTypeIpv4
                                                                           : kEtherTypeIpv6,
                                       bytes,
                                       header.headerLength,
                                       wire,
                                       m_packet,
                                       m_headerAnomalies,
                                       m_options.decode);
            break;
        default:
            m_totals.headersNotEthernet++;
            return;
    }
    // Agents cut headers at 128 bytes: a walk that stops for want of bytes is expected then.
    if (stop != Anomaly::None && header.headerLength >= wire)
    {
        m_totals.headersMalformed++;
    }
    m_totals.estimatedPackets += rate;
    m_totals.estimatedBytes += rate * header.frameLength;
    if (!m_packet.Has(Layer::Bth))
    {
        bool pause = m_packet.Has(Layer::Pfc) || m_packet.Has(Layer::Pause);
        (pause ? m_totals.pfc : m_totals.other)++;
        return;
    }
    m_totals.roce++;
    m_totals.cnp += m_packet.Has(Layer::Cnp) ? 1 : 0;
    SflowTrafficClassKey key{m_packet.Has(Layer::Ib), 0};
    key.value = key.ib ? m_packet.lrh.serviceLevel : m_packet.ip.dscp;

    std::uint8_t events = 0;
    if (m_flows.Size() < m_options.maxFlows)
    {
        events = m_flows.Add(m_packet, m_nowNs, ++m_headerNumber);
    }
    else
    {
        m_totals.flowTableFull++;
    }
    SflowClassCounts counts;
    counts.samples = 1;
    counts.packets = rate;
    counts.bytes = rate * header.frameLength;
    bool ip = m_packet.Has(Layer::Ipv4) || m_packet.Has(Layer::Ipv6);
    if (ip)
    {
        counts.ecnCe = m_packet.ip.ecn == Ecn::Ce ? rate : 0;
        counts.ecnCapable = m_packet.ip.ecn == Ecn::Ect0 || m_packet.ip.ecn == Ecn::Ect1 ? rate : 0;
    }
    auto operation = OperationOf(m_packet.bth.opcode);
    bool response
        = operation == Operation::Acknowledge || operation == Operation::AtomicAcknowledge;
    if (m_packet.Has(Layer::Cnp))
    {
        counts.cnps = rate;
    }
    else if (response)
    {
        counts.naks = m_packet.ext.aeth.kind == AethKind::Nak ? rate : 0;
    }
    else
    {
        counts.requests = rate;
        counts.retransmitted = Has(events, RdmaEvent::Retransmitted) ? rate : 0;
    }
    m_classes[key] += counts;
    Current().classes[key] += counts;
}

void
SflowCollector::TakeCounterSample(const SflowAgentKey& agent,
                                  std::uint32_t uptimeMs,
                                  std::int64_t receivedNs,
                                  const SflowCounterSample& sample)
{
    m_totals.counterSamples++;
    m_agents[agent].counterSamples++;
    std::uint32_t index = sample.hasGeneric ? sample.generic.ifIndex : sample.sourceIdIndex;
    SflowInterfaceKey key{agent, index};
    auto found = m_interfaces.find(key);
    if (found == m_interfaces.end() && m_interfaces.size() >= m_options.maxInterfaces)
    {
        m_totals.interfacesUntracked++;
        return;
    }
    SflowInterfaceState& port = found != m_interfaces.end() ? found->second : m_interfaces[key];
    SflowCounterReading reading;
    reading.uptimeMs = uptimeMs;
    reading.receivedNs = receivedNs;
    reading.hasGeneric = sample.hasGeneric;
    reading.generic = sample.generic;
    reading.hasEthernet = sample.hasEthernet;
    reading.ethernet = sample.ethernet;
    reading.hasPfc = sample.hasPfc;
    reading.pfc = sample.pfc;

    const SflowCounterReading& before = port.latest;
    double seconds = (static_cast<double>(uptimeMs) - before.uptimeMs) / 1e3;
    if (port.counterSamples > 0 && seconds > 0)
    {
        SflowInterfaceRates& rates = port.rates;
        if (reading.hasGeneric && before.hasGeneric)
        {
            const auto& now = reading.generic;
            const auto& then = before.generic;
            rates.inBitsPerSecond = 8 * Delta(now.ifInOctets, then.ifInOctets) / seconds;
            rates.outBitsPerSecond = 8 * Delta(now.ifOutOctets, then.ifOutOctets) / seconds;
            rates.inPacketsPerSecond = (Delta(now.ifInUcastPkts, then.ifInUcastPkts)
                                        + Delta(now.ifInMulticastPkts, then.ifInMulticastPkts)
                                        + Delta(now.ifInBroadcastPkts, then.ifInBroadcastPkts))
                                       / seconds;
            rates.outPacketsPerSecond = (Delta(now.ifOutUcastPkts, then.ifOutUcastPkts)
                                         + Delta(now.ifOutMulticastPkts, then.ifOutMulticastPkts)
                                         + Delta(now.ifOutBroadcastPkts, then.ifOutBroadcastPkts))
                                        / seconds;
            rates.errorsPerSecond = (Delta(now.ifInErrors, then.ifInErrors)
                                     + Delta(now.ifOutErrors, then.ifOutErrors))
                                    / seconds;
            rates.discardsPerSecond = (Delta(now.ifInDiscards, then.ifInDiscards)
                                       + Delta(now.ifOutDiscards, then.ifOutDiscards))
                                      / seconds;
        }
        if (reading.hasPfc && before.hasPfc)
        {
            double intervalUs = seconds * 1e6;
            for (std::size_t p = 0; p < kSflowPfcPriorities; ++p)
            {
                const auto& now = reading.pfc.priorities[p];
                const auto& then = before.pfc.priorities[p];
                rates.rxPauseFramesPerSecond[p]
                    = Delta(now.rxPauseFrames, then.rxPauseFrames) / seconds;
                rates.txPauseFramesPerSecond[p]
                    = Delta(now.txPauseFrames, then.txPauseFrames) / seconds;
                double paused = Delta(now.rxPauseDurationUs, then.rxPauseDurationUs);
                rates.rxPausedShare[p] = std::min(1.0, paused / intervalUs);
                // Paused the whole interval (to the microsecond counters' rounding): the pause
                // goes on; anything less breaks it.
                bool whole = paused + 1 >= intervalUs;
                port.continuousPauseMs[p]
                    = whole ? port.continuousPauseMs[p] + static_cast<std::int64_t>(seconds * 1e3)
                            : 0;
            }
        }
        port.hasRates = true;
    }
    else if (port.counterSamples > 0 && uptimeMs < before.uptimeMs)
    {
        port.hasRates = false; // the agent restarted: rates start again
        port.continuousPauseMs.fill(0);
    }
    port.readingIntervalNs = port.counterSamples > 0 ? receivedNs - before.receivedNs : 0;
    port.latest = reading;
    port.counterSamples++;
}

void
SflowCollector::Advance(std::int64_t nowNs)
{
    if (nowNs <= m_nowNs)
    {
        return;
    }
    m_nowNs = nowNs;
    while (!m_buckets.empty() && m_buckets.front().startNs + m_options.windowNs <= nowNs)
    {
        m_buckets.pop_front();
    }
}

SflowCollector::Bucket&
SflowCollector::Current()
{
    std::int64_t start = m_nowNs - m_nowNs % m_options.stepNs;
    if (m_buckets.empty() || m_buckets.back().startNs != start)
    {
        m_buckets.push_back(Bucket{start, {}, 0});
    }
    return m_buckets.back();
}

std::map<SflowTrafficClassKey, SflowClassCounts>
SflowCollector::Window() const
{
    std::map<SflowTrafficClassKey, SflowClassCounts> sum;
    for (const auto& bucket : m_buckets)
    {
        for (const auto& [key, counts] : bucket.classes)
        {
            sum[key] += counts;
        }
    }
    return sum;
}

bool
SflowCollector::Stale(const SflowInterfaceState& port) const
{
    std::int64_t fresh = std::max(m_options.windowNs, 2 * port.readingIntervalNs);
    return m_nowNs - port.latest.receivedNs > fresh;
}

std::uint64_t
SflowCollector::WindowBadDatagrams() const
{
    std::uint64_t bad = 0;
    for (const auto& bucket : m_buckets)
    {
        bad += bucket.badDatagrams;
    }
    return bad;
}

} // namespace fab::dpi
