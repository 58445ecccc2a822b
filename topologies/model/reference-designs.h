#ifndef FABRICSCOPE_TOPOLOGIES_REFERENCE_DESIGNS_H
#define FABRICSCOPE_TOPOLOGIES_REFERENCE_DESIGNS_H

#include "topologies/model/design.h"

#include <string>
#include <vector>

namespace fab::topo
{

/** A design file from topologies/designs/, compiled into the library. */
struct EmbeddedDesign
{
    const char* name; ///< the file name without ".json"
    const char* text;
};

extern const EmbeddedDesign kEmbeddedDesigns[];
extern const unsigned kEmbeddedDesignCount;

/** The design commands use when given none: the 10,240-GPU RoCE cluster. */
inline constexpr const char* kDefaultDesignName = "roce-10k-rail";

/** Names of the embedded reference designs, sorted. */
std::vector<std::string> ReferenceDesignNames();

/** The design of that name; an InputError lists the known names otherwise. */
Design LoadReferenceDesign(const std::string& name);

/**
 * A design from a file path or "builtin:NAME"; errors name the file (or "builtin:NAME") and the
 * JSON pointer.
 */
Design LoadDesign(const std::string& source);

} // namespace fab::topo

#endif
