// The dpi library links libpcap: captures open and their packet counts match what tshark reports
// for them (the external captures' README) or what the tests wrote.
#include "dpi/roce-conversation.h"
#include "support/prerequisites.h"
#include "support/run-command.h"

#include <catch2/catch.hpp>
#include <filesystem>
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

TEST_CASE("libpcap reads the external captures", "[dpi][pcap][needs:external]")
{
    using fab::tests::ExternalCapture;
    int linkType = -1;
    REQUIRE(CountPackets(ExternalCapture("roce-softroce-send.pcap"), linkType) == 123);
    REQUIRE(linkType == DLT_EN10MB);
    REQUIRE(CountPackets(ExternalCapture("ib-erf-rc-send.pcap"), linkType) == 43);
    REQUIRE(linkType == DLT_ERF);
    REQUIRE(CountPackets(ExternalCapture("negative-ssh.pcap"), linkType) == 20);
}

TEST_CASE("libpcap reads a capture the tests write", "[dpi][pcap]")
{
    auto dir = fab::tests::TempDir("pcap-link");
    REQUIRE(fab::dpi::test::WriteRoceConversation(dir / "conversation.pcap"));
    int linkType = -1;
    REQUIRE(CountPackets((dir / "conversation.pcap").string(), linkType)
            == static_cast<int>(fab::dpi::test::RoceConversationCountsFor(4).frames));
    REQUIRE(linkType == DLT_EN10MB);
    std::filesystem::remove_all(dir);
}
