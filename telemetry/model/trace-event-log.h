#ifndef FABRICSCOPE_TELEMETRY_TRACE_EVENT_LOG_H
#define FABRICSCOPE_TELEMETRY_TRACE_EVENT_LOG_H

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace fab::telemetry
{

/**
 * Integer nanoseconds as exact decimal microseconds, always with three fraction digits:
 * 1234567 → "1234.567", 999 → "0.999", -1 → "-0.001". Built from integers so that a trace is
 * byte-identical on every machine and no nanosecond is lost to a double's rounding.
 */
std::string FormatMicroseconds(std::int64_t nanoseconds);

/**
 * Simulation events as a Chrome Trace Event Format file (the JSON object form), which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open. A pid is a row group (a switch, a host), a tid a
 * row inside it (a port, a queue pair).
 *
 * Events keep the order they were added in; process and thread names come first, in pid (then
 * tid) order, so the same calls give the same bytes. Strings go through nlohmann::json, so any
 * name or argument is escaped correctly; bytes that are not UTF-8 become U+FFFD rather than an
 * exception halfway through a file.
 */
class TraceEventLog
{
public:
    /** Names a process; naming it again renames it. Processes are shown in pid order. */
    void NameProcess(std::uint32_t pid, const std::string& name);

    /** Names a thread of a process; naming it again renames it. Threads are shown in tid order. */
    void NameThread(std::uint32_t pid, std::uint32_t tid, const std::string& name);

    /**
     * Something that lasted (a transmission, a PFC pause), drawn as a bar. `args` must be a JSON
     * object or null; it is shown when the slice is selected.
     */
    void AddSlice(std::uint32_t pid,
                  std::uint32_t tid,
                  const std::string& name,
                  const std::string& category,
                  std::int64_t startNs,
                  std::int64_t durationNs,
                  const nlohmann::json& args = nullptr);

    /**
     * Values of a process-wide counter from timeNs on (a queue depth, a rate), drawn as a stacked
     * area chart with one series per value. Series are written in name order; values must be
     * finite, since JSON has no NaN.
     */
    void AddCounter(std::uint32_t pid,
                    const std::string& name,
                    std::int64_t timeNs,
                    const std::vector<std::pair<std::string, double>>& values);

    /** Something that happened at one moment on a thread (a link failure), drawn as a marker. */
    void AddInstant(std::uint32_t pid,
                    std::uint32_t tid,
                    const std::string& name,
                    const std::string& category,
                    std::int64_t timeNs,
                    const nlohmann::json& args = nullptr);

    /** The whole file, one event per line so that traces diff well. */
    void Write(std::ostream& out) const;

    /** How many events Write writes, names and sort orders included. */
    std::size_t Events() const;

private:
    std::map<std::uint32_t, std::string> m_processNames;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> m_threadNames;
    /// Rendered as they are added: a string is smaller than the json it came from.
    std::vector<std::string> m_events;
};

} // namespace fab::telemetry

#endif
