// Reading the failure parts of a scenario: recovery, scheduled and random faults, and sweeps.
#include "fabric/helper/scenario-reading.h"
#include "telemetry/model/process-memory.h"
#include "telemetry/model/text-format.h"
#include "topologies/model/graph-size.h"
#include "topologies/model/quantity-json.h"

#include <optional>

namespace ns3::fabric
{

using ::fab::telemetry::InputError;
using ::fab::telemetry::JsonObjectReader;
using ::fab::telemetry::JsonPointerChild;

namespace
{

constexpr std::uint64_t kLargestCheckedGraphBytes = 1ull << 30;

/** True when `target` names a switch of the graph, or one of its ports ("leaf-0-0:32"). */
bool
NamesGraphPlace(const topo::FabricGraph& graph, const std::string& target, bool wantPort)
{
    auto colon = target.rfind(':');
    if (!wantPort)
    {
        auto node = graph.FindNode(target);
        return colon == std::string::npos && node
               && graph.Nodes()[*node].kind == topo::GraphNode::Kind::Switch;
    }
    if (colon == std::string::npos)
    {
        return false;
    }
    auto node = graph.FindNode(target.substr(0, colon));
    if (!node)
    {
        return false;
    }
    for (std::uint32_t p = 0; p < graph.Nodes()[*node].ports; ++p)
    {
        if (graph.PortName(*node, p) == target)
        {
            return true;
        }
    }
    return false;
}

} // namespace

void
ReadRecovery(JsonObjectReader& reader, Scenario& scenario)
{
    if (!reader.Has("recovery"))
    {
        reader.Optional("recovery");
        return;
    }
    JsonObjectReader recovery = reader.Object("recovery");
    RecoveryConfig& config = scenario.fabric.recovery;
    if (recovery.Has("policy"))
    {
        std::string name = recovery.String("policy");
        if (!ParseRecoveryPolicy(name, config.policy))
        {
            recovery.Fail("policy",
                          "expected \"dpfr\", \"control-plane\" or \"none\", found \"" + name
                              + "\"");
        }
    }
    config.detectionNs = topo::ReadDurationNs(recovery, "detection", config.detectionNs);
    config.controlPlaneDelayNs
        = topo::ReadDurationNs(recovery, "control_plane_delay", config.controlPlaneDelayNs);
    if (recovery.Has("probes"))
    {
        JsonObjectReader probes = recovery.Object("probes");
        config.probeIntervalNs = topo::ReadDurationNs(probes, "interval");
        if (config.probeIntervalNs < 1'000)
        {
            probes.Fail("interval", "expected a probe interval of at least 1us, such as \"10us\"");
        }
        config.probeMultiplier = Count(probes, "multiplier", 1, 3);
        probes.Finish();
    }
    else
    {
        recovery.Optional("probes");
    }
    recovery.Finish();
}

void
ReadFailures(JsonObjectReader& reader, Scenario& scenario)
{
    const nlohmann::json* failures = reader.Optional("failures");
    std::string pointer = reader.PointerOf("failures");
    bool sweepsLinks = scenario.sweep.vary == ScenarioSweep::Vary::Link;
    if (failures == nullptr && sweepsLinks)
    {
        throw InputError(pointer,
                         "a link sweep (/sweep/links) needs one failure, without a target, to "
                         "move over the links, such as [{\"kind\": \"link-down\", \"at\": "
                         "\"200us\"}]");
    }
    if (failures == nullptr)
    {
        return;
    }
    if (!failures->is_array())
    {
        throw InputError(pointer, "expected an array of failures");
    }
    if (sweepsLinks && failures->size() != 1)
    {
        throw InputError(pointer,
                         "a link sweep needs exactly one failure, without a target, to move "
                         "over the links; found "
                             + std::to_string(failures->size()));
    }
    std::optional<topo::FabricGraph> graph;
    if (!failures->empty())
    {
        // Targets are checked on the expanded graph. One past this size belongs to a fabric of
        // hundreds of GiB (a port costs the simulator hundreds of times what a link costs the
        // graph): no run of it could start, so it is refused before it is expanded.
        auto plan = topo::PlanFatTree(scenario.design);
        auto size = topo::SizeGraph(scenario.design, plan);
        if (size.MemoryBytes() > kLargestCheckedGraphBytes || !size.FitsIndices())
        {
            throw ::fab::telemetry::OverLimitError(
                reader.PointerOf("design"),
                "checking the failures' targets would expand this design to "
                    + ::fab::telemetry::GroupDigits(size.links) + " links, about "
                    + ::fab::telemetry::FormatBytes(static_cast<double>(size.MemoryBytes()))
                    + " of memory, and simulating it would take hundreds of times that; "
                      "expected a smaller design");
        }
        graph = topo::FabricGraph::Build(scenario.design, plan);
    }
    for (std::size_t i = 0; i < failures->size(); ++i)
    {
        std::string at = JsonPointerChild(pointer, i);
        if (!(*failures)[i].is_object())
        {
            throw InputError(at, "expected a failure object");
        }
        JsonObjectReader failure((*failures)[i], at);
        FaultSpec fault;
        std::string kind = failure.String("kind");
        auto parsed = ParseFaultKind(kind);
        if (!parsed)
        {
            failure.Fail("kind",
                         "expected \"link-down\", \"switch-down\", \"flap\", \"degraded\" or "
                         "\"blackhole\", "
                         "found \""
                             + kind + "\"");
        }
        fault.kind = *parsed;
        bool wantPort = fault.kind != FaultKind::SwitchDown;
        if (sweepsLinks)
        {
            if (failure.Has("target"))
            {
                failure.Fail("target",
                             "a link sweep moves this failure to each link in turn: leave the "
                             "target out");
            }
            if (!wantPort)
            {
                failure.Fail("kind", "a link sweep needs a link fault, not \"switch-down\"");
            }
        }
        else if (fault.target = failure.String("target");
                 !NamesGraphPlace(*graph, fault.target, wantPort))
        {
            failure.Fail("target",
                         std::string("expected ")
                             + (wantPort ? "a port of a switch or server, such as \"leaf-0-0:32\""
                                         : "a switch, such as \"spine-0-1\"")
                             + ", found \"" + fault.target + "\"");
        }
        fault.atNs = topo::ReadDurationNs(failure, "at");
        if (fault.kind == FaultKind::Flap)
        {
            fault.durationNs = topo::ReadDurationNs(failure, "down");
            fault.upNs = topo::ReadDurationNs(failure, "up");
            fault.cycles = Count(failure, "cycles", 1, 3);
        }
        else
        {
            fault.durationNs = topo::ReadDurationNs(failure, "duration", 0);
        }
        if (fault.kind == FaultKind::Blackhole)
        {
            std::string direction = failure.String("direction", "both");
            if (direction != "both" && direction != "one-way")
            {
                failure.Fail("direction",
                             "expected \"both\" or \"one-way\" (only what the target port "
                             "sends is lost), found \""
                                 + direction + "\"");
            }
            fault.oneWay = direction == "one-way";
        }
        if (fault.kind == FaultKind::Degraded)
        {
            fault.loss = failure.Has("loss") || !failure.Has("rate")
                             ? failure.Number("loss", 1e-9, 1)
                             : 0.0;
            fault.rateBps = topo::ReadRate(failure, "rate", 0);
            if (failure.Has("rate") && fault.rateBps < 1'000'000)
            {
                failure.Fail("rate", "expected a rate of at least 1Mbps, such as \"200Gbps\"");
            }
        }
        failure.Finish();
        scenario.failures.push_back(fault);
    }
}

void
ReadSweep(JsonObjectReader& reader, Scenario& scenario)
{
    if (!reader.Has("sweep"))
    {
        reader.Optional("sweep");
        return;
    }
    JsonObjectReader sweep = reader.Object("sweep");
    ScenarioSweep& s = scenario.sweep;
    int kinds = (sweep.Has("policies") ? 1 : 0) + (sweep.Has("links") ? 1 : 0)
                + (sweep.Has("grid") || sweep.Has("seeds") ? 1 : 0);
    if (kinds != 1)
    {
        throw InputError(reader.PointerOf("sweep"),
                         "expected one of \"policies\" (a list such as [\"dpfr\", "
                         "\"control-plane\", \"none\"]), \"links\" (\"leaf-spine\" or "
                         "\"spine-core\") or \"grid\" (JSON pointers into the scenario, each "
                         "with a list of values) with or without \"seeds\"");
    }
    if (const auto* policies = sweep.Optional("policies"))
    {
        std::string at = sweep.PointerOf("policies");
        if (!policies->is_array() || policies->empty())
        {
            throw InputError(at, "expected a non-empty list of recovery policies");
        }
        for (std::size_t i = 0; i < policies->size(); ++i)
        {
            RecoveryPolicy policy{};
            const auto& item = (*policies)[i];
            if (!item.is_string() || !ParseRecoveryPolicy(item.get<std::string>(), policy))
            {
                throw InputError(JsonPointerChild(at, i),
                                 "expected \"dpfr\", \"control-plane\" or \"none\"");
            }
            s.policies.push_back(policy);
        }
        s.vary = ScenarioSweep::Vary::Policy;
    }
    else if (sweep.Has("links"))
    {
        std::string tier = sweep.String("links");
        if (tier == "leaf-spine")
        {
            s.linkTier = topo::LinkTier::LeafSpine;
        }
        else if (tier == "spine-core" && scenario.design.tiers >= 3)
        {
            s.linkTier = topo::LinkTier::SpineCore;
        }
        else
        {
            sweep.Fail("links",
                       std::string("expected \"leaf-spine\"")
                           + (scenario.design.tiers >= 3 ? " or \"spine-core\"" : "") + ", found \""
                           + tier + "\"");
        }
        s.limit = Count(sweep, "limit", 1, 0);
        s.vary = ScenarioSweep::Vary::Link;
    }
    else
    {
        ReadSweepGrid(sweep, s);
        s.vary = ScenarioSweep::Vary::Grid;
    }
    sweep.Finish();
}

void
ReadRandomFailures(JsonObjectReader& reader, Scenario& scenario)
{
    if (!reader.Has("random_failures"))
    {
        reader.Optional("random_failures");
        return;
    }
    JsonObjectReader random = reader.Object("random_failures");
    RandomFaultSpec spec;
    spec.linkMtbfHours = random.Number("link_mtbf_hours", 0, 1e9, 0);
    spec.switchMtbfHours = random.Number("switch_mtbf_hours", 0, 1e9, 0);
    if (spec.linkMtbfHours == 0 && spec.switchMtbfHours == 0)
    {
        random.Fail("link_mtbf_hours",
                    "expected a mean time between failures for links or switches (hours, > 0)");
    }
    spec.acceleration = random.Number("acceleration", 1e-9, 1e18, 1);
    spec.repairNs = topo::ReadDurationNs(random, "repair", 0);
    spec.startNs = topo::ReadDurationNs(random, "from", 0);
    spec.endNs = topo::ReadDurationNs(random, "until", scenario.stopTimeNs);
    if (spec.endNs <= spec.startNs)
    {
        random.Fail("until",
                    "expected the end of the window faults are drawn in, after \"from\" (the "
                    "stop time when there is one)");
    }
    if (scenario.sweep.vary == ScenarioSweep::Vary::Link)
    {
        random.Fail("link_mtbf_hours", "a link sweep places its one failure itself");
    }
    random.Finish();
    scenario.randomFailures = spec;
}

} // namespace ns3::fabric
