// RC reliability and DCQCN on the simulated fabric.
#include "fabric/helper/fabric-builder.h"
#include "support/fabric-flows.h"
#include "support/prerequisites.h"
#include "support/run-command.h"
#include "support/tshark.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>
#include <sstream>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::Flow;
using fab::tests::RunIn;
using fab::tests::TempDir;
using fab::tests::TsharkLines;
using fab::tests::UniformDesign;

namespace
{

/** Drops the first copy of each data packet whose PSN is in [from, to], or of the ACK of `ack`. */
struct LossPlan
{
    std::uint32_t from{1};
    std::uint32_t to{0};
    std::int64_t ackPsn{-1};
    std::set<std::uint32_t> dropped;
};

bool
DropPlanned(LossPlan* plan, const Frame& frame)
{
    bool data = frame.bthOpcode != static_cast<std::uint8_t>(BthOpcode::RcAcknowledge)
                && frame.bthOpcode != static_cast<std::uint8_t>(BthOpcode::Cnp);
    bool hit = data ? frame.psn >= plan->from && frame.psn <= plan->to
                    : frame.bthOpcode == static_cast<std::uint8_t>(BthOpcode::RcAcknowledge)
                          && plan->ackPsn == frame.psn;
    std::uint32_t key = frame.psn | (data ? 0u : 0x80000000u);
    return hit && plan->dropped.insert(key).second;
}

double
Jain(const std::vector<double>& x)
{
    double sum = 0;
    double squares = 0;
    for (double v : x)
    {
        sum += v;
        squares += v * v;
    }
    return sum * sum / (static_cast<double>(x.size()) * squares);
}

} // namespace

TEST_CASE("injected loss: messages complete, bytes arrive once, go-back-N resends from the gap",
          "[fabric][sim][rc][tshark][needs:tshark][needs:python3]")
{
    struct Case
    {
        const char* name;
        LossPlan plan;
        bool ackLoss;
    };
    const std::vector<Case> cases = {
        {"one PSN", {5, 5, -1, {}}, false},
        {"a burst of PSNs", {5, 9, -1, {}}, false},
        {"the last ACK", {1, 0, 19, {}}, true},
        {"a middle ACK", {1, 0, 7, {}}, true},
    };
    for (auto c : cases)
    {
        INFO(c.name);
        auto dir = TempDir(std::string("rc-loss-") + std::to_string(&c - &cases[0]));
        auto design = UniformDesign(4, 1, 4, 1, 2, 100'000'000'000ULL);
        FabricOptions options;
        options.lldpInterval = Time(0);
        options.transport.retransmitTimeout = MicroSeconds(200);
        FabricBuilder fabric(design, options);
        auto files = fabric.EnableCapture(dir.string(), "srv-0:*");
        // Data is lost entering the leaf; ACKs are lost entering srv-0.
        auto where = c.ackLoss ? fabric.Port("srv-0:nic0") : fabric.Port("leaf-0-0:0");
        where->SetReceiveFilter(MakeBoundCallback(&DropPlanned, &c.plan));
        fabric.Host(0)->AddFlow(Flow(fabric.Endpoint(3, 0), 20 * 4096, 7));
        Simulator::Stop(MilliSeconds(3));
        Simulator::Run();
        const auto& flow = fabric.Host(0)->GetFlow(0);
        auto got = fabric.Host(3)->GetReceived(fabric.Endpoint(0, 0), 7);
        REQUIRE(flow.completedNs > 0);
        REQUIRE(got.payloadBytes == 20 * 4096); // exactly once
        REQUIRE(got.packets == 20);
        REQUIRE(where->GetCounters().drops[static_cast<std::size_t>(DropReason::Injected)]
                == c.plan.dropped.size());
        if (!c.ackLoss)
        {
            REQUIRE(flow.naks == 1);
            REQUIRE(got.naksSent == 1);
            REQUIRE(flow.timeouts == 0);
        }
        else if (c.plan.ackPsn == 19)
        {
            REQUIRE(flow.timeouts == 1); // nothing after the last ACK could cover it
            REQUIRE(got.duplicates == 1);
        }
        else
        {
            REQUIRE(flow.timeouts == 0); // the next cumulative ACK covered it
            REQUIRE(flow.retransmitted == 0);
        }
        Simulator::Destroy();

        // The capture at srv-0 shows it: data PSNs sent in order, then from the gap on again.
        auto sent = TsharkLines(dir, "-r '" + files[0]
                                    + "' -Y 'ip.src == 10.0.0.1 && infiniband.bth.opcode != 17' -T "
                                      "fields -e infiniband.bth.psn");
        auto naks = TsharkLines(dir, "-r '" + files[0]
                                    + "' -Y 'ip.dst == 10.0.0.1 && infiniband.aeth.syndrome == "
                                      "0x60' -T fields -e infiniband.bth.psn");
        REQUIRE(sent.size() == flow.packets);
        if (!c.ackLoss)
        {
            REQUIRE(naks == std::vector<std::string>{std::to_string(c.plan.from)});
            std::size_t rewind = 1;
            while (rewind < sent.size()
                   && std::stoul(sent[rewind]) == std::stoul(sent[rewind - 1]) + 1)
            {
                ++rewind;
            }
            REQUIRE(rewind < sent.size());
            REQUIRE(std::stoul(sent[rewind]) == c.plan.from);
            for (std::size_t i = rewind; i < sent.size(); ++i)
            {
                REQUIRE(std::stoul(sent[i])
                        == c.plan.from + (i - rewind)); // exactly the PSNs after the gap
            }
            REQUIRE(std::stoul(sent.back()) == 19);
        }
        auto icrc = RunIn(dir, fab::tests::IcrcOracleCommand() + "'" + files[0] + "'");
        REQUIRE(icrc.exitCode == 0);
    }
}

TEST_CASE("DCQCN: flows sharing a bottleneck converge to a fair share and keep the link busy with "
          "the queue at Kmin",
          "[fabric][sim][dcqcn][slow]")
{
    // With HPCC's parameters DCQCN converges slowly (the queue sits at Kmin, where marking is
    // rare): eight flows need about 100 ms; the test measures the second 100 ms.
    for (std::uint32_t n : {2u, 4u, 8u})
    {
        INFO(n << " flows");
        auto design = UniformDesign(9, 1, 64, 1, 2, 100'000'000'000ULL);
        FabricOptions options;
        options.lldpInterval = Time(0);
        options.transport.congestionControl = CongestionControl::Dcqcn;
        FabricBuilder fabric(design, options);
        for (std::uint32_t s = 1; s <= n; ++s)
        {
            auto flow = Flow(fabric.Endpoint(0, 0), 1ull << 40, s);
            flow.start = MicroSeconds(s * 50); // staggered starts
            fabric.Host(s)->AddFlow(flow);
        }
        const Time half = MilliSeconds(100);
        std::vector<double> atHalf(n + 1, 0);
        Simulator::Schedule(
            half,
            [&]()
            {
                for (std::uint32_t s = 1; s <= n; ++s)
                {
                    atHalf[s] = static_cast<double>(
                        fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).payloadBytes);
                }
            });
        auto bottleneck = fabric.Port("leaf-0-0:0");
        std::vector<double> depths;
        for (int i = 0; i < 2500; ++i)
        {
            Simulator::Schedule(
                half + MicroSeconds(20 * i),
                [&]() { depths.push_back(static_cast<double>(bottleneck->GetQueueBytes(3))); });
        }
        Simulator::Stop(2 * half);
        Simulator::Run();
        std::vector<double> share;
        double delivered = 0;
        for (std::uint32_t s = 1; s <= n; ++s)
        {
            share.push_back(static_cast<double>(
                                fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).payloadBytes)
                            - atHalf[s]);
            delivered += share.back();
            REQUIRE(fabric.Host(s)->GetFlow(0).cnps > 0);
        }
        CAPTURE(Jain(share));
        REQUIRE(Jain(share) >= 0.95);
        // The link stays busy: at least 90% of 100 Gb/s of payload over the last half.
        double utilisation = delivered * 8 / (100e9 * half.GetSeconds());
        CAPTURE(utilisation);
        REQUIRE(utilisation >= 0.90);
        // The queue settles at the bottom of the marking band: median at Kmin (within 10%), never
        // past Kmax.
        std::sort(depths.begin(), depths.end());
        double median = depths[depths.size() / 2];
        double peak = depths.back();
        RedEcnMarker red = RedEcnMarker::ForRate(100'000'000'000ULL);
        CAPTURE(median, peak);
        REQUIRE(median >= 0.9 * static_cast<double>(red.kminBytes));
        REQUIRE(peak <= static_cast<double>(red.kmaxBytes));
        REQUIRE(fabric.Totals().TotalDrops() == 0);
        Simulator::Destroy();
    }
}

TEST_CASE("16:1 incast: DCQCN and the DCTCP-style window need far fewer PFC pauses than PFC alone",
          "[fabric][sim][dcqcn][dctcp][pfc]")
{
    struct Outcome
    {
        std::uint64_t pauses{0};
        std::uint64_t cnps{0};
        std::uint64_t echoes{0};
    };
    auto run = [](CongestionControl cc)
    {
        auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
        FabricOptions options;
        options.lldpInterval = Time(0);
        options.bufferBytes = 16'000'000;
        options.transport.congestionControl = cc;
        FabricBuilder fabric(design, options);
        for (std::uint32_t s = 1; s <= 16; ++s)
        {
            fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(0, 0), 8'000'000, s));
        }
        Simulator::Stop(MilliSeconds(30));
        Simulator::Run();
        REQUIRE(fabric.Host(0)->GetTotalReceivedPayload() == 16 * 8'000'000ull);
        auto totals = fabric.Totals();
        REQUIRE(totals.TotalDrops() == 0);
        Outcome outcome;
        outcome.pauses = totals.pfcPauseTx[3];
        for (std::uint32_t s = 1; s <= 16; ++s)
        {
            outcome.cnps += fabric.Host(s)->GetFlow(0).cnps;
            outcome.echoes += fabric.Host(s)->GetFlow(0).congestionEchoes;
        }
        Simulator::Destroy();
        return outcome;
    };
    Outcome off = run(CongestionControl::None);
    Outcome dcqcn = run(CongestionControl::Dcqcn);
    Outcome dctcp = run(CongestionControl::Dctcp);
    WARN("16:1 incast, 8 MB each: PFC pauses without CC "
         << off.pauses << ", with DCQCN " << dcqcn.pauses << " (" << dcqcn.cnps
         << " CNPs), with the DCTCP window " << dctcp.pauses << " (" << dctcp.echoes
         << " ECN echoes)");
    REQUIRE(off.cnps == 0);
    REQUIRE(off.pauses > 0);
    REQUIRE(dcqcn.cnps > 0);
    REQUIRE(dcqcn.pauses * 5 <= off.pauses);
    REQUIRE(dctcp.echoes > 0);
    REQUIRE(dctcp.cnps == 0);
    REQUIRE(dctcp.pauses * 5 <= off.pauses);
}

TEST_CASE("CNPs on the wire: opcode 0x81 with BECN and a valid ICRC",
          "[fabric][sim][dcqcn][tshark][needs:tshark][needs:python3]")
{
    auto dir = TempDir("dcqcn-cnp");
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    options.transport.congestionControl = CongestionControl::Dcqcn;
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "srv-1:*");
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(0, 0), 2'000'000, s));
    }
    Simulator::Stop(MilliSeconds(5));
    Simulator::Run();
    auto cnps = fabric.Host(1)->GetFlow(0).cnps;
    Simulator::Destroy();
    REQUIRE(cnps > 0);
    auto decoded = TsharkLines(dir, "-r '" + files[0]
                                   + "' -Y 'infiniband.bth.opcode == 0x81 && frame[46] & 0x40' -T "
                                     "fields -e infiniband.bth.destqp -e udp.length");
    REQUIRE(decoded.size() == cnps);
    for (const auto& line : decoded)
    {
        REQUIRE(line == "0x000001\t40");
    }
    auto icrc = RunIn(dir, fab::tests::IcrcOracleCommand() + "'" + files[0] + "'");
    REQUIRE(icrc.exitCode == 0);
    REQUIRE(icrc.out.find("cnp=" + std::to_string(cnps) + " bad_icrc=0") != std::string::npos);
}

namespace
{

void
RecordCompletion(std::vector<std::int64_t>* completions,
                 std::uint32_t,
                 std::uint64_t,
                 std::int64_t posted,
                 std::int64_t completed)
{
    completions->push_back(completed - posted);
}

} // namespace

TEST_CASE("SEND and WRITE, several QPs per connection, completion callbacks",
          "[fabric][sim][rc][tshark][needs:tshark]")
{
    auto dir = TempDir("rc-send");
    // k = 8: a connection between leaves has 4 equal-cost uplinks to spread over.
    auto design = UniformDesign(32, 1, 8, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "srv-0:*");
    std::vector<std::int64_t> completions;
    fabric.Host(0)->SetCompletionCallback(MakeBoundCallback(&RecordCompletion, &completions));
    RoceFlowSpec send = Flow(fabric.Endpoint(4, 0), 3 * 4096 + 100, 50);
    send.send = true;
    fabric.Host(0)->AddFlow(send);
    auto ids = fabric.Host(0)->AddConnection(Flow(fabric.Endpoint(5, 0), 8 * 64 * 4096, 100), 8);
    REQUIRE(ids.size() == 8);
    Simulator::Stop(MilliSeconds(2));
    Simulator::Run();
    REQUIRE(completions.size() == 9);
    for (auto ns : completions)
    {
        REQUIRE(ns > 0);
    }
    REQUIRE(fabric.Host(4)->GetReceived(fabric.Endpoint(0, 0), 50).payloadBytes == 3 * 4096 + 100);
    std::uint64_t total = 0;
    for (std::uint32_t q = 0; q < 8; ++q)
    {
        total += fabric.Host(5)->GetReceived(fabric.Endpoint(0, 0), 100 + q).payloadBytes;
    }
    REQUIRE(total == 8 * 64 * 4096);
    int uplinksUsed = 0;
    for (int port = 4; port < 8; ++port)
    {
        uplinksUsed
            += fabric.Port("leaf-0-0:" + std::to_string(port))->GetCounters().roceTx > 0 ? 1 : 0;
    }
    REQUIRE(uplinksUsed >= 3); // 8 QPs hash over the 4 uplinks
    Simulator::Destroy();
    auto opcodes = TsharkLines(dir, "-r '" + files[0]
                                   + "' -Y 'ip.src == 10.0.0.1 && infiniband.bth.destqp == 50' -T "
                                     "fields -e infiniband.bth.opcode");
    REQUIRE(opcodes
            == std::vector<std::string>{"0", "1", "1", "2"}); // SEND FIRST, MIDDLE, MIDDLE, LAST
}
