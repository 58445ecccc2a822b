// Design rules about the physical layer: media reach, speeds, PFC headroom, MTU, power and cost.
#include "telemetry/model/text-format.h"
#include "topologies/model/design-rules.h"
#include "topologies/model/pfc-headroom.h"

#include <set>

namespace fab::topo
{

using telemetry::Finding;
using telemetry::FormatBytes;
using telemetry::FormatDecimal;
using telemetry::FormatRate;
using telemetry::RuleConfig;
using telemetry::Severity;

namespace
{

std::string
Metres(double metres)
{
    return FormatDecimal(metres, 1) + " m";
}

// Bytes a RoCEv2 frame adds to its RDMA payload: Ethernet 14 + 802.1Q 4 + IPv4 20 + UDP 8 + BTH 12
// + RETH 16 + ICRC 4.
constexpr std::uint32_t kRoceFrameOverhead = 78;

} // namespace

void
CheckMediaReach(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.media-reach";
    const LinkSpec* specs[] = {&in.design.serverLeaf, &in.design.leafSpine, &in.design.spineCore};
    for (const auto& line : in.bom.links)
    {
        const auto& spec = *specs[static_cast<int>(line.tier)];
        std::string subject = std::string(LinkTierName(line.tier)) + " links";
        std::uint64_t lane = line.laneBps;
        double reach = MaxReachMetres(line.media, lane);
        if (!line.reachable)
        {
            std::string what = spec.media == Media::Auto
                                   ? "no cable or optic reaches " + Metres(line.lengthMetres)
                                         + " (SMF FR reaches 2 km)"
                                   : std::string(MediaName(line.media)) + " reaches "
                                         + Metres(reach) + " at " + FormatRate(lane)
                                         + " lanes, but the runs are " + Metres(line.lengthMetres);
            out.push_back(config.MakeFinding(id, subject, what)
                              .With("length", Metres(line.lengthMetres))
                              .With("media", MediaName(line.media))
                              .With("reach", Metres(reach)));
            continue;
        }
        out.push_back(config
                          .MakeNote(id,
                                    subject,
                                    std::string(MediaName(line.media)) + " for "
                                        + Metres(line.lengthMetres) + " runs (reach "
                                        + Metres(reach) + ")")
                          .With("length", Metres(line.lengthMetres))
                          .With("media", MediaName(line.media)));
    }
}

void
CheckNicSpeed(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.nic-speed";
    const auto& leaf = in.design.ModelOf(in.design.leaf);
    std::uint64_t nic = in.design.servers.nicSpeedBps;
    if (nic < leaf.LinkSpeedBps())
    {
        out.push_back(
            config
                .MakeFinding(id,
                             "server-leaf links",
                             FormatRate(nic) + " NIC ports on " + FormatRate(leaf.LinkSpeedBps())
                                 + " leaf ports: each downlink runs at " + FormatRate(nic)
                                 + ", so the leaf is effectively oversubscribed by "
                                 + FormatDecimal(static_cast<double>(leaf.LinkSpeedBps()) / nic, 2)
                                 + "× less downlink than it was sized for; a breakout of the leaf "
                                   "ports would match")
                .With("nic_speed", FormatRate(nic))
                .With("leaf_port_speed", FormatRate(leaf.LinkSpeedBps())));
    }
}

void
CheckPfcHeadroom(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.pfc-headroom";
    if (in.design.fabric != FabricKind::Roce || in.design.losslessPriorities == 0)
    {
        return;
    }
    double maxShare = config.Threshold(id, "max_buffer_share");
    std::uint32_t mtu = in.design.switchMtuBytes;
    const TierSpec* specs[] = {&in.design.leaf, &in.design.spine, &in.design.core};
    const LinkLine* below[] = {in.bom.Links(LinkTier::ServerLeaf),
                               in.bom.Links(LinkTier::LeafSpine),
                               in.bom.Links(LinkTier::SpineCore)};
    for (const auto& line : in.bom.switches)
    {
        int t = static_cast<int>(line.tier);
        const auto& model = in.design.ModelOf(*specs[t]);
        const LinkLine* down = below[t];
        const LinkLine* up = t < 2 ? below[t + 1] : nullptr;
        std::uint32_t downPorts = in.plan.DownPorts(line.tier);
        std::uint32_t upPorts = in.plan.UpPorts(line.tier);
        double downHeadroom
            = PfcHeadroomBytes(model.LinkSpeedBps(), down->lengthMetres, down->media, mtu);
        double upHeadroom
            = up != nullptr
                  ? PfcHeadroomBytes(model.LinkSpeedBps(), up->lengthMetres, up->media, mtu)
                  : 0;
        double perSwitch
            = in.design.losslessPriorities * (downPorts * downHeadroom + upPorts * upHeadroom);
        std::string subject = std::string(TierName(line.tier)) + " (" + model.name + ")";
        if (model.bufferBytes == 0)
        {
            out.push_back(config
                              .MakeNote(id,
                                        subject,
                                        "needs " + FormatBytes(perSwitch)
                                            + " of PFC headroom; the switch buffer is unknown")
                              .With("headroom_per_switch", FormatBytes(perSwitch)));
            continue;
        }
        double share = perSwitch / static_cast<double>(model.bufferBytes);
        Finding finding = share > maxShare ? config.MakeFinding(id, subject, "")
                                           : config.MakeNote(id, subject, "");
        finding.message
            = "PFC headroom takes " + FormatDecimal(share * 100, 1) + "% of the "
              + FormatBytes(static_cast<double>(model.bufferBytes)) + " buffer ("
              + FormatBytes(downHeadroom) + " per downlink"
              + (up != nullptr ? ", " + FormatBytes(upHeadroom) + " per uplink" : std::string())
              + ", " + std::to_string(in.design.losslessPriorities) + " lossless priorit"
              + (in.design.losslessPriorities == 1 ? "y" : "ies") + ")";
        if (share > maxShare)
        {
            finding.message += "; the limit is " + FormatDecimal(maxShare * 100, 1) + "%";
        }
        out.push_back(finding.With("headroom_per_switch", FormatBytes(perSwitch))
                          .With("buffer", FormatBytes(static_cast<double>(model.bufferBytes)))
                          .With("share", FormatDecimal(share, 3)));
    }
}

void
CheckMtu(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.mtu";
    std::uint32_t nic = in.design.nicMtuBytes;
    static const std::set<std::uint32_t> kRdmaMtus = {256, 512, 1024, 2048, 4096};
    if (kRdmaMtus.count(nic) == 0)
    {
        out.push_back(config
                          .MakeFinding(id,
                                       "NIC MTU",
                                       "RDMA MTU " + std::to_string(nic)
                                           + " B is not one of 256, 512, 1024, 2048, 4096 "
                                             "(InfiniBand and RoCE path MTUs)")
                          .With("nic_mtu", std::to_string(nic)));
    }
    if (in.design.fabric == FabricKind::Roce)
    {
        std::uint32_t needed = nic + kRoceFrameOverhead;
        if (in.design.switchMtuBytes < needed)
        {
            out.push_back(config
                              .MakeFinding(id,
                                           "switch MTU",
                                           "switch MTU " + std::to_string(in.design.switchMtuBytes)
                                               + " B is below the " + std::to_string(needed)
                                               + " B a " + std::to_string(nic)
                                               + " B RoCE payload needs with its headers")
                              .With("switch_mtu", std::to_string(in.design.switchMtuBytes))
                              .With("needed", std::to_string(needed)));
        }
    }
}

void
CheckModulePower(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.module-power";
    const TierSpec* specs[] = {&in.design.leaf, &in.design.spine, &in.design.core};
    for (const auto& line : in.bom.transceivers)
    {
        if (!line.powerEachW || line.location == "nic")
        {
            continue;
        }
        Tier tier = line.location.rfind("leaf", 0) == 0    ? Tier::Leaf
                    : line.location.rfind("spine", 0) == 0 ? Tier::Spine
                                                           : Tier::Core;
        const auto& model = in.design.ModelOf(*specs[static_cast<int>(tier)]);
        if (*line.powerEachW > model.cagePowerClassW + 1e-9)
        {
            out.push_back(config
                              .MakeFinding(id,
                                           line.location + " modules",
                                           FormatDecimal(*line.powerEachW, 1) + " W "
                                               + FormatRate(line.speedBps) + " modules exceed the "
                                               + FormatDecimal(model.cagePowerClassW, 1)
                                               + " W cages of " + model.name)
                              .With("module_power", FormatDecimal(*line.powerEachW, 1) + " W")
                              .With("cage_class", FormatDecimal(model.cagePowerClassW, 1) + " W"));
        }
    }
    auto unknown = in.bom.UnknownPower();
    if (!unknown.empty())
    {
        std::string list;
        for (const auto& key : unknown)
        {
            list += (list.empty() ? "" : ", ") + key;
        }
        Finding finding = config.MakeFinding(
            id,
            "optics",
            "no published power figure for " + list
                + " modules; they count as 0 W until /optics/module_power gives one");
        finding.severity = Severity::Warning;
        out.push_back(finding.With("modules", list));
    }
    std::string unknownSwitches;
    for (const auto& line : in.bom.switches)
    {
        if (in.design.switchModels.at(line.model).powerW == 0
            && unknownSwitches.find(line.model) == std::string::npos)
        {
            unknownSwitches += (unknownSwitches.empty() ? "" : ", ") + line.model;
        }
    }
    if (!unknownSwitches.empty())
    {
        out.push_back(config.MakeNote(id,
                                      "switches",
                                      "chassis power of " + unknownSwitches
                                          + " is not given; the power total counts optics only"));
    }
}

void
CheckCostShare(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.cost-share";
    auto share = in.bom.NetworkCostShare();
    if (!share)
    {
        std::set<std::string> missing(in.bom.unpricedItems.begin(), in.bom.unpricedItems.end());
        if (!in.bom.serverPriceUsd)
        {
            missing.insert("servers");
        }
        std::string list;
        for (const auto& item : missing)
        {
            list += (list.empty() ? "" : ", ") + item;
        }
        out.push_back(
            config.MakeNote(id, "cost", "network cost share not computed: no price for " + list));
        return;
    }
    double low = config.Threshold(id, "min_share");
    double high = config.Threshold(id, "max_share");
    std::string text
        = "the network is " + FormatDecimal(*share * 100, 1) + "% of the cluster's capital cost";
    Finding finding
        = (*share < low || *share > high)
              ? config.MakeFinding(id,
                                   "cost",
                                   text + ", outside the expected " + FormatDecimal(low * 100, 1)
                                       + "–" + FormatDecimal(high * 100, 1) + "% band")
              : config.MakeNote(id, "cost", text);
    out.push_back(
        finding
            .With(
                "network_usd",
                "$" + telemetry::GroupDigits(static_cast<std::uint64_t>(*in.bom.NetworkCostUsd())))
            .With("servers_usd",
                  "$" + telemetry::GroupDigits(static_cast<std::uint64_t>(*in.bom.ServerCostUsd())))
            .With("share", FormatDecimal(*share, 4)));
}

void
CheckRadix(const DesignReviewInput& in, const RuleConfig& config, std::vector<Finding>& out)
{
    const std::string id = "design.radix";
    const TierSpec* specs[] = {&in.design.leaf, &in.design.spine, &in.design.core};
    for (const auto& line : in.bom.switches)
    {
        const auto& model = in.design.ModelOf(*specs[static_cast<int>(line.tier)]);
        if (model.Radix() % 2 != 0 && line.tier != Tier::Core)
        {
            out.push_back(
                config
                    .MakeFinding(id,
                                 std::string(TierName(line.tier)) + " (" + model.name + ")",
                                 "odd radix " + std::to_string(model.Radix())
                                     + " cannot split evenly into downlinks and uplinks; one port "
                                       "stays idle")
                    .With("radix", std::to_string(model.Radix())));
        }
    }
    if (in.bom.switches.size() > 1)
    {
        std::set<std::uint32_t> radices;
        for (const auto& line : in.bom.switches)
        {
            radices.insert(in.design.ModelOf(*specs[static_cast<int>(line.tier)]).Radix());
        }
        if (radices.size() > 1)
        {
            out.push_back(config.MakeNote(
                id,
                "fabric",
                "tiers use switches of different radix; sizing follows each tier's own radix"));
        }
    }
}

} // namespace fab::topo
