#include "telemetry/model/json-object-reader.h"
#include "topologies/model/design.h"

#include <catch2/catch.hpp>
#include <functional>

using namespace fab::topo;
using fab::telemetry::InputError;
using nlohmann::json;

namespace
{

json
MinimalDesign()
{
    return json::parse(R"({
      "schema": 1,
      "name": "minimal",
      "fabric": "roce",
      "servers": {"count": 64, "gpus": 8, "nic_speed": "400Gbps"},
      "switch_models": {"sw": {"ports": 32, "port_speed": "800Gbps", "breakout": 2}},
      "tiers": {"count": "auto", "leaf": {"model": "sw"}}
    })");
}

/** The JSON pointer an invalid design is rejected at, or "(valid)". */
std::string
RejectedAt(const json& document)
{
    try
    {
        DesignFromJson(document);
    }
    catch (const InputError& error)
    {
        return error.Place();
    }
    return "(valid)";
}

/** A change to the minimal design and where it is rejected ("(valid)": nowhere). */
struct DesignCase
{
    const char* what;
    std::function<void(json&)> mutate;
    std::string pointer;
};

void
RequireRejectedAt(const std::vector<DesignCase>& cases)
{
    for (const auto& c : cases)
    {
        INFO(c.what);
        auto doc = MinimalDesign();
        c.mutate(doc);
        REQUIRE(RejectedAt(doc) == c.pointer);
    }
}

} // namespace

TEST_CASE("a minimal design reads with defaults", "[topologies][design]")
{
    auto design = DesignFromJson(MinimalDesign());
    REQUIRE(design.servers.count == 64);
    REQUIRE(design.servers.nics == 8);
    REQUIRE(design.servers.railOptimized);
    REQUIRE(design.Endpoints() == 512);
    REQUIRE(design.ModelOf(design.leaf).Radix() == 64);
    REQUIRE(design.ModelOf(design.leaf).LinkSpeedBps() == 400'000'000'000ULL);
    REQUIRE(design.spine.model == "sw");
    REQUIRE(design.core.model == "sw");
    REQUIRE(design.tiers == 0);
}

TEST_CASE("a design survives a round trip through JSON", "[topologies][design]")
{
    auto doc = MinimalDesign();
    doc["planes"] = 2;
    doc["servers"]["nic_ports"] = 2;
    doc["links"] = {{"leaf_spine", {{"length", "120m"}, {"media", "smf-dr"}}}};
    doc["prices"] = {{"transceiver_usd", {{"800G", 1000}}}, {"cable_usd", {{"dac", 90}}}};
    auto design = DesignFromJson(doc);
    auto again = DesignFromJson(DesignToJson(design));
    REQUIRE(DesignToJson(again) == DesignToJson(design));
    REQUIRE(again.leafSpine.media == Media::SmfDr);
    REQUIRE(again.leafSpine.lengthMetres == Approx(120));
    REQUIRE(again.prices.transceiverUsd.at(800'000'000'000ULL) == 1000);
}

TEST_CASE("every malformed design names its offender", "[topologies][design]")
{
    RequireRejectedAt({
        {"missing schema", [](json& d) { d.erase("schema"); }, "/schema"},
        {"future schema", [](json& d) { d["schema"] = 7; }, "/schema"},
        {"unknown top-level key", [](json& d) { d["spines"] = 4; }, "/spines"},
        {"unknown server key", [](json& d) { d["servers"]["gpu"] = 8; }, "/servers/gpu"},
        {"missing servers", [](json& d) { d.erase("servers"); }, "/servers"},
        {"missing server count", [](json& d) { d["servers"].erase("count"); }, "/servers/count"},
        {"negative server count", [](json& d) { d["servers"]["count"] = -4; }, "/servers/count"},
        {"zero servers", [](json& d) { d["servers"]["count"] = 0; }, "/servers/count"},
        {"fractional count", [](json& d) { d["servers"]["count"] = 6.5; }, "/servers/count"},
        {"count as string", [](json& d) { d["servers"]["count"] = "64"; }, "/servers/count"},
        {"servers not an object", [](json& d) { d["servers"] = 64; }, "/servers"},
        {"negative GPUs", [](json& d) { d["servers"]["gpus"] = -8; }, "/servers/gpus"},
        {"NIC speed without unit",
         [](json& d) { d["servers"]["nic_speed"] = 400; },
         "/servers/nic_speed"},
        {"NIC speed garbage",
         [](json& d) { d["servers"]["nic_speed"] = "fast"; },
         "/servers/nic_speed"},
        {"NIC faster than the leaf",
         [](json& d) { d["servers"]["nic_speed"] = "800Gbps"; },
         "/servers/nic_speed"},
        {"rail flag not boolean",
         [](json& d) { d["servers"]["rail_optimized"] = "yes"; },
         "/servers/rail_optimized"},
        {"cage ports do not divide NIC ports",
         [](json& d) { d["servers"]["nic_cage_ports"] = 3; },
         "/servers/nic_cage_ports"},
        {"unknown fabric", [](json& d) { d["fabric"] = "omnipath"; }, "/fabric"},
        {"no switch models",
         [](json& d) { d["switch_models"] = json::object(); },
         "/switch_models"},
        {"switch model not an object",
         [](json& d) { d["switch_models"]["sw"] = 64; },
         "/switch_models/sw"},
        {"radix too small",
         [](json& d)
         {
             d["switch_models"]["sw"]["ports"] = 1;
             d["switch_models"]["sw"]["breakout"] = 1;
         },
         "/switch_models/sw/ports"},
        {"zero ports",
         [](json& d) { d["switch_models"]["sw"]["ports"] = 0; },
         "/switch_models/sw/ports"},
        {"breakout of 3",
         [](json& d) { d["switch_models"]["sw"]["breakout"] = 3; },
         "/switch_models/sw/breakout"},
        {"breakout mismatch between tiers",
         [](json& d)
         {
             d["switch_models"]["big"] = {{"ports", 64}, {"port_speed", "800Gbps"}};
             d["tiers"]["spine"] = {{"model", "big"}};
         },
         "/tiers/spine/model"},
        {"unknown switch model",
         [](json& d) { d["tiers"]["leaf"]["model"] = "qm9700"; },
         "/tiers/leaf/model"},
        {"tier count 4", [](json& d) { d["tiers"]["count"] = 4; }, "/tiers/count"},
        {"tier count text", [](json& d) { d["tiers"]["count"] = "three"; }, "/tiers/count"},
        {"bad oversubscription",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = "3:0"; },
         "/tiers/leaf/oversubscription"},
        {"negative oversubscription",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = -1; },
         "/tiers/leaf/oversubscription"},
        {"oversubscription leaves no uplink",
         [](json& d)
         {
             d["switch_models"]["sw"]["ports"] = 2;
             d["switch_models"]["sw"]["breakout"] = 1;
             d["switch_models"]["sw"]["port_speed"] = "400Gbps";
             d["tiers"]["leaf"]["oversubscription"] = "1:3";
         },
         "/tiers/leaf/oversubscription"},
        {"planes do not divide ports", [](json& d) { d["planes"] = 3; }, "/planes"},
        {"zero planes", [](json& d) { d["planes"] = 0; }, "/planes"},
        {"unknown media",
         [](json& d) {
             d["links"] = {{"server_leaf", {{"media", "copper"}}}};
         },
         "/links/server_leaf/media"},
        {"negative length",
         [](json& d) {
             d["links"] = {{"leaf_spine", {{"length", "-5m"}}}};
         },
         "/links/leaf_spine/length"},
        {"unknown link tier",
         [](json& d) {
             d["links"] = {{"leaf_core", json::object()}};
         },
         "/links/leaf_core"},
        {"MTU too small",
         [](json& d) {
             d["mtu"] = {{"nic", 100}};
         },
         "/mtu/nic"},
        {"bad price key",
         [](json& d) {
             d["prices"] = {{"transceiver_usd", {{"fast", 10}}}};
         },
         "/prices/transceiver_usd/fast"},
        {"negative price",
         [](json& d) {
             d["prices"] = {{"cable_usd", {{"dac", -1}}}};
         },
         "/prices/cable_usd/dac"},
        {"bad module power",
         [](json& d) {
             d["optics"] = {{"module_power", {{"800G-smf-dr", 17}}}};
         },
         "/optics/module_power/800G-smf-dr"},
        {"tiers missing with two models",
         [](json& d)
         {
             d.erase("tiers");
             d["switch_models"]["other"] = d["switch_models"]["sw"];
         },
         "/tiers"},
    });
}

TEST_CASE("a design file that is not JSON names the byte", "[topologies][design]")
{
    try
    {
        DesignFromJson(fab::telemetry::ParseJsonText("{\"schema\": 1,"));
        FAIL("no error");
    }
    catch (const InputError& error)
    {
        REQUIRE(error.Place().rfind("byte ", 0) == 0);
    }
}

TEST_CASE("numbers at and past the edges of a design", "[topologies][design]")
{
    RequireRejectedAt({
        // nlohmann reads 4294967298 as an integer that an int cast would turn into 2.
        {"tier count past 2^32",
         [](json& d) { d["tiers"]["count"] = 4294967298ULL; },
         "/tiers/count"},
        {"tier count 3", [](json& d) { d["tiers"]["count"] = 3; }, "(valid)"},
        {"count as a float", [](json& d) { d["servers"]["count"] = 1e308; }, "/servers/count"},
        {"RoCE NIC MTU 9216",
         [](json& d) {
             d["mtu"] = {{"nic", 9216}};
         },
         "(valid)"},
        {"RoCE NIC MTU 9217",
         [](json& d) {
             d["mtu"] = {{"nic", 9217}};
         },
         "/mtu/nic"},
        {"NIC MTU 256",
         [](json& d) {
             d["mtu"] = {{"nic", 256}};
         },
         "(valid)"},
        {"NIC MTU 255",
         [](json& d) {
             d["mtu"] = {{"nic", 255}};
         },
         "/mtu/nic"},
        {"IB NIC MTU 4096",
         [](json& d)
         {
             d["fabric"] = "infiniband";
             d["mtu"] = {{"nic", 4096}};
         },
         "(valid)"},
        {"IB NIC MTU 8192",
         [](json& d)
         {
             d["fabric"] = "infiniband";
             d["mtu"] = {{"nic", 8192}};
         },
         "/mtu/nic"},
        {"switch MTU 65535",
         [](json& d) {
             d["mtu"] = {{"switch", 65535}};
         },
         "/mtu/switch"},
        // A 64-port leaf: from 1:63 to 63:1.
        {"oversubscription 63:1",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = "63:1"; },
         "(valid)"},
        {"oversubscription 64:1",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = "64:1"; },
         "/tiers/leaf/oversubscription"},
        {"oversubscription 1:63",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = "1:63"; },
         "(valid)"},
        {"oversubscription 1:64",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = "1:64"; },
         "/tiers/leaf/oversubscription"},
        {"oversubscription 1e300",
         [](json& d) { d["tiers"]["leaf"]["oversubscription"] = 1e300; },
         "/tiers/leaf/oversubscription"},
        {"length 100km",
         [](json& d) {
             d["links"] = {{"leaf_spine", {{"length", "100km"}}}};
         },
         "(valid)"},
        {"length 1mm",
         [](json& d) {
             d["links"] = {{"leaf_spine", {{"length", "1mm"}}}};
         },
         "/links/leaf_spine/length"},
        {"length 0.001m",
         [](json& d) {
             d["links"] = {{"leaf_spine", {{"length", "0.001m"}}}};
         },
         "(valid)"},
        {"length 0.0004m",
         [](json& d) {
             d["links"] = {{"leaf_spine", {{"length", "0.0004m"}}}};
         },
         "/links/leaf_spine/length"},
        {"power 0.0001W",
         [](json& d) { d["switch_models"]["sw"]["power"] = "0.0001W"; },
         "/switch_models/sw/power"},
        {"length 1e300m",
         [](json& d) {
             d["links"] = {{"leaf_spine", {{"length", "1e300m"}}}};
         },
         "/links/leaf_spine/length"},
        {"NIC speed 1e30Gbps",
         [](json& d) { d["servers"]["nic_speed"] = "1e30Gbps"; },
         "/servers/nic_speed"},
        {"cage power 1e300W",
         [](json& d) { d["switch_models"]["sw"]["cage_power_class"] = "1e300W"; },
         "/switch_models/sw/cage_power_class"},
    });
}

TEST_CASE("the oversubscription range message names the radix's range", "[topologies][design]")
{
    auto doc = MinimalDesign();
    doc["tiers"]["leaf"]["oversubscription"] = "64:1";
    try
    {
        DesignFromJson(doc);
        FAIL("accepted 64:1 on a 64-port leaf");
    }
    catch (const InputError& error)
    {
        REQUIRE(std::string(error.what()).find("from 1:63 to 63:1") != std::string::npos);
    }
}

TEST_CASE("a design written back reads as the same design", "[topologies][design]")
{
    // The smallest lengths and powers, and rates that are no whole number of Mb/s.
    auto doc = MinimalDesign();
    doc["servers"]["nic_speed"] = "400000000001bps";
    doc["switch_models"]["sw"]["port_speed"] = "800000000002bps";
    doc["switch_models"]["sw"]["power"] = "0.0014W";
    doc["links"] = {{"server_leaf", {{"length", "0.0015m"}}}};
    auto written = DesignToJson(DesignFromJson(doc));
    auto again = DesignFromJson(written);
    REQUIRE(again.servers.nicSpeedBps == 400'000'000'001ULL);
    REQUIRE(DesignToJson(again) == written);
}
