#ifndef FABRICSCOPE_TESTS_RUN_COMMAND_H
#define FABRICSCOPE_TESTS_RUN_COMMAND_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <sys/wait.h>
#include <vector>

namespace fab::tests
{

struct CommandResult
{
    int exitCode{-1};
    std::string out;
    std::string err;
};

inline std::string
ReadFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

/**
 * The folders TempDir made in this process, removed when it exits, so that test runs do not fill
 * the temporary folder; FABRICSCOPE_KEEP_TEST_DIRS=1 keeps them to look into a failure.
 */
class TempDirs
{
public:
    static TempDirs& Get()
    {
        static TempDirs dirs;
        return dirs;
    }
    void Add(const std::filesystem::path& dir) { m_dirs.push_back(dir); }
    ~TempDirs()
    {
        const char* keep = std::getenv("FABRICSCOPE_KEEP_TEST_DIRS");
        if (keep != nullptr && *keep != '\0' && std::string(keep) != "0")
        {
            return;
        }
        for (const auto& dir : m_dirs)
        {
            std::error_code error;
            std::filesystem::remove_all(dir, error);
        }
    }

private:
    TempDirs() = default;
    std::vector<std::filesystem::path> m_dirs;
};

/** A fresh, empty folder under the system's temporary folder, removed when the process exits. */
inline std::filesystem::path
TempDir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path()
               / ("fabricscope-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    TempDirs::Get().Add(dir);
    return dir;
}

/** Runs a shell command in `dir`; captures stdout and stderr separately. */
inline CommandResult
RunIn(const std::filesystem::path& dir, const std::string& command)
{
    auto errPath = dir / "stderr.txt";
    std::string full = "cd '" + dir.string() + "' && " + command + " 2>'" + errPath.string() + "'";
    CommandResult result;
    FILE* pipe = ::popen(full.c_str(), "r");
    if (pipe == nullptr)
    {
        return result;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    {
        result.out.append(buffer, n);
    }
    int status = ::pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = ReadFile(errPath);
    return result;
}

/** Runs the fabricscope binary with arguments in `dir`. */
inline CommandResult
RunFabricscope(const std::filesystem::path& dir, const std::string& arguments)
{
    return RunIn(dir, std::string("'") + FABRICSCOPE_BINARY + "' " + arguments);
}

/**
 * Runs the fabricscope binary as hostile input should find it: stopped after `seconds` (exit code
 * 124, as timeout(1) reports it; 137 if it ignored SIGTERM for 5 s more) and, outside sanitizer builds, within an address space of
 * `addressSpaceGiB` (AddressSanitizer reserves terabytes of shadow memory, so there the limit is
 * left off). A signal shows as 128 + its number (134 for an abort, 137 for a kill).
 */
inline CommandResult
RunFabricscopeBounded(const std::filesystem::path& dir,
                      const std::string& arguments,
                      int seconds = 60,
                      int addressSpaceGiB = 8)
{
    std::string limit;
#if !defined(__SANITIZE_ADDRESS__)
    limit = "ulimit -v " + std::to_string(std::int64_t{addressSpaceGiB} * 1024 * 1024) + " && ";
#else
    (void)addressSpaceGiB;
#endif
    return RunIn(dir, limit + "timeout -k 5 " + std::to_string(seconds) + " '"
                          + FABRICSCOPE_BINARY + "' " + arguments);
}

} // namespace fab::tests

#endif
