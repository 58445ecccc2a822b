#ifndef FABRICSCOPE_TOPOLOGIES_DESIGN_H
#define FABRICSCOPE_TOPOLOGIES_DESIGN_H

#include "topologies/model/media.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fab::topo
{

enum class FabricKind
{
    Roce,
    Infiniband,
};

const char* FabricKindName(FabricKind kind);

/** The GPU servers and their compute-fabric NICs. */
struct ServerSpec
{
    std::uint32_t count{0};
    std::uint32_t gpus{8};
    std::uint32_t nics{8};     ///< compute-fabric NICs per server
    std::uint32_t nicPorts{1}; ///< ports per NIC (2 for a ConnectX-8 split in two planes)
    std::uint64_t nicSpeedBps{400'000'000'000ULL}; ///< speed of one NIC port
    bool railOptimized{true};      ///< NIC i of every server goes to the leaf of rail i
    std::uint32_t nicCagePorts{1}; ///< NIC ports per server-side cage (2 on DGX: 4 OSFP, 8 NICs)
    std::string nicFormFactor{"OSFP"};
    std::optional<double> priceUsd; ///< one server with its GPUs and NICs

    std::uint32_t PortsPerServer() const { return nics * nicPorts; }
};

/** A switch model; the fabric sees ports × breakout logical ports at port speed ÷ breakout. */
struct SwitchModel
{
    std::string name;
    std::uint32_t ports{64}; ///< front-panel cages
    std::uint64_t portSpeedBps{400'000'000'000ULL};
    std::uint32_t breakout{1};      ///< logical ports per cage (2 for 800G → 2 × 400G)
    std::uint32_t ecmpMaxPaths{64}; ///< largest ECMP group the platform supports
    std::uint64_t bufferBytes{0};   ///< shared packet buffer (0: unknown)
    double powerW{0};               ///< chassis power without optics (0: unknown)
    double cagePowerClassW{17};     ///< most power a cage can feed a module (OSFP class 8)
    std::string formFactor{"OSFP"};
    std::optional<double> priceUsd;

    std::uint32_t Radix() const { return ports * breakout; }
    std::uint64_t LinkSpeedBps() const { return portSpeedBps / breakout; }
};

/** How the switches of one tier are used. */
struct TierSpec
{
    std::string model;
    double oversubscription{1.0}; ///< downlink ÷ uplink bandwidth (1 = non-blocking)
};

/** The runs of one link tier (server–leaf, leaf–spine, spine–core). */
struct LinkSpec
{
    double lengthMetres{3};
    Media media{Media::Auto};
};

/** Prices of what the bill of materials counts, in US dollars; absent means unknown. */
struct PriceList
{
    std::map<std::uint64_t, double> transceiverUsd; ///< by module speed (bits per second)
    std::map<Media, double> cableUsd;               ///< per cable, by medium
};

/** A whole fabric design, as a design file describes it. */
struct Design
{
    std::string name{"unnamed design"};
    std::string description;
    FabricKind fabric{FabricKind::Roce};
    ServerSpec servers;
    std::map<std::string, SwitchModel> switchModels;
    std::uint32_t tiers{0}; ///< 2, 3, or 0 for the smallest count that fits
    TierSpec leaf;
    TierSpec spine;
    TierSpec core;
    std::uint32_t planes{1};
    std::uint32_t scalableUnitServers{0}; ///< 0: one leaf's worth of servers per rail
    bool wholeScalableUnits{true};        ///< a partial SU still gets all its leaves and uplinks
    LinkSpec serverLeaf{20, Media::Auto};
    LinkSpec leafSpine{150, Media::Auto};
    LinkSpec spineCore{400, Media::Auto};
    std::uint32_t nicMtuBytes{4096};            ///< RDMA payload MTU (IB MTU, RoCE path MTU)
    std::uint32_t switchMtuBytes{9216};         ///< largest frame a switch port accepts
    std::uint32_t losslessPriorities{1};        ///< PFC-enabled priorities per port (RoCE)
    std::map<std::string, double> modulePowerW; ///< overrides, keyed "800G-smf-dr", "400G-mmf"...
    PriceList prices;

    const SwitchModel& ModelOf(const TierSpec& tier) const;
    std::uint64_t Endpoints() const;
    std::uint64_t Gpus() const;
};

/** The smallest MTU a design or scenario may set, for NIC payloads and switch frames. */
constexpr std::uint32_t kMinMtuBytes = 256;

/**
 * The largest: Ethernet jumbo frames end at 9,216 B on today's switches; InfiniBand's MTUs are
 * 256 to 4,096 B (IBTA).
 */
constexpr std::uint32_t
MaxMtuBytes(FabricKind fabric)
{
    return fabric == FabricKind::Infiniband ? 4096 : 9216;
}

/**
 * Reads a design document; every error names the JSON pointer of the offender and what was
 * expected (as an InputError).
 */
Design DesignFromJson(const nlohmann::json& document);

/** Reads a design file; errors name the file too. */
Design LoadDesignFile(const std::string& path);

/** The design as a document DesignFromJson reads back to the same design. */
nlohmann::json DesignToJson(const Design& design);

/** Cross-field checks that no single key can make (speeds of linked tiers, plane split...). */
void ValidateDesign(const Design& design);

} // namespace fab::topo

#endif
