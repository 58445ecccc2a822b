#include "traffic/model/tree-plan.h"

#include <algorithm>
#include <numeric>

namespace fab::traffic
{

TreePlan::TreePlan(std::uint32_t ranks, std::uint64_t bytes, std::uint32_t chunks)
: CollectivePlan(ranks)
, m_chunkBytes(bytes / 2 / chunks)
, m_chunks(chunks)
{
    auto trees = DoubleBinaryTree(ranks);
    for (std::uint32_t t = 0; t < 2; ++t)
    {
        Tree& plan = m_trees[t];
        plan.tree = std::move(trees[t]);
        const RankTree& tree = plan.tree;
        plan.height = tree.Height();
        // The DAG's orders: ranks by depth, then rank; up walks it backwards.
        std::vector<std::uint32_t> byDepth(ranks, 0);
        std::iota(byDepth.begin(), byDepth.end(), 0u);
        std::stable_sort(byDepth.begin(),
                         byDepth.end(),
                         [&tree](auto a, auto b) { return tree.depth[a] < tree.depth[b]; });
        plan.upAt.assign(ranks, 0);
        plan.downAt.assign(ranks, 0);
        for (auto it = byDepth.rbegin(); it != byDepth.rend(); ++it)
        {
            if (*it != tree.root)
            {
                plan.upAt[*it] = static_cast<std::uint32_t>(plan.upOrder.size());
                plan.upOrder.push_back(*it);
            }
        }
        for (auto r : byDepth)
        {
            for (auto child : tree.children[r])
            {
                plan.downAt[child] = static_cast<std::uint32_t>(plan.downOrder.size());
                plan.downOrder.push_back(child);
            }
        }
    }
}

std::uint64_t
TreePlan::Transfers() const
{
    return std::uint64_t{2} * m_chunks * 2 * (Ranks() - 1);
}

std::uint32_t
TreePlan::Steps() const
{
    return 2 * m_trees[0].height + m_chunks - 1;
}

std::uint64_t
TreePlan::Up(std::uint32_t tree, std::uint32_t chunk, std::uint32_t rank) const
{
    std::uint64_t edges = Ranks() - 1;
    return (std::uint64_t{tree} * m_chunks + chunk) * 2 * edges + m_trees[tree].upAt[rank];
}

std::uint64_t
TreePlan::Down(std::uint32_t tree, std::uint32_t chunk, std::uint32_t rank) const
{
    std::uint64_t edges = Ranks() - 1;
    return (std::uint64_t{tree} * m_chunks + chunk) * 2 * edges + edges
           + m_trees[tree].downAt[rank];
}

TreePlan::Place
TreePlan::Locate(std::uint64_t index) const
{
    std::uint64_t edges = Ranks() - 1;
    std::uint64_t block = index / (2 * edges);
    std::uint64_t at = index % (2 * edges);
    Place place;
    place.tree = static_cast<std::uint32_t>(block / m_chunks);
    place.chunk = static_cast<std::uint32_t>(block % m_chunks);
    place.up = at < edges;
    const Tree& tree = m_trees[place.tree];
    place.rank = place.up ? tree.upOrder[at] : tree.downOrder[at - edges];
    return place;
}

PlannedTransfer
TreePlan::At(std::uint64_t index) const
{
    Place p = Locate(index);
    const Tree& plan = m_trees[p.tree];
    std::uint32_t parent = plan.tree.parent[p.rank];
    PlannedTransfer t;
    t.bytes = m_chunkBytes;
    t.channel = p.tree;
    if (p.up)
    {
        t.src = p.rank;
        t.dst = parent;
        t.step = plan.height - plan.tree.depth[p.rank] + p.chunk;
    }
    else
    {
        t.src = parent;
        t.dst = p.rank;
        t.step = plan.height + plan.tree.depth[parent] + p.chunk;
    }
    return t;
}

void
TreePlan::DependsOn(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    Place p = Locate(index);
    const RankTree& tree = m_trees[p.tree].tree;
    std::size_t first = out.size();
    if (p.up)
    {
        for (auto child : tree.children[p.rank])
        {
            out.push_back(Up(p.tree, p.chunk, child));
        }
        if (p.chunk > 0)
        {
            out.push_back(Up(p.tree, p.chunk - 1, p.rank));
        }
    }
    else
    {
        std::uint32_t parent = tree.parent[p.rank];
        if (parent == tree.root)
        {
            // The chunk is reduced once every child of the root has sent it up.
            for (auto contributor : tree.children[parent])
            {
                out.push_back(Up(p.tree, p.chunk, contributor));
            }
        }
        else
        {
            out.push_back(Down(p.tree, p.chunk, parent));
        }
        if (p.chunk > 0)
        {
            out.push_back(Down(p.tree, p.chunk - 1, p.rank));
        }
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

void
TreePlan::Dependents(std::uint64_t index, std::vector<std::uint64_t>& out) const
{
    Place p = Locate(index);
    const RankTree& tree = m_trees[p.tree].tree;
    std::size_t first = out.size();
    if (p.up)
    {
        std::uint32_t parent = tree.parent[p.rank];
        if (parent != tree.root)
        {
            out.push_back(Up(p.tree, p.chunk, parent));
        }
        else
        {
            for (auto child : tree.children[parent])
            {
                out.push_back(Down(p.tree, p.chunk, child));
            }
        }
        if (p.chunk + 1 < m_chunks)
        {
            out.push_back(Up(p.tree, p.chunk + 1, p.rank));
        }
    }
    else
    {
        for (auto child : tree.children[p.rank])
        {
            out.push_back(Down(p.tree, p.chunk, child));
        }
        if (p.chunk + 1 < m_chunks)
        {
            out.push_back(Down(p.tree, p.chunk + 1, p.rank));
        }
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

void
TreePlan::RootsOf(std::uint32_t rank, std::vector<std::uint64_t>& out) const
{
    // The roots are the first chunk's sends up from the leaves.
    std::size_t first = out.size();
    for (std::uint32_t t = 0; t < 2; ++t)
    {
        const RankTree& tree = m_trees[t].tree;
        if (rank != tree.root && !tree.IsInternal(rank))
        {
            out.push_back(Up(t, 0, rank));
        }
        for (auto child : tree.children[rank])
        {
            if (!tree.IsInternal(child))
            {
                out.push_back(Up(t, 0, child));
            }
        }
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

std::uint64_t
TreePlan::TransfersOf(std::uint32_t rank) const
{
    std::uint64_t edges = 0;
    for (const auto& plan : m_trees)
    {
        edges += (rank != plan.tree.root ? 1 : 0) + plan.tree.children[rank].size();
    }
    // Each edge carries every chunk up and down.
    return 2 * edges * m_chunks;
}

void
TreePlan::SendsOf(std::uint32_t rank, std::vector<PeerSends>& out) const
{
    std::uint64_t bytes = m_chunkBytes * m_chunks;
    for (const auto& plan : m_trees)
    {
        if (rank != plan.tree.root)
        {
            out.push_back(PeerSends{plan.tree.parent[rank], m_chunks, bytes});
        }
        for (auto child : plan.tree.children[rank])
        {
            out.push_back(PeerSends{child, m_chunks, bytes});
        }
    }
}

std::vector<CollectivePhase>
TreePlan::Phases() const
{
    std::vector<CollectivePhase> phases;
    std::uint64_t edges = Ranks() - 1;
    for (std::uint32_t t = 0; t < 2; ++t)
    {
        std::uint32_t height = m_trees[t].height;
        for (std::uint32_t c = 0; c < m_chunks; ++c)
        {
            for (bool up : {true, false})
            {
                CollectivePhase phase;
                phase.pattern = up ? PhasePattern::TreeUp : PhasePattern::TreeDown;
                phase.channel = t;
                phase.firstStep = (up ? 0 : height) + c;
                phase.steps = height;
                phase.bytes = m_chunkBytes;
                phase.firstTransfer
                    = (std::uint64_t{t} * m_chunks + c) * 2 * edges + (up ? 0 : edges);
                phase.transfers = edges;
                phase.shape = 2 * t + (up ? 0 : 1);
                phases.push_back(phase);
            }
        }
    }
    return phases;
}

} // namespace fab::traffic
