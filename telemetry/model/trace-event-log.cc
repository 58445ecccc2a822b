#include "telemetry/model/trace-event-log.h"

#include <cassert>
#include <cmath>

namespace fab::telemetry
{

namespace
{

/** Compact JSON; invalid UTF-8 is replaced instead of throwing, since names are arbitrary. */
std::string
Dump(const nlohmann::json& value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/**
 * The fields every event has, in one fixed order: the viewers do not care about the order, but
 * identical bytes for identical calls need one.
 */
std::string
EventHead(
    const std::string& name, char phase, std::uint32_t pid, std::uint32_t tid, std::int64_t timeNs)
{
    std::string out = "{\"name\":" + Dump(name);
    out += ",\"ph\":\"";
    out += phase;
    out += "\",\"pid\":" + std::to_string(pid);
    out += ",\"tid\":" + std::to_string(tid);
    out += ",\"ts\":" + FormatMicroseconds(timeNs);
    return out;
}

/** Metadata has no time of its own; ts 0 is what Chrome itself writes. */
std::string
MetadataEvent(const std::string& name,
              std::uint32_t pid,
              std::uint32_t tid,
              const nlohmann::json& args)
{
    return EventHead(name, 'M', pid, tid, 0) + ",\"args\":" + Dump(args) + "}";
}

void
AppendArgs(std::string& event, const nlohmann::json& args)
{
    assert(args.is_null() || args.is_object());
    if (args.is_object() && !args.empty())
    {
        event += ",\"args\":" + Dump(args);
    }
}

} // namespace

std::string
FormatMicroseconds(std::int64_t nanoseconds)
{
    // Unsigned magnitude, so that INT64_MIN does not overflow on negation.
    std::uint64_t magnitude = nanoseconds < 0 ? 0 - static_cast<std::uint64_t>(nanoseconds)
                                              : static_cast<std::uint64_t>(nanoseconds);
    std::uint64_t fraction = magnitude % 1000;
    std::string out = nanoseconds < 0 ? "-" : "";
    out += std::to_string(magnitude / 1000);
    out += '.';
    out += static_cast<char>('0' + fraction / 100);
    out += static_cast<char>('0' + fraction / 10 % 10);
    out += static_cast<char>('0' + fraction % 10);
    return out;
}

void
TraceEventLog::NameProcess(std::uint32_t pid, const std::string& name)
{
    m_processNames[pid] = name;
}

void
TraceEventLog::NameThread(std::uint32_t pid, std::uint32_t tid, const std::string& name)
{
    m_threadNames[{pid, tid}] = name;
}

void
TraceEventLog::AddSlice(std::uint32_t pid,
                        std::uint32_t tid,
                        const std::string& name,
                        const std::string& category,
                        std::int64_t startNs,
                        std::int64_t durationNs,
                        const nlohmann::json& args)
{
    assert(durationNs >= 0);
    std::string event = EventHead(name, 'X', pid, tid, startNs);
    event += ",\"dur\":" + FormatMicroseconds(durationNs);
    event += ",\"cat\":" + Dump(category);
    AppendArgs(event, args);
    event += '}';
    m_events.push_back(std::move(event));
}

void
TraceEventLog::AddCounter(std::uint32_t pid,
                          const std::string& name,
                          std::int64_t timeNs,
                          const std::vector<std::pair<std::string, double>>& values)
{
    nlohmann::json series = nlohmann::json::object();
    for (const auto& [label, value] : values)
    {
        assert(std::isfinite(value));
        series[label] = value;
    }
    m_events.push_back(EventHead(name, 'C', pid, 0, timeNs) + ",\"args\":" + Dump(series) + "}");
}

void
TraceEventLog::AddInstant(std::uint32_t pid,
                          std::uint32_t tid,
                          const std::string& name,
                          const std::string& category,
                          std::int64_t timeNs,
                          const nlohmann::json& args)
{
    std::string event = EventHead(name, 'i', pid, tid, timeNs);
    event += ",\"s\":\"t\",\"cat\":" + Dump(category);
    AppendArgs(event, args);
    event += '}';
    m_events.push_back(std::move(event));
}

void
TraceEventLog::Write(std::ostream& out) const
{
    out << "{\"traceEvents\":[";
    const char* separator = "\n";
    auto line = [&](const std::string& event)
    {
        out << separator << event;
        separator = ",\n";
    };
    for (const auto& [pid, name] : m_processNames)
    {
        line(MetadataEvent("process_name", pid, 0, {{"name", name}}));
        line(MetadataEvent("process_sort_index", pid, 0, {{"sort_index", pid}}));
    }
    for (const auto& [thread, name] : m_threadNames)
    {
        line(MetadataEvent("thread_name", thread.first, thread.second, {{"name", name}}));
        line(MetadataEvent(
            "thread_sort_index", thread.first, thread.second, {{"sort_index", thread.second}}));
    }
    for (const auto& event : m_events)
    {
        line(event);
    }
    out << "\n],\"displayTimeUnit\":\"ns\"}\n";
}

std::size_t
TraceEventLog::Events() const
{
    return 2 * (m_processNames.size() + m_threadNames.size()) + m_events.size();
}

} // namespace fab::telemetry
