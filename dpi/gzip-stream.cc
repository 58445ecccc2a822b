#include "dpi/gzip-stream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/types.h>
#include <zlib.h>

namespace fab::dpi
{

namespace
{

/**
 * zlib's input buffer, and the most decompressed bytes one read asks for. zlib drops what one
 * gzread call decompressed when that call meets corrupt data; a request at least as large as
 * the buffer is decompressed straight into the caller's memory (not ahead into zlib's own,
 * twice as large), so the loss before an error stays within one chunk.
 */
constexpr unsigned kGzipChunkBytes = 32 * 1024;

/** zlib's messages start with "path: "; the reader names the file itself. */
std::string
WithoutPath(const char* message, const std::string& path)
{
    std::string text = message != nullptr ? message : "";
    const std::string prefix = path + ": ";
    if (text.compare(0, prefix.size(), prefix) == 0)
    {
        text.erase(0, prefix.size());
    }
    return text;
}

} // namespace

/** The cookie behind the FILE*: the zlib handle and the state the reader may inspect. */
struct GzipCookie
{
    static gzFile Handle(GzipStreamState& state) { return static_cast<gzFile>(state.m_gz); }

    static void Attach(GzipStreamState& state, gzFile gz, const std::string& path)
    {
        state.m_gz = gz;
        state.m_path = path;
    }

    /** Records zlib's error after a call; true when the stream can go on. */
    static bool CheckError(GzipStreamState& state)
    {
        int code = Z_OK;
        const char* message = gzerror(Handle(state), &code);
        if (code == Z_OK)
        {
            return true;
        }
        if (code == Z_BUF_ERROR)
        {
            // zlib's "unexpected end of file": everything before the cut was delivered.
            state.m_endedEarly = true;
            state.m_message = WithoutPath(message, state.m_path);
            return true;
        }
        state.m_corrupt = true;
        state.m_message
            = code == Z_ERRNO ? std::strerror(errno) : WithoutPath(message, state.m_path);
        return false;
    }

    static ssize_t Read(void* cookie, char* buffer, size_t size)
    {
        auto& state = *static_cast<GzipStreamState*>(cookie);
        const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size, kGzipChunkBytes));
        const int got = gzread(Handle(state), buffer, chunk);
        const bool usable = CheckError(state);
        if (got < 0 || !usable)
        {
            if (!state.m_corrupt)
            {
                state.m_corrupt = true;
                state.m_message = "gzip read error";
            }
            errno = EIO;
            return -1;
        }
        return got;
    }

    static int Seek(void* cookie, off64_t* offset, int whence)
    {
        auto& state = *static_cast<GzipStreamState*>(cookie);
        if (whence != SEEK_SET && whence != SEEK_CUR)
        {
            errno = EINVAL;
            return -1;
        }
        const z_off_t position = gzseek(Handle(state), static_cast<z_off_t>(*offset), whence);
        if (position < 0)
        {
            errno = EINVAL;
            return -1;
        }
        *offset = position;
        return 0;
    }

    static int Close(void* cookie)
    {
        auto* state = static_cast<GzipStreamState*>(cookie);
        const int result = gzclose_r(Handle(*state));
        delete state;
        return result == Z_OK || result == Z_BUF_ERROR ? 0 : EOF;
    }
};

bool
HasGzipMagic(const std::uint8_t* bytes, std::size_t size)
{
    return size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::uint64_t
GzipStreamState::CompressedOffset() const
{
    const z_off_t offset = gzoffset(static_cast<gzFile>(m_gz));
    return offset < 0 ? 0 : static_cast<std::uint64_t>(offset);
}

GzipStream
OpenGzipStream(const std::string& path, std::string& error)
{
    errno = 0;
    gzFile gz = gzopen(path.c_str(), "rb");
    if (gz == nullptr)
    {
        error = errno != 0 ? std::strerror(errno) : "cannot open";
        return {};
    }
    gzbuffer(gz, kGzipChunkBytes);
    auto* state = new GzipStreamState;
    GzipCookie::Attach(*state, gz, path);
    cookie_io_functions_t functions{};
    functions.read = &GzipCookie::Read;
    functions.seek = &GzipCookie::Seek;
    functions.close = &GzipCookie::Close;
    std::FILE* file = fopencookie(state, "rb", functions);
    if (file == nullptr)
    {
        error = std::strerror(errno);
        gzclose_r(gz);
        delete state;
        return {};
    }
    return {file, state};
}

} // namespace fab::dpi
