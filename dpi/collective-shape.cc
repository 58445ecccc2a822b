#include "dpi/collective-shape.h"

#include <limits>
#include <numeric>
#include <optional>

namespace fab::dpi
{
namespace
{

constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
/** Matches of a double binary tree kept to pick the canonical one; the shape has few. */
constexpr std::size_t kMaxTreeMatches = 16;
/** Assignments tried by the double binary tree search before it gives up. */
constexpr std::uint64_t kTreeSearchBudget = 1'000'000;

std::vector<std::uint32_t>
Identity(std::uint32_t n)
{
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    return order;
}

std::optional<std::vector<std::uint32_t>>
DirectedRing(const HopGraph& g)
{
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        if (g.out[v].size() != 1 || g.in[v].size() != 1)
        {
            return std::nullopt;
        }
    }
    std::vector<std::uint32_t> order{0};
    for (std::uint32_t v = g.out[0][0]; v != 0; v = g.out[v][0])
    {
        order.push_back(v);
        if (order.size() > g.n)
        {
            return std::nullopt;
        }
    }
    if (order.size() != g.n)
    {
        return std::nullopt; // several cycles
    }
    return order;
}

/** The cycle walked from member 0 towards its lower-address neighbour. */
std::optional<std::vector<std::uint32_t>>
UndirectedCycle(const HopGraph& g)
{
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        if (g.nbr[v].size() != 2)
        {
            return std::nullopt;
        }
    }
    std::vector<std::uint32_t> order{0};
    std::uint32_t previous = 0;
    for (std::uint32_t v = g.nbr[0][0]; v != 0;)
    {
        order.push_back(v);
        if (order.size() > g.n)
        {
            return std::nullopt;
        }
        std::uint32_t next = g.nbr[v][0] == previous ? g.nbr[v][1] : g.nbr[v][0];
        previous = v;
        v = next;
    }
    if (order.size() != g.n)
    {
        return std::nullopt;
    }
    return order;
}

/**
 * A hypercube labelling: member 0 gets label 0, its neighbours (in address order) the powers of
 * two, and every other member the union of the labels of its neighbours one hop closer to
 * member 0, of which it must have as many as its distance. Every hop must then flip one bit.
 */
std::optional<std::vector<std::uint32_t>>
HypercubeOrder(const HopGraph& g)
{
    std::uint32_t dimensions = 0;
    while ((1u << dimensions) < g.n)
    {
        ++dimensions;
    }
    if (g.n < 4 || (1u << dimensions) != g.n || !g.BothWays())
    {
        return std::nullopt;
    }
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        if (g.nbr[v].size() != dimensions)
        {
            return std::nullopt;
        }
    }
    std::vector<std::uint32_t> distance(g.n, kUnset);
    std::vector<std::uint32_t> label(g.n, 0);
    std::vector<std::uint32_t> queue{0};
    distance[0] = 0;
    for (std::size_t i = 0; i < queue.size(); ++i)
    {
        std::uint32_t v = queue[i];
        for (auto w : g.nbr[v])
        {
            if (distance[w] == kUnset)
            {
                distance[w] = distance[v] + 1;
                queue.push_back(w);
            }
        }
    }
    for (std::size_t k = 0; k < g.nbr[0].size(); ++k)
    {
        label[g.nbr[0][k]] = 1u << k;
    }
    for (auto v : queue)
    {
        if (distance[v] < 2)
        {
            continue;
        }
        std::uint32_t closer = 0;
        for (auto w : g.nbr[v])
        {
            if (distance[w] + 1 == distance[v])
            {
                label[v] |= label[w];
                ++closer;
            }
        }
        if (closer != distance[v])
        {
            return std::nullopt;
        }
    }
    std::vector<std::uint32_t> order(g.n, kUnset);
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        if (label[v] >= g.n || order[label[v]] != kUnset)
        {
            return std::nullopt;
        }
        order[label[v]] = v;
        for (auto w : g.nbr[v])
        {
            std::uint32_t flipped = label[v] ^ label[w];
            if (flipped == 0 || (flipped & (flipped - 1)) != 0)
            {
                return std::nullopt;
            }
        }
    }
    return order;
}

/** Breadth first from `root`, children in address order: the rank order and the height. */
std::pair<std::vector<std::uint32_t>, std::uint32_t>
BreadthFirst(const HopGraph& g, std::uint32_t root)
{
    std::vector<std::uint32_t> depth(g.n, kUnset);
    std::vector<std::uint32_t> order{root};
    depth[root] = 0;
    std::uint32_t height = 0;
    for (std::size_t i = 0; i < order.size(); ++i)
    {
        for (auto w : g.nbr[order[i]])
        {
            if (depth[w] == kUnset)
            {
                depth[w] = depth[order[i]] + 1;
                height = std::max(height, depth[w]);
                order.push_back(w);
            }
        }
    }
    return {order, height};
}

/** The root of a tree and how it was told, see RootEvidence. */
std::pair<std::uint32_t, RootEvidence>
TreeRoot(const HopGraph& g)
{
    std::vector<std::uint32_t> sinks;
    std::vector<std::uint32_t> sources;
    std::vector<std::uint32_t> waiters;
    bool inTree = true;
    bool outTree = true;
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        if (g.out[v].empty())
        {
            sinks.push_back(v);
        }
        else
        {
            inTree = inTree && g.out[v].size() == 1;
        }
        if (g.in[v].empty())
        {
            sources.push_back(v);
        }
        else
        {
            outTree = outTree && g.in[v].size() == 1;
        }
        // A reduce-then-broadcast root forwards nothing before each child has begun sending.
        if (!g.in[v].empty() && !g.out[v].empty())
        {
            std::int64_t firstOut = std::numeric_limits<std::int64_t>::max();
            std::int64_t lastStartIn = std::numeric_limits<std::int64_t>::min();
            for (auto w : g.out[v])
            {
                firstOut = std::min(firstOut, g.FirstNs(v, w));
            }
            for (auto w : g.in[v])
            {
                lastStartIn = std::max(lastStartIn, g.FirstNs(w, v));
            }
            if (firstOut >= lastStartIn)
            {
                waiters.push_back(v);
            }
        }
    }
    if (sinks.size() == 1 && inTree && g.directed + 1 == g.n)
    {
        return {sinks[0], RootEvidence::Sink};
    }
    if (sources.size() == 1 && outTree && g.directed + 1 == g.n)
    {
        return {sources[0], RootEvidence::Source};
    }
    if (waiters.size() == 1)
    {
        return {waiters[0], RootEvidence::Timing};
    }
    std::uint32_t best = 0;
    std::uint32_t bestEccentricity = kUnset;
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        std::uint32_t eccentricity = BreadthFirst(g, v).second;
        if (eccentricity < bestEccentricity)
        {
            best = v;
            bestEccentricity = eccentricity;
        }
    }
    return {best, RootEvidence::Centre};
}

/**
 * A path: stages in order when every hop points the same way along it (or each goes both
 * ways); nullopt otherwise (a path whose hops meet in the middle is a small tree). The first
 * stage is the end nothing flows into, or for two-way paths the end that sent first.
 */
std::optional<std::vector<std::uint32_t>>
ChainOrder(const HopGraph& g)
{
    std::vector<std::uint32_t> ends;
    for (std::uint32_t v = 0; v < g.n; ++v)
    {
        if (g.nbr[v].size() > 2)
        {
            return std::nullopt;
        }
        if (g.nbr[v].size() == 1)
        {
            ends.push_back(v);
        }
    }
    if (ends.size() != 2)
    {
        return std::nullopt;
    }
    std::vector<std::uint32_t> order{ends[0]};
    for (std::uint32_t previous = kUnset, v = ends[0]; order.size() < g.n;)
    {
        std::uint32_t next = g.nbr[v][0] != previous ? g.nbr[v][0] : g.nbr[v][1];
        order.push_back(next);
        previous = v;
        v = next;
    }
    bool forward = true;
    bool backward = true;
    bool both = true;
    for (std::size_t i = 0; i + 1 < order.size(); ++i)
    {
        bool f = g.Has(order[i], order[i + 1]);
        bool b = g.Has(order[i + 1], order[i]);
        forward = forward && f && !b;
        backward = backward && b && !f;
        both = both && f && b;
    }
    if (backward
        || (both
            && g.FirstNs(order.back(), order[order.size() - 2]) < g.FirstNs(order[0], order[1])))
    {
        std::reverse(order.begin(), order.end());
    }
    else if (!forward && !both)
    {
        return std::nullopt;
    }
    return order;
}

/** Finds rank orders under which the group's hops, ignoring direction, are exactly the union of
 *  the two trees; keeps the one whose members, in rank order, come first by address. */
class TreeMatcher
{
public:
    TreeMatcher(const HopGraph& g, const std::vector<std::vector<std::uint32_t>>& pattern)
    : m_g(g)
    , m_pattern(pattern)
    , m_memberOf(g.n, kUnset)
    , m_rankOf(g.n, kUnset)
    {
        // Ranks in breadth-first order of the pattern, so each one after the first has a
        // neighbour already placed and its candidates are that neighbour's neighbours.
        std::vector<bool> seen(g.n, false);
        m_sequence.push_back(0);
        m_anchor.push_back(kUnset);
        seen[0] = true;
        for (std::size_t i = 0; i < m_sequence.size(); ++i)
        {
            for (auto q : m_pattern[m_sequence[i]])
            {
                if (!seen[q])
                {
                    seen[q] = true;
                    m_sequence.push_back(q);
                    m_anchor.push_back(m_sequence[i]);
                }
            }
        }
    }

    std::optional<std::vector<std::uint32_t>> Best()
    {
        if (m_sequence.size() != m_g.n)
        {
            return std::nullopt;
        }
        Place(0);
        return m_best;
    }

private:
    bool Place(std::size_t k)
    {
        if (++m_steps > kTreeSearchBudget)
        {
            return false;
        }
        if (k == m_sequence.size())
        {
            if (!m_best || m_memberOf < *m_best)
            {
                m_best = m_memberOf;
            }
            return ++m_matches < kMaxTreeMatches;
        }
        std::uint32_t rank = m_sequence[k];
        std::vector<std::uint32_t> all;
        const std::vector<std::uint32_t>* candidates = &all;
        if (k == 0)
        {
            all.resize(m_g.n);
            std::iota(all.begin(), all.end(), 0u);
        }
        else
        {
            candidates = &m_g.nbr[m_memberOf[m_anchor[k]]];
        }
        for (auto v : *candidates)
        {
            if (m_rankOf[v] != kUnset || m_g.nbr[v].size() != m_pattern[rank].size()
                || !Fits(rank, v))
            {
                continue;
            }
            m_memberOf[rank] = v;
            m_rankOf[v] = rank;
            bool more = Place(k + 1);
            m_memberOf[rank] = kUnset;
            m_rankOf[v] = kUnset;
            if (!more)
            {
                return false;
            }
        }
        return true;
    }

    /** Member v as `rank`: its placed neighbours are exactly the placed pattern neighbours. */
    bool Fits(std::uint32_t rank, std::uint32_t v) const
    {
        std::size_t placed = 0;
        for (auto q : m_pattern[rank])
        {
            if (m_memberOf[q] != kUnset)
            {
                if (!m_g.Adjacent(v, m_memberOf[q]))
                {
                    return false;
                }
                ++placed;
            }
        }
        std::size_t placedNeighbours = 0;
        for (auto w : m_g.nbr[v])
        {
            placedNeighbours += m_rankOf[w] != kUnset ? 1 : 0;
        }
        return placed == placedNeighbours;
    }

    const HopGraph& m_g;
    const std::vector<std::vector<std::uint32_t>>& m_pattern;
    std::vector<std::uint32_t> m_sequence;
    std::vector<std::uint32_t> m_anchor; ///< a rank placed earlier, adjacent in the pattern
    std::vector<std::uint32_t> m_memberOf;
    std::vector<std::uint32_t> m_rankOf;
    std::optional<std::vector<std::uint32_t>> m_best;
    std::uint64_t m_steps{0};
    std::size_t m_matches{0};
};

std::optional<CollectiveShape>
DoubleBinaryTreeShape(const HopGraph& g)
{
    auto parents = DoubleBinaryTreeParents(g.n);
    std::vector<std::vector<std::uint32_t>> pattern(g.n);
    for (const auto& parent : parents)
    {
        for (std::uint32_t r = 0; r < g.n; ++r)
        {
            if (parent[r] != r)
            {
                pattern[r].push_back(parent[r]);
                pattern[parent[r]].push_back(r);
            }
        }
    }
    std::size_t edges = 0;
    for (auto& neighbours : pattern)
    {
        std::sort(neighbours.begin(), neighbours.end());
        neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
        edges += neighbours.size();
    }
    if (edges / 2 != g.undirected)
    {
        return std::nullopt;
    }
    auto order = TreeMatcher(g, pattern).Best();
    if (!order)
    {
        return std::nullopt;
    }
    CollectiveShape shape;
    shape.pattern = CollectivePattern::DoubleBinaryTree;
    shape.order = std::move(*order);
    std::uint32_t secondRoot = g.n % 2 == 0 ? g.n - 1 : 1;
    shape.roots = {0, secondRoot};
    shape.rootEvidence = RootEvidence::Shape;
    // The second tree relabels the first, so both have its height.
    for (std::uint32_t r = 0; r < g.n; ++r)
    {
        std::uint32_t depth = 0;
        for (std::uint32_t v = r; parents[0][v] != v; v = parents[0][v])
        {
            ++depth;
        }
        shape.height = std::max(shape.height, depth);
    }
    return shape;
}

} // namespace

HopGraph::HopGraph(std::uint32_t members)
: n(members)
, out(members)
, in(members)
, nbr(members)
{
}

void
HopGraph::AddHop(std::uint32_t from, std::uint32_t to, std::int64_t startNs)
{
    out[from].push_back(to);
    in[to].push_back(from);
    nbr[from].push_back(to);
    nbr[to].push_back(from);
    auto it = firstNs.try_emplace({from, to}, startNs).first;
    it->second = std::min(it->second, startNs);
}

void
HopGraph::Finish()
{
    directed = 0;
    undirected = 0;
    for (std::uint32_t v = 0; v < n; ++v)
    {
        for (auto* list : {&out[v], &in[v], &nbr[v]})
        {
            std::sort(list->begin(), list->end());
            list->erase(std::unique(list->begin(), list->end()), list->end());
        }
        directed += out[v].size();
        undirected += nbr[v].size();
    }
    undirected /= 2;
}

std::array<std::vector<std::uint32_t>, 2>
DoubleBinaryTreeParents(std::uint32_t n)
{
    std::vector<std::uint32_t> first(n, 0);
    for (std::uint32_t r = 1; r < n; ++r)
    {
        std::uint64_t lowBit = r & (~std::uint64_t{r} + 1);
        std::uint64_t up = (r ^ lowBit) | (lowBit << 1);
        first[r] = static_cast<std::uint32_t>(up < n ? up : r ^ lowBit);
    }
    auto label = [n](std::uint32_t r)
    {
        return n % 2 == 0 ? n - 1 - r : (r + 1) % n;
    };
    std::vector<std::uint32_t> second(n, 0);
    for (std::uint32_t r = 0; r < n; ++r)
    {
        second[label(r)] = label(first[r]);
    }
    return {first, second};
}

CollectiveShape
RecogniseShape(const HopGraph& g, const CollectiveOptions& options)
{
    CollectiveShape shape;
    shape.order = Identity(g.n);
    if (g.n == 2)
    {
        shape.pattern = g.BothWays() ? CollectivePattern::Ring : CollectivePattern::Pair;
        shape.order = g.out[0].empty() ? std::vector<std::uint32_t>{1, 0} : shape.order;
        return shape;
    }
    if (auto ring = DirectedRing(g))
    {
        shape.pattern = CollectivePattern::Ring;
        shape.order = std::move(*ring);
        return shape;
    }
    double complete = static_cast<double>(g.n) * (g.n - 1);
    if (static_cast<double>(g.directed) >= options.meshDensity * complete)
    {
        shape.pattern = CollectivePattern::AllToAll;
        return shape;
    }
    if (auto cycle = UndirectedCycle(g); cycle && g.BothWays())
    {
        shape.pattern = CollectivePattern::BidirectionalRing;
        shape.order = std::move(*cycle);
        return shape;
    }
    if (auto cube = HypercubeOrder(g))
    {
        shape.pattern = CollectivePattern::Hypercube;
        shape.order = std::move(*cube);
        return shape;
    }
    if (g.undirected + 1 == g.n)
    {
        if (auto chain = ChainOrder(g))
        {
            shape.pattern = CollectivePattern::Chain;
            shape.order = std::move(*chain);
            shape.height = g.n - 1;
            return shape;
        }
        auto [root, evidence] = TreeRoot(g);
        auto [order, height] = BreadthFirst(g, root);
        shape.pattern = CollectivePattern::Tree;
        shape.order = std::move(order);
        shape.roots = {0};
        shape.rootEvidence = evidence;
        shape.height = height;
        return shape;
    }
    if (g.n >= 4 && g.n <= options.maxTreeMatchMembers && g.undirected <= 2 * (g.n - 1))
    {
        if (auto dbt = DoubleBinaryTreeShape(g))
        {
            return *dbt;
        }
    }
    return shape;
}

} // namespace fab::dpi
