// The switches' sFlow agent without the simulator: random skip sampling, sample pools and
// counters as dpi's decoder reads them back.
#include "dpi/sflow-decoder.h"
#include "fabric/model/sflow-agent.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

using namespace ns3::fabric;
using fab::telemetry::SflowPacketSample;
using fab::telemetry::SflowPortCounters;

namespace
{

/** The packet numbers (from 1) that one source samples out of `packets`. */
std::vector<std::uint64_t>
SampledPackets(const SflowAgentConfig& config, std::uint32_t ifIndex, std::uint64_t packets)
{
    SflowAgent agent(config, nullptr);
    std::size_t slot = agent.AddSource(ifIndex);
    std::vector<std::uint64_t> sampled;
    for (std::uint64_t i = 1; i <= packets; ++i)
    {
        if (agent.CountPacket(slot))
        {
            sampled.push_back(i);
        }
    }
    REQUIRE(agent.SamplePool(slot) == packets);
    return sampled;
}

struct Collected
{
    std::vector<std::vector<std::uint8_t>> datagrams;

    SflowAgent::DatagramSink Sink()
    {
        return [this](const std::uint8_t* data, std::size_t size)
        {
            datagrams.emplace_back(data, data + size);
        };
    }
};

} // namespace

TEST_CASE("skip counts are uniform in [1, 2N - 1] with mean N", "[fabric][sflow]")
{
    std::uint32_t rate = GENERATE(2u, 10u, 1000u, 65536u);
    std::uint64_t state = 42;
    const int draws = 200'000;
    double sum = 0;
    std::uint32_t low = ~0u;
    std::uint32_t high = 0;
    for (int i = 0; i < draws; ++i)
    {
        std::uint32_t skip = SflowAgent::NextSkip(state, rate);
        sum += skip;
        low = std::min(low, skip);
        high = std::max(high, skip);
    }
    INFO("rate " << rate);
    CHECK(low == 1);
    CHECK(high == 2 * rate - 1);
    // The mean's standard error is N / sqrt(3 × draws), 0.13 % of N: 1 % is 7 of them.
    CHECK(std::abs(sum / draws - rate) < 0.01 * rate);
    CHECK(SflowAgent::NextSkip(state, 1) == 1);
    CHECK(SflowAgent::NextSkip(state, 0) == 0);
}

TEST_CASE("a source samples about one packet in N", "[fabric][sflow]")
{
    std::uint32_t rate = GENERATE(10u, 100u, 1000u);
    SflowAgentConfig config;
    config.samplingRate = rate;
    const std::uint64_t packets = 2'000'000;
    auto sampled = SampledPackets(config, 1, packets);
    double expected = static_cast<double>(packets) / rate;
    INFO("rate " << rate << ": " << sampled.size() << " samples, " << expected << " expected");
    // Renewal counting: the count's standard deviation is about sqrt(expected / 3).
    CHECK(std::abs(static_cast<double>(sampled.size()) - expected)
          < 6 * std::sqrt(expected / 3) + 1);
    // No gap is longer than the longest skip.
    std::uint64_t previous = 0;
    for (std::uint64_t at : sampled)
    {
        CHECK(at - previous <= 2 * rate - 1);
        previous = at;
    }
}

TEST_CASE("sampling is reproducible from the seed and differs by source", "[fabric][sflow]")
{
    SflowAgentConfig config;
    config.samplingRate = 50;
    config.seed = 7;
    auto first = SampledPackets(config, 3, 100'000);
    CHECK(first == SampledPackets(config, 3, 100'000));
    CHECK(first != SampledPackets(config, 4, 100'000));
    SflowAgentConfig otherAgent = config;
    otherAgent.agentAddress = 0x0AFF0002;
    CHECK(first != SampledPackets(otherAgent, 3, 100'000));
    SflowAgentConfig otherSeed = config;
    otherSeed.seed = 8;
    CHECK(first != SampledPackets(otherSeed, 3, 100'000));
}

TEST_CASE("rate 1 samples every packet, rate 0 none", "[fabric][sflow]")
{
    SflowAgentConfig config;
    config.samplingRate = 1;
    CHECK(SampledPackets(config, 1, 1000).size() == 1000);
    config.samplingRate = 0;
    CHECK(SampledPackets(config, 1, 1000).empty());
}

TEST_CASE("samples carry the source's rate and pool; counters go out as given", "[fabric][sflow]")
{
    SflowAgentConfig config;
    config.agentAddress = 0x0AFF0003; // 10.255.0.3
    config.samplingRate = 4;
    config.seed = 11;
    Collected out;
    SflowAgent agent(config, out.Sink());
    std::size_t a = agent.AddSource(1);
    std::size_t b = agent.AddSource(9);
    std::vector<std::uint8_t> frame(200, 0xAB);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> expected; // (ifIndex, pool)
    for (int i = 0; i < 1000; ++i)
    {
        std::size_t slot = i % 3 == 0 ? b : a;
        if (agent.CountPacket(slot))
        {
            SflowPacketSample sample;
            sample.input = agent.IfIndex(slot);
            sample.output = 5;
            sample.frame = frame.data();
            sample.capturedLength = frame.size();
            agent.AddFlowSample(slot, sample);
            expected.emplace_back(agent.IfIndex(slot),
                                  static_cast<std::uint32_t>(agent.SamplePool(slot)));
        }
    }
    SflowPortCounters counters;
    fab::telemetry::SflowInterfaceCounters generic;
    generic.ifIndex = 9;
    generic.ifInOctets = 123'456'789'012ull;
    generic.ifInUcastPkts = 333;
    generic.ifOutOctets = 987'654'321ull;
    generic.ifOutUcastPkts = 222;
    counters.generic = generic;
    fab::telemetry::SflowPfcCounters pfc;
    pfc.pfcEnabled = 1u << 3;
    pfc.priorities[3].rxPauseFrames = 17;
    counters.pfc = pfc;
    agent.AddCounterSample(b, counters);
    agent.SetUptimeNs(2'500'000'000);
    agent.Flush();

    REQUIRE(agent.Datagrams() == out.datagrams.size());
    std::vector<std::pair<std::uint32_t, std::uint32_t>> decoded;
    std::uint64_t counterSamples = 0;
    fab::dpi::SflowDatagram datagram;
    for (const auto& bytes : out.datagrams)
    {
        REQUIRE(fab::dpi::DecodeSflowDatagram(bytes.data(), bytes.size(), datagram).Ok());
        CHECK(datagram.notes.Empty());
        CHECK(datagram.header.subAgentId == 0);
        for (const auto& sample : datagram.flowSamples)
        {
            CHECK(sample.samplingRate == 4);
            CHECK(sample.drops == 0);
            CHECK(sample.input == sample.sourceIdIndex);
            CHECK(sample.output == 5);
            decoded.emplace_back(sample.sourceIdIndex, sample.samplePool);
        }
        for (const auto& sample : datagram.counterSamples)
        {
            ++counterSamples;
            CHECK(sample.sourceIdIndex == 9);
            REQUIRE(sample.hasGeneric);
            CHECK(sample.generic.ifInOctets == 123'456'789'012ull);
            CHECK(sample.generic.ifInUcastPkts == 333);
            CHECK(sample.generic.ifOutOctets == 987'654'321ull);
            CHECK(sample.generic.ifOutUcastPkts == 222);
            REQUIRE(sample.hasPfc);
            CHECK(sample.pfc.priorities[3].rxPauseFrames == 17);
        }
    }
    CHECK(out.datagrams.back().size() > 0);
    CHECK(datagram.header.uptimeMs == 2500);
    CHECK(decoded == expected);
    CHECK(counterSamples == 1);
    CHECK(agent.CounterSamples() == 1);
    // About 1000 / 4 samples over the two sources.
    CHECK(expected.size() > 180);
    CHECK(expected.size() < 320);
}
