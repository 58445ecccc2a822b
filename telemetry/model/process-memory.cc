#include "telemetry/model/process-memory.h"

#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace fab::telemetry
{
namespace
{

std::string
ReadProcFile(const char* path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/** Total and resident bytes of the process's mappings (/proc/self/statm, in pages). */
std::optional<std::pair<std::uint64_t, std::uint64_t>>
MappedAndResidentBytes()
{
    std::istringstream statm(ReadProcFile("/proc/self/statm"));
    std::uint64_t sizePages = 0;
    std::uint64_t residentPages = 0;
    if (!(statm >> sizePages >> residentPages))
    {
        return std::nullopt;
    }
    auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    return std::pair{sizePages * page, residentPages * page};
}

} // namespace

std::uint64_t
PeakResidentBytes()
{
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0 || usage.ru_maxrss < 0)
    {
        return 0;
    }
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024; // Linux reports KiB
}

std::optional<std::uint64_t>
ParseMemAvailable(const std::string& meminfo)
{
    std::istringstream lines(meminfo);
    for (std::string line; std::getline(lines, line);)
    {
        if (line.rfind("MemAvailable:", 0) != 0)
        {
            continue;
        }
        std::istringstream fields(line.substr(13));
        std::uint64_t kib = 0;
        std::string unit;
        if (!(fields >> kib >> unit) || unit != "kB")
        {
            return std::nullopt;
        }
        return kib * 1024;
    }
    return std::nullopt;
}

std::optional<MemoryLimit>
SystemMemoryLimit()
{
    auto keepBack = [](std::uint64_t bytes) { return bytes - bytes / 10; };
    std::optional<MemoryLimit> limit;
    auto mapped = MappedAndResidentBytes();
    std::uint64_t resident = mapped ? mapped->second : 0;
    if (auto available = ParseMemAvailable(ReadProcFile("/proc/meminfo")))
    {
        limit = MemoryLimit{keepBack(*available + resident), "available memory"};
    }
    rlimit addressSpace{};
    if (mapped && getrlimit(RLIMIT_AS, &addressSpace) == 0
        && addressSpace.rlim_cur != RLIM_INFINITY)
    {
        auto cap = static_cast<std::uint64_t>(addressSpace.rlim_cur);
        std::uint64_t notResident = mapped->first - resident;
        std::uint64_t usable = keepBack(cap > notResident ? cap - notResident : 0);
        if (!limit || usable < limit->bytes)
        {
            limit = MemoryLimit{usable, "address-space limit"};
        }
    }
    return limit;
}

} // namespace fab::telemetry
