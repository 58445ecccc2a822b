#ifndef FABRICSCOPE_FABRIC_SFLOW_AGENT_H
#define FABRICSCOPE_FABRIC_SFLOW_AGENT_H

#include "telemetry/export/sflow-encoder.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ns3::fabric
{

/** One switch's sFlow agent settings. */
struct SflowAgentConfig
{
    std::uint32_t agentAddress{0x7F000001}; ///< IPv4, host order
    std::uint32_t subAgentId{0};
    /** 1-in-N packet sampling; 0: counters only. */
    std::uint32_t samplingRate{1000};
    std::size_t headerBytes{128};
    std::size_t maxDatagramBytes{1400};
    /** With the agent address and the ifIndex, seeds each data source's skip counts. */
    std::uint64_t seed{1};
};

/**
 * The sFlow agent of one switch (sFlow v5, sflow.org/sflow_version_5.txt), without a clock or a
 * network: the caller says what time it is, which packets a port saw and when to poll counters.
 *
 * Each data source (an ifIndex) samples 1 in N packets with sFlow's random skip: after each
 * sample the next skip count is drawn uniformly from [1, 2N - 1], so its mean is N and no
 * periodic traffic pattern can hide from the sampler. The draws come from a generator per source
 * seeded by (seed, agent address, ifIndex): the same scenario and seed sample the same packets.
 * The sample pool counts every packet the source saw, sampled or not; drops counts samples the
 * agent had to give up (a header that fits no datagram).
 */
class SflowAgent
{
public:
    using DatagramSink = fab::telemetry::SflowEncoder::DatagramSink;

    SflowAgent(const SflowAgentConfig& config, DatagramSink sink);

    /** Adds an ifIndex data source; returns its slot for the calls below. */
    std::size_t AddSource(std::uint32_t ifIndex);

    /** A packet arrived on the source: true when it is to be sampled (then call AddFlowSample). */
    bool CountPacket(std::size_t slot)
    {
        Source& source = m_sources[slot];
        ++source.pool;
        if (source.skip == 0 || --source.skip != 0)
        {
            return false;
        }
        source.skip = NextSkip(source.random, m_config.samplingRate);
        return true;
    }

    /**
     * Encodes a sampled packet: the caller sets the frame, its lengths, the interfaces and the
     * switch record; the agent the source, rate, pool and drops.
     */
    void AddFlowSample(std::size_t slot, fab::telemetry::SflowPacketSample sample);

    /** Encodes a counters sample for the source; `counters.source` is set here. */
    void AddCounterSample(std::size_t slot, fab::telemetry::SflowPortCounters counters);

    /** The agent's uptime, stamped on datagrams finished from now on. */
    void SetUptimeNs(std::int64_t uptimeNs);

    /** Sends what is waiting in a partly filled datagram. */
    void Flush() { m_encoder.Flush(); }

    std::uint32_t IfIndex(std::size_t slot) const { return m_sources[slot].ifIndex; }
    std::uint64_t SamplePool(std::size_t slot) const { return m_sources[slot].pool; }
    std::uint64_t FlowSamples(std::size_t slot) const { return m_sources[slot].samples; }
    std::uint64_t Drops(std::size_t slot) const { return m_sources[slot].drops; }
    std::size_t Sources() const { return m_sources.size(); }
    std::uint64_t CounterSamples() const { return m_counterSamples; }
    std::uint32_t Datagrams() const { return m_encoder.DatagramsSent(); }
    const SflowAgentConfig& Config() const { return m_config; }

    /** A skip count uniform in [1, 2 × rate - 1] (1 for rate 1, 0 = never for rate 0). */
    static std::uint32_t NextSkip(std::uint64_t& state, std::uint32_t rate);

private:
    struct Source
    {
        std::uint32_t ifIndex{0};
        std::uint64_t random{0};
        std::uint32_t skip{0};
        std::uint64_t pool{0};
        std::uint64_t samples{0};
        std::uint64_t drops{0};
    };

    SflowAgentConfig m_config;
    fab::telemetry::SflowEncoder m_encoder;
    std::vector<Source> m_sources;
    std::uint64_t m_counterSamples{0};
};

} // namespace ns3::fabric

#endif
