#ifndef FABRICSCOPE_FABRIC_ENDPOINT_PLACES_H
#define FABRICSCOPE_FABRIC_ENDPOINT_PLACES_H

#include "topologies/model/fabric-graph.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace ns3::fabric
{

namespace topo = ::fab::topo;

/** What an endpoint's address tells a switch: its plane, its pod and leaf, the leaf's port. */
struct EndpointPlace
{
    static constexpr std::uint32_t kNone = 0xFFFFFFFF;
    std::uint32_t leaf{kNone};  ///< graph node of the leaf it hangs off
    std::uint32_t pod{kNone};   ///< that leaf's pod within its plane
    std::uint32_t leafInPod{0}; ///< that leaf's position among its pod's leaves
    std::uint16_t leafPort{0};  ///< the leaf's port it hangs off
    std::uint8_t plane{0};
};

/**
 * Where every endpoint and every leaf sits, one copy for a whole fabric: what switches route
 * by (the destination's plane, pod and leaf instead of the endpoint itself) and what remote
 * convergence needs. Endpoint e is port e % ports of server e / ports. A leaf's pod is the pod
 * of the spines above it (a leaf without spines is in pod 0); in 3-tier fabrics a core reaches
 * each pod through one spine, so losing that spine hides the whole pod.
 */
class EndpointPlaces
{
public:
    explicit EndpointPlaces(const topo::FabricGraph& graph);

    std::uint32_t Endpoints() const { return static_cast<std::uint32_t>(m_endpoints.size()); }
    /** An endpoint's place; leaf kNone for an id outside the fabric or a port without cable. */
    const EndpointPlace& Of(std::uint32_t endpoint) const
    {
        return endpoint < m_endpoints.size() ? m_endpoints[endpoint] : m_none;
    }
    /** A leaf's place (leafPort unused); leaf kNone for any other node. */
    const EndpointPlace& OfLeaf(std::uint32_t node) const
    {
        return node < m_nodes.size() ? m_nodes[node] : m_none;
    }
    /** The pod a switch serves from above: a leaf's or a spine's own; kNone for a core. */
    std::uint32_t HomePodOf(std::uint32_t node) const;
    /** The leaves of a plane, pod by pod in position order. */
    const std::vector<std::uint32_t>& LeavesOf(std::uint8_t plane) const;
    /** Pods of a plane. */
    std::uint32_t PodsOf(std::uint8_t plane) const;
    /** True when a neighbour that lost switch `lost` can no longer reach leaf `leaf`: it is that
     *  leaf, or (3 tiers) the spine through which the neighbour reached the leaf's pod. */
    bool Hides(std::uint32_t lost, std::uint32_t leaf) const;

private:
    std::vector<EndpointPlace> m_endpoints;
    std::vector<EndpointPlace> m_nodes; ///< leaves filled in; spines carry their pod only
    std::unordered_map<std::uint32_t, std::uint32_t> m_podOfSpine; ///< 3-tier spines only
    std::vector<std::vector<std::uint32_t>> m_leavesOfPlane;
    std::vector<std::uint32_t> m_podsOfPlane;
    EndpointPlace m_none;
};

} // namespace ns3::fabric

#endif
