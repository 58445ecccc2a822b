// Reading and writing design documents (schema 1).
#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/text-format.h"
#include "topologies/model/design.h"
#include "topologies/model/fat-tree-plan.h"
#include "topologies/model/quantity-json.h"
#include "topologies/model/units.h"

#include <cmath>
#include <limits>

namespace fab::topo
{

using telemetry::DescribeJsonType;
using telemetry::InputError;
using telemetry::JsonObjectReader;

namespace
{

constexpr std::int64_t kMaxCount = 100'000'000;

std::optional<double>
ReadPrice(JsonObjectReader& reader, const std::string& key)
{
    if (!reader.Has(key))
    {
        reader.Optional(key);
        return std::nullopt;
    }
    return reader.Number(key, 0, 1e12);
}

double
ReadOversubscription(JsonObjectReader& reader, const std::string& key)
{
    const auto* value = reader.Optional(key);
    if (value == nullptr)
    {
        return 1.0;
    }
    std::optional<double> ratio;
    if (value->is_number())
    {
        ratio = value->get<double>();
    }
    else if (value->is_string())
    {
        ratio = ParseRatio(value->get<std::string>());
    }
    // How far a switch can be oversubscribed depends on its radix: ValidateDesign checks that.
    if (!ratio || !(*ratio > 0) || !std::isfinite(*ratio))
    {
        reader.Fail(key,
                    "expected downlink:uplink bandwidth such as \"1:1\" or \"3:1\" (or a "
                    "positive number), found "
                        + DescribeJsonType(*value));
    }
    return *ratio;
}

ServerSpec
ReadServers(JsonObjectReader reader)
{
    ServerSpec servers;
    servers.count = static_cast<std::uint32_t>(reader.Integer("count", 1, kMaxCount));
    servers.gpus = static_cast<std::uint32_t>(reader.Integer("gpus", 1, 1024, 8));
    servers.nics = static_cast<std::uint32_t>(reader.Integer("nics", 1, 64, servers.gpus));
    servers.nicPorts = static_cast<std::uint32_t>(reader.Integer("nic_ports", 1, 8, 1));
    servers.nicSpeedBps
        = reader.Has("nic_speed") ? ReadRate(reader, "nic_speed") : servers.nicSpeedBps;
    servers.railOptimized = reader.Bool("rail_optimized", true);
    servers.nicCagePorts = static_cast<std::uint32_t>(reader.Integer("nic_cage_ports", 1, 8, 1));
    servers.nicFormFactor = reader.String("nic_form_factor", "OSFP");
    servers.priceUsd = ReadPrice(reader, "price_usd");
    reader.Finish();
    if (servers.PortsPerServer() % servers.nicCagePorts != 0)
    {
        throw InputError(reader.PointerOf("nic_cage_ports"),
                         std::to_string(servers.nicCagePorts) + " ports per cage do not divide the "
                             + std::to_string(servers.PortsPerServer()) + " NIC ports of a server");
    }
    return servers;
}

SwitchModel
ReadSwitchModel(const std::string& name, JsonObjectReader reader)
{
    SwitchModel model;
    model.name = name;
    model.ports = static_cast<std::uint32_t>(reader.Integer("ports", 1, 4096));
    model.portSpeedBps = ReadRate(reader, "port_speed");
    model.breakout = static_cast<std::uint32_t>(reader.Integer("breakout", 1, 8, 1));
    model.ecmpMaxPaths = static_cast<std::uint32_t>(reader.Integer("ecmp_max_paths", 1, 65536, 64));
    model.bufferBytes = reader.Has("buffer") ? ReadBytes(reader, "buffer") : 0;
    model.powerW = reader.Has("power") ? ReadWatts(reader, "power") : 0;
    model.cagePowerClassW = reader.Has("cage_power_class") ? ReadWatts(reader, "cage_power_class")
                                                           : model.cagePowerClassW;
    model.formFactor = reader.String("form_factor", "OSFP");
    model.priceUsd = ReadPrice(reader, "price_usd");
    reader.Finish();
    if (model.breakout != 1 && model.breakout != 2 && model.breakout != 4 && model.breakout != 8)
    {
        throw InputError(reader.PointerOf("breakout"),
                         "expected a breakout of 1, 2, 4 or 8 logical ports per cage, found "
                             + std::to_string(model.breakout));
    }
    if (model.portSpeedBps % model.breakout != 0)
    {
        throw InputError(reader.PointerOf("breakout"),
                         "a " + telemetry::FormatRate(model.portSpeedBps)
                             + " port does not split evenly into "
                             + std::to_string(model.breakout));
    }
    return model;
}

TierSpec
ReadTier(JsonObjectReader reader)
{
    TierSpec tier;
    tier.model = reader.String("model");
    tier.oversubscription = ReadOversubscription(reader, "oversubscription");
    reader.Finish();
    return tier;
}

LinkSpec
ReadLink(JsonObjectReader reader, LinkSpec link)
{
    if (reader.Has("length"))
    {
        link.lengthMetres = ReadLength(reader, "length");
    }
    if (reader.Has("media"))
    {
        auto text = reader.String("media");
        auto media = ParseMedia(text);
        if (!media)
        {
            reader.Fail("media",
                        "expected one of auto, dac, acc, aoc, mmf, smf-dr, smf-fr, found \"" + text
                            + "\"");
        }
        link.media = *media;
    }
    reader.Finish();
    return link;
}

void
ReadTiers(const nlohmann::json* document, Design& design)
{
    if (document == nullptr)
    {
        if (design.switchModels.size() != 1)
        {
            throw InputError("/tiers",
                             "required when the design has more than one switch model: name the "
                             "model of each tier");
        }
        design.leaf.model = design.switchModels.begin()->first;
        design.spine = design.leaf;
        design.core = design.leaf;
        return;
    }
    JsonObjectReader reader(*document, "/tiers");
    const auto* count = reader.Optional("count");
    if (count == nullptr || (count->is_string() && count->get<std::string>() == "auto"))
    {
        design.tiers = 0;
    }
    else if (count->is_number_integer()
             && (count->get<std::int64_t>() == 2 || count->get<std::int64_t>() == 3))
    {
        // Read at full width: an int would take 4294967298 for 2.
        design.tiers = static_cast<std::uint32_t>(count->get<std::int64_t>());
    }
    else
    {
        reader.Fail("count", "expected 2, 3 or \"auto\", found " + DescribeJsonType(*count));
    }
    design.leaf = ReadTier(reader.Object("leaf"));
    design.spine = reader.Has("spine")
                       ? ReadTier(reader.Object("spine"))
                       : (reader.Optional("spine"), TierSpec{design.leaf.model, 1.0});
    design.core = reader.Has("core") ? ReadTier(reader.Object("core"))
                                     : (reader.Optional("core"), TierSpec{design.spine.model, 1.0});
    reader.Finish();
    for (const auto& [key, tier] : {std::pair<const char*, const TierSpec*>{"leaf", &design.leaf},
                                    {"spine", &design.spine},
                                    {"core", &design.core}})
    {
        if (design.switchModels.count(tier->model) == 0)
        {
            std::string known;
            for (const auto& [name, model] : design.switchModels)
            {
                known += (known.empty() ? "" : ", ") + name;
            }
            throw InputError(std::string("/tiers/") + key + "/model",
                             "unknown switch model \"" + tier->model
                                 + "\"; /switch_models defines: " + known);
        }
    }
}

} // namespace

const char*
FabricKindName(FabricKind kind)
{
    return kind == FabricKind::Roce ? "roce" : "infiniband";
}

const SwitchModel&
Design::ModelOf(const TierSpec& tier) const
{
    return switchModels.at(tier.model);
}

std::uint64_t
Design::Endpoints() const
{
    return static_cast<std::uint64_t>(servers.count) * servers.PortsPerServer();
}

std::uint64_t
Design::Gpus() const
{
    return static_cast<std::uint64_t>(servers.count) * servers.gpus;
}

Design
DesignFromJson(const nlohmann::json& document)
{
    JsonObjectReader root(document, "");
    Design design;
    root.Integer("schema", 1, 1);
    design.name = root.String("name", design.name);
    design.description = root.String("description", "");
    auto fabric = root.String("fabric", "roce");
    if (fabric == "roce")
    {
        design.fabric = FabricKind::Roce;
    }
    else if (fabric == "infiniband")
    {
        design.fabric = FabricKind::Infiniband;
    }
    else
    {
        root.Fail("fabric", "expected \"roce\" or \"infiniband\", found \"" + fabric + "\"");
    }
    design.servers = ReadServers(root.Object("servers"));

    JsonObjectReader models = root.Object("switch_models");
    for (const auto& item : document.at("switch_models").items())
    {
        design.switchModels[item.key()] = ReadSwitchModel(item.key(), models.Object(item.key()));
    }
    models.Finish();
    if (design.switchModels.empty())
    {
        root.Fail("switch_models", "expected at least one switch model");
    }
    ReadTiers(root.Optional("tiers"), design);

    design.planes = static_cast<std::uint32_t>(root.Integer("planes", 1, 16, 1));
    if (const auto* su = root.Optional("scalable_unit"))
    {
        JsonObjectReader reader(*su, "/scalable_unit");
        design.scalableUnitServers
            = static_cast<std::uint32_t>(reader.Integer("servers", 1, kMaxCount, 0));
        design.wholeScalableUnits = reader.Bool("whole", true);
        reader.Finish();
    }
    if (const auto* links = root.Optional("links"))
    {
        JsonObjectReader reader(*links, "/links");
        if (reader.Has("server_leaf"))
        {
            design.serverLeaf = ReadLink(reader.Object("server_leaf"), design.serverLeaf);
        }
        if (reader.Has("leaf_spine"))
        {
            design.leafSpine = ReadLink(reader.Object("leaf_spine"), design.leafSpine);
        }
        if (reader.Has("spine_core"))
        {
            design.spineCore = ReadLink(reader.Object("spine_core"), design.spineCore);
        }
        reader.Optional("server_leaf");
        reader.Optional("leaf_spine");
        reader.Optional("spine_core");
        reader.Finish();
    }
    if (const auto* mtu = root.Optional("mtu"))
    {
        JsonObjectReader reader(*mtu, "/mtu");
        // Values inside the range that no NIC uses (4000) are design.mtu's findings.
        design.nicMtuBytes = static_cast<std::uint32_t>(
            reader.Integer("nic", kMinMtuBytes, MaxMtuBytes(design.fabric), 4096));
        // InfiniBand designs carry the Ethernet default too (--print-design writes it).
        design.switchMtuBytes = static_cast<std::uint32_t>(
            reader.Integer("switch", kMinMtuBytes, MaxMtuBytes(FabricKind::Roce), 9216));
        reader.Finish();
    }
    if (const auto* qos = root.Optional("qos"))
    {
        JsonObjectReader reader(*qos, "/qos");
        design.losslessPriorities
            = static_cast<std::uint32_t>(reader.Integer("lossless_priorities", 0, 8, 1));
        reader.Finish();
    }
    if (const auto* optics = root.Optional("optics"))
    {
        JsonObjectReader reader(*optics, "/optics");
        if (const auto* power = reader.Optional("module_power"))
        {
            JsonObjectReader powers(*power, "/optics/module_power");
            for (const auto& item : power->items())
            {
                design.modulePowerW[item.key()] = ReadWatts(powers, item.key());
            }
            powers.Finish();
        }
        reader.Finish();
    }
    if (const auto* prices = root.Optional("prices"))
    {
        JsonObjectReader reader(*prices, "/prices");
        if (const auto* transceivers = reader.Optional("transceiver_usd"))
        {
            JsonObjectReader byRate(*transceivers, "/prices/transceiver_usd");
            for (const auto& item : transceivers->items())
            {
                auto rate = ParseRate(item.key());
                if (!rate)
                {
                    byRate.Fail(item.key(), "expected a module speed such as \"800G\" as the key");
                }
                design.prices.transceiverUsd[*rate] = byRate.Number(item.key(), 0, 1e9);
            }
            byRate.Finish();
        }
        if (const auto* cables = reader.Optional("cable_usd"))
        {
            JsonObjectReader byMedia(*cables, "/prices/cable_usd");
            for (const auto& item : cables->items())
            {
                auto media = ParseMedia(item.key());
                if (!media || *media == Media::Auto)
                {
                    byMedia.Fail(item.key(),
                                 "expected one of dac, acc, aoc, mmf, smf-dr, smf-fr as the key");
                }
                design.prices.cableUsd[*media] = byMedia.Number(item.key(), 0, 1e9);
            }
            byMedia.Finish();
        }
        reader.Finish();
    }
    root.Finish();
    ValidateDesign(design);
    return design;
}

Design
LoadDesignFile(const std::string& path)
{
    auto document = telemetry::ReadJsonFile(path);
    try
    {
        return DesignFromJson(document);
    }
    catch (InputError& error)
    {
        error.SetFile(path);
        throw;
    }
}

void
ValidateDesign(const Design& design)
{
    for (const auto& [name, model] : design.switchModels)
    {
        if (model.Radix() < 2)
        {
            throw InputError(
                "/switch_models/" + name + "/ports",
                "radix too small: a fabric switch needs at least 2 logical ports, found "
                    + std::to_string(model.Radix()));
        }
    }
    const auto& leaf = design.ModelOf(design.leaf);
    const auto& spine = design.ModelOf(design.spine);
    const auto& core = design.ModelOf(design.core);
    if (spine.LinkSpeedBps() != leaf.LinkSpeedBps())
    {
        throw InputError("/tiers/spine/model",
                         "breakout mismatch: leaf ports run at "
                             + telemetry::FormatRate(leaf.LinkSpeedBps()) + " ("
                             + telemetry::FormatRate(leaf.portSpeedBps) + " / "
                             + std::to_string(leaf.breakout) + ") but spine ports at "
                             + telemetry::FormatRate(spine.LinkSpeedBps())
                             + "; both ends of a leaf–spine link need one speed");
    }
    if (design.tiers != 2 && core.LinkSpeedBps() != spine.LinkSpeedBps())
    {
        throw InputError("/tiers/core/model",
                         "breakout mismatch: spine ports run at "
                             + telemetry::FormatRate(spine.LinkSpeedBps()) + " but core ports at "
                             + telemetry::FormatRate(core.LinkSpeedBps()));
    }
    if (design.servers.PortsPerServer() % design.planes != 0)
    {
        throw InputError("/planes",
                         std::to_string(design.planes) + " planes do not divide the "
                             + std::to_string(design.servers.PortsPerServer())
                             + " NIC ports of a server; every plane needs the same ports");
    }
    if (design.servers.nicSpeedBps > leaf.LinkSpeedBps())
    {
        throw InputError("/servers/nic_speed",
                         "a " + telemetry::FormatRate(design.servers.nicSpeedBps)
                             + " NIC port cannot run on a "
                             + telemetry::FormatRate(leaf.LinkSpeedBps()) + " leaf port");
    }
    for (const auto& [key, tier] :
         {std::pair<const char*, const TierSpec*>{"leaf", &design.leaf}, {"spine", &design.spine}})
    {
        // At least one downlink and one uplink: from 1:(radix - 1) to (radix - 1):1. Past it the
        // split would round to the nearest ratio that fits and report that instead.
        const auto& model = design.ModelOf(*tier);
        double ratio = tier->oversubscription;
        double most = model.Radix() - 1.0;
        if (!(ratio <= most * (1 + 1e-9)) || !(ratio * most >= 1 - 1e-9))
        {
            std::string k = std::to_string(model.Radix() - 1);
            throw InputError(std::string("/tiers/") + key + "/oversubscription",
                             "expected an oversubscription from 1:" + k + " to " + k + ":1 (a "
                                 + std::to_string(model.Radix()) + "-port " + key
                                 + " needs a downlink and an uplink), found "
                                 + telemetry::FormatDecimal(ratio, 3) + ":1");
        }
        std::uint32_t down = 0;
        std::uint32_t up = 0;
        SplitPorts(model.Radix(), ratio, down, up);
        if (down < 1 || up < 1 || down + up > model.Radix())
        {
            throw InputError(std::string("/tiers/") + key + "/oversubscription",
                             "radix too small: " + std::to_string(model.Radix())
                                 + " ports cannot be split "
                                 + telemetry::FormatDecimal(tier->oversubscription, 3)
                                 + ":1 into downlinks and uplinks");
        }
    }
}

nlohmann::json
DesignToJson(const Design& design)
{
    // Written so that reading them back gives the same design: rates to the bit per second,
    // lengths and powers to the thousandth, the smallest a design may give.
    auto rate = [](std::uint64_t bps)
    {
        return bps % 1'000'000 == 0
                   ? telemetry::FormatDecimal(static_cast<double>(bps) / 1e9, 3) + "Gbps"
                   : std::to_string(bps) + "bps";
    };
    auto metres = [](double m)
    {
        return telemetry::FormatDecimal(m, 3) + "m";
    };
    nlohmann::json servers = {{"count", design.servers.count},
                              {"gpus", design.servers.gpus},
                              {"nics", design.servers.nics},
                              {"nic_ports", design.servers.nicPorts},
                              {"nic_speed", rate(design.servers.nicSpeedBps)},
                              {"rail_optimized", design.servers.railOptimized},
                              {"nic_cage_ports", design.servers.nicCagePorts},
                              {"nic_form_factor", design.servers.nicFormFactor}};
    if (design.servers.priceUsd)
    {
        servers["price_usd"] = *design.servers.priceUsd;
    }
    nlohmann::json models = nlohmann::json::object();
    for (const auto& [name, model] : design.switchModels)
    {
        nlohmann::json m
            = {{"ports", model.ports},
               {"port_speed", rate(model.portSpeedBps)},
               {"breakout", model.breakout},
               {"ecmp_max_paths", model.ecmpMaxPaths},
               {"cage_power_class", telemetry::FormatDecimal(model.cagePowerClassW, 3) + "W"},
               {"form_factor", model.formFactor}};
        if (model.bufferBytes > 0)
        {
            m["buffer"] = std::to_string(model.bufferBytes) + "B";
        }
        if (model.powerW > 0)
        {
            m["power"] = telemetry::FormatDecimal(model.powerW, 3) + "W";
        }
        if (model.priceUsd)
        {
            m["price_usd"] = *model.priceUsd;
        }
        models[name] = m;
    }
    auto tier = [](const TierSpec& spec)
    {
        return nlohmann::json{{"model", spec.model}, {"oversubscription", spec.oversubscription}};
    };
    auto link = [&](const LinkSpec& spec)
    {
        return nlohmann::json{{"length", metres(spec.lengthMetres)},
                              {"media", MediaName(spec.media)}};
    };
    nlohmann::json tiers
        = {{"leaf", tier(design.leaf)}, {"spine", tier(design.spine)}, {"core", tier(design.core)}};
    tiers["count"] = design.tiers == 0 ? nlohmann::json("auto") : nlohmann::json(design.tiers);
    nlohmann::json out = {{"schema", 1},
                          {"name", design.name},
                          {"fabric", FabricKindName(design.fabric)},
                          {"servers", servers},
                          {"switch_models", models},
                          {"tiers", tiers},
                          {"planes", design.planes},
                          {"scalable_unit", {{"whole", design.wholeScalableUnits}}},
                          {"links",
                           {{"server_leaf", link(design.serverLeaf)},
                            {"leaf_spine", link(design.leafSpine)},
                            {"spine_core", link(design.spineCore)}}},
                          {"mtu", {{"nic", design.nicMtuBytes}, {"switch", design.switchMtuBytes}}},
                          {"qos", {{"lossless_priorities", design.losslessPriorities}}}};
    if (!design.description.empty())
    {
        out["description"] = design.description;
    }
    if (design.scalableUnitServers > 0)
    {
        out["scalable_unit"]["servers"] = design.scalableUnitServers;
    }
    if (!design.modulePowerW.empty())
    {
        nlohmann::json power = nlohmann::json::object();
        for (const auto& [key, watts] : design.modulePowerW)
        {
            power[key] = telemetry::FormatDecimal(watts, 3) + "W";
        }
        out["optics"] = {{"module_power", power}};
    }
    if (!design.prices.transceiverUsd.empty() || !design.prices.cableUsd.empty())
    {
        nlohmann::json transceivers = nlohmann::json::object();
        for (const auto& [bps, usd] : design.prices.transceiverUsd)
        {
            transceivers[telemetry::FormatRate(bps)] = usd;
        }
        nlohmann::json cables = nlohmann::json::object();
        for (const auto& [media, usd] : design.prices.cableUsd)
        {
            cables[MediaName(media)] = usd;
        }
        out["prices"] = {{"transceiver_usd", transceivers}, {"cable_usd", cables}};
    }
    return out;
}

} // namespace fab::topo
