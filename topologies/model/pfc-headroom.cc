#include "topologies/model/pfc-headroom.h"

namespace fab::topo
{

std::uint64_t
PfcResponseBitTimes(std::uint64_t rateBps)
{
    constexpr std::uint64_t k100G = 100'000'000'000ULL;
    constexpr std::uint64_t k400G = 400'000'000'000ULL;
    if (rateBps <= k100G)
    {
        return 201'728;
    }
    return static_cast<std::uint64_t>(463'360.0 * static_cast<double>(rateBps)
                                      / static_cast<double>(k400G));
}

double
PfcHeadroomBytes(std::uint64_t rateBps, double cableMetres, Media media, std::uint32_t mtuBytes)
{
    double roundTripSeconds = 2.0 * cableMetres * PropagationNsPerMetre(media) * 1e-9;
    double wireBytes = static_cast<double>(rateBps) * roundTripSeconds / 8.0;
    double responseBytes = static_cast<double>(PfcResponseBitTimes(rateBps)) / 8.0;
    return 2.0 * mtuBytes + wireBytes + responseBytes;
}

} // namespace fab::topo
