#include "fabric/model/ib-wire.h"
#include "support/prerequisites.h"
#include "support/run-command.h"

#include <catch2/catch.hpp>

using namespace ns3::fabric;

namespace
{

/** The InfiniBand packets (ERF type 21 records, LRH first) of the public ERF capture. */
std::vector<std::vector<std::uint8_t>>
ErfInfinibandPackets()
{
    auto data = fab::tests::ReadFile(fab::tests::ExternalCapture("ib-erf-rc-send.pcap"));
    auto u32 = [&](std::size_t at)
    {
        return static_cast<std::uint32_t>(
            static_cast<std::uint8_t>(data[at]) | static_cast<std::uint8_t>(data[at + 1]) << 8
            | static_cast<std::uint8_t>(data[at + 2]) << 16
            | static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[at + 3])) << 24);
    };
    std::vector<std::vector<std::uint8_t>> packets;
    for (std::size_t at = 24; at + 16 <= data.size();)
    {
        std::uint32_t captured = u32(at + 8);
        const auto* record = reinterpret_cast<const std::uint8_t*>(data.data() + at + 16);
        if (captured > 16 && record[8] == 21)
        {
            packets.emplace_back(record + 16, record + captured);
        }
        at += 16 + captured;
    }
    return packets;
}

} // namespace

TEST_CASE("IB ICRC and VCRC agree with a real InfiniBand capture",
          "[fabric][ib][wire][needs:external]")
{
    auto packets = ErfInfinibandPackets();
    REQUIRE(packets.size() == 43);
    Crc32ZeroExtender zeros;
    int local = 0;
    for (const auto& ib : packets)
    {
        std::size_t length = ((ib[4] & 7u) << 8 | ib[5]) * 4u; // LRH through ICRC
        REQUIRE(length + kVcrcBytes <= ib.size());
        std::uint16_t vcrc = Crc16Finish(Crc16Update(kCrc16Init, ib.data(), length));
        REQUIRE(vcrc == (ib[length] | ib[length + 1] << 8));
        if ((ib[1] & 3) == 2) // LRH + BTH: the packets our fabric writes
        {
            std::uint32_t icrc = ComputeIbIcrc(ib.data(), length - 4, 0, zeros);
            REQUIRE(icrc
                    == (ib[length - 4] | ib[length - 3] << 8 | ib[length - 2] << 16
                        | static_cast<std::uint32_t>(ib[length - 1]) << 24));
            ++local;
        }
    }
    REQUIRE(local == 37);
}

TEST_CASE("our IB frames carry valid CRCs, also after FECN marking", "[fabric][ib][wire]")
{
    Crc32ZeroExtender zeros32;
    Crc16ZeroExtender zeros16;
    IbPacketSpec spec;
    spec.dlid = 7;
    spec.slid = 3;
    spec.opcode = BthOpcode::RcWriteFirst;
    spec.reth = true;
    spec.destQp = 0x55;
    spec.psn = 12;
    spec.payloadBytes = 4096;
    Frame frame;
    WriteIbFrame(frame, spec, zeros32, zeros16);
    REQUIRE(frame.Bytes() == 8 + 12 + 16 + 4096 + 4 + 2);
    auto check = [&](const Frame& f)
    {
        std::vector<std::uint8_t> bytes;
        f.CopyTo(bytes);
        std::size_t length = ((bytes[4] & 7u) << 8 | bytes[5]) * 4u;
        REQUIRE(length + 2 == bytes.size());
        REQUIRE(ComputeIbIcrc(bytes.data(), length - 4, 0, zeros32) == f.Icrc());
        REQUIRE(Crc16Finish(Crc16Update(kCrc16Init, bytes.data(), length))
                == (bytes[length] | bytes[length + 1] << 8));
    };
    check(frame);
    REQUIRE(MarkIbFecn(frame, zeros16));
    REQUIRE_FALSE(MarkIbFecn(frame, zeros16));
    REQUIRE((frame.header[kLrhBytes + 4] & 0x80) != 0);
    check(frame);
}
