// Running `fabricscope` as a child the way a user runs it, for the benchmarks: its wall time,
// exit code and peak resident memory, and the estimate it logged before building anything.
#ifndef FABRICSCOPE_TOOLS_BENCH_CHILD_RUN_H
#define FABRICSCOPE_TOOLS_BENCH_CHILD_RUN_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fab::bench
{

struct ChildRun
{
    double wallS{0};
    int exitCode{0};
    std::uint64_t peakRssBytes{0};
};

/** Runs the program with stdout and stderr to `log`; its wall time and peak RSS from wait4. */
inline ChildRun
RunChild(const std::vector<std::string>& args, const std::filesystem::path& log)
{
    ChildRun m;
    std::fflush(stdout); // or the child writes what this process has buffered
    auto start = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid == 0)
    {
        std::FILE* out = std::freopen(log.c_str(), "w", stdout);
        (void) out;
        ::dup2(::fileno(stdout), 2);
        std::vector<char*> argv;
        for (const auto& a : args)
        {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    m.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    m.peakRssBytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
    return m;
}

/** The value of `rss_bytes=` in the log's `info estimate` line, or 0. */
inline std::uint64_t
EstimateFromLog(const std::filesystem::path& log)
{
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line))
    {
        auto at = line.find(" rss_bytes=");
        if (line.find("estimate") != std::string::npos && at != std::string::npos)
        {
            return std::stoull(line.substr(at + 11));
        }
    }
    return 0;
}

} // namespace fab::bench

#endif
