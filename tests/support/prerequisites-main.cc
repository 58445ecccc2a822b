// fabricscope-test-prerequisites NEED... -- COMMAND [ARGUMENT...]
// Runs COMMAND when every NEED (see support/prerequisites.h) is met; otherwise prints why and
// exits 77 (ctest's skipped), or 1 when CI=true.
#include "support/prerequisites.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <unistd.h>
#include <vector>

int
main(int argc, char* argv[])
{
    int separator = 1;
    while (separator < argc && std::strcmp(argv[separator], "--") != 0)
    {
        ++separator;
    }
    if (separator >= argc - 1)
    {
        std::cerr << "usage: fabricscope-test-prerequisites NEED... -- COMMAND [ARGUMENT...]\n";
        return 2;
    }
    bool missing = false;
    for (int i = 1; i < separator; ++i)
    {
        try
        {
            auto reason = fab::tests::MissingPrerequisite(argv[i]);
            if (!reason.empty())
            {
                std::cout << "skipped: " << argv[separator + 1] << ": needs " << argv[i] << ": "
                          << reason << "\n";
                missing = true;
            }
        }
        catch (const std::invalid_argument& error)
        {
            std::cerr << "fabricscope-test-prerequisites: " << error.what() << "\n";
            return 2;
        }
    }
    if (missing)
    {
        if (fab::tests::RunningOnCi())
        {
            std::cout << "CI=true: CI must not pass what it could not run\n";
            return 1;
        }
        return fab::tests::kSkippedExitCode;
    }
    std::cout.flush();
    std::vector<char*> command(argv + separator + 1, argv + argc);
    command.push_back(nullptr);
    ::execvp(command[0], command.data());
    std::cerr << "fabricscope-test-prerequisites: cannot run " << command[0] << ": "
              << std::strerror(errno) << "\n";
    return 127;
}
