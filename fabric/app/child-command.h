#ifndef FABRICSCOPE_FABRIC_APP_CHILD_COMMAND_H
#define FABRICSCOPE_FABRIC_APP_CHILD_COMMAND_H

#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ns3::fabric::app
{

/** What a program printed and how it ended. */
struct ProgramOutput
{
    int exitCode{-1}; ///< 128 + N when signal N ended it; -1 when it could not start
    std::string out;  ///< stdout and stderr together
};

/** Runs a program to its end (no shell), its output captured. */
ProgramOutput RunProgram(const std::vector<std::string>& arguments);

/**
 * Starts a worker: a child whose stdout and stderr go to `logPath` and which is killed when this
 * process dies, so that stopping a sweep stops its workers. Returns its pid, -1 on failure.
 */
pid_t StartWorker(const std::vector<std::string>& arguments, const std::filesystem::path& logPath);

/** Waits for any worker; returns its pid and sets `exitCode` (128 + N for signal N). */
pid_t WaitForWorker(int& exitCode);

/** A word the POSIX shell reads back as it is: 'it'\''s'. */
std::string ShellQuote(const std::string& word);

} // namespace ns3::fabric::app

#endif
