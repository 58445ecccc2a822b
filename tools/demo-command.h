#ifndef FABRICSCOPE_TOOLS_DEMO_COMMAND_H
#define FABRICSCOPE_TOOLS_DEMO_COMMAND_H

#include <string>

namespace fab::tools
{

/**
 * The built-in demo: reviews the default design into DIR and simulates the built-in scenario
 * into DIR/simulate, printing where every report is. Returns the worst exit code.
 */
int RunDemo(const std::string& directory);

} // namespace fab::tools

#endif
