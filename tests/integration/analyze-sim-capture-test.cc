// The analyzer against the simulator: captures of RoCE incast (PFC, CNPs, ECN, LLDP over a
// VLAN), of go-back-N after an injected loss, and of native InfiniBand, analysed with counts
// equal to the simulator's own counters for the captured ports.
#include "dpi/capture-analysis.h"
#include "fabric/helper/fabric-builder.h"
#include "support/fabric-flows.h"
#include "support/run-command.h"
#include "support/test-designs.h"
#include "topologies/model/design.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::Flow;
using fab::tests::TempDir;
using fab::tests::UniformDesign;
namespace dpi = fab::dpi;

namespace
{

dpi::AnalysisResult
Analyze(const std::string& file, std::uint64_t linkBps = 100'000'000'000ULL)
{
    dpi::AnalysisOptions options;
    options.linkBps = linkBps;
    return dpi::AnalyzeCaptures({file}, options);
}

const dpi::PausingPort*
PausesOf(const dpi::AnalysisResult& result, const MacBytes& mac)
{
    for (const auto& port : result.pfc.Ports())
    {
        if (std::equal(port.mac.begin(), port.mac.end(), mac.begin()))
        {
            return &port;
        }
    }
    return nullptr;
}

} // namespace

TEST_CASE("an incast capture: RoCE, CNP, PFC and LLDP counts equal the ports' counters",
          "[integration][analyze][sim]")
{
    auto dir = TempDir("analyze-incast");
    auto design = UniformDesign(8, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = MicroSeconds(200);
    options.bufferBytes = 3'000'000;
    options.vlan = 100;
    options.transport.congestionControl = CongestionControl::Dcqcn;
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "leaf-1-0:*");
    auto receiver = fabric.EnableCapture(dir.string(), "srv-2:*");
    files.insert(files.end(), receiver.begin(), receiver.end());
    for (std::uint32_t s : {0u, 1u, 3u})
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(2, 0), 2'000'000, 1 + s));
    }
    Simulator::Stop(MilliSeconds(2));
    Simulator::Run();
    std::vector<Ptr<FabricNetDevice>> ports = fabric.MatchPorts("leaf-1-0:*");
    ports.push_back(fabric.Port("srv-2:nic0"));
    std::vector<PortCounters> counters;
    std::vector<MacBytes> macs;
    for (const auto& port : ports)
    {
        counters.push_back(port->GetCounters());
        macs.push_back(port->GetMac());
    }
    Simulator::Destroy(); // closes the capture files
    REQUIRE(files.size() == 5);

    std::uint64_t pfcSeen = 0;
    std::uint64_t cnpSeen = 0;
    for (std::size_t i = 0; i < files.size(); ++i)
    {
        INFO(files[i]);
        const auto& c = counters[i];
        auto result = Analyze(files[i]);
        REQUIRE(result.decoded.malformed == 0);
        REQUIRE(result.decoded.roce == c.roceTx + c.roceRx);
        REQUIRE(result.decoded.pfc == c.pfcTx + c.pfcRx);
        REQUIRE(result.decoded.lldp == c.lldpTx + c.lldpRx);
        REQUIRE(result.decoded.icrcBad == 0);
        REQUIRE(result.decoded.icrcVerified == result.decoded.roce);
        REQUIRE(result.packets == c.roceTx + c.roceRx + c.pfcTx + c.pfcRx + c.lldpTx + c.lldpRx);
        // The port's own pause frames, told apart by its MAC address, per priority.
        std::uint64_t xoff = 0;
        std::uint64_t xon = 0;
        for (std::size_t p = 0; p < 8; ++p)
        {
            xoff += c.pfcPauseTx[p];
            xon += c.pfcResumeTx[p];
        }
        const auto* own = PausesOf(result, macs[i]);
        std::uint64_t seenXoff = 0;
        std::uint64_t seenXon = 0;
        if (own != nullptr)
        {
            for (std::size_t p = 0; p < 8; ++p)
            {
                seenXoff += own->priorities[p].xoff;
                seenXon += own->priorities[p].xon;
            }
            REQUIRE(own->priorities[3].frames == own->priorities[3].xoff + own->priorities[3].xon);
        }
        REQUIRE(seenXoff == xoff);
        REQUIRE(seenXon == xon);
        // LLDP: the leaf and its neighbour on this link, each named by its system name.
        bool leafSeen = false;
        for (const auto& l : result.lldp)
        {
            leafSeen = leafSeen || l.systemName == "leaf-1-0";
        }
        REQUIRE(leafSeen);
        pfcSeen += result.decoded.pfc;
        if (i == files.size() - 1)
        {
            // The receiver's NIC sends the CNPs: each one is a flow back to a sender's QP.
            REQUIRE(c.cnpTx > 0);
            REQUIRE(result.decoded.cnp == c.cnpTx);
            std::uint64_t onFlows = 0;
            for (const auto& flow : result.flows.Flows())
            {
                onFlows += flow.cnps;
                if (flow.cnps > 0)
                {
                    REQUIRE(flow.answers != dpi::RdmaFlow::kNone); // tied to its data flow
                }
            }
            REQUIRE(onFlows == c.cnpTx);
            cnpSeen = result.decoded.cnp;
        }
    }
    REQUIRE(pfcSeen > 0);
    REQUIRE(cnpSeen > 0);
}

TEST_CASE("a lost packet: the analyzer sees the NAK and the go-back-N the sender counted",
          "[integration][analyze][sim]")
{
    auto dir = TempDir("analyze-gbn");
    auto design = UniformDesign(4, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "srv-0:*");
    // Drop PSNs 5-7 of the data entering the leaf, once each.
    auto dropped = std::make_shared<std::set<std::uint32_t>>();
    fabric.Port("leaf-0-0:0")
        ->SetReceiveFilter(Callback<bool, const Frame&>(
            [dropped](const Frame& frame)
            {
                bool data = frame.bthOpcode != static_cast<std::uint8_t>(BthOpcode::RcAcknowledge)
                            && frame.bthOpcode != static_cast<std::uint8_t>(BthOpcode::Cnp);
                return data && frame.psn >= 5 && frame.psn <= 7
                       && dropped->insert(frame.psn).second;
            }));
    fabric.Host(0)->AddFlow(Flow(fabric.Endpoint(3, 0), 40 * 4096, 7));
    Simulator::Stop(MilliSeconds(3));
    Simulator::Run();
    const auto flow = fabric.Host(0)->GetFlow(0);
    REQUIRE(flow.completedNs > 0);
    Simulator::Destroy();

    auto result = Analyze(files.at(0));
    REQUIRE(result.flows.Size() == 2);
    const auto& data = result.flows.Flows()[0];
    const auto& acks = result.flows.Flows()[1];
    REQUIRE(data.packets == flow.packets);
    REQUIRE(data.retransmitted == flow.retransmitted);
    REQUIRE(data.goBackNEpisodes == flow.naks);
    REQUIRE(data.outOfSequence == 0); // the loss was after the capture point
    REQUIRE(acks.Naks() == flow.naks);
    REQUIRE(acks.naks[static_cast<std::size_t>(dpi::NakCode::PsnSequenceError)] == flow.naks);
    REQUIRE(acks.answers == 0);
    REQUIRE(data.answeredBy == 1);
    REQUIRE(data.rtt.samples > 0);
    REQUIRE(data.rtt.minNs > 0);
}

TEST_CASE("a native InfiniBand capture: every packet is IB transport with good CRCs",
          "[integration][analyze][sim][ib]")
{
    auto dir = TempDir("analyze-ib");
    auto design = UniformDesign(9, 1, 16, 1, 2, 100'000'000'000ULL);
    design.fabric = fab::topo::FabricKind::Infiniband;
    FabricOptions options;
    options.ibCreditBytes = 64 * 1024;
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "srv-0:*");
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(0, 0), 200'000, s));
    }
    Simulator::Stop(MilliSeconds(2));
    Simulator::Run();
    auto c = fabric.Port("srv-0:nic0")->GetCounters();
    Simulator::Destroy();
    auto result = Analyze(files.at(0));
    REQUIRE(result.files.at(0).linkType == 247);
    REQUIRE(result.decoded.ib == c.ibTx + c.ibRx);
    REQUIRE(result.decoded.roce == 0);
    REQUIRE(result.decoded.malformed == 0);
    REQUIRE(result.decoded.icrcBad == 0);
    REQUIRE(result.anomalies.Get(dpi::Anomaly::BadVcrc) == 0);
    // 8 senders: 8 data flows to srv-0 and 8 ACK flows back, each bound to its data flow.
    std::uint32_t bound = 0;
    for (const auto& f : result.flows.Flows())
    {
        bound += f.answers != dpi::RdmaFlow::kNone ? 1 : 0;
    }
    REQUIRE(result.flows.Size() == 16);
    REQUIRE(bound == 8);
}

TEST_CASE("analyze --design: the links LLDP shows are checked against the design",
          "[integration][analyze][sim][inventory]")
{
    auto dir = TempDir("analyze-inventory");
    auto design = UniformDesign(8, 1, 4, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = MicroSeconds(100);
    {
        FabricBuilder fabric(design, options);
        fabric.EnableCapture(dir.string(), "leaf-1-0:*");
        Simulator::Stop(MicroSeconds(500));
        Simulator::Run();
        Simulator::Destroy();
    }
    auto analyze = [&](const fab::topo::Design& against)
    {
        std::ofstream(dir / "design.json") << fab::topo::DesignToJson(against).dump(2);
        auto run = fab::tests::RunFabricscope(
            dir,
            "analyze leaf-1-0_0.pcap leaf-1-0_1.pcap leaf-1-0_2.pcap leaf-1-0_3.pcap --design "
            "design.json --format json -o out.json");
        INFO(run.err);
        REQUIRE((run.exitCode == 0 || run.exitCode == 1));
        auto out = nlohmann::json::parse(fab::tests::ReadFile(dir / "out.json"));
        std::map<std::string, int> rules;
        for (const auto& f : out["findings"])
        {
            rules[f["rule"].get<std::string>()]++;
        }
        return std::make_pair(run.exitCode, rules);
    };
    SECTION("the design the fabric was built from: every link as designed")
    {
        auto [exit, rules] = analyze(design);
        REQUIRE(exit == 0);
        REQUIRE(rules.count("inventory.miswired") == 0);
        REQUIRE(rules.count("inventory.unknown-device") == 0);
    }
    SECTION("a larger design, where leaf-1-0's ports 2 and 3 face servers: miswired")
    {
        auto [exit, rules] = analyze(UniformDesign(16, 1, 8, 1, 2, 100'000'000'000ULL));
        REQUIRE(exit == 1);
        REQUIRE(rules["inventory.miswired"] >= 2);
    }
    SECTION("a design with one leaf: leaf-1-0 does not exist")
    {
        auto [exit, rules] = analyze(UniformDesign(2, 1, 4, 1, 2, 100'000'000'000ULL));
        REQUIRE(exit == 1);
        REQUIRE(rules["inventory.unknown-device"] >= 4);
    }
}
