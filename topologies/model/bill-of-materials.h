#ifndef FABRICSCOPE_TOPOLOGIES_BILL_OF_MATERIALS_H
#define FABRICSCOPE_TOPOLOGIES_BILL_OF_MATERIALS_H

#include "topologies/model/fat-tree-plan.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fab::topo
{

/** Switches of one tier, over all planes, and how their ports are used. */
struct SwitchLine
{
    Tier tier{Tier::Leaf};
    std::string model;
    std::uint64_t switches{0};
    std::uint64_t portsTotal{0}; ///< logical ports
    std::uint64_t portsDown{0};  ///< in use towards the servers
    std::uint64_t portsUp{0};    ///< in use towards the next tier
    double chassisPowerW{0};
    std::optional<double> priceEachUsd;
};

/** The links of one link tier, over all planes, and what carries them. */
struct LinkLine
{
    LinkTier tier{LinkTier::ServerLeaf};
    std::uint64_t links{0};
    std::uint64_t speedBps{0};
    std::uint64_t laneBps{0}; ///< electrical lane rate of the faster end's cage
    double lengthMetres{0};
    Media media{Media::Auto}; ///< resolved: never Auto
    bool reachable{true};     ///< false when no medium reaches the length
};

/** Optical modules at one location, e.g. "leaf-up" 800G OSFP twin-port SMF DR. */
struct TransceiverLine
{
    std::string location; ///< nic, leaf-down, leaf-up, spine-down, spine-up, core-down
    std::uint64_t speedBps{0};
    std::uint32_t lanesOut{1}; ///< logical ports a module serves (2 for a twin-port 800G)
    std::string formFactor;
    Media media{Media::Mmf};
    std::uint64_t count{0};
    std::optional<double> powerEachW; ///< nothing when no published figure exists
    std::optional<double> priceEachUsd;

    /** "OSFP 2x400G" or "OSFP". */
    std::string Description() const;
};

/** Cables of one link tier. */
struct CableLine
{
    LinkTier tier{LinkTier::ServerLeaf};
    Media media{Media::Auto};
    std::uint64_t count{0};
    double lengthMetres{0};
    double powerEachW{0}; ///< active copper draws power at its ends
    std::optional<double> priceEachUsd;
};

/** Everything a fabric is built from, counted in closed form from its plan. */
struct BillOfMaterials
{
    FatTreePlan plan;
    std::uint64_t servers{0};
    std::uint64_t gpus{0};
    std::uint64_t endpoints{0};
    std::vector<SwitchLine> switches; ///< leaf, spine[, core]
    std::vector<LinkLine> links;      ///< server-leaf, leaf-spine[, spine-core]
    std::vector<TransceiverLine> transceivers;
    std::vector<CableLine> cables;

    std::uint64_t TotalSwitches() const;
    std::uint64_t TotalTransceivers() const;
    std::uint64_t TotalCables() const;
    double SwitchPowerW() const;
    double OpticsPowerW() const; ///< modules and active cables
    double TotalPowerW() const { return SwitchPowerW() + OpticsPowerW(); }
    /** Optical modules per GPU, e.g. 2.5 800G + 1 400G for a non-blocking 3-tier H100 fabric. */
    double ModulesPerGpu() const;
    /** Power figures missing from the catalogue: "1.6T smf-dr" ... */
    std::vector<std::string> UnknownPower() const;

    /** Network capex, and the server capex it is compared with, when every price is known. */
    std::optional<double> NetworkCostUsd() const;
    std::optional<double> ServerCostUsd() const;
    std::optional<double> NetworkCostShare() const;

    const SwitchLine* Switches(Tier tier) const;
    const LinkLine* Links(LinkTier tier) const;

    std::optional<double> serverPriceUsd;
    std::vector<std::string> unpricedItems; ///< what stops a cost figure
};

/** Counts a planned design. */
BillOfMaterials ComputeBillOfMaterials(const Design& design, const FatTreePlan& plan);

/** The key a design uses to override a module's power: "800G-smf-dr". */
std::string ModulePowerKey(std::uint64_t moduleBps, Media media);

} // namespace fab::topo

#endif
