// The decoders against real captures made by others (the opt-in external captures): per-opcode
// counts must match the facts their README states and what tshark reports for the same file.
#include "dpi/packet-decoder.h"
#include "support/prerequisites.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <pcap/pcap.h>
#include <string>

using namespace fab::dpi;

namespace
{

using OpcodeCounts = std::map<unsigned, int>;

constexpr int kErfTypeInfiniband = 21;
constexpr std::size_t kErfHeaderBytes = 16;
constexpr std::size_t kErfExtensionBytes = 8;

struct CaptureSummary
{
    int packets = 0;
    int bth = 0;
    int icrcOk = 0;
    int vcrcOk = 0;
    OpcodeCounts opcodes;
    AnomalyCounts anomalies;
};

/**
 * Where the IB packet starts in an ERF record of type 21, and its wire length; false for other
 * record types. The record header is 16 bytes, then 8 per extension header while the type's top
 * bit (and then each extension's top bit) says another follows.
 */
bool
UnwrapErf(const std::uint8_t* record, std::size_t captured, std::size_t& offset, std::size_t& wire)
{
    if (captured < kErfHeaderBytes || (record[8] & 0x7F) != kErfTypeInfiniband)
    {
        return false;
    }
    offset = kErfHeaderBytes;
    bool more = (record[8] & 0x80) != 0;
    while (more)
    {
        if (offset + kErfExtensionBytes > captured)
        {
            return false;
        }
        more = (record[offset] & 0x80) != 0;
        offset += kErfExtensionBytes;
    }
    wire = (std::size_t{record[14]} << 8) | record[15];
    return true;
}

CaptureSummary
DecodeCapture(const std::string& path)
{
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline(path.c_str(), error);
    INFO(path << ": " << error);
    REQUIRE(handle != nullptr);
    int linkType = pcap_datalink(handle);
    CaptureSummary summary;
    DecodedPacket packet;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1)
    {
        ++summary.packets;
        if (linkType == DLT_ERF)
        {
            std::size_t offset = 0;
            std::size_t wire = 0;
            if (!UnwrapErf(data, header->caplen, offset, wire))
            {
                continue;
            }
            DecodePacket(LinkKind::InfiniBand,
                         data + offset,
                         header->caplen - offset,
                         wire,
                         packet,
                         summary.anomalies);
        }
        else
        {
            REQUIRE(linkType == DLT_EN10MB);
            DecodePacket(
                LinkKind::Ethernet, data, header->caplen, header->len, packet, summary.anomalies);
        }
        if (packet.Has(Layer::Bth))
        {
            ++summary.bth;
            ++summary.opcodes[packet.bth.opcode];
            summary.icrcOk += packet.icrc == CrcStatus::Ok ? 1 : 0;
            summary.vcrcOk += packet.vcrc == CrcStatus::Ok ? 1 : 0;
        }
    }
    pcap_close(handle);
    return summary;
}

/** Runs tshark on the capture and counts infiniband.bth.opcode values. */
OpcodeCounts
TsharkOpcodes(const std::string& path, const std::string& extraArguments)
{
    std::string command = "tshark -r '" + path + "' " + extraArguments
                          + " -T fields -e infiniband.bth.opcode 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    OpcodeCounts counts;
    char line[256];
    while (std::fgets(line, sizeof line, pipe) != nullptr)
    {
        // One line per frame; a frame with several BTHs lists them comma-separated.
        char* cursor = line;
        while (*cursor != '\0' && *cursor != '\n')
        {
            char* end = nullptr;
            unsigned long value = std::strtoul(cursor, &end, 0);
            if (end == cursor)
            {
                ++cursor;
                continue;
            }
            ++counts[static_cast<unsigned>(value)];
            cursor = end;
        }
    }
    int status = pclose(pipe);
    CHECK(status == 0);
    return counts;
}

} // namespace

TEST_CASE("external captures: opcode counts match the README and tshark", "[dpi][external][needs:external][needs:tshark]")
{
    struct Capture
    {
        const char* file;
        const char* tsharkArguments;
        int packets;
        int bth;
        OpcodeCounts opcodes;
    };
    auto capture = GENERATE(values<Capture>({
        // SoftRoCE sends some frames from UDP port 69: tshark calls those TFTP unless told not to.
        {"roce-softroce-send.pcap",
         "--disable-protocol tftp",
         123,
         105,
         {{0x00, 33}, {0x03, 33}, {0x05, 2}, {0x11, 37}}},
        {"ib-erf-rc-send.pcap", "", 43, 43, {{0x64, 24}, {0x04, 10}, {0x11, 9}}},
        {"negative-ssh-tls-dns.pcap", "", 184, 0, {}},
        {"negative-ssh.pcap", "", 20, 0, {}},
    }));
    const std::string path = fab::tests::ExternalCapture(capture.file);
    INFO(capture.file);
    CaptureSummary summary = DecodeCapture(path);
    CHECK(summary.packets == capture.packets);
    CHECK(summary.bth == capture.bth);
    CHECK(summary.opcodes == capture.opcodes);
    // Real senders' CRCs: every ICRC verifies, and every VCRC of the native IB capture.
    CHECK(summary.icrcOk == capture.bth);
    if (std::string(capture.file) == "ib-erf-rc-send.pcap")
    {
        CHECK(summary.vcrcOk == capture.bth);
    }
    CHECK(summary.anomalies.Get(Anomaly::BadIcrc) == 0);
    CHECK(summary.anomalies.Get(Anomaly::UnknownOpcode) == 0);
    CHECK(TsharkOpcodes(path, capture.tsharkArguments) == summary.opcodes);
}
