// The sFlow collector behind `collect`: agents' sequence numbers (loss, restarts), port rates
// between readings, continuous pauses, traffic classes scaled by sampling rates, the
// sliding window, the live rules raised and cleared once, and the limits that keep a flood of
// forged agents from growing its tables.
#include "dpi/capture-rules.h"
#include "dpi/live-rules.h"
#include "dpi/sflow-collector.h"
#include "telemetry/export/sflow-encoder.h"
#include "tests/dpi/frame-builder.h"

#include <catch2/catch.hpp>

using namespace fab::dpi;
namespace telemetry = fab::telemetry;

namespace
{

constexpr std::int64_t kSecond = 1'000'000'000;

/** Datagrams of one agent; every Flush of its encoder is one datagram. */
class Agent
{
public:
    explicit Agent(std::uint32_t address, std::uint32_t subAgent = 0)
    {
        telemetry::SflowEncoderConfig config;
        config.agent = telemetry::SflowAgentAddress::Ipv4(address);
        config.subAgentId = subAgent;
        m_encoder = std::make_unique<telemetry::SflowEncoder>(
            config,
            [this](const std::uint8_t* data, std::size_t size)
            { datagrams.emplace_back(data, data + size); });
    }

    void Sample(std::uint8_t tos, std::uint32_t rate, std::uint32_t psn, std::uint8_t opcode = 0x0A)
    {
        test::RoceSpec spec;
        spec.opcode = opcode;
        spec.psn = psn;
        spec.destQp = 0x42;
        spec.payload = 256;
        spec.tos = tos;
        auto frame = test::BuildRoceFrame(spec);
        telemetry::SflowPacketSample sample;
        sample.source = {0, 1};
        sample.samplingRate = rate;
        sample.frame = frame.data();
        sample.capturedLength = frame.size();
        REQUIRE(m_encoder->AddFlowSample(sample));
        m_encoder->Flush();
    }

    void Counters(std::uint32_t uptimeMs, std::uint64_t inOctets, std::uint64_t pausedUs)
    {
        m_encoder->SetUptimeMs(uptimeMs);
        telemetry::SflowPortCounters port;
        port.source = {0, 1};
        telemetry::SflowInterfaceCounters generic;
        generic.ifIndex = 1;
        generic.ifInOctets = inOctets;
        port.generic = generic;
        telemetry::SflowPfcCounters pfc;
        pfc.priorities[3].rxPauseDurationUs = pausedUs;
        port.pfc = pfc;
        REQUIRE(m_encoder->AddCounterSample(port));
        m_encoder->Flush();
    }

    std::vector<std::vector<std::uint8_t>> datagrams;

private:
    std::unique_ptr<telemetry::SflowEncoder> m_encoder;
};

void
Feed(SflowCollector& collector, const std::vector<std::uint8_t>& datagram, std::int64_t atNs)
{
    REQUIRE(collector.Add(datagram.data(), datagram.size(), atNs).Ok());
}

} // namespace

TEST_CASE("sequence numbers tell lost datagrams and restarts", "[dpi][sflow][collector]")
{
    Agent agent(0x0A000001);
    for (std::uint32_t i = 0; i < 10; ++i)
    {
        agent.Sample(0x6A, 100, i);
    }
    SflowCollector collector;
    for (std::size_t i = 0; i < 10; ++i)
    {
        if (i != 3 && i != 4 && i != 7)
        {
            Feed(collector, agent.datagrams[i], kSecond);
        }
    }
    Feed(collector, agent.datagrams[7], kSecond); // late: counted, not a loss
    Agent restarted(0x0A000001);
    restarted.Sample(0x6A, 100, 0);
    Feed(collector, restarted.datagrams[0], 2 * kSecond);
    const auto& state = collector.Agents().begin()->second;
    CHECK(collector.Agents().size() == 1);
    CHECK(state.datagrams == 9);
    CHECK(state.lostDatagrams == 3); // 3, 4 and 7 (7 came after 8: too late to undo)
    CHECK(state.restarts == 1);
    CHECK(state.flowSamples == 9);
}

TEST_CASE("classes scale samples by their rate; the window forgets", "[dpi][sflow][collector]")
{
    Agent agent(0x0A000002);
    agent.Sample(0x6B, 1000, 1); // CE
    agent.Sample(0x6A, 1000, 2);
    agent.Sample(0x6A, 500, 3);
    agent.Sample(0x6A, 500, 1); // behind PSN 3 on its QP: a retransmission
    SflowCollectorOptions options;
    options.windowNs = 2 * kSecond;
    SflowCollector collector(options);
    for (const auto& datagram : agent.datagrams)
    {
        Feed(collector, datagram, 10 * kSecond);
    }
    SflowTrafficClassKey dscp26{false, 26};
    const auto& total = collector.Classes().at(dscp26);
    CHECK(total.samples == 4);
    CHECK(total.packets == 3000);
    CHECK(total.ecnCe == 1000);
    CHECK(total.ecnCapable == 2000);
    CHECK(total.requests == 3000);
    CHECK(total.retransmitted == 500);
    CHECK(collector.Window().at(dscp26).packets == 3000);
    collector.Advance(11 * kSecond);
    CHECK(collector.Window().at(dscp26).packets == 3000);
    collector.Advance(12 * kSecond);
    CHECK(collector.Window().empty());
    CHECK(collector.Classes().at(dscp26).packets == 3000); // totals stay
}

TEST_CASE("port rates between readings, and pauses that last", "[dpi][sflow][collector]")
{
    Agent agent(0x0A000003);
    agent.Counters(1'000, 0, 0);
    agent.Counters(2'000, 1'000'000'000, 1'000'000); // paused the whole second
    agent.Counters(3'000, 3'000'000'000, 2'000'000); // and the next
    agent.Counters(4'000, 3'500'000'000, 2'250'000); // a quarter of the next
    SflowCollector collector;
    SflowInterfaceKey key;
    for (std::size_t i = 0; i < agent.datagrams.size(); ++i)
    {
        Feed(collector, agent.datagrams[i], static_cast<std::int64_t>(i + 1) * kSecond);
        const auto& port = collector.Interfaces().begin()->second;
        key = collector.Interfaces().begin()->first;
        if (i == 2)
        {
            CHECK(port.rates.inBitsPerSecond == 16e9);
            CHECK(port.rates.rxPausedShare[3] == 1.0);
            CHECK(port.continuousPauseMs[3] == 2'000);
        }
    }
    const auto& port = collector.Interfaces().at(key);
    CHECK(port.rates.inBitsPerSecond == 4e9);
    CHECK(port.rates.rxPausedShare[3] == 0.25);
    CHECK(port.continuousPauseMs[3] == 0);
    CHECK(key.ifIndex == 1);
}

TEST_CASE("live rules raise once, clear once, and judge stale ports no more",
          "[dpi][sflow][collector][rules]")
{
    Agent agent(0x0A000004);
    agent.Counters(1'000, 0, 0);
    agent.Counters(2'000, 0, 1'000'000);
    SflowCollectorOptions options;
    options.windowNs = 5 * kSecond;
    SflowCollector collector(options);
    LiveRules rules(DefaultCaptureRules());
    Feed(collector, agent.datagrams[0], 1 * kSecond);
    Feed(collector, agent.datagrams[1], 2 * kSecond);
    auto raised = rules.Evaluate(collector);
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].raised);
    CHECK(raised[0].finding.rule == "capture.pfc-storm");
    CHECK(raised[0].finding.subject == "10.0.0.4 ifIndex 1, priority 3");
    CHECK(rules.Evaluate(collector).empty()); // still holds: nothing new
    collector.Advance(6 * kSecond);
    CHECK(rules.Evaluate(collector).empty()); // within the window
    collector.Advance(8 * kSecond);
    auto cleared = rules.Evaluate(collector);
    REQUIRE(cleared.size() == 1);
    CHECK_FALSE(cleared[0].raised);
    CHECK(rules.Active().empty());
    CHECK(rules.RaisedTotal() == 1);
}

TEST_CASE("forged agents past the limit are counted, not kept; bad datagrams are named",
          "[dpi][sflow][collector]")
{
    SflowCollectorOptions options;
    options.maxAgents = 10;
    SflowCollector collector(options);
    for (std::uint32_t i = 0; i < 50; ++i)
    {
        Agent agent(0x0B000000 + i);
        agent.Sample(0x6A, 1, 1);
        Feed(collector, agent.datagrams[0], kSecond);
    }
    CHECK(collector.Agents().size() == 10);
    CHECK(collector.Totals().agentsUntracked == 40);
    std::vector<std::uint8_t> version4 = {0, 0, 0, 4, 0, 0, 0, 1};
    auto status = collector.Add(version4.data(), version4.size(), 2 * kSecond);
    CHECK(status.reason == SflowAnomaly::BadVersion);
    CHECK(collector.Totals().badDatagrams == 1);
    CHECK(collector.WindowBadDatagrams() == 1);
    CHECK(collector.SflowAnomalies().Get(SflowAnomaly::BadVersion) == 1);
}
