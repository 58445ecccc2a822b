// An ns-3 script on the fabric library: build a design (a file or builtin:NAME), run an N-to-1
// incast of RDMA WRITEs into one server, and print what the fabric did.
//
//   fabric-incast --design=builtin:ib-ndr-1024-superpod --senders=16 --bytes=2000000
//                 [--pfc=false] [--capture=leaf-0-0:*] [--capture-dir=captures]
#include "fabric/helper/fabric-builder.h"
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/reference-designs.h"

#include <chrono>
#include <iostream>
#include <ns3/core-module.h>

using namespace ns3;

int
main(int argc, char** argv)
{
    std::string designName = "builtin:ib-ndr-1024-superpod";
    std::uint32_t senders = 8;
    std::uint64_t bytes = 1'000'000;
    bool pfc = true;
    std::string capture;
    std::string captureDir = "captures";
    std::uint32_t simUs = 2000;
    CommandLine cmd(__FILE__);
    cmd.AddValue("design", "design file or builtin:NAME", designName);
    cmd.AddValue("senders", "servers writing to server 0", senders);
    cmd.AddValue("bytes", "bytes each sender writes", bytes);
    cmd.AddValue("pfc", "PFC on lossless priorities (RoCE)", pfc);
    cmd.AddValue("capture", "capture ports matching this pattern, e.g. leaf-0-0:*", capture);
    cmd.AddValue("capture-dir", "folder for the captures", captureDir);
    cmd.AddValue("sim-us", "simulated microseconds", simUs);
    cmd.Parse(argc, argv);

    fab::topo::Design design;
    try
    {
        design = fab::topo::LoadDesign(designName);
    }
    catch (const fab::telemetry::InputError& error)
    {
        std::cerr << "fabric-incast: " << error.what() << "\n";
        return 2;
    }
    auto started = std::chrono::steady_clock::now();
    fabric::FabricOptions options;
    options.features.pfc = pfc;
    fabric::FabricBuilder fabric(design, options);
    if (senders >= fabric.Hosts())
    {
        std::cerr << "fabric-incast: --senders must be below the " << fabric.Hosts()
                  << " servers of the design\n";
        return 2;
    }
    if (!capture.empty())
    {
        for (const auto& file : fabric.EnableCapture(captureDir, capture))
        {
            std::cout << "capture " << file << "\n";
        }
    }
    // Senders are spread over the fabric: server i × (servers / senders).
    std::uint32_t stride = fabric.Hosts() / (senders + 1);
    for (std::uint32_t i = 1; i <= senders; ++i)
    {
        fabric::RoceFlowSpec flow;
        flow.dstEndpoint = fabric.Endpoint(0, 0);
        flow.bytes = bytes;
        flow.destQp = i;
        flow.start = MicroSeconds(1);
        fabric.Host(i * stride)->AddFlow(flow);
    }
    double buildSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    Simulator::Stop(MicroSeconds(simUs));
    Simulator::Run();
    double runSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
          - buildSeconds;
    auto totals = fabric.Totals();
    std::cout << "design: " << design.name << " (" << fabric.Hosts() << " servers, "
              << fabric.Switches().size() << " switches)\n"
              << "delivered to srv-0: " << fabric.Host(0)->GetTotalReceivedPayload() << " of "
              << senders * bytes << " bytes\n"
              << "frames sent: " << totals.txPackets << ", drops: " << totals.TotalDrops()
              << ", PFC pauses sent: " << totals.pfcPauseTx[3]
              << ", ECN/FECN marks: " << totals.ecnMarked
              << ", credit stalls: " << totals.creditStalls << "\n"
              << "drops by reason:";
    for (std::size_t r = 0; r < totals.drops.size(); ++r)
    {
        std::cout << " " << fabric::DropReasonName(static_cast<fabric::DropReason>(r)) << "="
                  << totals.drops[r];
    }
    std::cout << "\n"
              << "build " << buildSeconds << " s, run " << runSeconds << " s, "
              << Simulator::GetEventCount() << " events\n";
    Simulator::Destroy();
    return 0;
}
