#include "fabric/flow/max-min-solver.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <tuple>

namespace fab::flow
{

MaxMinSolver::LinkId
MaxMinSolver::AddLink(std::uint64_t capacityBps)
{
    Link link;
    link.capacityBps = capacityBps;
    m_links.push_back(std::move(link));
    return static_cast<LinkId>(m_links.size() - 1);
}

void
MaxMinSolver::SetCapacity(LinkId link, std::uint64_t capacityBps)
{
    m_links[link].capacityBps = capacityBps;
    MarkDirty(link);
}

void
MaxMinSolver::MarkDirty(LinkId link)
{
    if (!m_links[link].dirty)
    {
        m_links[link].dirty = true;
        m_dirty.push_back(link);
    }
}

MaxMinSolver::FlowId
MaxMinSolver::AddFlow(const std::vector<LinkId>& path, double limitBps, double weight)
{
    FlowId id;
    if (!m_free.empty())
    {
        id = m_free.back();
        m_free.pop_back();
    }
    else
    {
        id = static_cast<FlowId>(m_flows.size());
        m_flows.emplace_back();
    }
    Flow& flow = m_flows[id];
    flow.path = path;
    flow.slots.resize(path.size());
    flow.limitBps = limitBps;
    flow.weight = weight;
    flow.rateBps = 0;
    flow.live = true;
    for (std::size_t hop = 0; hop < path.size(); ++hop)
    {
        auto& flows = m_links[path[hop]].flows;
        flow.slots[hop] = static_cast<std::uint32_t>(flows.size());
        flows.push_back(id);
        MarkDirty(path[hop]);
    }
    ++m_active;
    return id;
}

MaxMinSolver::FlowId
MaxMinSolver::AddGroup(const std::vector<LinkId>& path,
                       const std::vector<std::uint32_t>& counts,
                       double weight)
{
    FlowId id = AddFlow(path, kUnlimited, weight);
    m_flows[id].counts = counts;
    return id;
}

double
MaxMinSolver::CountOn(const Flow& flow, LinkId link) const
{
    if (flow.counts.empty())
    {
        return std::find(flow.path.begin(), flow.path.end(), link) != flow.path.end() ? 1.0 : 0.0;
    }
    auto at = std::lower_bound(flow.path.begin(), flow.path.end(), link);
    return at != flow.path.end() && *at == link
               ? static_cast<double>(flow.counts[static_cast<std::size_t>(at - flow.path.begin())])
               : 0.0;
}

void
MaxMinSolver::RemoveFlow(FlowId id)
{
    Flow& flow = m_flows[id];
    for (std::size_t hop = 0; hop < flow.path.size(); ++hop)
    {
        LinkId link = flow.path[hop];
        auto& flows = m_links[link].flows;
        std::uint32_t slot = flow.slots[hop];
        FlowId moved = flows.back();
        flows[slot] = moved;
        flows.pop_back();
        if (moved != id)
        {
            // The moved flow crosses this link once: point its slot at the new position. A
            // group's path is sorted (it can be long).
            Flow& other = m_flows[moved];
            auto at
                = other.counts.empty()
                      ? std::find(other.path.begin(), other.path.end(), link) - other.path.begin()
                      : std::lower_bound(other.path.begin(), other.path.end(), link)
                            - other.path.begin();
            other.slots[static_cast<std::size_t>(at)] = slot;
        }
        MarkDirty(link);
    }
    flow.path.clear();
    flow.slots.clear();
    flow.counts.clear();
    flow.rateBps = 0;
    flow.live = false;
    m_free.push_back(id);
    --m_active;
}

double
MaxMinSolver::LoadBps(LinkId link) const
{
    double load = 0;
    for (auto flow : m_links[link].flows)
    {
        load += m_flows[flow].rateBps * CountOn(m_flows[flow], link);
    }
    return load;
}

void
MaxMinSolver::Gather(std::vector<FlowId>& flows, std::vector<LinkId>& links)
{
    ++m_fill;
    std::vector<LinkId> pending;
    for (auto link : m_dirty)
    {
        m_links[link].dirty = false;
        if (m_links[link].mark != m_fill)
        {
            m_links[link].mark = m_fill;
            pending.push_back(link);
        }
    }
    m_dirty.clear();
    while (!pending.empty())
    {
        LinkId link = pending.back();
        pending.pop_back();
        links.push_back(link);
        for (auto id : m_links[link].flows)
        {
            Flow& flow = m_flows[id];
            if (flow.mark == m_fill)
            {
                continue;
            }
            flow.mark = m_fill;
            flows.push_back(id);
            for (auto next : flow.path)
            {
                if (m_links[next].mark != m_fill)
                {
                    m_links[next].mark = m_fill;
                    pending.push_back(next);
                }
            }
        }
    }
}

void
MaxMinSolver::Solve()
{
    m_changed.clear();
    if (m_dirty.empty())
    {
        return;
    }
    std::vector<FlowId> flows;
    std::vector<LinkId> links;
    Gather(flows, links);
    Fill(flows, links);
}

void
MaxMinSolver::Fill(const std::vector<FlowId>& flows, const std::vector<LinkId>& links)
{
    // Shares are per unit of weight. (share, link, version): the smallest share first, ties by link
    // id so that the order, and so the rounding, is the same on every run.
    using LinkEntry = std::tuple<double, LinkId, std::uint32_t>;
    std::priority_queue<LinkEntry, std::vector<LinkEntry>, std::greater<>> byShare;
    using FlowEntry = std::pair<double, FlowId>;
    std::priority_queue<FlowEntry, std::vector<FlowEntry>, std::greater<>> byLimit;

    auto push = [&](LinkId id)
    {
        Link& link = m_links[id];
        ++link.version;
        if (link.unfrozen > 0)
        {
            byShare.emplace(std::max(0.0, link.leftBps) / std::max(link.unfrozenWeight, 1e-300),
                            id,
                            link.version);
        }
    };
    for (auto id : links)
    {
        Link& link = m_links[id];
        link.leftBps = static_cast<double>(link.capacityBps);
        link.unfrozen = static_cast<std::uint32_t>(link.flows.size());
        link.unfrozenWeight = 0;
        for (auto flow : link.flows)
        {
            const Flow& f = m_flows[flow];
            link.unfrozenWeight += f.counts.empty() ? f.weight : f.weight * CountOn(f, id);
        }
        push(id);
    }
    std::vector<double> previous(flows.size());
    std::uint32_t unfrozen = 0;
    for (std::size_t i = 0; i < flows.size(); ++i)
    {
        Flow& flow = m_flows[flows[i]];
        previous[i] = flow.rateBps;
        flow.frozen = false;
        ++unfrozen;
        if (std::isfinite(flow.limitBps))
        {
            byLimit.emplace(flow.limitBps / flow.weight, flows[i]);
        }
    }
    auto freeze = [&](FlowId id, double share)
    {
        Flow& flow = m_flows[id];
        flow.frozen = true;
        flow.rateBps = share * flow.weight;
        --unfrozen;
        for (std::size_t hop = 0; hop < flow.path.size(); ++hop)
        {
            Link& link = m_links[flow.path[hop]];
            double count = CountAt(flow, hop);
            link.leftBps -= flow.rateBps * count;
            link.unfrozenWeight -= flow.weight * count;
            --link.unfrozen;
            push(flow.path[hop]);
        }
    };
    while (unfrozen > 0)
    {
        while (!byShare.empty())
        {
            auto [share, id, version] = byShare.top();
            if (version == m_links[id].version)
            {
                break;
            }
            byShare.pop();
        }
        while (!byLimit.empty() && m_flows[byLimit.top().second].frozen)
        {
            byLimit.pop();
        }
        double share = byShare.empty() ? kUnlimited : std::get<0>(byShare.top());
        double limit = byLimit.empty() ? kUnlimited : byLimit.top().first; // per unit weight
        if (byShare.empty() && byLimit.empty())
        {
            break; // only flows over no link and without a limit: nothing bounds them
        }
        if (limit <= share)
        {
            FlowId id = byLimit.top().second;
            byLimit.pop();
            freeze(id, limit);
            continue;
        }
        LinkId bottleneck = std::get<1>(byShare.top());
        byShare.pop();
        // Freezing changes the list's link counts, not the list itself.
        for (auto id : m_links[bottleneck].flows)
        {
            if (!m_flows[id].frozen)
            {
                freeze(id, share);
            }
        }
    }
    for (std::size_t i = 0; i < flows.size(); ++i)
    {
        Flow& flow = m_flows[flows[i]];
        if (!flow.frozen)
        {
            flow.rateBps = flow.limitBps;
        }
        double scale = std::max(std::fabs(flow.rateBps), std::fabs(previous[i]));
        if (std::fabs(flow.rateBps - previous[i]) > 1e-12 * scale || previous[i] == 0)
        {
            m_changed.push_back(flows[i]);
        }
    }
}

} // namespace fab::flow
