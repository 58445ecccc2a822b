#include "fabric/helper/fault-injector.h"

#include <algorithm>
#include <array>
#include <ns3/simulator.h>
#include <stdexcept>
#include <utility>

namespace ns3::fabric
{
namespace
{

constexpr std::array<std::pair<FaultKind, const char*>, 4> kNames = {{
    {FaultKind::LinkDown, "link-down"},
    {FaultKind::SwitchDown, "switch-down"},
    {FaultKind::Flap, "flap"},
    {FaultKind::Degraded, "degraded"},
}};

bool
IsLoss(DropReason reason)
{
    return reason == DropReason::LinkDown || reason == DropReason::NoRoute
           || reason == DropReason::FcsError;
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
                for (std::uint32_t c = 0; c < f.cycles; ++c)
                {
                    Time down
                        = at + NanoSeconds(static_cast<std::int64_t>(c) * (f.durationNs + f.upNs));
                    Simulator::Schedule(down, &FaultInjector::SetLinks, this, i, false);
                    Simulator::Schedule(
                        down + NanoSeconds(f.durationNs), &FaultInjector::SetLinks, this, i, true);
                }
                record.restoredNs = f.atNs
                                    + static_cast<std::int64_t>(f.cycles) * (f.durationNs + f.upNs)
                                    - f.upNs;
                break;
            case FaultKind::Degraded:
                Simulator::Schedule(at, &FaultInjector::Degrade, this, i, true);
                if (f.durationNs > 0)
                {
                    Simulator::Schedule(
                        at + NanoSeconds(f.durationNs), &FaultInjector::Degrade, this, i, false);
                    record.restoredNs = f.atNs + f.durationNs;
                }
                break;
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
FaultInjector::OnDrop(const Frame&, DropReason reason)
{
    int i = Current();
    if (i < 0 || !IsLoss(reason))
    {
        return;
    }
    m_records[i].packetsLost++;
    m_records[i].lastLossNs = Simulator::Now().GetNanoSeconds();
}

} // namespace ns3::fabric
