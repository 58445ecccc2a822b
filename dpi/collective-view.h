#ifndef FABRICSCOPE_DPI_COLLECTIVE_VIEW_H
#define FABRICSCOPE_DPI_COLLECTIVE_VIEW_H

#include "dpi/collective-pattern.h"

#include <cstddef>
#include <string>

namespace fab::dpi
{

/** Hops a picture draws at most: the largest, so that an All-to-All of hundreds stays light. */
inline constexpr std::size_t kMaxDrawnHops = 1200;

/**
 * The picture of a group as one self-contained SVG element. Members sit on a circle in rank
 * order, rank 0 on top and clockwise (rings, meshes, hypercubes, double trees, what is not
 * recognised), in levels below the root (trees) or in a row (chains, pairs). Each hop is an
 * arrow bent to its right, so that the two ways between two members stay apart; it is wider the
 * more bytes it carried, and the busiest is orange when it carried 10 % more than the least busy.
 * Roots are filled orange. Hovering a member or hop shows its address and bytes. `id` keeps the
 * arrowhead's id unique in the page.
 */
std::string CollectiveSvg(const CollectiveGroup& group, const std::string& id);

/** The same as text: a line per member, with the ranks it sends to and the bytes. */
std::string CollectiveText(const CollectiveGroup& group);

} // namespace fab::dpi

#endif
