#include "dpi/capture-stream.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace fab::dpi
{

namespace
{

/** stdio buffer of a capture file: far fewer read calls than glibc's 4 KiB default. */
constexpr std::size_t kFileBufferBytes = 256 * 1024;
/** Decompressed streams: the gzip stream delivers 32 KiB per call anyway. */
constexpr std::size_t kGzipBufferBytes = 32 * 1024;

constexpr std::uint8_t kPcapngMagic[kCaptureMagicBytes] = {0x0a, 0x0d, 0x0d, 0x0a};
constexpr std::uint8_t kClassicPcapMagics[][kCaptureMagicBytes] = {{0xa1, 0xb2, 0xc3, 0xd4},
                                                                   {0xd4, 0xc3, 0xb2, 0xa1},
                                                                   {0xa1, 0xb2, 0x3c, 0x4d},
                                                                   {0x4d, 0x3c, 0xb2, 0xa1}};

const char* const kExpectHeader
    = "; expected a pcap or pcapng file header (a1b2c3d4, a1b23c4d or 0a0d0d0a, either byte order)";
const char* const kExpectGzip = "; expected a gzip-compressed capture";

std::string
HexBytes(const std::uint8_t* bytes, std::size_t count)
{
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < count; ++i)
    {
        if (i != 0)
        {
            out += ' ';
        }
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 0x0f];
    }
    return out;
}

/** An error of the file as a whole (no packet number). */
CaptureError
FileError(const std::string& path, std::int64_t offset, const std::string& expectation)
{
    return CaptureError(path, CaptureError::kNoPacket, offset, expectation);
}

CaptureError
ErrnoError(const std::string& path, const char* what)
{
    return FileError(path, CaptureError::kUnknownOffset, std::string(what) + std::strerror(errno));
}

} // namespace

bool
CaptureStream::IsPcapng() const
{
    return magicBytes == kCaptureMagicBytes
           && std::memcmp(magic, kPcapngMagic, kCaptureMagicBytes) == 0;
}

bool
CaptureStream::IsClassicPcap() const
{
    if (magicBytes != kCaptureMagicBytes)
    {
        return false;
    }
    for (const auto& classic : kClassicPcapMagics)
    {
        if (std::memcmp(magic, classic, kCaptureMagicBytes) == 0)
        {
            return true;
        }
    }
    return false;
}

CaptureError
CaptureStream::Refused(const std::string& path, const char* pcapError) const
{
    if (gzip != nullptr && gzip->Corrupt())
    {
        return FileError(path, 0, "corrupt gzip data (" + gzip->Message() + ")" + kExpectGzip);
    }
    return FileError(path,
                     0,
                     std::string("not a readable capture")
                         + (gzip != nullptr ? " (inside gzip)" : "") + ": it starts with "
                         + HexBytes(magic, magicBytes) + " (libpcap: " + pcapError + ")"
                         + kExpectHeader);
}

CaptureStream
OpenCaptureStream(const std::string& path)
{
    CaptureStream stream;
    struct stat status = {};
    if (::stat(path.c_str(), &status) != 0)
    {
        throw ErrnoError(path, "cannot open the file: ");
    }
    if (S_ISDIR(status.st_mode))
    {
        throw FileError(path,
                        CaptureError::kUnknownOffset,
                        "is a directory; expected a pcap or pcapng capture file");
    }
    stream.fileBytes = static_cast<std::uint64_t>(status.st_size);

    stream.file = std::fopen(path.c_str(), "rb");
    if (stream.file == nullptr)
    {
        throw ErrnoError(path, "cannot open the file: ");
    }
    // glibc ignores the size unless it is given the memory too.
    stream.buffer = std::make_unique<char[]>(kFileBufferBytes);
    std::setvbuf(stream.file, stream.buffer.get(), _IOFBF, kFileBufferBytes);
    stream.magicBytes = std::fread(stream.magic, 1, kCaptureMagicBytes, stream.file);
    if (HasGzipMagic(stream.magic, stream.magicBytes))
    {
        std::fclose(stream.file);
        stream.buffer.reset();
        std::string error;
        const GzipStream gzip = OpenGzipStream(path, error);
        if (gzip.file == nullptr)
        {
            throw FileError(path,
                            CaptureError::kUnknownOffset,
                            "cannot open the gzip-compressed file: " + error);
        }
        stream.file = gzip.file;
        stream.gzip = gzip.state;
        stream.buffer = std::make_unique<char[]>(kGzipBufferBytes);
        std::setvbuf(stream.file, stream.buffer.get(), _IOFBF, kGzipBufferBytes);
        stream.magicBytes = std::fread(stream.magic, 1, kCaptureMagicBytes, stream.file);
        if (stream.gzip->Corrupt())
        {
            const std::string message = stream.gzip->Message();
            std::fclose(stream.file);
            throw FileError(path, 0, "corrupt gzip data (" + message + ")" + kExpectGzip);
        }
    }
    if (stream.magicBytes == 0)
    {
        std::fclose(stream.file);
        throw FileError(
            path,
            0,
            std::string(stream.gzip != nullptr ? "the gzip stream is empty" : "the file is empty")
                + kExpectHeader);
    }
    if (std::fseek(stream.file, 0, SEEK_SET) != 0)
    {
        std::fclose(stream.file);
        throw ErrnoError(path, "cannot rewind the file: ");
    }
    return stream;
}

} // namespace fab::dpi
