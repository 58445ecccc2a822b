#ifndef FABRICSCOPE_DPI_GZIP_STREAM_H
#define FABRICSCOPE_DPI_GZIP_STREAM_H

#include <cstdint>
#include <cstdio>
#include <string>

namespace fab::dpi
{

/** True when the bytes start with the gzip magic 1f 8b (the file name does not matter). */
bool HasGzipMagic(const std::uint8_t* bytes, std::size_t size);

/**
 * What a gzip stream knows about itself: how far into the compressed file it has read and
 * whether decompression failed. Owned by the stream; valid until the stream is closed.
 */
class GzipStreamState
{
public:
    /** Bytes of the compressed file consumed so far (for progress). */
    std::uint64_t CompressedOffset() const;

    /** The data is corrupt (bad deflate data, bad CRC) or could not be read. */
    bool Corrupt() const { return m_corrupt; }

    /** The compressed file ends before the gzip stream does (a cut download or copy). */
    bool EndedEarly() const { return m_endedEarly; }

    /** zlib's description of what went wrong; empty when nothing did. */
    const std::string& Message() const { return m_message; }

private:
    friend struct GzipCookie;

    void* m_gz{nullptr};
    std::string m_path;
    bool m_corrupt{false};
    bool m_endedEarly{false};
    std::string m_message;
};

struct GzipStream
{
    std::FILE* file{nullptr};              ///< decompressed bytes; fclose() releases everything
    const GzipStreamState* state{nullptr}; ///< valid until `file` is closed
};

/**
 * Opens a gzip-compressed file as a read-only FILE* (glibc fopencookie over zlib's gzread), so a
 * reader that wants a FILE* (libpcap) sees the decompressed bytes and nothing is written to disk.
 * The stream can tell its position and seek (forward, or back by re-reading from the start).
 * Returns a null file, with `error` set, when the file cannot be opened.
 */
GzipStream OpenGzipStream(const std::string& path, std::string& error);

} // namespace fab::dpi

#endif
