// `fabricscope analyze` end to end: the external captures and one the tests write give the
// counts tshark gives, bad and cut captures are named with the place, and every format is written.
#include "dpi/roce-conversation.h"
#include "support/prerequisites.h"
#include "support/run-command.h"
#include "support/tshark.h"
#include "support/udp-pcap.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace fab::tests;
using nlohmann::json;

namespace
{

using fab::dpi::test::RoceConversationCountsFor;
using fab::dpi::test::WriteRoceConversation;

/** 124 frames: about the size of a small real capture. */
constexpr std::uint32_t kConversationQueuePairs = 20;

json
AnalyzeJson(const std::filesystem::path& dir, const std::string& capture, int expectedExit = 0)
{
    auto result = RunFabricscope(dir, "analyze '" + capture + "' --format json -o out.json");
    INFO(result.err);
    REQUIRE(result.exitCode == expectedExit);
    return json::parse(ReadFile(dir / "out.json"));
}

} // namespace

TEST_CASE("the external captures: packet and RDMA counts equal tshark's",
          "[integration][analyze][needs:external][needs:tshark]")
{
    auto dir = TempDir("analyze-external");
    struct Case
    {
        const char* file;
        std::uint64_t packets;
        std::uint64_t roce;
        std::uint64_t ib;
        const char* tsharkOptions;
    };
    const Case cases[] = {
        // tshark calls the RoCE frames from UDP port 69 TFTP unless told not to.
        {"roce-softroce-send.pcap", 123, 105, 0, "--disable-protocol tftp"},
        {"ib-erf-rc-send.pcap", 43, 0, 43, ""},
        {"negative-ssh-tls-dns.pcap", 184, 0, 0, ""},
        {"negative-ssh.pcap", 20, 0, 0, ""},
    };
    for (const auto& c : cases)
    {
        INFO(c.file);
        auto out = AnalyzeJson(dir, ExternalCapture(c.file));
        REQUIRE(out["packets"] == c.packets);
        REQUIRE(out["decoded"]["roce"] == c.roce);
        REQUIRE(out["decoded"]["ib"] == c.ib);
        REQUIRE(out["decoded"]["malformed"] == 0);
        REQUIRE(out["decoded"]["icrc_bad"] == 0);
        REQUIRE(out["decoded"]["icrc_verified"] == c.roce + c.ib);
        if (c.roce + c.ib == 0)
        {
            REQUIRE(out["flows"].empty());
        }
        auto file = "'" + ExternalCapture(c.file) + "'";
        auto all = TsharkLines(dir, "-r " + file + " -T fields -e frame.number");
        auto rdma = TsharkLines(dir,
                                std::string(c.tsharkOptions) + " -r " + file
                                    + " -Y infiniband -T fields -e frame.number");
        REQUIRE(out["packets"] == all.size());
        REQUIRE(out["decoded"]["roce"].get<std::uint64_t>()
                    + out["decoded"]["ib"].get<std::uint64_t>()
                == rdma.size());
    }
    // The SoftRoCE capture: both ends send on one RC connection. 192.168.70.6 sends 34 messages
    // (SEND_FIRST + SEND_LAST_WITH_IMMEDIATE pairs and a SEND_ONLY_WITH_IMMEDIATE) to QP 0x45
    // and acknowledges the one message 192.168.70.4 sends it; 192.168.70.4 acknowledges back
    // on QP 0x48. Each flow answers the other; the 37 ACKs split 36 + 1.
    auto softroce = AnalyzeJson(dir, ExternalCapture("roce-softroce-send.pcap"));
    const auto& flows = softroce["flows"];
    REQUIRE(flows.size() == 2);
    const auto& toB = flows[0]["dest_qp"] == 0x45 ? flows[0] : flows[1];
    const auto& toA = flows[0]["dest_qp"] == 0x45 ? flows[1] : flows[0];
    REQUIRE(toB["src"] == "192.168.70.6");
    REQUIRE(toB["dst"] == "192.168.70.4");
    REQUIRE(toB["packets"] == 68);
    REQUIRE(toB["messages"] == 34);
    REQUIRE(toB["acks"] == 1);
    REQUIRE(toB["retransmitted"] == 0);
    REQUIRE(toB["out_of_sequence"] == 0);
    REQUIRE(toA["dest_qp"] == 0x48);
    REQUIRE(toA["acks"] == 36);
    REQUIRE(toA["messages"] == 1);
    REQUIRE(toB["rtt_ns"]["samples"].get<int>() > 0);
    REQUIRE(softroce["findings"].empty());
}

TEST_CASE("a RoCE conversation the tests wrote: the counts written, every ICRC verified",
          "[integration][analyze]")
{
    auto dir = TempDir("analyze-conversation");
    REQUIRE(WriteRoceConversation(dir / "conversation.pcap", kConversationQueuePairs));
    const auto written = RoceConversationCountsFor(kConversationQueuePairs);
    auto out = AnalyzeJson(dir, (dir / "conversation.pcap").string());
    REQUIRE(out["packets"] == written.frames);
    REQUIRE(out["decoded"]["roce"] == written.roce);
    REQUIRE(out["decoded"]["ib"] == 0);
    REQUIRE(out["decoded"]["malformed"] == 0);
    REQUIRE(out["decoded"]["icrc_bad"] == 0);
    REQUIRE(out["decoded"]["icrc_verified"] == written.roce);
    std::uint64_t packets = 0;
    std::uint64_t messages = 0;
    for (const auto& flow : out["flows"])
    {
        packets += flow["packets"].get<std::uint64_t>();
        messages += flow["messages"].get<std::uint64_t>();
        REQUIRE(flow["retransmitted"] == 0);
        REQUIRE(flow["out_of_sequence"] == 0);
    }
    // Every request packet is in a flow; each queue pair sent one WRITE and one SEND.
    REQUIRE(packets >= written.requests);
    REQUIRE(messages == 2 * kConversationQueuePairs);
    std::filesystem::remove_all(dir);
}

TEST_CASE("traffic that is not RDMA is named by nDPI, packet for packet as tshark sees it",
          "[integration][analyze][ndpi][needs:external][needs:tshark]")
{
    auto dir = TempDir("analyze-ndpi");
    auto out = AnalyzeJson(dir, ExternalCapture("negative-ssh-tls-dns.pcap"));
    const auto& apps = out["applications"];
    std::uint64_t ssh = 0;
    std::uint64_t tls = 0;
    std::uint64_t dns = 0;
    for (const auto& [name, packets] : apps.items())
    {
        auto count = packets.get<std::uint64_t>();
        ssh += name == "SSH" ? count : 0;
        tls += name.rfind("TLS", 0) == 0 ? count : 0;
        dns += name.rfind("DNS", 0) == 0 ? count : 0;
    }
    // Conversations: the SSH session, two TLS connections, DNS queries and answers.
    REQUIRE(ssh == 146);
    REQUIRE(tls == 30);
    REQUIRE(dns == 8);
    REQUIRE(out["ip_flows"] == 5);
    auto file = "'" + ExternalCapture("negative-ssh-tls-dns.pcap") + "'";
    auto count = [&](const std::string& filter)
    { return TsharkLines(dir, "-r " + file + " -Y '" + filter + "' -T fields -e frame.number").size(); };
    REQUIRE(ssh == count("tcp.port == 22"));
    REQUIRE(tls == count("tcp.port == 443"));
    REQUIRE(dns == count("dns"));
    auto ssh20 = AnalyzeJson(dir, ExternalCapture("negative-ssh.pcap"));
    REQUIRE(ssh20["applications"]["SSH"] == 20);
}

TEST_CASE("analyze: bad input exits 2 and names the file; a cut capture keeps what it read",
          "[integration][analyze]")
{
    auto dir = TempDir("analyze-bad");
    REQUIRE(WriteRoceConversation(dir / "conversation.pcap", kConversationQueuePairs));
    {
        auto result = RunFabricscope(dir, "analyze missing.pcap -o out.json");
        REQUIRE(result.exitCode == 2);
        REQUIRE(result.err.find("missing.pcap") != std::string::npos);
    }
    {
        std::ofstream(dir / "notes.txt") << "not a capture at all\n";
        auto result = RunFabricscope(dir, "analyze notes.txt -o out.json");
        REQUIRE(result.exitCode == 2);
        REQUIRE(result.err.find("notes.txt") != std::string::npos);
    }
    {
        auto result = RunFabricscope(
            dir, "analyze conversation.pcap --link-speed fast -o out.json");
        REQUIRE(result.exitCode == 2);
        REQUIRE(result.err.find("--link-speed") != std::string::npos);
    }
    {
        // Cut the capture in the middle of a record.
        auto bytes = ReadFile(dir / "conversation.pcap");
        std::ofstream(dir / "cut.pcap", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        auto out = AnalyzeJson(dir, (dir / "cut.pcap").string());
        REQUIRE(out["packets"].get<std::uint64_t>() > 10);
        REQUIRE(out["packets"].get<std::uint64_t>()
                < RoceConversationCountsFor(kConversationQueuePairs).frames);
        REQUIRE(out["problems"].size() == 1);
        REQUIRE(out["problems"][0]["packet"].get<std::uint64_t>()
                == out["packets"].get<std::uint64_t>() + 1);
        bool named = false;
        for (const auto& f : out["findings"])
        {
            named = named || f["rule"] == "capture.incomplete-file";
        }
        REQUIRE(named);
    }
}

TEST_CASE("analyze writes Markdown and HTML reports too", "[integration][analyze]")
{
    auto dir = TempDir("analyze-formats");
    REQUIRE(WriteRoceConversation(dir / "conversation.pcap"));
    auto capture = (dir / "conversation.pcap").string();
    auto md = RunFabricscope(dir, "analyze '" + capture + "' -o report.md");
    REQUIRE(md.exitCode == 0);
    auto markdown = ReadFile(dir / "report.md");
    REQUIRE(markdown.find("# Capture analysis") != std::string::npos);
    REQUIRE(markdown.find("| 10.0.1.1 | 10.0.2.2 | 0x000100 |") != std::string::npos);
    auto html = RunFabricscope(dir, "analyze '" + capture + "' -o report.html");
    REQUIRE(html.exitCode == 0);
    REQUIRE(ReadFile(dir / "report.html").find("<canvas") != std::string::npos);
}

TEST_CASE("analyze --design: pause times at the design's NIC speed unless --link-speed is given",
          "[integration][analyze]")
{
    auto dir = TempDir("analyze-design-speed");
    // One PFC frame pausing priority 3 for 65,535 quanta of 512 bit times.
    std::vector<std::uint8_t> pfc = {0x01,
                                     0x80,
                                     0xC2,
                                     0x00,
                                     0x00,
                                     0x01,
                                     0x02,
                                     0x11,
                                     0x22,
                                     0x33,
                                     0x44,
                                     0x55,
                                     0x88,
                                     0x08,
                                     0x01,
                                     0x01,
                                     0x00,
                                     0x08};
    for (int priority = 0; priority < 8; ++priority)
    {
        pfc.push_back(priority == 3 ? 0xFF : 0x00);
        pfc.push_back(priority == 3 ? 0xFF : 0x00);
    }
    pfc.resize(60, 0);
    // A frame 1 ms later ends the capture after the pause has run out.
    std::vector<std::uint8_t> later(pfc.begin(), pfc.begin() + 12);
    later.insert(later.end(), {0x88, 0xB5});
    later.resize(60, 0);
    WritePcap(dir / "pause.pcap", {pfc, later});
    auto design = json::parse(
        ReadFile(std::string(FABRICSCOPE_SOURCE_DIR) + "/topologies/designs/roce-128-rail.json"));
    design["servers"]["nic_speed"] = "200Gbps";
    std::ofstream(dir / "design-200g.json") << design.dump();

    auto pauseNs = [&](const std::string& flags)
    {
        auto result = RunFabricscope(dir, "analyze pause.pcap " + flags + " -o out.json");
        INFO(result.err);
        REQUIRE(result.exitCode <= 1);
        auto out = json::parse(ReadFile(dir / "out.json"));
        REQUIRE(out["pfc"].size() == 1);
        REQUIRE(out["pfc"][0]["priority"] == 3);
        return out["pfc"][0]["pause_ns"].get<std::int64_t>();
    };
    // 65,535 × 512 bits at 400 and 200 Gb/s, rounded up to the nanosecond.
    CHECK(pauseNs("") == 83'885);
    CHECK(pauseNs("--design design-200g.json") == 167'770);
    CHECK(pauseNs("--design design-200g.json --link-speed 400G") == 83'885);
}
