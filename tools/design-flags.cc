#include "tools/design-flags.h"

#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/text-format.h"
#include "topologies/model/units.h"

namespace fab::tools
{

using telemetry::InputError;

void
DesignFlags::AddTo(CLI::App& app)
{
    app.add_option("--gpus", gpus, "GPUs in the cluster (one NIC port per GPU with flags alone)")
        ->check(CLI::Range(static_cast<std::uint64_t>(1), static_cast<std::uint64_t>(800'000'000)));
    app.add_option("--gpus-per-server", gpusPerServer, "GPUs (and NICs) per server, default 8")
        ->check(CLI::Range(1u, 1024u));
    app.add_option("--switch-radix",
                   switchRadix,
                   "switch ports at the NIC speed (a 32-cage 800G switch broken out to 2x400G has "
                   "radix 64)")
        ->check(CLI::Range(1u, 65536u));
    app.add_option("--tiers", tiers, "2, 3 or auto")->check(CLI::IsMember({"2", "3", "auto"}));
    app.add_option("--nic-speed", nicSpeed, "NIC port speed, e.g. 400G or 400Gbps");
    app.add_option("--fabric", fabric, "roce or infiniband")
        ->check(CLI::IsMember({"roce", "infiniband"}));
    app.add_option(
        "--oversubscription", oversubscription, "leaf downlink:uplink bandwidth, e.g. 1:1 or 3:1");
    app.add_option("--planes", planes, "identical fabric planes")->check(CLI::Range(1u, 16u));
}

bool
DesignFlags::Any() const
{
    return gpus || gpusPerServer || switchRadix || tiers || nicSpeed || fabric || oversubscription
           || planes;
}

std::string
FlagForPointer(const std::string& pointer)
{
    static const std::pair<const char*, const char*> kMap[] = {
        {"/servers/count", "--gpus"},
        {"/servers/nic_speed", "--nic-speed"},
        {"/servers/nics", "--gpus-per-server"},
        {"/servers/gpus", "--gpus-per-server"},
        {"/tiers/count", "--tiers"},
        {"/tiers/leaf/oversubscription", "--oversubscription"},
        {"/planes", "--planes"},
        {"/fabric", "--fabric"},
    };
    for (const auto& [from, to] : kMap)
    {
        if (pointer == from)
        {
            return to;
        }
    }
    if (pointer.rfind("/switch_models", 0) == 0 || pointer.rfind("/tiers/", 0) == 0)
    {
        return "--switch-radix";
    }
    return pointer;
}

topo::Design
ApplyDesignFlags(const DesignFlags& flags, const std::optional<topo::Design>& base)
{
    topo::Design design;
    if (base)
    {
        design = *base;
    }
    else
    {
        design.name = "what-if design from command-line flags";
        design.servers.gpus = 8;
        design.servers.nics = 8;
        design.servers.count = 0;
    }
    if (flags.fabric)
    {
        design.fabric
            = *flags.fabric == "roce" ? topo::FabricKind::Roce : topo::FabricKind::Infiniband;
    }
    if (flags.gpusPerServer)
    {
        design.servers.gpus = *flags.gpusPerServer;
        design.servers.nics = *flags.gpusPerServer;
    }
    if (flags.nicSpeed)
    {
        auto rate = topo::ParseRate(*flags.nicSpeed);
        if (!rate || *rate < 1'000'000'000ULL)
        {
            throw InputError("--nic-speed",
                             "expected a rate such as 400G or 400Gbps, found \"" + *flags.nicSpeed
                                 + "\"");
        }
        design.servers.nicSpeedBps = *rate;
    }
    if (flags.gpus)
    {
        if (*flags.gpus % design.servers.gpus != 0)
        {
            throw InputError("--gpus",
                             "contradicting flags: " + std::to_string(*flags.gpus)
                                 + " GPUs do not fill servers of "
                                 + std::to_string(design.servers.gpus)
                                 + " GPUs (set --gpus-per-server)");
        }
        std::uint64_t servers = *flags.gpus / design.servers.gpus;
        if (servers > 100'000'000)
        {
            throw InputError("--gpus", "too many servers: " + telemetry::GroupDigits(servers));
        }
        design.servers.count = static_cast<std::uint32_t>(servers);
    }
    if (!base)
    {
        if (!flags.gpus)
        {
            throw InputError("--gpus", "required when no design file is given");
        }
        std::uint32_t radix = flags.switchRadix.value_or(64);
        // The common build: twin-port cages at twice the NIC speed, broken out to two ports.
        bool twin = radix % 2 == 0 && design.servers.nicSpeedBps <= 400'000'000'000ULL;
        topo::SwitchModel model;
        model.name = "radix-" + std::to_string(radix);
        model.breakout = twin ? 2 : 1;
        model.ports = radix / model.breakout;
        model.portSpeedBps = design.servers.nicSpeedBps * model.breakout;
        model.ecmpMaxPaths = std::max<std::uint32_t>(64, radix);
        design.switchModels[model.name] = model;
        design.leaf.model = design.spine.model = design.core.model = model.name;
    }
    else if (flags.switchRadix)
    {
        for (auto& [name, model] : design.switchModels)
        {
            if (*flags.switchRadix % model.breakout != 0)
            {
                throw InputError("--switch-radix",
                                 "contradicting flags: radix " + std::to_string(*flags.switchRadix)
                                     + " is not a whole number of cages for model " + name
                                     + " (breakout " + std::to_string(model.breakout) + ")");
            }
            model.ports = *flags.switchRadix / model.breakout;
        }
    }
    if (flags.tiers)
    {
        design.tiers
            = *flags.tiers == "auto" ? 0 : static_cast<std::uint32_t>(std::stoi(*flags.tiers));
    }
    if (flags.oversubscription)
    {
        auto ratio = topo::ParseRatio(*flags.oversubscription);
        // The range depends on the leaf's radix: ValidateDesign below names it.
        if (!ratio)
        {
            throw InputError("--oversubscription",
                             "expected down:up such as 1:1 or 3:1, found \""
                                 + *flags.oversubscription + "\"");
        }
        design.leaf.oversubscription = *ratio;
    }
    if (flags.planes)
    {
        design.planes = *flags.planes;
    }
    // The same cross-field checks a design file gets.
    try
    {
        topo::ValidateDesign(design);
    }
    catch (const InputError& error)
    {
        // A loaded design was valid already, so the flags made the contradiction.
        throw InputError(FlagForPointer(error.Place()),
                         "contradicting flags: " + error.Expectation());
    }
    return design;
}

} // namespace fab::tools
