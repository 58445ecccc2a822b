#include "dpi/collective-view.h"

#include "telemetry/model/text-format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <vector>

namespace fab::dpi
{
namespace
{

namespace tel = telemetry;

constexpr double kPi = 3.14159265358979323846;
constexpr const char* kHopColour = "#0072B2";
constexpr const char* kBusiestColour = "#D55E00";
constexpr const char* kRootFill = "#E69F00";
/** Members up to which each one's address is written next to it. */
constexpr std::uint32_t kMaxLabelled = 16;
/** Imbalance (largest over smallest hop) from which the busiest hop is drawn orange. */
constexpr double kUnevenImbalance = 1.1;
/** Hops a text line lists per member before it summarises the rest. */
constexpr std::size_t kMaxListedHops = 12;

struct Point
{
    double x{0};
    double y{0};
};

struct Layout
{
    std::vector<Point> at; ///< by rank
    double width{0};
    double height{0};
    double nodeRadius{14};
    bool labels{false};
    /** Where a member's address goes: "above", "below", "left" or "right" of it, per rank. */
    std::vector<std::string> labelSide;
};

std::string
Number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
}

double
NodeRadius(std::uint32_t n)
{
    return n <= 16 ? 14 : n <= 32 ? 11 : 8;
}

Layout
CircleLayout(std::uint32_t n)
{
    Layout layout;
    layout.nodeRadius = NodeRadius(n);
    layout.labels = n <= kMaxLabelled;
    double spacing = 2 * layout.nodeRadius + (layout.labels ? 34 : 8);
    double radius = std::max(90.0, n * spacing / (2 * kPi));
    double margin = layout.labels ? 96 : 16;
    double cx = radius + layout.nodeRadius + margin;
    double cy = radius + layout.nodeRadius + (layout.labels ? 24 : 12);
    layout.width = 2 * cx;
    layout.height = 2 * cy;
    for (std::uint32_t r = 0; r < n; ++r)
    {
        double angle = -kPi / 2 + 2 * kPi * r / n;
        layout.at.push_back({cx + radius * std::cos(angle), cy + radius * std::sin(angle)});
        double c = std::cos(angle);
        double s = std::sin(angle);
        layout.labelSide.push_back(c > 0.3    ? "right"
                                   : c < -0.3 ? "left"
                                   : s < 0    ? "above"
                                              : "below");
    }
    return layout;
}

Layout
RowLayout(std::uint32_t n)
{
    Layout layout;
    layout.nodeRadius = NodeRadius(n);
    layout.labels = n <= kMaxLabelled;
    double spacing = 2 * layout.nodeRadius + (layout.labels ? 76 : 22);
    double margin = layout.labels ? 50 : 16;
    for (std::uint32_t r = 0; r < n; ++r)
    {
        layout.at.push_back({margin + layout.nodeRadius + spacing * r, 44});
        layout.labelSide.push_back("below");
    }
    layout.width = 2 * (margin + layout.nodeRadius) + spacing * (n - 1);
    layout.height = 96;
    return layout;
}

/** Levels below rank 0; leaves side by side in depth-first order, parents over their children. */
Layout
TreeLayout(const CollectiveGroup& group)
{
    std::uint32_t n = group.Size();
    std::vector<std::vector<std::uint32_t>> neighbours(n);
    for (const auto& e : group.edges)
    {
        neighbours[e.fromRank].push_back(e.toRank);
        neighbours[e.toRank].push_back(e.fromRank);
    }
    std::vector<std::vector<std::uint32_t>> children(n);
    std::vector<std::uint32_t> depth(n, 0);
    std::vector<bool> seen(n, false);
    std::vector<std::uint32_t> queue{0};
    seen[0] = true;
    for (std::size_t i = 0; i < queue.size(); ++i)
    {
        auto& next = neighbours[queue[i]];
        std::sort(next.begin(), next.end());
        for (auto w : next)
        {
            if (!seen[w])
            {
                seen[w] = true;
                depth[w] = depth[queue[i]] + 1;
                children[queue[i]].push_back(w);
                queue.push_back(w);
            }
        }
    }
    Layout layout;
    layout.nodeRadius = NodeRadius(n);
    layout.labels = n <= kMaxLabelled;
    double slot = 2 * layout.nodeRadius + (layout.labels ? 66 : 8);
    double level = layout.labels ? 78 : 56;
    std::vector<double> x(n, 0);
    double nextLeaf = 0;
    // Post-order without recursion: a member is placed once its children are.
    std::vector<std::pair<std::uint32_t, bool>> stack{{0, false}};
    while (!stack.empty())
    {
        auto [v, expanded] = stack.back();
        stack.pop_back();
        if (children[v].empty())
        {
            x[v] = nextLeaf++;
        }
        else if (expanded)
        {
            x[v] = (x[children[v].front()] + x[children[v].back()]) / 2;
        }
        else
        {
            stack.push_back({v, true});
            for (auto it = children[v].rbegin(); it != children[v].rend(); ++it)
            {
                stack.push_back({*it, false});
            }
        }
    }
    double margin = layout.nodeRadius + (layout.labels ? 40 : 12);
    std::uint32_t height = *std::max_element(depth.begin(), depth.end());
    for (std::uint32_t r = 0; r < n; ++r)
    {
        layout.at.push_back({margin + slot * x[r], 28 + level * depth[r]});
        layout.labelSide.push_back(r == 0 ? "above" : "below");
    }
    layout.width = 2 * margin + slot * std::max(0.0, nextLeaf - 1);
    layout.height = 56 + level * height + (layout.labels ? 16 : 0);
    return layout;
}

Layout
LayoutOf(const CollectiveGroup& group)
{
    switch (group.pattern)
    {
        case CollectivePattern::Tree:
            return TreeLayout(group);
        case CollectivePattern::Chain:
        case CollectivePattern::Pair:
            return RowLayout(group.Size());
        default:
            return CircleLayout(group.Size());
    }
}

void
WriteHop(std::ostringstream& out,
         const CollectiveGroup& group,
         const Layout& layout,
         const CollectiveEdge& e,
         bool busiest,
         double widthPerByte,
         double opacity,
         const std::string& id)
{
    Point p = layout.at[e.fromRank];
    Point q = layout.at[e.toRank];
    double dx = q.x - p.x;
    double dy = q.y - p.y;
    double length = std::hypot(dx, dy);
    if (length < 1)
    {
        return;
    }
    double ux = dx / length;
    double uy = dy / length;
    double bend = std::min(length * 0.15, 28.0);
    // To the right of the way it goes (y grows downwards).
    Point control{(p.x + q.x) / 2 - uy * bend, (p.y + q.y) / 2 + ux * bend};
    auto towards = [](Point from, Point to, double distance)
    {
        double d = std::hypot(to.x - from.x, to.y - from.y);
        return Point{from.x + (to.x - from.x) * distance / d,
                     from.y + (to.y - from.y) * distance / d};
    };
    Point start = towards(p, control, layout.nodeRadius);
    Point end = towards(q, control, layout.nodeRadius + 1);
    double width = 1 + widthPerByte * static_cast<double>(e.payloadBytes);
    out << "<path d=\"M" << Number(start.x) << "," << Number(start.y) << " Q" << Number(control.x)
        << "," << Number(control.y) << " " << Number(end.x) << "," << Number(end.y)
        << "\" fill=\"none\" stroke=\"" << (busiest ? kBusiestColour : kHopColour)
        << "\" stroke-width=\"" << Number(width) << "\" stroke-opacity=\"" << Number(opacity)
        << "\" marker-end=\"url(#" << id << (busiest ? "-busiest" : "-hop") << ")\"><title>rank "
        << e.fromRank << " → rank " << e.toRank << ": " << tel::FormatBytes(e.payloadBytes)
        << " in " << e.flows << " flow(s), "
        << tel::EscapeHtml(FormatFlowAddress(group.members[e.fromRank].address)) << " → "
        << tel::EscapeHtml(FormatFlowAddress(group.members[e.toRank].address))
        << "</title></path>\n";
}

void
WriteMember(std::ostringstream& out,
            const CollectiveGroup& group,
            const Layout& layout,
            std::uint32_t rank)
{
    const CollectiveMember& m = group.members[rank];
    std::string address = tel::EscapeHtml(FormatFlowAddress(m.address));
    bool root = std::find(group.roots.begin(), group.roots.end(), rank) != group.roots.end();
    Point p = layout.at[rank];
    double r = layout.nodeRadius;
    out << "<g><title>rank " << rank << ": " << address << ", sent "
        << tel::FormatBytes(m.sentBytes) << ", received " << tel::FormatBytes(m.receivedBytes)
        << (root ? ", root" : "") << "</title><circle cx=\"" << Number(p.x) << "\" cy=\""
        << Number(p.y) << "\" r=\"" << Number(r) << "\" fill=\"" << (root ? kRootFill : "#eef1f6")
        << "\" stroke=\"#14213d\" stroke-width=\"1.2\"/><text x=\"" << Number(p.x) << "\" y=\""
        << Number(p.y + (r > 10 ? 4 : 3)) << "\" text-anchor=\"middle\" font-size=\""
        << (r > 10 ? 11 : 8) << "\">" << rank << "</text>";
    if (layout.labels)
    {
        const std::string& side = layout.labelSide[rank];
        double x = p.x;
        double y = p.y;
        const char* anchor = "middle";
        if (side == "right")
        {
            x += r + 5;
            y += 4;
            anchor = "start";
        }
        else if (side == "left")
        {
            x -= r + 5;
            y += 4;
            anchor = "end";
        }
        else
        {
            y += side == "above" ? -(r + 6) : r + 14;
        }
        out << "<text x=\"" << Number(x) << "\" y=\"" << Number(y) << "\" text-anchor=\"" << anchor
            << "\" fill=\"#5b6475\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">"
            << address << "</text>";
    }
    out << "</g>\n";
}

} // namespace

std::string
CollectiveSvg(const CollectiveGroup& group, const std::string& id)
{
    Layout layout = LayoutOf(group);
    std::ostringstream out;
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << Number(layout.width) << " "
        << Number(layout.height) << "\" width=\"" << Number(layout.width) << "\" height=\""
        << Number(layout.height) << "\" role=\"img\" aria-label=\""
        << tel::EscapeHtml(DescribeCollective(group))
        << "\" font-family=\"system-ui, sans-serif\" font-size=\"11\">\n<defs>";
    for (const char* kind : {"hop", "busiest"})
    {
        out << "<marker id=\"" << id << "-" << kind
            << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
               "markerHeight=\"8\" "
               "markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
               "fill=\""
            << (kind[0] == 'h' ? kHopColour : kBusiestColour) << "\"/></marker>";
    }
    out << "</defs>\n";
    // The largest hops, drawn in rank order.
    std::vector<std::size_t> drawn(group.edges.size());
    std::iota(drawn.begin(), drawn.end(), 0);
    if (drawn.size() > kMaxDrawnHops)
    {
        std::stable_sort(drawn.begin(),
                         drawn.end(),
                         [&](std::size_t a, std::size_t b)
                         { return group.edges[a].payloadBytes > group.edges[b].payloadBytes; });
        drawn.resize(kMaxDrawnHops);
        std::sort(drawn.begin(), drawn.end());
    }
    std::uint64_t most = group.edges.empty() ? 1 : group.edges[group.busiestEdge].payloadBytes;
    bool crowded = drawn.size() > 40;
    double widthPerByte
        = (crowded ? 1.5 : 3.5) / static_cast<double>(std::max<std::uint64_t>(most, 1));
    double opacity = crowded ? 0.35 : 0.8;
    // The busiest hop stands out only when it is clearly busier than the least busy one.
    bool uneven = group.imbalance >= kUnevenImbalance;
    for (auto e : drawn)
    {
        bool busiest = uneven && e == group.busiestEdge;
        WriteHop(out, group, layout, group.edges[e], busiest, widthPerByte, opacity, id);
    }
    for (std::uint32_t r = 0; r < group.Size(); ++r)
    {
        WriteMember(out, group, layout, r);
    }
    out << "</svg>";
    return out.str();
}

std::string
CollectiveText(const CollectiveGroup& group)
{
    std::vector<std::vector<const CollectiveEdge*>> sends(group.Size());
    for (const auto& e : group.edges)
    {
        sends[e.fromRank].push_back(&e);
    }
    std::ostringstream out;
    out << DescribeCollective(group) << "\n";
    for (std::uint32_t r = 0; r < group.Size(); ++r)
    {
        out << "r" << r << " " << FormatFlowAddress(group.members[r].address) << " ->";
        if (sends[r].empty())
        {
            out << " (sends nothing)";
        }
        for (std::size_t k = 0; k < sends[r].size() && k < kMaxListedHops; ++k)
        {
            out << (k == 0 ? " " : ", ") << "r" << sends[r][k]->toRank << " ("
                << tel::FormatBytes(sends[r][k]->payloadBytes) << ")";
        }
        if (sends[r].size() > kMaxListedHops)
        {
            out << ", ... (" << sends[r].size() - kMaxListedHops << " more)";
        }
        out << "\n";
    }
    return out.str();
}

} // namespace fab::dpi
