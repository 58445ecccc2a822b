#include "fabric/model/control-frames.h"
#include "fabric/model/pcap-file-writer.h"
#include "fabric/model/roce-wire.h"
#include "support/prerequisites.h"
#include "support/run-command.h"
#include "support/tshark.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace ns3::fabric;
using fab::tests::ReadFile;
using fab::tests::RunIn;
using fab::tests::TempDir;
using fab::tests::TsharkLines;

namespace
{

/** The bytes of the external capture cnp-connectx4lx.hex (hex words after comments). */
std::vector<std::uint8_t>
CapturedCnp()
{
    std::istringstream in(ReadFile(fab::tests::ExternalCapture("cnp-connectx4lx.hex")));
    std::vector<std::uint8_t> bytes;
    std::string line;
    while (std::getline(in, line))
    {
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        std::istringstream words(line);
        std::string word;
        while (words >> word)
        {
            for (std::size_t i = 0; i + 1 < word.size(); i += 2)
            {
                bytes.push_back(
                    static_cast<std::uint8_t>(std::stoul(word.substr(i, 2), nullptr, 16)));
            }
        }
    }
    return bytes;
}

RocePacketSpec
CnpLikeCaptured()
{
    RocePacketSpec spec;
    spec.dstMac = {0xe4, 0x1d, 0x2d, 0xab, 0x2b, 0xc2};
    spec.srcMac = {0x7c, 0xfe, 0x90, 0x64, 0x3b, 0x32};
    spec.srcIp = 0x0A001101;
    spec.dstIp = 0x0A001201;
    spec.dscp = 48;
    spec.ecn = 0b10;
    spec.ipId = 0x718c;
    spec.udpSrcPort = 0;
    spec.opcode = BthOpcode::Cnp;
    spec.becn = true;
    spec.destQp = 0x118;
    spec.psn = 0;
    return spec;
}

} // namespace

TEST_CASE("CRC-32 check value and zero extension", "[fabric][wire]")
{
    const char* check = "123456789";
    REQUIRE(Crc32(reinterpret_cast<const std::uint8_t*>(check), 9) == 0xCBF43926u);
    Crc32ZeroExtender zeros;
    for (std::uint32_t n : {1u, 3u, 16u, 1000u, 4096u})
    {
        std::vector<std::uint8_t> data(9 + n, 0);
        std::memcpy(data.data(), check, 9);
        std::uint32_t direct = Crc32(data.data(), data.size());
        std::uint32_t reg = Crc32Update(kCrc32Init, data.data(), 9);
        REQUIRE(Crc32Finish(zeros.Extend(reg, n)) == direct);
    }
}

TEST_CASE("the ICRC of a CNP captured on a ConnectX-4 Lx verifies", "[fabric][wire][needs:external]")
{
    auto bytes = CapturedCnp();
    REQUIRE(bytes.size() == 74);
    Crc32ZeroExtender zeros;
    std::uint32_t icrc = ComputeIcrc(bytes.data(), bytes.size() - 4, kEthernetBytes, 0, zeros);
    std::uint32_t onWire = bytes[70] | bytes[71] << 8 | bytes[72] << 16
                           | static_cast<std::uint32_t>(bytes[73]) << 24;
    REQUIRE(icrc == onWire);
    // The IPv4 checksum we compute matches the NIC's too.
    REQUIRE(Ipv4HeaderChecksum(bytes.data() + kEthernetBytes) == (bytes[24] << 8 | bytes[25]));
}

TEST_CASE("our CNP writer reproduces the captured CNP byte for byte",
          "[fabric][wire][needs:external]")
{
    Crc32ZeroExtender zeros;
    Frame frame;
    WriteRoceFrame(frame, CnpLikeCaptured(), zeros);
    std::vector<std::uint8_t> ours;
    frame.CopyTo(ours);
    REQUIRE(ours == CapturedCnp());
    REQUIRE(frame.Bytes() == 74);
}

TEST_CASE("ECN marking keeps the IPv4 checksum and the ICRC valid", "[fabric][wire]")
{
    Crc32ZeroExtender zeros;
    RocePacketSpec spec;
    spec.srcIp = EndpointIpv4(1);
    spec.dstIp = EndpointIpv4(2);
    spec.payloadBytes = 4096;
    spec.reth = true;
    Frame frame;
    WriteRoceFrame(frame, spec, zeros);
    REQUIRE(frame.IsEcnCapable());
    REQUIRE(frame.MarkCongestionExperienced());
    REQUIRE_FALSE(frame.MarkCongestionExperienced());
    REQUIRE(frame.IsCongestionExperienced());
    const std::uint8_t* ip = &frame.header[frame.ipOffset];
    REQUIRE(Ipv4HeaderChecksum(ip) == (ip[10] << 8 | ip[11]));
    std::vector<std::uint8_t> bytes;
    frame.CopyTo(bytes);
    REQUIRE(ComputeIcrc(bytes.data(), bytes.size() - 4, frame.ipOffset, 0, zeros) == frame.Icrc());
}

TEST_CASE("wire sizes", "[fabric][wire]")
{
    Crc32ZeroExtender zeros;
    RocePacketSpec spec;
    spec.payloadBytes = 4096;
    spec.opcode = BthOpcode::RcWriteMiddle;
    Frame frame;
    WriteRoceFrame(frame, spec, zeros);
    // Ethernet 14 + IPv4 20 + UDP 8 + BTH 12 + 4,096 + ICRC 4; FCS 4 + preamble 8 + gap 12 on the
    // wire.
    REQUIRE(frame.Bytes() == 14 + 20 + 8 + 12 + 4096 + 4);
    REQUIRE(frame.WireBytes() == frame.Bytes() + 24);
    Frame pfc;
    WritePfcFrame(pfc, MakeMac(1, 1), PfcPause{0x08, {0, 0, 0, 0xFFFF, 0, 0, 0, 0}});
    REQUIRE(pfc.Bytes() == 60);
    REQUIRE(pfc.WireBytes() == 84);
    REQUIRE(PauseQuantaToNs(0xFFFF, 100'000'000'000ULL) == 335'539);
    REQUIRE(PauseQuantaToNs(0xFFFF, 400'000'000'000ULL) == 83'884);
    auto read = ReadPfcFrame(pfc);
    REQUIRE(read.has_value());
    REQUIRE(read->classEnable == 0x08);
    REQUIRE(read->quanta[3] == 0xFFFF);
}

TEST_CASE("tshark decodes our RoCE, PFC and LLDP frames without errors and every ICRC verifies",
          "[fabric][wire][tshark][needs:tshark][needs:python3]")
{
    auto dir = TempDir("wire-tshark");
    Crc32ZeroExtender zeros;
    {
        PcapFileWriter writer((dir / "frames.pcap").string(), 1);
        REQUIRE(writer.IsOpen());
        std::int64_t t = 1000;
        for (std::uint32_t i = 0; i < 10; ++i)
        {
            RocePacketSpec spec;
            spec.srcMac = MakeMac(0, 1);
            spec.dstMac = MakeMac(1, 0);
            spec.srcIp = EndpointIpv4(1);
            spec.dstIp = EndpointIpv4(2);
            spec.vlanId = i % 2 == 0 ? std::optional<std::uint16_t>(100) : std::nullopt;
            spec.opcode = i == 0   ? BthOpcode::RcWriteFirst
                          : i == 9 ? BthOpcode::RcWriteLast
                                   : BthOpcode::RcWriteMiddle;
            spec.reth = i == 0;
            spec.rethDmaLength = 10 * 4096;
            spec.destQp = 0x12;
            spec.psn = 0xFFFFFA + i; // wraps at 2^24
            spec.psn &= 0xFFFFFF;
            spec.payloadBytes = 4096;
            Frame frame;
            WriteRoceFrame(frame, spec, zeros);
            writer.Write(t += 100, frame);
        }
        RocePacketSpec ack;
        ack.opcode = BthOpcode::RcAcknowledge;
        ack.aeth = 0x1F000009;
        ack.srcIp = EndpointIpv4(2);
        ack.dstIp = EndpointIpv4(1);
        Frame frame;
        WriteRoceFrame(frame, ack, zeros);
        writer.Write(t += 100, frame);
        auto cnp = CnpLikeCaptured();
        WriteRoceFrame(frame, cnp, zeros);
        writer.Write(t += 100, frame);
        WritePfcFrame(frame, MakeMac(1, 7), PfcPause{0x08, {0, 0, 0, 0xFFFF, 0, 0, 0, 0}});
        writer.Write(t += 100, frame);
        WriteLldpFrame(frame, MakeMac(1, 7), "leaf-0-3", "leaf-0-3:17", 120);
        writer.Write(t += 100, frame);
    }
    auto icrc = RunIn(dir, fab::tests::IcrcOracleCommand() + "frames.pcap");
    REQUIRE(icrc.exitCode == 0);
    REQUIRE(icrc.out == "roce=12 cnp=1 bad_icrc=0 truncated=0\n");

    REQUIRE(TsharkLines(dir, "-r frames.pcap -Y _ws.malformed -T fields -e frame.number").empty());
    auto rows = TsharkLines(
        dir, "-r frames.pcap -Y infiniband -T fields -e infiniband.bth.opcode -e infiniband.bth.psn");
    REQUIRE(rows.size() == 12);
    REQUIRE(rows[0] == "6\t16777210");
    REQUIRE(rows[6] == "7\t0"); // the PSN wrapped
    REQUIRE(rows[10].rfind("17\t", 0) == 0);
    REQUIRE(TsharkLines(dir,
                        "-r frames.pcap -Y macc -T fields -e macc.opcode -e macc.cbfc.enbv -e "
                        "macc.cbfc.pause_time.c3")
            == std::vector<std::string>{"0x0101\t0x0008\t65535"});
    REQUIRE(TsharkLines(dir,
                        "-r frames.pcap -Y lldp -T fields -e lldp.tlv.system.name -e lldp.port.id")
            == std::vector<std::string>{"leaf-0-3\tleaf-0-3:17"});
    REQUIRE(TsharkLines(dir,
                        "-r frames.pcap -Y '_ws.expert.severity >= note' -T fields -e "
                        "frame.number")
                .empty());
}

TEST_CASE("the ICRC oracle verifies the captured ConnectX-4 Lx CNP and catches one flipped bit",
          "[fabric][wire][needs:external][needs:python3]")
{
    auto dir = TempDir("icrc-oracle");
    auto captured = ReadFile(fab::tests::ExternalCapture("cnp-connectx4lx.hex"));
    std::ofstream(dir / "cnp.hex") << captured;
    auto good = RunIn(dir, fab::tests::IcrcOracleCommand() + "--hex cnp.hex");
    REQUIRE(good.exitCode == 0);
    REQUIRE(good.out == "roce=1 cnp=1 bad_icrc=0 truncated=0\n");
    // The last ICRC byte, 2a, becomes 2b: the oracle must see it.
    auto at = captured.rfind("002a");
    REQUIRE(at != std::string::npos);
    captured[at + 3] = 'b';
    std::ofstream(dir / "flipped.hex") << captured;
    auto bad = RunIn(dir, fab::tests::IcrcOracleCommand() + "--hex flipped.hex");
    REQUIRE(bad.exitCode == 1);
    REQUIRE(bad.out == "roce=1 cnp=1 bad_icrc=1 truncated=0\n");
    // A variant field (the IPv4 TTL, 40 -> 3f) does not change the ICRC.
    auto ttl = captured;
    ttl[at + 3] = 'a';
    auto ttlAt = ttl.find("4011");
    REQUIRE(ttlAt != std::string::npos);
    ttl.replace(ttlAt, 4, "3f11");
    std::ofstream(dir / "ttl.hex") << ttl;
    REQUIRE(RunIn(dir, fab::tests::IcrcOracleCommand() + "--hex ttl.hex").exitCode == 0);
    std::filesystem::remove_all(dir);
}
