#ifndef FABRICSCOPE_FABRIC_PCAP_FILE_WRITER_H
#define FABRICSCOPE_FABRIC_PCAP_FILE_WRITER_H

#include "fabric/model/frame.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ns3::fabric
{

/**
 * A classic pcap file with nanosecond timestamps (magic 0xa1b23c4d), as tshark and libpcap read
 * it. Ethernet is link type 1; native InfiniBand is 247.
 */
class PcapFileWriter
{
public:
    PcapFileWriter(const std::string& path,
                   std::uint32_t linkType,
                   std::uint32_t snapLength = 262144);
    ~PcapFileWriter();
    PcapFileWriter(const PcapFileWriter&) = delete;
    PcapFileWriter& operator=(const PcapFileWriter&) = delete;

    bool IsOpen() const { return m_file != nullptr; }
    void Write(std::int64_t timeNs, const Frame& frame);
    void Write(std::int64_t timeNs, const std::uint8_t* data, std::uint32_t size);
    std::uint64_t Packets() const { return m_packets; }

private:
    std::FILE* m_file{nullptr};
    std::uint32_t m_snapLength;
    std::uint64_t m_packets{0};
    std::vector<std::uint8_t> m_scratch;
};

} // namespace ns3::fabric

#endif
