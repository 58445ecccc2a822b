#include "topologies/model/media.h"

#include <array>

namespace fab::topo
{
namespace
{

struct MediaInfo
{
    Media media;
    const char* name;
};

constexpr std::array<MediaInfo, 7> kMedia = {{{Media::Auto, "auto"},
                                              {Media::Dac, "dac"},
                                              {Media::Acc, "acc"},
                                              {Media::Aoc, "aoc"},
                                              {Media::Mmf, "mmf"},
                                              {Media::SmfDr, "smf-dr"},
                                              {Media::SmfFr, "smf-fr"}}};

constexpr std::uint64_t k100G = 100'000'000'000ULL;

} // namespace

const char*
MediaName(Media media)
{
    for (const auto& info : kMedia)
    {
        if (info.media == media)
        {
            return info.name;
        }
    }
    return "auto";
}

std::optional<Media>
ParseMedia(const std::string& text)
{
    for (const auto& info : kMedia)
    {
        if (text == info.name)
        {
            return info.media;
        }
    }
    return std::nullopt;
}

bool
UsesTransceivers(Media media)
{
    return media == Media::Mmf || media == Media::SmfDr || media == Media::SmfFr;
}

bool
IsCopper(Media media)
{
    return media == Media::Dac || media == Media::Acc;
}

bool
IsFibre(Media media)
{
    return media == Media::Aoc || UsesTransceivers(media);
}

double
MaxReachMetres(Media media, std::uint64_t laneBitsPerSecond)
{
    bool fastLanes = laneBitsPerSecond > k100G;
    switch (media)
    {
        case Media::Dac:
            return fastLanes ? 1.0 : 3.0;
        case Media::Acc:
            return fastLanes ? 3.0 : 5.0;
        case Media::Aoc:
        case Media::Mmf:
            return 50.0;
        case Media::SmfDr:
            return 500.0;
        case Media::SmfFr:
            return 2000.0;
        case Media::Auto:
            break;
    }
    return 0.0;
}

std::optional<Media>
ChooseMedia(double metres, std::uint64_t laneBitsPerSecond)
{
    for (Media media : {Media::Dac, Media::Acc, Media::Mmf, Media::SmfDr, Media::SmfFr})
    {
        if (metres <= MaxReachMetres(media, laneBitsPerSecond))
        {
            return media;
        }
    }
    return std::nullopt;
}

std::uint64_t
LaneRate(std::uint64_t portBitsPerSecond)
{
    return portBitsPerSecond >= 8 * k100G ? portBitsPerSecond / 8 : portBitsPerSecond / 4;
}

double
PropagationNsPerMetre(Media media)
{
    return IsFibre(media) ? 5.13 : 4.76;
}

std::optional<double>
DefaultModulePowerWatts(Media media, std::uint64_t moduleBitsPerSecond)
{
    switch (moduleBitsPerSecond / 1'000'000'000ULL)
    {
        case 800:
            return media == Media::Mmf || media == Media::Aoc ? 15.0 : 17.0;
        case 400:
            return 9.0;
        case 200:
            return 6.0;
        case 100:
            return 3.5;
        default:
            return std::nullopt;
    }
}

double
ActiveCopperEndWatts(std::uint64_t endBitsPerSecond)
{
    return endBitsPerSecond >= 8 * k100G ? 1.5 : 0.6;
}

} // namespace fab::topo
