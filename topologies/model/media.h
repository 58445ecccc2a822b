#ifndef FABRICSCOPE_TOPOLOGIES_MEDIA_H
#define FABRICSCOPE_TOPOLOGIES_MEDIA_H

#include <cstdint>
#include <optional>
#include <string>

namespace fab::topo
{

/** What carries a link: copper cables, or optical modules with fibre between them. */
enum class Media
{
    Auto,  ///< choose the cheapest medium that reaches
    Dac,   ///< passive direct-attach copper
    Acc,   ///< (linear) active copper
    Aoc,   ///< active optical cable, modules built into the cable
    Mmf,   ///< multimode transceivers (SR) and MPO fibre
    SmfDr, ///< single-mode DR transceivers, parallel fibre
    SmfFr, ///< single-mode FR transceivers, duplex fibre
};

const char* MediaName(Media media);
std::optional<Media> ParseMedia(const std::string& text);

/** True for media whose ends are separate pluggable optical modules (MMF, SMF). */
bool UsesTransceivers(Media media);
bool IsCopper(Media media);
/** True when light travels in fibre (AOC, MMF, SMF): 5.13 ns/m instead of copper's 4.76. */
bool IsFibre(Media media);

/**
 * The longest run a medium reaches at a lane rate (NVIDIA LinkX and cabling requirements):
 * passive DAC 3 m at 100G-PAM4 lanes (1 m at 200G lanes), active copper 5 m (3 m), AOC and MMF
 * 50 m, SMF DR 500 m, SMF FR 2 km.
 */
double MaxReachMetres(Media media, std::uint64_t laneBitsPerSecond);

/** The cheapest medium that reaches `metres` (DAC, ACC, MMF, SMF DR, SMF FR), or nothing. */
std::optional<Media> ChooseMedia(double metres, std::uint64_t laneBitsPerSecond);

/** The electrical lane rate of a cage: 8 lanes from 800G up, 4 below (400G = 4 × 100G). */
std::uint64_t LaneRate(std::uint64_t portBitsPerSecond);

/** Signal propagation delay per metre: 4.76 ns in copper, 5.13 ns in single-mode fibre. */
double PropagationNsPerMetre(Media media);

/**
 * Maximum power of one optical module (or one AOC end) of a given module speed, in watts, from
 * NVIDIA LinkX: 800G twin-port 17 W (SMF) / 15 W (MMF), 400G 9 W, 200G 6 W, 100G QSFP28 3.5 W.
 * Nothing for speeds without a published figure.
 */
std::optional<double> DefaultModulePowerWatts(Media media, std::uint64_t moduleBitsPerSecond);

/** Power of one active copper end: 1.5 W on an 800G end, 0.6 W on a 400G split end. */
double ActiveCopperEndWatts(std::uint64_t endBitsPerSecond);

} // namespace fab::topo

#endif
