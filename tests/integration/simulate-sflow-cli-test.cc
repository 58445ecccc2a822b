// `fabricscope simulate --sflow`: the switches' datagrams reach a collector's socket and a pcap,
// and bad sFlow settings are named by flag or JSON pointer with exit code 2.
#include "dpi/sflow-decoder.h"
#include "support/run-command.h"
#include "support/sflow-scenario.h"
#include "support/udp-receiver.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

using namespace fab::tests;
using nlohmann::json;

TEST_CASE("simulate --sflow sends the switches' datagrams to the collector",
          "[integration][simulate][sflow]")
{
    auto dir = TempDir("simulate-sflow");
    WriteJson(dir / "scenario.json", SmallScenario());
    UdpReceiver receiver;
    REQUIRE(receiver.Open());
    std::vector<std::vector<std::uint8_t>> received;
    std::atomic<bool> done{false};
    std::thread drain(
        [&]
        {
            std::vector<std::uint8_t> datagram;
            while (!done.load())
            {
                if (receiver.Receive(datagram, 20))
                {
                    received.push_back(datagram);
                }
            }
            while (receiver.Receive(datagram, 200))
            {
                received.push_back(datagram);
            }
        });
    auto run = RunFabricscope(dir,
                              "simulate scenario.json --out out --format json --no-progress"
                              " --sflow 127.0.0.1:"
                                  + std::to_string(receiver.Port())
                                  + " --sflow-rate 32 --sflow-pcap sflow.pcap");
    done = true;
    drain.join();
    INFO(run.err);
    REQUIRE(run.exitCode == 0);
    CHECK(run.err.find("sflow agents=") != std::string::npos);
    CHECK(run.err.find("send_failures=0") != std::string::npos);
    auto stored = PcapPayloads(dir / "sflow.pcap");
    REQUIRE(!stored.empty());
    CHECK(received == stored);
    std::uint64_t flowSamples = 0;
    std::uint64_t counterSamples = 0;
    fab::dpi::SflowDatagram datagram;
    for (const auto& bytes : received)
    {
        REQUIRE(fab::dpi::DecodeSflowDatagram(bytes.data(), bytes.size(), datagram).Ok());
        CHECK(datagram.notes.Empty());
        for (const auto& sample : datagram.flowSamples)
        {
            CHECK(sample.samplingRate == 32);
            ++flowSamples;
        }
        counterSamples += datagram.counterSamples.size();
    }
    CHECK(flowSamples > 0);
    CHECK(counterSamples > 0);
    CHECK(run.err.find("flow_samples=" + std::to_string(flowSamples)) != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("simulate without a collector listening still finishes", "[integration][simulate][sflow]")
{
    auto dir = TempDir("simulate-sflow-absent");
    WriteJson(dir / "scenario.json", SmallScenario());
    // Port 9 (discard) on loopback: nothing listens, the kernel answers port unreachable.
    auto run = RunFabricscope(
        dir, "simulate scenario.json --out out --format json --no-progress --sflow 127.0.0.1:9");
    INFO(run.err);
    CHECK(run.exitCode == 0);
    CHECK(run.err.find("sflow agents=") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("bad sFlow settings are named with exit code 2", "[integration][simulate][sflow]")
{
    auto dir = TempDir("simulate-sflow-bad");
    SECTION("an unknown key")
    {
        json document = SmallScenario();
        document["outputs"]["sflow"] = {{"sampling_rte", 100}};
        WriteJson(dir / "scenario.json", document);
        auto run = RunFabricscope(dir, "simulate scenario.json --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("scenario.json: /outputs/sflow/sampling_rte") != std::string::npos);
    }
    SECTION("a collector without a port")
    {
        json document = SmallScenario();
        document["outputs"]["sflow"] = {{"collector", "127.0.0.1"}};
        WriteJson(dir / "scenario.json", document);
        auto run = RunFabricscope(dir, "simulate scenario.json --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("/outputs/sflow/collector") != std::string::npos);
    }
    SECTION("a collector that is a host name")
    {
        json document = SmallScenario();
        document["outputs"]["sflow"] = {{"collector", "collector.example:6343"}};
        WriteJson(dir / "scenario.json", document);
        auto run = RunFabricscope(dir, "simulate scenario.json --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("scenario.json: /outputs/sflow/collector") != std::string::npos);
    }
    SECTION("a counter interval of zero")
    {
        json document = SmallScenario();
        document["outputs"]["sflow"] = {{"counter_interval", "0us"}};
        WriteJson(dir / "scenario.json", document);
        auto run = RunFabricscope(dir, "simulate scenario.json --out out --no-progress");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("/outputs/sflow/counter_interval") != std::string::npos);
    }
    SECTION("a bad --sflow address")
    {
        WriteJson(dir / "scenario.json", SmallScenario());
        auto run = RunFabricscope(
            dir, "simulate scenario.json --out out --no-progress --sflow not-an-address");
        CHECK(run.exitCode == 2);
        CHECK(run.err.find("--sflow") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}
