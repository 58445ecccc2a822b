#ifndef FABRICSCOPE_TESTS_PREREQUISITES_H
#define FABRICSCOPE_TESTS_PREREQUISITES_H

// What a test needs from outside the repository, decided in one place.
//
// A test case names each need in a tag, `[needs:NAME]`. The test main checks the needs of the
// cases it is asked to run: a case whose need is met runs; one whose need is not met is skipped
// with the reason (exit code 77 when nothing else was asked for, which ctest reports as
// skipped), and fails when the environment variable CI is "true", since CI must never pass a
// case it could not run. The same check guards commands that are not Catch2 cases (the fuzzer)
// through the `fabricscope-test-prerequisites` program.

#include <filesystem>
#include <string>
#include <vector>

namespace fab::tests
{

/** The exit code of a run that was skipped (ctest's SKIP_RETURN_CODE). */
constexpr int kSkippedExitCode = 77;

/** The names a `[needs:NAME]` tag may use, each with what it stands for. */
struct Prerequisite
{
    const char* name;
    const char* what;
};
const std::vector<Prerequisite>& KnownPrerequisites();

/**
 * Why `name` is not available here, or an empty string when it is. Throws std::invalid_argument
 * for a name that is not in KnownPrerequisites().
 */
std::string MissingPrerequisite(const std::string& name);

/** True when the environment variable CI is "true" (as CI services set it). */
bool RunningOnCi();

/**
 * The folder of the external captures (real captures made by others, never part of the
 * repository): the environment variable FABRICSCOPE_EXTERNAL_CAPTURES, else the CMake cache
 * option of the same name; empty when neither is set.
 */
std::filesystem::path ExternalCapturesDir();

/** A file of the external captures. Only cases tagged `[needs:external]` may call it. */
std::string ExternalCapture(const std::string& file);

/** A program's full path: on PATH, or in /usr/sbin and /sbin (daemons); empty when absent. */
std::filesystem::path ProgramPath(const std::string& name);

/** The independent RoCEv2 ICRC checker (tests/tools/roce-icrc-oracle.py), as a shell command
 *  prefix: append the capture's path, quoted. */
std::string IcrcOracleCommand();

} // namespace fab::tests

#endif
