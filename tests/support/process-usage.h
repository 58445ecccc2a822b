// What a process holds right now, from /proc: for tests that bound memory and descriptors.
#ifndef FABRICSCOPE_TESTS_PROCESS_USAGE_H
#define FABRICSCOPE_TESTS_PROCESS_USAGE_H

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace fab::tests
{

/** Resident memory of `pid` (this process by default) in KiB; 0 when it cannot be read. */
inline long
ResidentKiB(pid_t pid = ::getpid())
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return std::stol(line.substr(6));
        }
    }
    return 0;
}

/** Descriptors open in `pid` (this process by default); 0 when they cannot be listed. */
inline std::size_t
OpenDescriptors(pid_t pid = ::getpid())
{
    std::error_code error;
    std::filesystem::directory_iterator entries("/proc/" + std::to_string(pid) + "/fd", error);
    std::size_t count = 0;
    for (auto entry = entries; !error && entry != std::filesystem::directory_iterator();
         entry.increment(error))
    {
        ++count;
    }
    return count;
}

} // namespace fab::tests

#endif
