#include "fabric/model/sflow-agent.h"

#include <utility>

namespace ns3::fabric
{
namespace
{

std::uint64_t
SplitMix64(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

fab::telemetry::SflowEncoderConfig
EncoderConfig(const SflowAgentConfig& config)
{
    fab::telemetry::SflowEncoderConfig encoder;
    encoder.agent = fab::telemetry::SflowAgentAddress::Ipv4(config.agentAddress);
    encoder.subAgentId = config.subAgentId;
    encoder.maxDatagramBytes = config.maxDatagramBytes;
    encoder.maxHeaderBytes = config.headerBytes;
    return encoder;
}

} // namespace

SflowAgent::SflowAgent(const SflowAgentConfig& config, DatagramSink sink)
: m_config(config)
, m_encoder(EncoderConfig(config), std::move(sink))
{
}

std::uint32_t
SflowAgent::NextSkip(std::uint64_t& state, std::uint32_t rate)
{
    if (rate <= 1)
    {
        return rate;
    }
    // The modulo's bias is below 2^-32 for any 32-bit rate.
    std::uint64_t span = 2 * std::uint64_t{rate} - 1;
    return static_cast<std::uint32_t>(1 + SplitMix64(state) % span);
}

std::size_t
SflowAgent::AddSource(std::uint32_t ifIndex)
{
    Source source;
    source.ifIndex = ifIndex;
    source.random = m_config.seed;
    SplitMix64(source.random);
    source.random ^= (std::uint64_t{m_config.agentAddress} << 32) | ifIndex;
    source.skip = NextSkip(source.random, m_config.samplingRate);
    m_sources.push_back(source);
    return m_sources.size() - 1;
}

void
SflowAgent::AddFlowSample(std::size_t slot, fab::telemetry::SflowPacketSample sample)
{
    Source& source = m_sources[slot];
    sample.source = {0, source.ifIndex};
    sample.samplingRate = m_config.samplingRate;
    // sFlow's pool and drop counters are 32 bits and wrap.
    sample.samplePool = static_cast<std::uint32_t>(source.pool);
    sample.drops = static_cast<std::uint32_t>(source.drops);
    if (m_encoder.AddFlowSample(sample))
    {
        ++source.samples;
    }
    else
    {
        ++source.drops;
    }
}

void
SflowAgent::AddCounterSample(std::size_t slot, fab::telemetry::SflowPortCounters counters)
{
    counters.source = {0, m_sources[slot].ifIndex};
    if (m_encoder.AddCounterSample(counters))
    {
        ++m_counterSamples;
    }
}

void
SflowAgent::SetUptimeNs(std::int64_t uptimeNs)
{
    m_encoder.SetUptimeMs(static_cast<std::uint32_t>(uptimeNs / 1'000'000));
}

} // namespace ns3::fabric
