#ifndef FABRICSCOPE_DPI_CAPTURE_READER_H
#define FABRICSCOPE_DPI_CAPTURE_READER_H

#include "dpi/capture-error.h"
#include "dpi/link-type.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fab::dpi
{

/**
 * One packet as the reader delivers it: a compact record pointing at bytes owned by libpcap,
 * valid until the next call of CaptureReader::Next.
 */
struct CapturedPacket
{
    const std::uint8_t* data{nullptr}; ///< the whole record, link header included
    std::int64_t timestampNs{0};       ///< Unix time; microsecond files are scaled by libpcap
    /**
     * Where the record starts: in the file for plain pcap, in the decompressed stream for
     * gzip-compressed pcap, CaptureError::kUnknownOffset for pcapng (libpcap reads whole blocks
     * and may read non-packet blocks first). CaptureFileInfo::offsets says which.
     */
    std::int64_t byteOffset{CaptureError::kUnknownOffset};
    std::uint64_t packetNumber{0};   ///< 1-based within its file, as Wireshark numbers frames
    std::uint32_t fileIndex{0};      ///< position of the file in the list given to the reader
    std::uint32_t capturedLength{0}; ///< bytes at `data` (libpcap caplen)
    std::uint32_t wireLength{0};     ///< original length of the record (libpcap len)
    LinkFrame frame;                 ///< the frame to decode inside the record

    const std::uint8_t* FrameBytes() const { return data + frame.offset; }

    /** Snap-truncated: the frame was longer on the wire than what was captured of it. */
    bool Truncated() const { return frame.Truncated(); }
};

enum class CaptureFormat : std::uint8_t
{
    Pcap,
    Pcapng,
};

/** What CapturedPacket::byteOffset counts from. */
enum class OffsetBase : std::uint8_t
{
    File,               ///< plain pcap: the offset of the record header in the file
    DecompressedStream, ///< gzip-compressed pcap: the offset in the decompressed bytes
    Unknown,            ///< pcapng: not known (byteOffset is kUnknownOffset)
};

enum class FileState : std::uint8_t
{
    Reading,
    Ended,      ///< every record was read
    EndedEarly, ///< the last record (or the gzip stream) is cut short: a Warning problem
    Failed,     ///< reading stopped at an error: an Error problem
};

struct CaptureCounters
{
    std::uint64_t packets{0};
    std::uint64_t capturedBytes{0};   ///< sum of captured lengths of the records
    std::uint64_t wireBytes{0};       ///< sum of wire lengths of the records
    std::uint64_t snapTruncated{0};   ///< packets whose frame was cut by the snap length
    std::uint64_t unsupportedLink{0}; ///< records whose frame is not decoded (e.g. ERF types)
    std::uint64_t badLinkHeader{0};   ///< records whose link header is cut short or inconsistent

    CaptureCounters& operator+=(const CaptureCounters& other);
};

struct CaptureFileInfo
{
    std::string path;
    CaptureFormat format{CaptureFormat::Pcap};
    bool gzip{false};
    /**
     * The pcap link type (DLT) of the file. A pcapng file has one per interface; libpcap accepts
     * only files whose interfaces all share the first one's type and stops with an error
     * (FileState::Failed) at an interface of another type.
     */
    int linkType{0};
    std::string linkTypeName;
    std::uint32_t snapLength{0};
    std::uint64_t fileBytes{0}; ///< size on disk (compressed size for gzip)
    OffsetBase offsets{OffsetBase::File};

    CaptureCounters counters;
    std::int64_t firstTimestampNs{0}; ///< of the first packet in file order (0 without packets)
    std::int64_t lastTimestampNs{0};  ///< of the last packet in file order
    FileState state{FileState::Reading};
    std::optional<CaptureError> problem; ///< set for EndedEarly and Failed
};

struct ReadProgress
{
    std::uint64_t bytesConsumed{0}; ///< of the files on disk (compressed bytes for gzip)
    std::uint64_t bytesTotal{0};    ///< sum of the file sizes
};

/**
 * Reads one or several captures (pcap or pcapng, plain or gzip-compressed, told apart by their
 * first bytes) through libpcap with nanosecond timestamps, and delivers their packets merged in
 * timestamp order. Within a file the file's order is kept (the merge compares only the next
 * packet of each file); equal timestamps go to the file with the lower index first.
 *
 * Files that cannot be opened (missing, not a capture, a link type that is not supported) throw
 * CaptureError from the constructor. A problem found while reading stops only that file: its
 * CaptureFileInfo gets the state and the CaptureError, the packets before it stay delivered,
 * and the other files go on. The read loop allocates nothing per packet.
 */
class CaptureReader
{
public:
    using ProgressHook = std::function<void(const ReadProgress&)>;
    static constexpr std::uint64_t kDefaultProgressInterval = 16384;

    explicit CaptureReader(const std::vector<std::string>& paths);
    explicit CaptureReader(const std::string& path);
    ~CaptureReader();

    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    /**
     * The next packet in timestamp order, or false when every file has ended. The bytes of the
     * previous packet are invalid once this is called.
     */
    bool Next(CapturedPacket& packet);

    std::size_t FileCount() const;
    const CaptureFileInfo& File(std::size_t index) const;

    /** Counters of the packets delivered so far, summed over the files. */
    CaptureCounters Totals() const;

    /** The problems of every file, in file order (Warning and Error). */
    std::vector<CaptureError> Problems() const;

    /** Whether any file stopped at an Error (not merely a cut last record). */
    bool HasErrors() const;

    ReadProgress Progress() const;

    /**
     * Calls `hook` after every `everyPackets` delivered packets and once when the last file
     * ends, so a command can draw a progress line.
     */
    void SetProgressHook(ProgressHook hook, std::uint64_t everyPackets = kDefaultProgressInterval);

private:
    struct OpenFile;
    struct HeapEntry
    {
        std::int64_t timestampNs;
        std::uint32_t fileIndex;
    };
    static constexpr std::uint32_t kNoFile = ~std::uint32_t{0};

    static bool Later(const HeapEntry& a, const HeapEntry& b);
    void OpenAll(const std::vector<std::string>& paths);
    void OpenOne(OpenFile& file, const std::string& path);
    /** Reads the next packet of one file; false when the file has ended (now or before). */
    bool ReadPacket(OpenFile& file, CapturedPacket& packet);
    /** Reads the next packet of one file into its pending slot and onto the heap. */
    void Queue(std::uint32_t fileIndex);
    void Deliver(OpenFile& file, const CapturedPacket& packet);
    void Finish();
    void EndFile(OpenFile& file, int pcapStatus, std::int64_t offset);
    void CloseFile(OpenFile& file);
    void ReportProgress();

    std::vector<OpenFile> m_files;
    std::vector<HeapEntry> m_heap;
    std::uint32_t m_current{kNoFile};
    static constexpr std::uint64_t kNever = ~std::uint64_t{0};

    bool m_singleFile{false};
    bool m_started{false};
    bool m_primed{false};
    bool m_finished{false};
    ProgressHook m_progressHook;
    std::uint64_t m_progressInterval{kNever};
    std::uint64_t m_progressCountdown{kNever}; ///< packets until the next progress report
};

} // namespace fab::dpi

#endif
