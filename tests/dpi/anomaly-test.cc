// Every anomaly has one stable snake_case name, and the counters add by name without allocating.
#include "dpi/anomaly.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace fab::dpi;

TEST_CASE("every anomaly has a distinct snake_case name", "[dpi][anomaly]")
{
    std::set<std::string> names;
    for (std::size_t i = 0; i < kAnomalyCount; ++i)
    {
        std::string name(AnomalyName(static_cast<Anomaly>(i)));
        INFO("anomaly " << i << " = " << name);
        REQUIRE(!name.empty());
        for (char c : name)
        {
            REQUIRE(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'));
        }
        REQUIRE(names.insert(name).second);
    }
    CHECK(AnomalyName(Anomaly::TruncatedBth) == "truncated_bth");
    CHECK(AnomalyName(Anomaly::BadIpv4Ihl) == "bad_ipv4_ihl");
    CHECK(AnomalyName(Anomaly::IcrcNotChecked) == "icrc_not_checked");
    CHECK(AnomalyName(Anomaly::Count) == "unknown_anomaly");
}

TEST_CASE("anomaly counts add per packet and merge", "[dpi][anomaly]")
{
    AnomalySet packet;
    CHECK(packet.Empty());
    packet.Add(Anomaly::BadIcrc);
    packet.Add(Anomaly::TruncatedAeth);
    packet.Add(Anomaly::BadIcrc);
    packet.Add(Anomaly::None);
    CHECK(packet.Has(Anomaly::BadIcrc));
    CHECK(!packet.Has(Anomaly::TruncatedBth));

    AnomalyCounts counts;
    counts.Add(packet);
    counts.Add(packet);
    counts.Add(Anomaly::VcrcNotChecked, 5);
    counts.Add(Anomaly::None);
    CHECK(counts.Get(Anomaly::BadIcrc) == 2);
    CHECK(counts.Get(Anomaly::TruncatedAeth) == 2);
    CHECK(counts.Get(Anomaly::VcrcNotChecked) == 5);
    CHECK(counts.Get(Anomaly::None) == 0);
    CHECK(counts.Total() == 9);

    AnomalyCounts more;
    more.Add(Anomaly::BadIcrc);
    more.Merge(counts);
    CHECK(more.Get(Anomaly::BadIcrc) == 3);
    CHECK(more.Total() == 10);
}
