#ifndef FABRICSCOPE_DPI_PFC_TRACKER_H
#define FABRICSCOPE_DPI_PFC_TRACKER_H

#include "dpi/ethernet-decoder.h"
#include "dpi/pfc-decoder.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fab::dpi
{

/** Index of 802.3x PAUSE (every priority at once) next to the eight PFC priorities. */
inline constexpr std::size_t kGlobalPause = kPfcPriorities;

/**
 * Pauses a port asked for on one priority. A pause frame holds the priority for quanta × 512
 * bit times at the link's speed; a later frame replaces the timer (refresh or XON), so a run of
 * refreshes is one continuous pause. Pause time is the union of those intervals.
 */
struct PriorityPauses
{
    std::uint64_t frames{0};
    std::uint64_t xoff{0};
    std::uint64_t xon{0};
    std::int64_t pausedNs{0};
    std::int64_t longestPauseNs{0};
    std::int64_t longestPauseStartNs{0};
    std::uint64_t storms{0}; ///< continuous pauses at least as long as the tracker's storm time
    std::uint64_t longestPauseFirstPacket{0};
    std::uint64_t firstPacket{0};
    // The continuous pause in progress.
    bool paused{false};
    std::int64_t pauseStartNs{0};
    std::int64_t pausedUntilNs{0};
    std::uint64_t pauseFirstPacket{0};
};

/** A port that sent pause frames: the capture it was seen in and its source MAC address. */
struct PausingPort
{
    std::uint32_t file{0};
    MacAddress mac{};
    std::uint64_t linkBps{0};
    std::array<PriorityPauses, kPfcPriorities + 1> priorities{};
};

std::string FormatMac(const MacAddress& mac);

/** PFC and PAUSE frames per sending port and priority, with continuous-pause tracking. */
class PfcTracker
{
public:
    PfcTracker() = default;
    /** `stormNs`: a continuous pause this long counts as a storm (watchdogs: 100-200 ms). */
    explicit PfcTracker(std::int64_t stormNs)
    : m_stormNs(stormNs)
    {
    }

    /** Adds a MAC Control frame sent by `mac`, seen in capture `file`, on a link of `linkBps`. */
    void Add(std::uint32_t file,
             const MacAddress& mac,
             const MacControlFields& fields,
             std::uint64_t linkBps,
             std::int64_t timeNs,
             std::uint64_t packetNumber);
    /** Closes the pauses still running at the end of the capture (they end at `endNs` at the
     *  latest). */
    void Finish(std::int64_t endNs);

    const std::vector<PausingPort>& Ports() const { return m_ports; }

    /** Pause time of `quanta` at `linkBps`: quanta × 512 bit times. */
    static std::int64_t PauseNs(std::uint16_t quanta, std::uint64_t linkBps);

private:
    PausingPort& PortOf(std::uint32_t file, const MacAddress& mac, std::uint64_t linkBps);
    void Pause(PriorityPauses& p,
               std::uint16_t quanta,
               std::uint64_t linkBps,
               std::int64_t timeNs,
               std::uint64_t packetNumber);
    void Close(PriorityPauses& p, std::int64_t endNs) const;

    std::int64_t m_stormNs{100'000'000};
    std::vector<PausingPort> m_ports;
};

} // namespace fab::dpi

#endif
