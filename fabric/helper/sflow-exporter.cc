#include "fabric/helper/sflow-exporter.h"

#include "fabric/model/pcap-file-writer.h"
#include "telemetry/model/json-object-reader.h"

#include <algorithm>
#include <arpa/inet.h>
#include <ns3/simulator.h>
#include <string>

namespace ns3::fabric
{

struct SflowExporter::Tap
{
    SflowExporter* exporter{nullptr};
    std::size_t agent{0};
    std::size_t slot{0};
    Ptr<LosslessSwitch> node;
    Ptr<FabricNetDevice> port;
    std::uint16_t portNumber{0};

    void OnReceive(const Frame& frame) { exporter->OnReceive(this, frame); }
};

struct SflowExporter::Agent
{
    std::string switchName;
    std::uint32_t address{0};
    std::unique_ptr<SflowAgent> agent;
    std::vector<Tap*> taps;
};

namespace
{

/** "a.b.c.d:port" → address (host order) and port; false for anything else. */
bool
ParseIpv4Collector(const std::string& text, std::uint32_t& address, std::uint16_t& port)
{
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
    {
        return false;
    }
    in_addr parsed{};
    if (inet_pton(AF_INET, text.substr(0, colon).c_str(), &parsed) != 1)
    {
        return false;
    }
    try
    {
        unsigned long value = std::stoul(text.substr(colon + 1));
        if (value == 0 || value > 65535)
        {
            return false;
        }
        port = static_cast<std::uint16_t>(value);
    }
    catch (const std::exception&)
    {
        return false;
    }
    address = ntohl(parsed.s_addr);
    return true;
}

void
AppendUdpFrame(std::vector<std::uint8_t>& frame,
               std::uint32_t source,
               std::uint32_t destination,
               std::uint16_t destinationPort,
               const std::uint8_t* payload,
               std::size_t size)
{
    frame.clear();
    auto u8 = [&](std::uint32_t v)
    {
        frame.push_back(static_cast<std::uint8_t>(v));
    };
    auto u16 = [&](std::uint32_t v)
    {
        u8(v >> 8);
        u8(v);
    };
    auto u32 = [&](std::uint32_t v)
    {
        u16(v >> 16);
        u16(v);
    };
    // Locally administered MACs: the collector's, then the agent's (its address in the low bits).
    u16(0x0200);
    u32(destination);
    u16(0x0200);
    u32(source);
    u16(0x0800);
    std::size_t ip = frame.size();
    u8(0x45);
    u8(0);
    u16(static_cast<std::uint32_t>(20 + 8 + size));
    u16(0);
    u16(0x4000); // don't fragment
    u8(64);
    u8(17);
    u16(0);
    u32(source);
    u32(destination);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2)
    {
        sum += (std::uint32_t{frame[ip + i]} << 8) | frame[ip + i + 1];
    }
    while (sum > 0xFFFF)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    frame[ip + 10] = static_cast<std::uint8_t>(~sum >> 8);
    frame[ip + 11] = static_cast<std::uint8_t>(~sum);
    u16(kSflowPort); // agents send from any port; this one makes the flow easy to filter
    u16(destinationPort);
    u16(static_cast<std::uint32_t>(8 + size));
    u16(0); // no checksum, as IPv4 allows
    frame.insert(frame.end(), payload, payload + size);
}

std::uint32_t
Low32(std::uint64_t value)
{
    return static_cast<std::uint32_t>(value);
}

} // namespace

std::uint32_t
SflowExporter::AgentAddress(std::size_t switchIndex)
{
    return (10u << 24) | (255u << 16) | static_cast<std::uint32_t>((switchIndex + 1) & 0xFFFF);
}

SflowExporter::SflowExporter(FabricBuilder& fabric,
                             const SflowExportConfig& config,
                             std::uint64_t seed,
                             DatagramSink sink,
                             const std::string& pcapPath)
: m_fabric(fabric)
, m_config(config)
, m_sink(std::move(sink))
{
    ParseIpv4Collector(config.collector, m_collectorIp, m_collectorPort);
    if (!pcapPath.empty())
    {
        m_pcap = std::make_unique<PcapFileWriter>(pcapPath, 1);
        if (!m_pcap->IsOpen())
        {
            throw fab::telemetry::InputError(pcapPath, "cannot write this file");
        }
    }
    m_header.resize(config.headerBytes);
    const FabricOptions& options = fabric.Options();
    auto switches = fabric.Switches();
    for (std::size_t i = 0; i < switches.size(); ++i)
    {
        auto agent = std::make_unique<Agent>();
        agent->address = AgentAddress(i);
        SflowAgentConfig agentConfig;
        agentConfig.agentAddress = agent->address;
        agentConfig.samplingRate = config.samplingRate;
        agentConfig.headerBytes = config.headerBytes;
        agentConfig.seed = seed;
        std::uint32_t address = agent->address;
        agent->agent = std::make_unique<SflowAgent>(
            agentConfig,
            [this, address](const std::uint8_t* data, std::size_t size)
            { Emit(address, data, size); });
        const auto& ports = switches[i]->GetPorts();
        if (options.features.pfc)
        {
            m_pfcEnabled = switches[i]->GetMmu().Config().losslessMask;
        }
        for (std::size_t p = 0; p < ports.size(); ++p)
        {
            if (!ports[p])
            {
                continue;
            }
            if (agent->switchName.empty())
            {
                const std::string& name = ports[p]->GetPortName();
                agent->switchName = name.substr(0, name.find(':'));
            }
            auto tap = std::make_unique<Tap>();
            tap->exporter = this;
            tap->agent = i;
            tap->node = switches[i];
            tap->port = ports[p];
            tap->portNumber = static_cast<std::uint16_t>(p);
            tap->slot = agent->agent->AddSource(static_cast<std::uint32_t>(p) + 1);
            agent->taps.push_back(tap.get());
            m_taps.push_back(std::move(tap));
        }
        m_agents.push_back(std::move(agent));
    }
}

SflowExporter::~SflowExporter() = default;

void
SflowExporter::Start()
{
    if (m_config.samplingRate != 0)
    {
        for (auto& tap : m_taps)
        {
            tap->port->TraceConnectWithoutContext("RxPacket",
                                                  MakeCallback(&Tap::OnReceive, tap.get()));
        }
    }
    if (m_config.counterIntervalNs > 0)
    {
        Simulator::Schedule(NanoSeconds(m_config.counterIntervalNs), &SflowExporter::PollAll, this);
    }
}

void
SflowExporter::OnReceive(Tap* tap, const Frame& frame)
{
    if (m_finished || frame.kind == FrameKind::Pfc || frame.kind == FrameKind::Lldp)
    {
        return;
    }
    SflowAgent& agent = *m_agents[tap->agent]->agent;
    if (!agent.CountPacket(tap->slot))
    {
        return;
    }
    // The first headerBytes of the frame: its header bytes, then the zeros of its payload, then
    // whatever of the trailer falls inside.
    std::size_t captured = std::min<std::size_t>(m_header.size(), frame.Bytes());
    std::size_t fromHeader = std::min<std::size_t>(captured, frame.headerBytes);
    std::copy_n(frame.header.begin(), fromHeader, m_header.begin());
    std::fill(m_header.begin() + static_cast<std::ptrdiff_t>(fromHeader),
              m_header.begin() + static_cast<std::ptrdiff_t>(captured),
              0);
    std::size_t trailerStart = std::size_t{frame.headerBytes} + frame.zeroBytes;
    for (std::size_t i = trailerStart; i < captured; ++i)
    {
        m_header[i] = frame.trailer[i - trailerStart];
    }
    fab::telemetry::SflowPacketSample sample;
    sample.input = tap->portNumber + 1u;
    int out = tap->node->Route(frame.dstEndpoint, frame.flowHash);
    if (out >= 0)
    {
        sample.output = static_cast<std::uint32_t>(out) + 1;
    }
    sample.frame = m_header.data();
    sample.capturedLength = captured;
    sample.wireLength = frame.Bytes();
    fab::telemetry::SflowSwitchData switchData;
    std::uint32_t vlan = m_fabric.Options().vlan.value_or(0);
    switchData.sourceVlan = vlan;
    switchData.destinationVlan = vlan;
    switchData.sourcePriority = frame.priority;
    switchData.destinationPriority = frame.priority;
    sample.extendedSwitch = switchData;
    agent.SetUptimeNs(Simulator::Now().GetNanoSeconds());
    agent.AddFlowSample(tap->slot, sample);
}

void
SflowExporter::PollAll()
{
    if (m_finished)
    {
        return;
    }
    for (auto& agent : m_agents)
    {
        Poll(*agent);
    }
    Simulator::Schedule(NanoSeconds(m_config.counterIntervalNs), &SflowExporter::PollAll, this);
}

void
SflowExporter::Poll(Agent& agent)
{
    agent.agent->SetUptimeNs(Simulator::Now().GetNanoSeconds());
    for (Tap* tap : agent.taps)
    {
        const PortCounters c = tap->port->GetCountersNow();
        fab::telemetry::SflowPortCounters counters;
        fab::telemetry::SflowInterfaceCounters generic;
        generic.ifIndex = tap->portNumber + 1u;
        generic.ifSpeed = tap->port->GetDataRate().GetBitRate();
        generic.ifStatus = tap->port->IsLinkUp() ? 3 : 1;
        std::uint64_t fcsErrors = c.drops[static_cast<std::size_t>(DropReason::FcsError)];
        generic.ifInOctets = c.rxBytes;
        generic.ifInUcastPkts = Low32(c.rxPackets);
        generic.ifInDiscards = Low32(c.TotalDrops() - fcsErrors);
        generic.ifInErrors = Low32(fcsErrors);
        generic.ifOutOctets = c.txBytes;
        generic.ifOutUcastPkts = Low32(c.txPackets);
        counters.generic = generic;
        fab::telemetry::SflowEthernetCounters ethernet;
        ethernet.dot3StatsFCSErrors = Low32(fcsErrors);
        counters.ethernet = ethernet;
        fab::telemetry::SflowPfcCounters pfc;
        pfc.pfcEnabled = m_pfcEnabled;
        for (std::size_t p = 0; p < fab::telemetry::kSflowPfcPriorities; ++p)
        {
            auto& priority = pfc.priorities[p];
            priority.rxPauseFrames = c.pfcPauseRx[p] + c.pfcResumeRx[p];
            priority.txPauseFrames = c.pfcPauseTx[p] + c.pfcResumeTx[p];
            priority.rxPauseDurationUs = static_cast<std::uint64_t>(c.pausedNs[p]) / 1000;
            priority.txPauseDurationUs = static_cast<std::uint64_t>(c.pauseRequestedNs[p]) / 1000;
        }
        counters.pfc = pfc;
        agent.agent->AddCounterSample(tap->slot, counters);
    }
    agent.agent->Flush();
}

void
SflowExporter::Finish()
{
    if (m_finished)
    {
        return;
    }
    for (auto& agent : m_agents)
    {
        Poll(*agent);
    }
    m_finished = true;
}

void
SflowExporter::Emit(std::uint32_t agentAddress, const std::uint8_t* data, std::size_t size)
{
    if (m_sink)
    {
        m_sink(data, size);
    }
    if (m_pcap)
    {
        AppendUdpFrame(m_frame, agentAddress, m_collectorIp, m_collectorPort, data, size);
        m_pcap->Write(Simulator::Now().GetNanoSeconds(),
                      m_frame.data(),
                      static_cast<std::uint32_t>(m_frame.size()));
    }
}

SflowExportStats
SflowExporter::Stats() const
{
    SflowExportStats stats;
    for (const auto& agent : m_agents)
    {
        SflowAgentSummary summary;
        summary.switchName = agent->switchName;
        summary.agentAddress = agent->address;
        summary.datagrams = agent->agent->Datagrams();
        summary.counterSamples = agent->agent->CounterSamples();
        for (std::size_t s = 0; s < agent->agent->Sources(); ++s)
        {
            summary.flowSamples += agent->agent->FlowSamples(s);
            summary.samplePool += agent->agent->SamplePool(s);
            summary.drops += agent->agent->Drops(s);
        }
        stats.datagrams += summary.datagrams;
        stats.flowSamples += summary.flowSamples;
        stats.counterSamples += summary.counterSamples;
        stats.samplePool += summary.samplePool;
        stats.drops += summary.drops;
        stats.agents.push_back(std::move(summary));
    }
    return stats;
}

} // namespace ns3::fabric
