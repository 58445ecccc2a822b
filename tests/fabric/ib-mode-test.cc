#include "fabric/helper/fabric-builder.h"
#include "fabric/model/ib-wire.h"
#include "support/run-command.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>
#include <pcap/pcap.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::TempDir;
using fab::tests::UniformDesign;

TEST_CASE("InfiniBand mode: credits never go negative, nothing is dropped, FECN marks",
          "[fabric][sim][ib]")
{
    auto dir = TempDir("fabric-ib");
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    design.fabric = fab::topo::FabricKind::Infiniband;
    FabricOptions options;
    options.ibCreditBytes = 64 * 1024;
    FabricBuilder fabric(design, options);
    auto files = fabric.EnableCapture(dir.string(), "srv-0:*");
    REQUIRE(files.size() == 1);
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        RoceFlowSpec flow;
        flow.dstEndpoint = fabric.Endpoint(0, 0);
        flow.bytes = 1'000'000;
        flow.destQp = s;
        flow.start = MicroSeconds(1);
        fabric.Host(s)->AddFlow(flow);
    }
    Simulator::Stop(MilliSeconds(5));
    Simulator::Run();
    REQUIRE(fabric.Host(0)->GetTotalReceivedPayload() == 8 * 1'000'000ull);
    auto totals = fabric.Totals();
    REQUIRE(totals.TotalDrops() == 0);
    REQUIRE(totals.pfcTx == 0);
    REQUIRE(totals.minCreditBytes >= 0);
    REQUIRE(totals.creditStalls > 0); // the senders really waited for credits
    auto leaf = fabric.Switch("leaf-0-0");
    REQUIRE(leaf->GetMaxIbHeldBytes() > 0);
    REQUIRE(leaf->GetMaxIbHeldBytes() <= 64 * 1024);
    auto marked = fabric.Port("leaf-0-0:0")->GetCounters().ecnMarked;
    std::uint64_t seen = 0;
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        seen += fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).ecnMarked;
    }
    REQUIRE(marked > 0);
    REQUIRE(seen == marked);
    std::uint64_t received = fabric.Port("srv-0:nic0")->GetCounters().ibRx;
    Simulator::Destroy();

    // The capture is native InfiniBand (DLT 247): LRH first, CRCs valid, addressed to srv-0.
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* capture = pcap_open_offline(files[0].c_str(), error);
    REQUIRE(capture != nullptr);
    REQUIRE(pcap_datalink(capture) == 247);
    Crc32ZeroExtender zeros;
    std::uint64_t packets = 0;
    std::uint64_t fecn = 0;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(capture, &header, &data) == 1)
    {
        REQUIRE(header->caplen == header->len);
        std::size_t length = ((data[4] & 7u) << 8 | data[5]) * 4u;
        REQUIRE(length + kVcrcBytes == header->caplen);
        REQUIRE((data[1] & 3) == 2);
        bool toServer0 = (data[2] << 8 | data[3]) == EndpointLid(0); // the rest are its ACKs
        std::uint32_t icrc = data[length - 4] | data[length - 3] << 8 | data[length - 2] << 16
                             | static_cast<std::uint32_t>(data[length - 1]) << 24;
        REQUIRE(ComputeIbIcrc(data, length - 4, 0, zeros) == icrc);
        REQUIRE(Crc16Finish(Crc16Update(kCrc16Init, data, length))
                == (data[length] | data[length + 1] << 8));
        fecn += toServer0 && (data[kLrhBytes + 4] & 0x80) != 0 ? 1 : 0;
        packets += toServer0 ? 1 : 0;
    }
    pcap_close(capture);
    REQUIRE(packets == received);
    REQUIRE(fecn == marked);
}

TEST_CASE("InfiniBand congestion control: FECN at the switch, BECN back to the sender, rate cut",
          "[fabric][sim][ib][dcqcn]")
{
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    design.fabric = fab::topo::FabricKind::Infiniband;
    FabricOptions options;
    options.ibCreditBytes = 64 * 1024;
    options.transport.congestionControl = CongestionControl::Dcqcn;
    FabricBuilder fabric(design, options);
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        RoceFlowSpec flow;
        flow.dstEndpoint = fabric.Endpoint(0, 0);
        flow.bytes = 4'000'000;
        flow.destQp = s;
        flow.start = MicroSeconds(1);
        fabric.Host(s)->AddFlow(flow);
    }
    Simulator::Stop(MilliSeconds(20));
    Simulator::Run();
    REQUIRE(fabric.Host(0)->GetTotalReceivedPayload() == 8 * 4'000'000ull);
    REQUIRE(fabric.Totals().TotalDrops() == 0);
    REQUIRE(fabric.Port("leaf-0-0:0")->GetCounters().ecnMarked > 0); // FECN
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        const auto& flow = fabric.Host(s)->GetFlow(0);
        REQUIRE(flow.cnps > 0); // BECN notifications came back
        REQUIRE(flow.rateTrace.size() > 1);
        REQUIRE(flow.rateTrace[1].rateBps < 100'000'000'000ULL); // and throttled injection
        REQUIRE(fabric.Host(0)->GetReceived(fabric.Endpoint(s, 0), s).cnpsSent == flow.cnps);
    }
    Simulator::Destroy();
}
