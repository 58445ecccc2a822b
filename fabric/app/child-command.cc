#include "fabric/app/child-command.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ns3::fabric::app
{
namespace
{

std::vector<char*>
Argv(const std::vector<std::string>& arguments)
{
    std::vector<char*> argv;
    for (const auto& argument : arguments)
    {
        argv.push_back(const_cast<char*>(argument.c_str()));
    }
    argv.push_back(nullptr);
    return argv;
}

int
ExitCodeOf(int status)
{
    if (WIFEXITED(status))
    {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

} // namespace

ProgramOutput
RunProgram(const std::vector<std::string>& arguments)
{
    ProgramOutput result;
    if (arguments.empty())
    {
        return result;
    }
    int pipe[2];
    if (::pipe2(pipe, O_CLOEXEC) != 0)
    {
        return result;
    }
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, pipe[1], 1);
    ::posix_spawn_file_actions_adddup2(&actions, pipe[1], 2);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    auto argv = Argv(arguments);
    pid_t pid = -1;
    int error = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(pipe[1]);
    if (error != 0)
    {
        ::close(pipe[0]);
        result.out = arguments.front() + ": cannot start it (errno " + std::to_string(error) + ")";
        return result;
    }
    std::array<char, 4096> buffer{};
    for (;;)
    {
        ssize_t n = ::read(pipe[0], buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            break;
        }
        // A client that talks without end is cut short rather than held in memory.
        if (result.out.size() < (std::size_t{16} << 20))
        {
            result.out.append(buffer.data(), static_cast<std::size_t>(n));
        }
    }
    ::close(pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR)
    {
    }
    result.exitCode = ExitCodeOf(status);
    return result;
}

pid_t
StartWorker(const std::vector<std::string>& arguments, const std::filesystem::path& logPath)
{
    if (arguments.empty())
    {
        return -1;
    }
    int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log < 0)
    {
        return -1;
    }
    auto argv = Argv(arguments);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0)
    {
        // Only async-signal-safe calls from here to exec.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
        {
            ::_exit(127); // the parent died before the line above
        }
        ::dup2(log, 1);
        ::dup2(log, 2);
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0)
        {
            ::dup2(null, 0);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(log);
    return pid;
}

pid_t
WaitForWorker(int& exitCode)
{
    int status = 0;
    pid_t pid = -1;
    while ((pid = ::waitpid(-1, &status, 0)) < 0 && errno == EINTR)
    {
    }
    exitCode = pid > 0 ? ExitCodeOf(status) : -1;
    return pid;
}

std::string
ShellQuote(const std::string& word)
{
    std::string quoted = "'";
    for (char c : word)
    {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

} // namespace ns3::fabric::app
