#include "fabric/model/pcap-file-writer.h"

#include <algorithm>

namespace ns3::fabric
{
namespace
{

void
PutU32(std::FILE* f, std::uint32_t v)
{
    std::fwrite(&v, sizeof v, 1, f); // host order; readers detect it from the magic
}

void
PutU16(std::FILE* f, std::uint16_t v)
{
    std::fwrite(&v, sizeof v, 1, f);
}

} // namespace

PcapFileWriter::PcapFileWriter(const std::string& path,
                               std::uint32_t linkType,
                               std::uint32_t snapLength)
: m_file(std::fopen(path.c_str(), "wb"))
, m_snapLength(snapLength)
{
    if (m_file == nullptr)
    {
        return;
    }
    PutU32(m_file, 0xA1B23C4Du); // nanosecond resolution
    PutU16(m_file, 2);
    PutU16(m_file, 4);
    PutU32(m_file, 0); // this zone
    PutU32(m_file, 0); // sigfigs
    PutU32(m_file, snapLength);
    PutU32(m_file, linkType);
}

PcapFileWriter::~PcapFileWriter()
{
    if (m_file != nullptr)
    {
        std::fclose(m_file);
    }
}

void
PcapFileWriter::Write(std::int64_t timeNs, const std::uint8_t* data, std::uint32_t size)
{
    if (m_file == nullptr)
    {
        return;
    }
    std::uint32_t captured = std::min(size, m_snapLength);
    PutU32(m_file, static_cast<std::uint32_t>(timeNs / 1'000'000'000));
    PutU32(m_file, static_cast<std::uint32_t>(timeNs % 1'000'000'000));
    PutU32(m_file, captured);
    PutU32(m_file, size);
    std::fwrite(data, 1, captured, m_file);
    ++m_packets;
}

void
PcapFileWriter::Write(std::int64_t timeNs, const Frame& frame)
{
    frame.CopyTo(m_scratch);
    Write(timeNs, m_scratch.data(), static_cast<std::uint32_t>(m_scratch.size()));
}

} // namespace ns3::fabric
