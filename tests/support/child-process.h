#ifndef FABRICSCOPE_TESTS_CHILD_PROCESS_H
#define FABRICSCOPE_TESTS_CHILD_PROCESS_H

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace fab::tests
{

/**
 * A program started as a child of the test (posix_spawn, safe in a process with threads), its
 * stdout and stderr in one file, stopped and reaped by the test: SIGTERM, a grace period, then
 * SIGKILL. Nothing is left behind when a test fails half-way, since the destructor stops it too.
 */
class ChildProcess
{
public:
    ChildProcess(const std::vector<std::string>& arguments, const std::filesystem::path& logPath)
    {
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawn_file_actions_addopen(
            &actions, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
        ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        std::vector<char*> argv;
        for (const auto& argument : arguments)
        {
            argv.push_back(const_cast<char*>(argument.c_str()));
        }
        argv.push_back(nullptr);
        int error = ::posix_spawnp(&m_pid, argv[0], &actions, nullptr, argv.data(), environ);
        ::posix_spawn_file_actions_destroy(&actions);
        if (error != 0)
        {
            throw std::runtime_error("cannot start " + arguments.front() + ": "
                                     + std::to_string(error));
        }
    }

    ~ChildProcess() { Stop(); }

    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t Pid() const { return m_pid; }

    /** False once the child has exited (and has been reaped). */
    bool Running()
    {
        if (m_pid <= 0)
        {
            return false;
        }
        pid_t done = ::waitpid(m_pid, &m_status, WNOHANG);
        if (done == m_pid)
        {
            m_pid = -1;
            m_reaped = true;
            return false;
        }
        return true;
    }

    /**
     * SIGTERM, then SIGKILL if the child is still there after `grace`. Returns the exit code,
     * 128 + the signal's number when a signal ended it, -1 if it never started.
     */
    int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10))
    {
        if (m_pid <= 0)
        {
            return Code();
        }
        ::kill(m_pid, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + grace;
        while (std::chrono::steady_clock::now() < deadline)
        {
            if (!Running())
            {
                return Code();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(m_pid, SIGKILL);
        while (::waitpid(m_pid, &m_status, 0) < 0 && errno == EINTR)
        {
        }
        m_pid = -1;
        m_reaped = true;
        return Code();
    }

private:
    int Code() const
    {
        if (!m_reaped)
        {
            return -1;
        }
        if (WIFEXITED(m_status))
        {
            return WEXITSTATUS(m_status);
        }
        return WIFSIGNALED(m_status) ? 128 + WTERMSIG(m_status) : -1;
    }

    pid_t m_pid{-1};
    int m_status{0};
    bool m_reaped{false};
};

} // namespace fab::tests

#endif
