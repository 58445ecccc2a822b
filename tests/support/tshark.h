#ifndef FABRICSCOPE_TESTS_TSHARK_H
#define FABRICSCOPE_TESTS_TSHARK_H

#include "support/run-command.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace fab::tests
{

/**
 * Runs `tshark ARGUMENTS` in `dir` (cases that call it are tagged [needs:tshark]) and returns
 * its output lines. The case fails when tshark does: an empty answer from a tshark that could
 * not read the file must not pass for "nothing malformed".
 */
inline std::vector<std::string>
TsharkLines(const std::filesystem::path& dir, const std::string& arguments)
{
    auto result = RunIn(dir, "tshark " + arguments);
    INFO("tshark " << arguments << "\n" << result.err);
    REQUIRE(result.exitCode == 0);
    std::vector<std::string> lines;
    std::istringstream in(result.out);
    for (std::string line; std::getline(in, line);)
    {
        lines.push_back(line);
    }
    return lines;
}

} // namespace fab::tests

#endif
