// The capture reader: the external captures (counts, link kinds and first/last timestamps checked
// with tshark 4.0.17 and capinfos), hand-written pcap files of every supported link type, gzip,
// pcapng, merging, and files that are cut, corrupt or not captures at all.
#include "dpi/capture-reader.h"
#include "dpi/prefetch-reader.h"
#include "dpi/roce-conversation.h"
#include "support/prerequisites.h"
#include "support/run-command.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <zlib.h>

using fab::dpi::CapturedPacket;
using fab::dpi::CaptureError;
using fab::dpi::CaptureFormat;
using fab::dpi::CaptureReader;
using fab::dpi::CaptureSeverity;
using fab::dpi::FileState;
using fab::dpi::FrameKind;
using fab::dpi::OffsetBase;
using fab::dpi::PrefetchReader;
using fab::tests::RunIn;
using fab::tests::TempDir;

namespace
{

constexpr std::int64_t kNs = 1000000000;
/** 124 frames: about the size of a small real capture. */
constexpr std::uint32_t kConversationQueuePairs = 20;
constexpr std::uint32_t kPcapFileHeaderBytes = 24;
constexpr std::uint32_t kPcapRecordHeaderBytes = 16;

/** One record of a hand-written pcap file. */
struct Record
{
    std::uint32_t seconds{0};
    std::uint32_t fraction{0}; ///< microseconds or nanoseconds, as the file's magic says
    std::vector<std::uint8_t> bytes;
    std::uint32_t wireLength{0}; ///< 0: the captured length
};

/** Writes pcap files byte by byte in either byte order. */
class PcapBytes
{
public:
    explicit PcapBytes(bool bigEndian)
    : m_bigEndian(bigEndian)
    {
    }

    void U16(std::uint32_t value)
    {
        for (int i = 0; i < 2; ++i)
        {
            const int shift = m_bigEndian ? 8 * (1 - i) : 8 * i;
            data.push_back(static_cast<std::uint8_t>(value >> shift));
        }
    }

    void U32(std::uint32_t value)
    {
        for (int i = 0; i < 4; ++i)
        {
            const int shift = m_bigEndian ? 8 * (3 - i) : 8 * i;
            data.push_back(static_cast<std::uint8_t>(value >> shift));
        }
    }

    std::vector<std::uint8_t> data;

private:
    bool m_bigEndian;
};

std::vector<std::uint8_t>
PcapFile(std::uint32_t linkType,
         const std::vector<Record>& records,
         bool nanosecond = false,
         bool bigEndian = false,
         std::uint32_t snapLength = 65535)
{
    PcapBytes out(bigEndian);
    out.U32(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    out.U16(2);
    out.U16(4);
    out.U32(0); // thiszone
    out.U32(0); // sigfigs
    out.U32(snapLength);
    out.U32(linkType);
    for (const Record& record : records)
    {
        out.U32(record.seconds);
        out.U32(record.fraction);
        out.U32(static_cast<std::uint32_t>(record.bytes.size()));
        out.U32(record.wireLength != 0 ? record.wireLength
                                       : static_cast<std::uint32_t>(record.bytes.size()));
        out.data.insert(out.data.end(), record.bytes.begin(), record.bytes.end());
    }
    return out.data;
}

std::vector<std::uint8_t>
Pattern(std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i)
    {
        bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
    }
    return bytes;
}

void
Append(std::vector<std::uint8_t>& to, const std::vector<std::uint8_t>& more)
{
    to.insert(to.end(), more.begin(), more.end());
}

void
AppendBigEndian16(std::vector<std::uint8_t>& to, std::uint32_t value)
{
    to.push_back(static_cast<std::uint8_t>(value >> 8));
    to.push_back(static_cast<std::uint8_t>(value));
}

/**
 * An ERF record: 16-byte header (little-endian 32.32 timestamp, type, flags, rlen, lctr, wlen),
 * the 8-byte extension headers, 2 pad bytes for Ethernet (type 2), then the frame.
 */
std::vector<std::uint8_t>
ErfRecord(std::uint64_t timestamp,
          std::uint8_t type,
          const std::vector<std::vector<std::uint8_t>>& extensions,
          const std::vector<std::uint8_t>& frame,
          std::uint16_t wireLength)
{
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 8; ++i)
    {
        out.push_back(static_cast<std::uint8_t>(timestamp >> (8 * i)));
    }
    out.push_back(static_cast<std::uint8_t>(type | (extensions.empty() ? 0 : 0x80)));
    out.push_back(0x04); // flags: varying-length record
    const std::size_t pad = (type & 0x7f) == 2 ? 2 : 0;
    AppendBigEndian16(out,
                      static_cast<std::uint32_t>(16 + 8 * extensions.size() + pad + frame.size()));
    AppendBigEndian16(out, 0);
    AppendBigEndian16(out, wireLength);
    for (const auto& extension : extensions)
    {
        Append(out, extension);
    }
    out.insert(out.end(), pad, 0);
    Append(out, frame);
    return out;
}

std::filesystem::path
WriteFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::filesystem::path
WriteGzip(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes)
{
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()))
            == static_cast<int>(bytes.size()));
    REQUIRE(gzclose(gz) == Z_OK);
    return path;
}

std::vector<std::uint8_t>
ReadBytes(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

/** A delivered packet with its bytes copied out (the reader's pointer dies at the next read). */
struct Seen
{
    std::uint32_t fileIndex;
    std::uint64_t packetNumber;
    std::int64_t byteOffset;
    std::int64_t timestampNs;
    std::uint32_t capturedLength;
    std::uint32_t wireLength;
    FrameKind kind;
    std::uint32_t frameOffset;
    std::uint32_t frameLength;
    std::uint32_t frameWireLength;
    std::uint16_t etherType;
    std::vector<std::uint8_t> frame;
};

template <typename Reader>
std::vector<Seen>
ReadAll(Reader& reader)
{
    std::vector<Seen> seen;
    CapturedPacket packet;
    while (reader.Next(packet))
    {
        seen.push_back({packet.fileIndex,
                        packet.packetNumber,
                        packet.byteOffset,
                        packet.timestampNs,
                        packet.capturedLength,
                        packet.wireLength,
                        packet.frame.kind,
                        packet.frame.offset,
                        packet.frame.length,
                        packet.frame.wireLength,
                        packet.frame.etherType,
                        std::vector<std::uint8_t>(packet.FrameBytes(),
                                                  packet.FrameBytes() + packet.frame.length)});
    }
    return seen;
}

std::vector<Seen>
ReadAll(const std::vector<std::string>& paths)
{
    CaptureReader reader(paths);
    return ReadAll(reader);
}

/** Same packets, bytes and timestamps; offsets are compared by the callers that expect them. */
void
RequireSamePackets(const std::vector<Seen>& a, const std::vector<Seen>& b)
{
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        INFO("packet " << i + 1);
        CHECK(a[i].packetNumber == b[i].packetNumber);
        CHECK(a[i].timestampNs == b[i].timestampNs);
        CHECK(a[i].capturedLength == b[i].capturedLength);
        CHECK(a[i].wireLength == b[i].wireLength);
        CHECK(a[i].kind == b[i].kind);
        CHECK(a[i].frame == b[i].frame);
    }
}

std::string
ErrorOpening(const std::string& path)
{
    try
    {
        CaptureReader reader(path);
    }
    catch (const CaptureError& error)
    {
        return error.what();
    }
    return "";
}

/** Three Ethernet records used by several cases: 60, 1000 (snapped to 100 of 1000) and 80. */
std::vector<Record>
ThreeRecords(bool nanosecond)
{
    const std::uint32_t scale = nanosecond ? 1000 : 1;
    return {{1700000000, 1 * scale, Pattern(60, 1), 0},
            {1700000000, 250000 * scale, Pattern(100, 2), 1000},
            {1700000001, 999999 * scale, Pattern(80, 3), 0}};
}

} // namespace

TEST_CASE("the external captures read with tshark's counts, link kinds and times",
          "[dpi][capture][needs:external]")
{
    auto external = [](const char* file) { return fab::tests::ExternalCapture(file); };
    SECTION("RoCEv2 over Ethernet")
    {
        CaptureReader reader(external("roce-softroce-send.pcap"));
        const auto seen = ReadAll(reader);
        REQUIRE(seen.size() == 123);
        for (std::size_t i = 0; i < seen.size(); ++i)
        {
            REQUIRE(seen[i].packetNumber == i + 1);
            REQUIRE(seen[i].kind == FrameKind::Ethernet);
            REQUIRE(seen[i].frameOffset == 0);
        }
        // tshark -T fields -e frame.time_epoch: 1650970174.376937000 and 1650970195.676615000.
        CHECK(seen.front().timestampNs == 1650970174376937000);
        CHECK(seen.back().timestampNs == 1650970195676615000);
        CHECK(seen.front().capturedLength == 90);
        CHECK(seen.front().byteOffset == kPcapFileHeaderBytes);
        CHECK(seen.back().byteOffset == 76750 - kPcapRecordHeaderBytes - 62);

        const auto& info = reader.File(0);
        CHECK(info.linkType == 1);
        CHECK(info.format == CaptureFormat::Pcap);
        CHECK_FALSE(info.gzip);
        CHECK(info.offsets == OffsetBase::File);
        CHECK(info.snapLength == 262144);
        CHECK(info.state == FileState::Ended);
        CHECK_FALSE(info.problem);
        CHECK(info.firstTimestampNs == 1650970174376937000);
        CHECK(info.lastTimestampNs == 1650970195676615000);
        // capinfos: data size 74758 bytes in a 76750-byte file.
        CHECK(reader.Totals().packets == 123);
        CHECK(reader.Totals().capturedBytes == 74758);
        CHECK(reader.Totals().wireBytes == 74758);
        CHECK(reader.Totals().snapTruncated == 0);
        CHECK(reader.Progress().bytesConsumed == 76750);
        CHECK(reader.Progress().bytesTotal == 76750);
    }
    SECTION("native InfiniBand in ERF type 21 records")
    {
        CaptureReader reader(external("ib-erf-rc-send.pcap"));
        const auto seen = ReadAll(reader);
        REQUIRE(seen.size() == 43);
        for (const Seen& packet : seen)
        {
            REQUIRE(packet.kind == FrameKind::InfiniBand);
            REQUIRE(packet.frameOffset == 16);
            // tshark's frame.cap_len and frame.len are the ERF payload and wlen.
            REQUIRE(packet.frameLength == packet.frameWireLength);
            REQUIRE(packet.frameLength == packet.capturedLength - 16);
        }
        // The ERF timestamps, finer than the pcap records' microseconds, as tshark shows them
        // (all 43 were compared once; first and last are kept here).
        CHECK(seen.front().timestampNs == 1210794479499693535);
        CHECK(seen.back().timestampNs == 1210794730073083229);
        CHECK(seen.front().frameWireLength == 290);
        CHECK(seen.back().frameWireLength == 134);
        // LRH first: VL 0 / LVer 0, then SL 0 / LNH.
        CHECK((seen.front().frame[1] & 0x03) != 0);
        CHECK(reader.File(0).linkType == 197);
        CHECK(reader.Totals().unsupportedLink == 0);
        CHECK(reader.Totals().badLinkHeader == 0);
    }
    SECTION("the negative captures")
    {
        CHECK(ReadAll({external("negative-ssh.pcap")}).size() == 20);
        const auto seen = ReadAll({external("negative-ssh-tls-dns.pcap")});
        REQUIRE(seen.size() == 184);
        CHECK(seen.front().timestampNs == 1757844296084917000);
        CHECK(seen.back().timestampNs == 1757844299316969000);
    }
}

TEST_CASE("hand-written pcap files: both magics, both byte orders", "[dpi][capture]")
{
    const bool nanosecond = GENERATE(false, true);
    const bool bigEndian = GENERATE(false, true);
    INFO("nanosecond " << nanosecond << ", big-endian " << bigEndian);
    auto dir = TempDir("capture-magic");
    const auto records = ThreeRecords(nanosecond);
    const auto path = WriteFile(dir / "three.pcap", PcapFile(1, records, nanosecond, bigEndian));

    CaptureReader reader(path.string());
    const auto seen = ReadAll(reader);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].timestampNs == 1700000000 * kNs + 1000);
    CHECK(seen[1].timestampNs == 1700000000 * kNs + 250000000);
    CHECK(seen[2].timestampNs == 1700000001 * kNs + 999999000);
    std::int64_t offset = kPcapFileHeaderBytes;
    for (std::size_t i = 0; i < 3; ++i)
    {
        CHECK(seen[i].packetNumber == i + 1);
        CHECK(seen[i].byteOffset == offset);
        CHECK(seen[i].frame == records[i].bytes);
        offset += kPcapRecordHeaderBytes + records[i].bytes.size();
    }
    CHECK(seen[1].capturedLength == 100);
    CHECK(seen[1].wireLength == 1000);
    CHECK(seen[1].frameWireLength == 1000);
    CHECK(reader.Totals().snapTruncated == 1);
    CHECK(reader.Totals().capturedBytes == 240);
    CHECK(reader.Totals().wireBytes == 1140);
    CHECK(reader.File(0).state == FileState::Ended);
}

TEST_CASE("a record longer than the snap length keeps the offsets right", "[dpi][capture]")
{
    // libpcap cuts such a record to the snap length and skips the rest of it.
    auto dir = TempDir("capture-snap");
    const std::vector<Record> records = {{1, 0, Pattern(150, 1), 0}, {2, 0, Pattern(60, 2), 0}};
    const auto path = WriteFile(dir / "long.pcap", PcapFile(1, records, false, false, 100));
    const auto seen = ReadAll({path.string()});
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].capturedLength == 100);
    CHECK(seen[0].wireLength == 150);
    CHECK(seen[1].byteOffset == kPcapFileHeaderBytes + kPcapRecordHeaderBytes + 150);
    CHECK(seen[1].frame == records[1].bytes);
}

TEST_CASE("Linux cooked captures start the frame at the network layer", "[dpi][capture]")
{
    auto dir = TempDir("capture-sll");
    const auto payload = Pattern(40, 9);
    SECTION("SLL v1: 16-byte header, protocol at bytes 14-15")
    {
        std::vector<std::uint8_t> record = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
        Append(record, payload);
        const std::vector<std::uint8_t> cut(record.begin(), record.begin() + 15);
        const auto path
            = WriteFile(dir / "sll.pcap", PcapFile(113, {{1, 0, record, 0}, {2, 0, cut, 0}}));
        CaptureReader reader(path.string());
        const auto seen = ReadAll(reader);
        REQUIRE(seen.size() == 2);
        CHECK(seen[0].kind == FrameKind::EtherTypePayload);
        CHECK(seen[0].etherType == 0x0800);
        CHECK(seen[0].frameOffset == 16);
        CHECK(seen[0].frame == payload);
        CHECK(seen[0].frameWireLength == payload.size());
        CHECK(seen[1].kind == FrameKind::BadLinkHeader);
        CHECK(reader.Totals().badLinkHeader == 1);
    }
    SECTION("SLL v2: 20-byte header, protocol at bytes 0-1")
    {
        std::vector<std::uint8_t> record = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6};
        record.insert(record.end(), 8, 0xaa);
        Append(record, payload);
        const auto path = WriteFile(dir / "sll2.pcap", PcapFile(276, {{1, 0, record, 0}}));
        const auto seen = ReadAll({path.string()});
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].kind == FrameKind::EtherTypePayload);
        CHECK(seen[0].etherType == 0x86dd);
        CHECK(seen[0].frameOffset == 20);
        CHECK(seen[0].frame == payload);
    }
}

TEST_CASE("DLT 247 is native InfiniBand from byte 0", "[dpi][capture]")
{
    auto dir = TempDir("capture-ib");
    const auto packet = Pattern(64, 0x20);
    const auto path = WriteFile(dir / "ib.pcap", PcapFile(247, {{5, 6, packet, 0}}, true));
    const auto seen = ReadAll({path.string()});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == FrameKind::InfiniBand);
    CHECK(seen[0].frameOffset == 0);
    CHECK(seen[0].frame == packet);
    CHECK(seen[0].timestampNs == 5 * kNs + 6);
}

TEST_CASE("ERF records: extension headers, Ethernet padding, other types", "[dpi][capture]")
{
    auto dir = TempDir("capture-erf");
    const auto ethernet = Pattern(64, 0x40);
    const auto ib = Pattern(48, 0x60);
    // 32.32 fixed point: 100 s and a quarter second; the pcap header says something else.
    const std::uint64_t quarter = (std::uint64_t{100} << 32) | 0x40000000u;
    const std::vector<std::uint8_t> lastExtension = {0x01, 0, 0, 0, 0, 0, 0, 0};
    const std::vector<std::uint8_t> moreExtension = {0x81, 0, 0, 0, 0, 0, 0, 0};

    std::vector<Record> records;
    records.push_back({7, 0, ErfRecord(quarter, 2, {lastExtension}, ethernet, 68), 0});
    records.push_back(
        {7, 1, ErfRecord(quarter + 1, 21, {moreExtension, lastExtension}, ib, 48), 0});
    records.push_back({7, 2, ErfRecord(quarter + 2, 3, {}, Pattern(52, 1), 52), 0}); // ATM
    auto cutChain = ErfRecord(quarter + 3, 21, {moreExtension}, {}, 0);              // no end
    records.push_back({7, 3, cutChain, 0});
    auto badLength = ErfRecord(quarter + 4, 21, {}, ib, 48);
    badLength[10] = 0;
    badLength[11] = 8; // rlen 8 < the 16-byte header
    records.push_back({7, 4, badLength, 0});
    const auto path = WriteFile(dir / "erf.pcap", PcapFile(197, records));

    CaptureReader reader(path.string());
    const auto seen = ReadAll(reader);
    REQUIRE(seen.size() == 5);
    CHECK(seen[0].kind == FrameKind::Ethernet);
    CHECK(seen[0].frameOffset == 16 + 8 + 2);
    CHECK(seen[0].frame == ethernet);
    CHECK(seen[0].frameWireLength == 68);
    CHECK(seen[0].timestampNs == 100 * kNs + 250000000);
    CHECK(seen[1].kind == FrameKind::InfiniBand);
    CHECK(seen[1].frameOffset == 16 + 16);
    CHECK(seen[1].frame == ib);
    CHECK(seen[2].kind == FrameKind::Unsupported);
    CHECK(seen[3].kind == FrameKind::BadLinkHeader);
    CHECK(seen[4].kind == FrameKind::BadLinkHeader);
    CHECK(reader.Totals().unsupportedLink == 1);
    CHECK(reader.Totals().badLinkHeader == 2);
    // The Ethernet record holds 64 of the 68 bytes its wlen says were on the wire.
    CHECK(reader.Totals().snapTruncated == 1);
    // 1/2^32 s rounds to 0 ns, 2/2^32 s to 0 ns, 3/2^32 s to 1 ns.
    CHECK(fab::dpi::ErfTimestampToNs(3) == 1);
    CHECK(fab::dpi::ErfTimestampToNs((std::uint64_t{1} << 32) - 1) == kNs);
}

TEST_CASE("a file whose last record is cut keeps the packets before it", "[dpi][capture]")
{
    auto dir = TempDir("capture-cut");
    const auto records = ThreeRecords(false);
    const auto whole = PcapFile(1, records);
    const std::size_t lastRecord = whole.size() - kPcapRecordHeaderBytes - 80;
    // Inside the record header, at the start of the data, inside the data.
    const std::size_t keep = GENERATE_COPY(lastRecord + 5, lastRecord + 16, lastRecord + 50);
    const auto path = WriteFile(dir / "cut.pcap",
                                std::vector<std::uint8_t>(whole.begin(), whole.begin() + keep));

    CaptureReader reader(path.string());
    const auto seen = ReadAll(reader);
    REQUIRE(seen.size() == 2);
    const auto& info = reader.File(0);
    CHECK(info.state == FileState::EndedEarly);
    REQUIRE(info.problem);
    CHECK(info.problem->Severity() == CaptureSeverity::Warning);
    CHECK(info.problem->PacketNumber() == 3);
    CHECK(info.problem->ByteOffset() == static_cast<std::int64_t>(lastRecord));
    const std::string message = info.problem->what();
    CHECK_THAT(message, Catch::Contains(path.string()));
    CHECK_THAT(message, Catch::Contains("packet 3 at byte offset " + std::to_string(lastRecord)));
    CHECK_THAT(message, Catch::Contains("expected a complete record"));
    CHECK_FALSE(reader.HasErrors());
    CHECK(reader.Problems().size() == 1);
    CHECK(reader.Progress().bytesConsumed == keep);
}

TEST_CASE("gzip-compressed captures read like the plain file", "[dpi][capture][gzip]")
{
    auto dir = TempDir("capture-gzip");
    const auto conversation = dir / "conversation.pcap";
    REQUIRE(fab::dpi::test::WriteRoceConversation(conversation, kConversationQueuePairs));
    const auto frames = fab::dpi::test::RoceConversationCountsFor(kConversationQueuePairs).frames;
    const auto plain = ReadBytes(conversation);
    // Named .pcap on purpose: the magic decides, not the name.
    const auto packed = WriteGzip(dir / "roce.pcap", plain);
    const auto packedBytes = ReadBytes(packed);

    SECTION("identical records, offsets in the decompressed stream")
    {
        CaptureReader reader(packed.string());
        const auto seen = ReadAll(reader);
        const auto reference = ReadAll({conversation.string()});
        REQUIRE(reference.size() == frames);
        RequireSamePackets(seen, reference);
        for (std::size_t i = 0; i < seen.size(); ++i)
        {
            REQUIRE(seen[i].byteOffset == reference[i].byteOffset);
        }
        const auto& info = reader.File(0);
        CHECK(info.gzip);
        CHECK(info.offsets == OffsetBase::DecompressedStream);
        CHECK(info.fileBytes == packedBytes.size());
        CHECK(info.state == FileState::Ended);
        CHECK(reader.Progress().bytesConsumed == packedBytes.size());
        CHECK(reader.Progress().bytesTotal == packedBytes.size());
    }
    SECTION("a cut gzip file ends early with a warning")
    {
        const auto cut
            = WriteFile(dir / "cut.pcap.gz",
                        std::vector<std::uint8_t>(packedBytes.begin(),
                                                  packedBytes.begin() + packedBytes.size() / 2));
        CaptureReader reader(cut.string());
        const auto seen = ReadAll(reader);
        CHECK(seen.size() > 10);
        CHECK(seen.size() < frames);
        const auto& info = reader.File(0);
        CHECK(info.state == FileState::EndedEarly);
        REQUIRE(info.problem);
        CHECK(info.problem->Severity() == CaptureSeverity::Warning);
        CHECK(info.problem->PacketNumber() == seen.size() + 1);
        CHECK_THAT(std::string(info.problem->what()), Catch::Contains("ends early"));
    }
    SECTION("a corrupt gzip file stops with an error naming the packet")
    {
        auto corrupt = packedBytes;
        corrupt[corrupt.size() - 6] ^= 0xff; // the CRC-32 in the trailer
        const auto path = WriteFile(dir / "corrupt.gz", corrupt);
        CaptureReader reader(path.string());
        const auto seen = ReadAll(reader);
        CHECK(seen.size() < frames);
        const auto& info = reader.File(0);
        CHECK(info.state == FileState::Failed);
        REQUIRE(info.problem);
        CHECK(info.problem->Severity() == CaptureSeverity::Error);
        CHECK(info.problem->PacketNumber() == seen.size() + 1);
        CHECK_THAT(std::string(info.problem->what()),
                   Catch::Contains(path.string()) && Catch::Contains("corrupt gzip data"));
        CHECK(reader.HasErrors());
    }
}

TEST_CASE("several files merge in timestamp order, ties by file then packet", "[dpi][capture]")
{
    auto dir = TempDir("capture-merge");
    auto records = [](std::vector<std::uint32_t> microseconds, std::uint8_t seed)
    {
        std::vector<Record> out;
        for (std::uint32_t us : microseconds)
        {
            out.push_back({10, us, Pattern(60, seed++), 0});
        }
        return out;
    };
    const auto a = WriteFile(dir / "a.pcap", PcapFile(1, records({1, 3, 5, 5}, 0x10)));
    // Nanosecond magic: 3 us written as 3000 ns ties with a's 3 us.
    auto bRecords = records({2000, 3000, 4000, 5000}, 0x20);
    const auto b = WriteFile(dir / "b.pcap", PcapFile(1, bRecords, true));

    auto order = [](const std::vector<Seen>& seen)
    {
        std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
        for (const Seen& packet : seen)
        {
            out.emplace_back(packet.fileIndex, packet.packetNumber);
        }
        return out;
    };
    using Order = std::vector<std::pair<std::uint32_t, std::uint64_t>>;
    const auto forward = ReadAll({a.string(), b.string()});
    CHECK(order(forward) == Order{{0, 1}, {1, 1}, {0, 2}, {1, 2}, {1, 3}, {0, 3}, {0, 4}, {1, 4}});
    for (std::size_t i = 1; i < forward.size(); ++i)
    {
        REQUIRE(forward[i - 1].timestampNs <= forward[i].timestampNs);
    }
    const auto backward = ReadAll({b.string(), a.string()});
    CHECK(order(backward) == Order{{1, 1}, {0, 1}, {0, 2}, {1, 2}, {0, 3}, {0, 4}, {1, 3}, {1, 4}});
    // The same again: deterministic.
    CHECK(order(ReadAll({a.string(), b.string()})) == order(forward));

    SECTION("a file that stops early does not stop the others")
    {
        auto cut = PcapFile(1, records({1, 3, 5, 5}, 0x10));
        cut.resize(cut.size() - 10);
        const auto c = WriteFile(dir / "c.pcap", cut);
        CaptureReader reader({c.string(), b.string()});
        const auto seen = ReadAll(reader);
        CHECK(seen.size() == 3 + 4);
        CHECK(reader.File(0).state == FileState::EndedEarly);
        CHECK(reader.File(1).state == FileState::Ended);
        CHECK(reader.Totals().packets == 7);
    }
}

TEST_CASE("pcapng files read the same packets", "[dpi][capture][pcapng][needs:editcap]")
{
    auto dir = TempDir("capture-pcapng");
    const auto records = ThreeRecords(true);
    WriteFile(dir / "three.pcap", PcapFile(1, records, true));
    // Native InfiniBand in ERF records (link type 197), as an ERF card writes them.
    std::vector<Record> erf;
    for (std::uint32_t i = 0; i < 6; ++i)
    {
        fab::dpi::test::IbSpec packet;
        packet.psn = 100 + i;
        packet.payload = 64 * i;
        const auto ib = fab::dpi::test::BuildIbPacket(packet);
        const std::uint64_t timestamp = (std::uint64_t{1700000000 + i} << 32) | 0x80000000u;
        erf.push_back({1700000000 + i,
                       500000,
                       ErfRecord(timestamp, 21, {}, ib, static_cast<std::uint16_t>(ib.size())),
                       0});
    }
    WriteFile(dir / "ib.pcap", PcapFile(197, erf));
    REQUIRE(RunIn(dir, "editcap -F pcapng three.pcap three.pcapng").exitCode == 0);
    REQUIRE(RunIn(dir, "editcap -F pcapng ib.pcap ib.pcapng").exitCode == 0);

    SECTION("Ethernet, with a snapped record")
    {
        CaptureReader reader((dir / "three.pcapng").string());
        const auto seen = ReadAll(reader);
        RequireSamePackets(seen, ReadAll({(dir / "three.pcap").string()}));
        CHECK(seen[1].wireLength == 1000);
        CHECK(seen[0].byteOffset == CaptureError::kUnknownOffset);
        CHECK(reader.File(0).format == CaptureFormat::Pcapng);
        CHECK(reader.File(0).offsets == OffsetBase::Unknown);
        CHECK(reader.Totals().snapTruncated == 1);
    }
    SECTION("ERF, and gzip-compressed")
    {
        WriteGzip(dir / "ib.pcapng.gz", ReadBytes(dir / "ib.pcapng"));
        CaptureReader reader((dir / "ib.pcapng.gz").string());
        const auto seen = ReadAll(reader);
        REQUIRE(seen.size() == 6);
        RequireSamePackets(seen, ReadAll({(dir / "ib.pcap").string()}));
        CHECK(seen.back().kind == FrameKind::InfiniBand);
        CHECK(seen.back().timestampNs == (1700000000LL + 5) * kNs + 500000000);
        CHECK(reader.File(0).format == CaptureFormat::Pcapng);
        CHECK(reader.File(0).gzip);
    }
    SECTION("interfaces of different link types stop the file with an error")
    {
        REQUIRE(RunIn(dir, "mergecap -F pcapng -w mixed.pcapng three.pcap ib.pcap").exitCode == 0);
        CaptureReader reader((dir / "mixed.pcapng").string());
        ReadAll(reader);
        CHECK(reader.File(0).state == FileState::Failed);
        REQUIRE(reader.File(0).problem);
        CHECK_THAT(std::string(reader.File(0).problem->what()),
                   Catch::Contains("mixed.pcapng") && Catch::Contains("type 197"));
    }
}

TEST_CASE("files that cannot be read are named in the error", "[dpi][capture]")
{
    auto dir = TempDir("capture-bad");
    SECTION("missing")
    {
        const auto path = (dir / "missing.pcap").string();
        CHECK_THAT(ErrorOpening(path), Catch::StartsWith(path + ": cannot open the file"));
    }
    SECTION("not a capture")
    {
        const auto path = WriteFile(dir / "notes.pcap", {'h', 'e', 'l', 'l', 'o', '\n'}).string();
        const auto message = ErrorOpening(path);
        CHECK_THAT(message, Catch::StartsWith(path + ": "));
        CHECK_THAT(message, Catch::Contains("expected a pcap or pcapng file header"));
        CHECK_THAT(message, Catch::Contains("68 65 6c 6c"));
    }
    SECTION("a gzip file that holds no capture")
    {
        const auto path = WriteGzip(dir / "notes.gz", Pattern(100, 1)).string();
        CHECK_THAT(ErrorOpening(path),
                   Catch::StartsWith(path + ": ") && Catch::Contains("inside gzip"));
    }
    SECTION("empty")
    {
        const auto path = WriteFile(dir / "empty.pcap", {}).string();
        CHECK_THAT(ErrorOpening(path), Catch::Contains("the file is empty"));
    }
    SECTION("a link type that is not supported")
    {
        const auto path = WriteFile(dir / "wifi.pcap", PcapFile(105, {{1, 0, Pattern(30, 0), 0}}));
        const auto message = ErrorOpening(path.string());
        CHECK_THAT(message, Catch::StartsWith(path.string() + ": "));
        CHECK_THAT(message, Catch::Contains("link type 105"));
    }
    SECTION("one bad file among good ones")
    {
        const auto good = WriteFile(dir / "good.pcap", PcapFile(1, ThreeRecords(false)));
        const auto bad = WriteFile(dir / "bad.pcap", {0, 1, 2, 3, 4, 5, 6, 7});
        try
        {
            CaptureReader reader({good.string(), bad.string()});
            FAIL("the bad file was accepted");
        }
        catch (const CaptureError& error)
        {
            CHECK(error.File() == bad.string());
            CHECK(error.PacketNumber() == CaptureError::kNoPacket);
        }
    }
}

TEST_CASE("the progress hook reports bytes consumed against the total", "[dpi][capture]")
{
    auto dir = TempDir("capture-progress");
    const auto first = dir / "first.pcap";
    const auto second = dir / "second.pcap";
    REQUIRE(fab::dpi::test::WriteRoceConversation(first, kConversationQueuePairs));
    REQUIRE(fab::dpi::test::WriteRoceConversation(second, 7));
    const auto packets = fab::dpi::test::RoceConversationCountsFor(kConversationQueuePairs).frames
                         + fab::dpi::test::RoceConversationCountsFor(7).frames;
    const auto bytes = std::filesystem::file_size(first) + std::filesystem::file_size(second);
    CaptureReader reader(std::vector<std::string>{first.string(), second.string()});
    std::vector<fab::dpi::ReadProgress> reports;
    reader.SetProgressHook([&reports](const fab::dpi::ReadProgress& p) { reports.push_back(p); },
                           25);
    const auto seen = ReadAll(reader);
    REQUIRE(seen.size() == packets);
    REQUIRE(reports.size() == packets / 25 + 1);
    for (std::size_t i = 0; i < reports.size(); ++i)
    {
        CHECK(reports[i].bytesTotal == bytes);
        CHECK(reports[i].bytesConsumed <= reports[i].bytesTotal);
        if (i > 0)
        {
            CHECK(reports[i].bytesConsumed >= reports[i - 1].bytesConsumed);
        }
    }
    CHECK(reports.back().bytesConsumed == reports.back().bytesTotal);
}

TEST_CASE("the prefetching reader delivers what the reader does, across batch boundaries",
          "[dpi][capture]")
{
    auto dir = std::filesystem::temp_directory_path() / "fabricscope-prefetch-test";
    std::filesystem::create_directories(dir);
    // 10,000 small records (more than a batch holds), then 200 of 60 KB (more bytes than a
    // batch holds), then small ones again; the file is cut inside its last record.
    std::vector<Record> records;
    for (std::uint32_t i = 0; i < 10'200 + 3'000; ++i)
    {
        bool big = i >= 10'000 && i < 10'200;
        records.push_back({1 + i / 1000,
                           (i % 1000) * 1000,
                           Pattern(big ? 60'000 : 64 + i % 100, static_cast<std::uint8_t>(i)),
                           0});
    }
    auto bytes = PcapFile(1, records, false, false, 262'144);
    bytes.resize(bytes.size() - 10);
    auto path = (dir / "batches.pcap").string();
    WriteFile(path, bytes);

    CaptureReader direct(path);
    auto expected = ReadAll(direct);
    CaptureReader ahead(path);
    std::vector<Seen> seen;
    {
        PrefetchReader prefetch(ahead);
        seen = ReadAll(prefetch);
    }
    REQUIRE(expected.size() == records.size() - 1);
    RequireSamePackets(expected, seen);
    REQUIRE(ahead.Problems().size() == 1); // the cut record, as the reader tells it
    CHECK(ahead.File(0).state == FileState::EndedEarly);

    // A consumer that stops early: the thread is stopped and joined, nothing leaks.
    CaptureReader partly(path);
    {
        PrefetchReader prefetch(partly);
        CapturedPacket packet;
        for (int i = 0; i < 5'000; ++i)
        {
            REQUIRE(prefetch.Next(packet));
        }
    }
    std::filesystem::remove_all(dir);
}
