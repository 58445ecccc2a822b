#ifndef FABRICSCOPE_TOOLS_TERMINAL_LOG_H
#define FABRICSCOPE_TOOLS_TERMINAL_LOG_H

namespace fab::tools
{

/**
 * Makes spdlog's default logger write "level message" lines to stderr with every message made
 * safe for a terminal (telemetry::EscapeForTerminal): log lines quote names from input files,
 * flags and captures, which must not carry control sequences to the terminal.
 */
void UseTerminalLog();

} // namespace fab::tools

#endif
