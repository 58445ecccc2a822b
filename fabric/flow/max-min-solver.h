#ifndef FABRICSCOPE_FABRIC_FLOW_MAX_MIN_SOLVER_H
#define FABRICSCOPE_FABRIC_FLOW_MAX_MIN_SOLVER_H

#include <cstdint>
#include <limits>
#include <vector>

namespace fab::flow
{

/**
 * Max-min fair rates of flows over links by progressive filling: every flow's rate grows at the
 * same pace (times its weight) until a link it crosses is full (or the flow reaches its own
 * limit); that link's flows freeze at the rate reached and the others go on. Links are one
 * direction of a cable.
 *
 * Flows come and go between solves. Max-min rates of flows that share no link, directly or
 * through other flows, are independent, so Solve fills again only the flows connected to a link
 * whose flows or capacity changed since the last solve, and lists the flows whose rate moved.
 */
class MaxMinSolver
{
public:
    using LinkId = std::uint32_t;
    using FlowId = std::uint32_t;
    static constexpr double kUnlimited = std::numeric_limits<double>::infinity();

    LinkId AddLink(std::uint64_t capacityBps);
    void SetCapacity(LinkId link, std::uint64_t capacityBps);
    std::uint64_t CapacityBps(LinkId link) const { return m_links[link].capacityBps; }
    std::uint32_t Links() const { return static_cast<std::uint32_t>(m_links.size()); }

    /** A flow over `path` (each link at most once), at most `limitBps` whatever the links
     *  leave it; where it shares a bottleneck it gets `weight` shares of it. Its rate is 0 until
     *  the next Solve. Ids of removed flows are reused. */
    FlowId AddFlow(const std::vector<LinkId>& path,
                   double limitBps = kUnlimited,
                   double weight = 1.0);
    /**
     * A group of flows held to one rate (each of them gets the returned flow's rate): on
     * `path[i]` (increasing) it counts as `counts[i]` flows. What the group's fastest members
     * could have had beyond its slowest goes to other flows.
     */
    FlowId AddGroup(const std::vector<LinkId>& path,
                    const std::vector<std::uint32_t>& counts,
                    double weight = 1.0);
    void RemoveFlow(FlowId flow);
    std::uint32_t ActiveFlows() const { return m_active; }
    const std::vector<LinkId>& PathOf(FlowId flow) const { return m_flows[flow].path; }
    double LimitBps(FlowId flow) const { return m_flows[flow].limitBps; }

    /** Fills the flows affected by what changed since the last call. */
    void Solve();
    /** Flows whose rate the last Solve changed (new flows included). */
    const std::vector<FlowId>& Changed() const { return m_changed; }
    double RateBps(FlowId flow) const { return m_flows[flow].rateBps; }
    /** Sum of the rates of the flows over a link (a group's times its count there). */
    double LoadBps(LinkId link) const;

private:
    struct Link
    {
        std::uint64_t capacityBps{0};
        std::vector<FlowId> flows;
        // Scratch of a fill: what is left to share and among how many unfrozen flows.
        double leftBps{0};
        double unfrozenWeight{0};
        std::uint32_t unfrozen{0};
        std::uint32_t version{0};
        std::uint32_t mark{0}; ///< fill in which the link was gathered
        bool dirty{false};
    };
    struct Flow
    {
        std::vector<LinkId> path;
        std::vector<std::uint32_t> slots;  ///< position in each path link's flow list
        std::vector<std::uint32_t> counts; ///< a group's members on each path link; empty: 1
        double limitBps{kUnlimited};
        double weight{1.0};
        double rateBps{0};
        std::uint32_t mark{0};
        bool frozen{false};
        bool live{false};
    };

    void MarkDirty(LinkId link);
    /** How many flows `flow` counts as on the link at `hop` of its path. */
    double CountAt(const Flow& flow, std::size_t hop) const
    {
        return flow.counts.empty() ? 1.0 : static_cast<double>(flow.counts[hop]);
    }
    /** The same on `link`, found along the path (a group's by binary search). */
    double CountOn(const Flow& flow, LinkId link) const;
    /** The flows and links connected to the dirty links. */
    void Gather(std::vector<FlowId>& flows, std::vector<LinkId>& links);
    void Fill(const std::vector<FlowId>& flows, const std::vector<LinkId>& links);

    std::vector<Link> m_links;
    std::vector<Flow> m_flows;
    std::vector<FlowId> m_free;
    std::vector<LinkId> m_dirty;
    std::vector<FlowId> m_changed;
    std::uint32_t m_active{0};
    std::uint32_t m_fill{0};
};

} // namespace fab::flow

#endif
