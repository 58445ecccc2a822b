#include "fabric/helper/fault-injector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ns3/simulator.h>
#include <stdexcept>
#include <utility>

namespace ns3::fabric
{
namespace
{

constexpr std::array<std::pair<FaultKind, const char*>, 5> kNames = {{
    {FaultKind::LinkDown, "link-down"},
    {FaultKind::SwitchDown, "switch-down"},
    {FaultKind::Flap, "flap"},
    {FaultKind::Degraded, "degraded"},
    {FaultKind::Blackhole, "blackhole"},
}};

bool
IsLoss(DropReason reason)
{
    return reason == DropReason::LinkDown || reason == DropReason::NoRoute
           || reason == DropReason::FcsError || reason == DropReason::Blackhole;
}

} // namespace

const char*
FaultKindName(FaultKind kind)
{
    for (const auto& [value, name] : kNames)
    {
        if (value == kind)
        {
            return name;
        }
    }
    return "link-down";
}

std::optional<FaultKind>
ParseFaultKind(const std::string& name)
{
    for (const auto& [value, text] : kNames)
    {
        if (name == text)
        {
            return value;
        }
    }
    return std::nullopt;
}

FaultInjector::FaultInjector(FabricBuilder& fabric,
                             std::vector<FaultSpec> faults,
                             std::uint64_t seed)
: m_fabric(fabric)
, m_rngState(seed * 0x9E3779B97F4A7C15ull + 1)
{
    std::stable_sort(faults.begin(),
                     faults.end(),
                     [](const FaultSpec& a, const FaultSpec& b) { return a.atNs < b.atNs; });
    std::string policy = RecoveryPolicyName(fabric.Options().recovery.policy);
    for (auto& fault : faults)
    {
        FailureRecord record;
        record.spec = fault;
        record.policy = policy;
        m_ports.push_back(PortsOf(fault));
        m_rates.emplace_back();
        m_records.push_back(std::move(record));
    }
}

std::vector<Ptr<FabricNetDevice>>
FaultInjector::PortsOf(const FaultSpec& fault) const
{
    std::vector<Ptr<FabricNetDevice>> ends;
    auto addLink = [&](Ptr<FabricNetDevice> port)
    {
        ends.push_back(port);
        if (auto channel = port->GetFabricChannel())
        {
            ends.push_back(channel->GetPeer(PeekPointer(port)));
        }
    };
    if (fault.kind == FaultKind::SwitchDown)
    {
        auto sw = m_fabric.Switch(fault.target);
        if (!sw)
        {
            throw std::invalid_argument("no switch \"" + fault.target + "\"");
        }
        for (const auto& port : sw->GetPorts())
        {
            if (port)
            {
                addLink(port);
            }
        }
        return ends;
    }
    auto port = m_fabric.Port(fault.target);
    if (!port)
    {
        throw std::invalid_argument("no port \"" + fault.target
                                    + "\" (ports are named like leaf-0-0:32 or srv-4:nic0)");
    }
    addLink(port);
    return ends;
}

void
FaultInjector::Start()
{
    if (m_records.empty())
    {
        return;
    }
    for (const auto& sw : m_fabric.Switches())
    {
        sw->SetRecoveryObserver(Callback<void, const RecoveryEvent&>([this](const RecoveryEvent& e)
                                                                     { OnRecovery(e); }));
    }
    for (const auto& record : m_fabric.Ports())
    {
        record.device->TraceConnectWithoutContext("Drop",
                                                  MakeCallback(&FaultInjector::OnDrop, this));
    }
    Time now = Simulator::Now();
    for (std::uint32_t i = 0; i < m_records.size(); ++i)
    {
        FailureRecord& record = m_records[i];
        const FaultSpec& f = record.spec;
        Time at = NanoSeconds(f.atNs) - now;
        switch (f.kind)
        {
            case FaultKind::LinkDown:
            case FaultKind::SwitchDown:
                Simulator::Schedule(at, &FaultInjector::SetLinks, this, i, false);
                if (f.durationNs > 0)
                {
                    Simulator::Schedule(
                        at + NanoSeconds(f.durationNs), &FaultInjector::SetLinks, this, i, true);
                    record.restoredNs = f.atNs + f.durationNs;
                }
                break;
            case FaultKind::Flap:
                if (f.cycles > 0)
                {
                    Simulator::Schedule(at, &FaultInjector::FlapDown, this, i, 0u);
                }
                record.restoredNs = f.atNs
                                    + static_cast<std::int64_t>(f.cycles) * (f.durationNs + f.upNs)
                                    - f.upNs;
                break;
            case FaultKind::Blackhole:
                Simulator::Schedule(at, &FaultInjector::Blackhole, this, i, true);
                if (f.durationNs > 0)
                {
                    Simulator::Schedule(
                        at + NanoSeconds(f.durationNs), &FaultInjector::Blackhole, this, i, false);
                    record.restoredNs = f.atNs + f.durationNs;
                }
                break;
            case FaultKind::Degraded:
            {
                auto apply = f.rateBps > 0 ? &FaultInjector::SlowDown : &FaultInjector::Degrade;
                if (f.loss > 0 && f.rateBps > 0)
                {
                    Simulator::Schedule(at, &FaultInjector::Degrade, this, i, true);
                }
                Simulator::Schedule(at, apply, this, i, true);
                if (f.durationNs > 0)
                {
                    Simulator::Schedule(at + NanoSeconds(f.durationNs), apply, this, i, false);
                    if (f.loss > 0 && f.rateBps > 0)
                    {
                        Simulator::Schedule(at + NanoSeconds(f.durationNs),
                                            &FaultInjector::Degrade,
                                            this,
                                            i,
                                            false);
                    }
                    record.restoredNs = f.atNs + f.durationNs;
                }
                break;
            }
        }
    }
}

void
FaultInjector::SetLinks(std::uint32_t fault, bool up)
{
    for (auto& port : m_ports[fault])
    {
        port->SetLinkUp(up);
    }
}

void
FaultInjector::FlapDown(std::uint32_t fault, std::uint32_t cycle)
{
    SetLinks(fault, false);
    Simulator::Schedule(
        NanoSeconds(m_records[fault].spec.durationNs), &FaultInjector::FlapUp, this, fault, cycle);
}

void
FaultInjector::FlapUp(std::uint32_t fault, std::uint32_t cycle)
{
    SetLinks(fault, true);
    const FaultSpec& f = m_records[fault].spec;
    if (cycle + 1 < f.cycles)
    {
        Simulator::Schedule(NanoSeconds(f.upNs), &FaultInjector::FlapDown, this, fault, cycle + 1);
    }
}

void
FaultInjector::Degrade(std::uint32_t fault, bool on)
{
    double loss = m_records[fault].spec.loss;
    for (auto& port : m_ports[fault])
    {
        if (!on)
        {
            port->SetReceiveFilter(Callback<bool, const Frame&>());
            continue;
        }
        port->SetReceiveFilter(Callback<bool, const Frame&>(
                                   [this, loss](const Frame&)
                                   {
                                       // splitmix64: seeded, so runs repeat exactly.
                                       std::uint64_t z = (m_rngState += 0x9E3779B97F4A7C15ull);
                                       z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
                                       z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
                                       z ^= z >> 31;
                                       return static_cast<double>(z >> 11) * 0x1.0p-53 < loss;
                                   }),
                               DropReason::FcsError);
    }
}

void
FaultInjector::Blackhole(std::uint32_t fault, bool on)
{
    // Ends are [target, its peer]: the peer's receiver loses what the target sends; both ends
    // lose everything when the fault goes both ways.
    const auto& ends = m_ports[fault];
    for (std::size_t k = 0; k < ends.size(); ++k)
    {
        if (m_records[fault].spec.oneWay && k % 2 == 0)
        {
            continue;
        }
        ends[k]->SetReceiveFilter(
            on ? Callback<bool, const Frame&>([](const Frame&) { return true; })
               : Callback<bool, const Frame&>(),
            DropReason::Blackhole);
    }
}

void
FaultInjector::SlowDown(std::uint32_t fault, bool on)
{
    // A link that renegotiates to a lower speed (lanes lost, a module at a lower rate) still
    // carries traffic, so routing keeps using it: the queues behind it show the fault.
    auto& saved = m_rates[fault];
    auto& ports = m_ports[fault];
    if (on)
    {
        saved.clear();
        for (auto& port : ports)
        {
            saved.push_back(port->GetDataRate());
            port->SetDataRate(DataRate(m_records[fault].spec.rateBps));
        }
        return;
    }
    for (std::size_t k = 0; k < ports.size() && k < saved.size(); ++k)
    {
        ports[k]->SetDataRate(saved[k]);
    }
}

int
FaultInjector::Current() const
{
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    int current = -1;
    for (std::uint32_t i = 0; i < m_records.size(); ++i)
    {
        if (m_records[i].spec.atNs <= now)
        {
            current = static_cast<int>(i);
        }
    }
    return current;
}

void
FaultInjector::OnRecovery(const RecoveryEvent& event)
{
    int i = Current();
    if (i < 0 || event.up)
    {
        return; // only the way into a fault is timed; restores follow the same path back
    }
    FailureRecord& record = m_records[i];
    switch (event.kind)
    {
        case RecoveryEvent::Kind::Detected:
            if (record.detectedNs < 0)
            {
                record.detectedNs = event.timeNs;
            }
            break;
        case RecoveryEvent::Kind::LocalConverged:
        case RecoveryEvent::Kind::RemoteConverged:
            record.convergedNs = std::max(record.convergedNs, event.timeNs);
            record.switchesConverged++;
            break;
        case RecoveryEvent::Kind::NoticeSent:
            record.noticesSent++;
            break;
    }
}

void
FaultInjector::OnDrop(const Frame& frame, DropReason reason)
{
    // Traffic only: LLDP, notices and probes lost on a dead link are not what a job misses.
    int i = Current();
    if (i < 0 || !IsLoss(reason) || frame.kind == FrameKind::Other || frame.kind == FrameKind::Lldp)
    {
        return;
    }
    m_records[i].packetsLost++;
    m_records[i].lastLossNs = Simulator::Now().GetNanoSeconds();
}

double
RandomFaultSpec::ExpectedFaults(std::uint64_t links, std::uint64_t switches) const
{
    double windowHours = static_cast<double>(endNs - startNs) * acceleration / 3.6e12;
    double expected = 0;
    if (linkMtbfHours > 0)
    {
        expected += static_cast<double>(links) * windowHours / linkMtbfHours;
    }
    if (switchMtbfHours > 0)
    {
        expected += static_cast<double>(switches) * windowHours / switchMtbfHours;
    }
    return expected;
}

std::vector<DrawnFault>
DrawFaults(std::uint64_t components,
           double mtbfHours,
           double acceleration,
           std::int64_t startNs,
           std::int64_t endNs,
           std::uint64_t seed)
{
    std::vector<DrawnFault> drawn;
    if (components == 0 || mtbfHours <= 0 || acceleration <= 0 || endNs <= startNs)
    {
        return drawn;
    }
    auto mix = [](std::uint64_t z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
    // splitmix64, its start hashed from the seed so that nearby seeds give unrelated streams.
    std::uint64_t state = mix(seed + 0x632BE59BD9B4E019ull);
    auto next = [&state, &mix]()
    {
        return mix(state += 0x9E3779B97F4A7C15ull);
    };
    // The fleet of `components` fails at rate components / MTBF in fleet time; a simulated
    // nanosecond is `acceleration` fleet nanoseconds.
    double meanGapNs = mtbfHours * 3.6e12 / acceleration / static_cast<double>(components);
    double t = static_cast<double>(startNs);
    while (true)
    {
        double uniform = (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; // (0, 1)
        t += -std::log(uniform) * meanGapNs;
        if (t >= static_cast<double>(endNs))
        {
            break;
        }
        drawn.push_back(
            {static_cast<std::int64_t>(t), static_cast<std::uint32_t>(next() % components)});
    }
    return drawn;
}

std::vector<FaultSpec>
DrawRandomFaults(const RandomFaultSpec& spec, const FabricBuilder& fabric, std::uint64_t seed)
{
    std::vector<std::string> links;
    for (const auto& port : fabric.Ports())
    {
        if (port.upward && port.tier != topo::LinkTier::ServerLeaf)
        {
            links.push_back(port.device->GetPortName());
        }
    }
    std::vector<std::string> switches;
    const auto& graph = fabric.Graph();
    for (std::uint32_t n = 0; n < graph.Nodes().size(); ++n)
    {
        if (graph.Nodes()[n].kind == topo::GraphNode::Kind::Switch)
        {
            switches.push_back(graph.NodeName(n));
        }
    }
    std::vector<FaultSpec> faults;
    auto add = [&](const std::vector<std::string>& names,
                   double mtbf,
                   FaultKind kind,
                   std::uint64_t stream)
    {
        for (const auto& d : DrawFaults(
                 names.size(), mtbf, spec.acceleration, spec.startNs, spec.endNs, seed ^ stream))
        {
            FaultSpec fault;
            fault.kind = kind;
            fault.target = names[d.component];
            fault.atNs = d.atNs;
            fault.durationNs = spec.repairNs;
            faults.push_back(fault);
        }
    };
    add(links, spec.linkMtbfHours, FaultKind::LinkDown, 0x4C494E4Bull);
    add(switches, spec.switchMtbfHours, FaultKind::SwitchDown, 0x53574954ull);
    std::stable_sort(faults.begin(),
                     faults.end(),
                     [](const FaultSpec& a, const FaultSpec& b) { return a.atNs < b.atNs; });
    return faults;
}

} // namespace ns3::fabric
