#include "dpi/pfc-tracker.h"

#include <algorithm>
#include <cstdio>

namespace fab::dpi
{

std::string
FormatMac(const MacAddress& mac)
{
    char text[18];
    std::snprintf(text,
                  sizeof text,
                  "%02x:%02x:%02x:%02x:%02x:%02x",
                  mac[0],
                  mac[1],
                  mac[2],
                  mac[3],
                  mac[4],
                  mac[5]);
    return text;
}

std::int64_t
PfcTracker::PauseNs(std::uint16_t quanta, std::uint64_t linkBps)
{
    if (linkBps == 0)
    {
        return 0;
    }
    // quanta × 512 bits at linkBps, in ns, rounded up: 65535 quanta at 1 Gb/s is 33.6 ms.
    // 65535 × 512 × 10^9 is 3.4 × 10^16, far inside 64 bits.
    std::uint64_t bitNs = std::uint64_t{quanta} * 512u * 1'000'000'000u;
    return static_cast<std::int64_t>((bitNs + linkBps - 1) / linkBps);
}

PausingPort&
PfcTracker::PortOf(std::uint32_t file, const MacAddress& mac, std::uint64_t linkBps)
{
    // A capture holds few pausing ports: a linear search beats a map here.
    for (auto& port : m_ports)
    {
        if (port.file == file && port.mac == mac)
        {
            return port;
        }
    }
    PausingPort port;
    port.file = file;
    port.mac = mac;
    port.linkBps = linkBps;
    m_ports.push_back(port);
    return m_ports.back();
}

void
PfcTracker::Close(PriorityPauses& p, std::int64_t endNs) const
{
    if (!p.paused)
    {
        return;
    }
    std::int64_t end = std::min(p.pausedUntilNs, endNs);
    std::int64_t length = std::max<std::int64_t>(0, end - p.pauseStartNs);
    p.pausedNs += length;
    p.storms += length >= m_stormNs ? 1 : 0;
    if (length > p.longestPauseNs)
    {
        p.longestPauseNs = length;
        p.longestPauseStartNs = p.pauseStartNs;
        p.longestPauseFirstPacket = p.pauseFirstPacket;
    }
    p.paused = false;
}

void
PfcTracker::Pause(PriorityPauses& p,
                  std::uint16_t quanta,
                  std::uint64_t linkBps,
                  std::int64_t timeNs,
                  std::uint64_t packetNumber)
{
    p.frames++;
    p.firstPacket = p.firstPacket == 0 ? packetNumber : p.firstPacket;
    if (p.paused && timeNs >= p.pausedUntilNs)
    {
        Close(p, p.pausedUntilNs); // the last pause ran out before this frame
    }
    if (quanta == 0)
    {
        p.xon++;
        Close(p, timeNs);
        return;
    }
    p.xoff++;
    if (!p.paused)
    {
        p.paused = true;
        p.pauseStartNs = timeNs;
        p.pauseFirstPacket = packetNumber;
    }
    p.pausedUntilNs = timeNs + PauseNs(quanta, linkBps);
}

void
PfcTracker::Add(std::uint32_t file,
                const MacAddress& mac,
                const MacControlFields& fields,
                std::uint64_t linkBps,
                std::int64_t timeNs,
                std::uint64_t packetNumber)
{
    PausingPort& port = PortOf(file, mac, linkBps);
    if (fields.IsPause())
    {
        Pause(port.priorities[kGlobalPause], fields.pauseQuanta, linkBps, timeNs, packetNumber);
        return;
    }
    if (!fields.IsPfc())
    {
        return;
    }
    for (std::size_t priority = 0; priority < kPfcPriorities; ++priority)
    {
        if (fields.Enabled(priority))
        {
            Pause(
                port.priorities[priority], fields.quanta[priority], linkBps, timeNs, packetNumber);
        }
    }
}

void
PfcTracker::Finish(std::int64_t endNs)
{
    for (auto& port : m_ports)
    {
        for (auto& p : port.priorities)
        {
            Close(p, endNs);
        }
    }
}

} // namespace fab::dpi
