#ifndef FABRICSCOPE_DPI_CAPTURE_STREAM_H
#define FABRICSCOPE_DPI_CAPTURE_STREAM_H

#include "dpi/capture-error.h"
#include "dpi/gzip-stream.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace fab::dpi
{

/** The classic pcap layout: a 24-byte file header, then 16-byte record headers. */
constexpr std::uint32_t kPcapFileHeaderBytes = 24;
constexpr std::uint32_t kPcapRecordHeaderBytes = 16;
constexpr std::size_t kCaptureMagicBytes = 4;

/**
 * A capture file opened for libpcap and positioned at its first byte: the file itself, or the
 * decompressed stream of a gzip-compressed file (told by its first bytes, not its name).
 */
struct CaptureStream
{
    std::FILE* file{nullptr};
    std::unique_ptr<char[]> buffer;       ///< the stream's stdio buffer; must outlive `file`
    const GzipStreamState* gzip{nullptr}; ///< set for a gzip-compressed file; dies with `file`
    std::uint8_t magic[kCaptureMagicBytes] = {}; ///< the first bytes (decompressed for gzip)
    std::size_t magicBytes{0};
    std::uint64_t fileBytes{0}; ///< size on disk

    bool IsPcapng() const;

    /**
     * A classic pcap magic (either byte order, microseconds or nanoseconds): records have
     * 16-byte headers. The "modified" formats libpcap also reads have longer ones.
     */
    bool IsClassicPcap() const;

    /** The error for a stream libpcap refused to open; ask before closing the stream. */
    CaptureError Refused(const std::string& path, const char* pcapError) const;
};

/**
 * Opens `path` for libpcap. Throws CaptureError naming the file when it is missing, a folder,
 * empty or corrupt gzip. The caller closes `file` (or hands it to libpcap, which closes it).
 */
CaptureStream OpenCaptureStream(const std::string& path);

} // namespace fab::dpi

#endif
