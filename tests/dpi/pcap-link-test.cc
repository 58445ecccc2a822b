// The dpi library links libpcap: the public captures open and their packet counts match what
// tshark reports for them (testdata/external/README.md).
#include <catch2/catch.hpp>
#include <pcap/pcap.h>
#include <string>

namespace
{

int
CountPackets(const std::string& path, int& linkType)
{
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline(path.c_str(), error);
    if (handle == nullptr)
    {
        FAIL("cannot open " << path << ": " << error);
    }
    linkType = pcap_datalink(handle);
    int count = 0;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1)
    {
        ++count;
    }
    pcap_close(handle);
    return count;
}

} // namespace

TEST_CASE("libpcap reads the public captures", "[dpi][pcap]")
{
    const std::string dir = std::string(FABRICSCOPE_SHARED_DIR) + "/testdata/external/";
    int linkType = -1;
    REQUIRE(CountPackets(dir + "roce-softroce-send.pcap", linkType) == 123);
    REQUIRE(linkType == DLT_EN10MB);
    REQUIRE(CountPackets(dir + "ib-erf-rc-send.pcap", linkType) == 43);
    REQUIRE(linkType == DLT_ERF);
    REQUIRE(CountPackets(dir + "negative-ssh.pcap", linkType) == 20);
}
