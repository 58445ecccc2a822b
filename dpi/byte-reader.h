#ifndef FABRICSCOPE_DPI_BYTE_READER_H
#define FABRICSCOPE_DPI_BYTE_READER_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fab::dpi
{

/**
 * A bounded cursor over untrusted bytes. Every load is preceded by CanRead (or returns false),
 * multi-byte fields are big-endian (network order) and loaded through memcpy, never by casting
 * packet bytes to a struct. The reader never owns the bytes and never allocates.
 */
class ByteReader
{
public:
    ByteReader(const std::uint8_t* data, std::size_t size)
    : m_data(data),
      m_size(size)
    {
    }

    std::size_t Offset() const { return m_offset; }
    std::size_t Remaining() const { return m_size - m_offset; }
    bool CanRead(std::size_t count) const { return count <= m_size - m_offset; }
    const std::uint8_t* Current() const { return m_data + m_offset; }

    bool Skip(std::size_t count)
    {
        if (!CanRead(count))
        {
            return false;
        }
        m_offset += count;
        return true;
    }

    bool ReadU8(std::uint8_t& value)
    {
        if (!CanRead(1))
        {
            return false;
        }
        value = m_data[m_offset++];
        return true;
    }

    bool ReadU16(std::uint16_t& value) { return ReadBigEndian(value); }
    bool ReadU32(std::uint32_t& value) { return ReadBigEndian(value); }
    bool ReadU64(std::uint64_t& value) { return ReadBigEndian(value); }

    /** Reads a 24-bit big-endian field (PSNs, QP numbers). */
    bool ReadU24(std::uint32_t& value)
    {
        if (!CanRead(3))
        {
            return false;
        }
        const std::uint8_t* p = m_data + m_offset;
        value = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        m_offset += 3;
        return true;
    }

    /** Copies count bytes out; false (and nothing copied) when fewer remain. */
    bool ReadBytes(void* out, std::size_t count)
    {
        if (!CanRead(count))
        {
            return false;
        }
        std::memcpy(out, m_data + m_offset, count);
        m_offset += count;
        return true;
    }

private:
    template <typename Unsigned>
    bool ReadBigEndian(Unsigned& value)
    {
        if (!CanRead(sizeof(Unsigned)))
        {
            return false;
        }
        std::uint8_t bytes[sizeof(Unsigned)];
        std::memcpy(bytes, m_data + m_offset, sizeof bytes);
        Unsigned result = 0;
        for (std::uint8_t byte : bytes)
        {
            result = static_cast<Unsigned>((result << 8) | byte);
        }
        value = result;
        m_offset += sizeof(Unsigned);
        return true;
    }

    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_offset = 0;
};

} // namespace fab::dpi

#endif
