// The main of every test binary: Catch2's, after the prerequisites of the selected cases are
// checked (support/prerequisites.h says how a case names them and what a missing one does).
#define CATCH_CONFIG_RUNNER
#include "support/prerequisites.h"

#include <catch2/catch.hpp>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>

namespace
{

constexpr const char* kNeedsTag = "needs:";

/** The needs of one case, from its `[needs:NAME]` tags. */
std::set<std::string>
NeedsOf(const Catch::TestCaseInfo& info)
{
    std::set<std::string> needs;
    for (const auto& tag : info.tags)
    {
        if (tag.rfind(kNeedsTag, 0) == 0)
        {
            needs.insert(tag.substr(std::char_traits<char>::length(kNeedsTag)));
        }
    }
    return needs;
}

bool
Listing(const Catch::ConfigData& data)
{
    return data.listTests || data.listTestNamesOnly || data.listTags || data.listReporters
           || data.showHelp;
}

} // namespace

int
main(int argc, char* argv[])
{
    Catch::Session session;
    if (int status = session.applyCommandLine(argc, argv); status != 0)
    {
        return status;
    }
    if (Listing(session.configData()))
    {
        return session.run();
    }
    const auto& config = session.config();

    // Which needs of the selected cases are missing, and why.
    std::map<std::string, std::string> missing;
    std::size_t selected = 0;
    std::size_t skipped = 0;
    try
    {
        const auto& cases = Catch::getAllTestCasesSorted(config);
        for (const auto& testCase : Catch::filterTests(cases, config.testSpec(), config))
        {
            ++selected;
            bool runs = true;
            for (const auto& need : NeedsOf(testCase))
            {
                auto known = missing.find(need);
                auto reason = known != missing.end() ? known->second
                                                     : fab::tests::MissingPrerequisite(need);
                if (!reason.empty())
                {
                    missing.emplace(need, reason);
                    std::cout << "skipped: " << testCase.name << ": needs " << need << ": "
                              << reason << "\n";
                    runs = false;
                }
            }
            skipped += runs ? 0 : 1;
        }
    }
    catch (const std::invalid_argument& error)
    {
        std::cerr << "test main: " << error.what() << "\n";
        return 1;
    }
    if (skipped == 0)
    {
        return session.run();
    }
    if (fab::tests::RunningOnCi())
    {
        std::cout << "CI=true: " << skipped << " of " << selected
                  << " selected cases cannot run here, and CI must not pass a case it did not run\n";
        return 1;
    }
    if (skipped == selected)
    {
        return fab::tests::kSkippedExitCode;
    }

    // Run the rest: each missing need becomes an exclusion of every filter of the spec.
    auto data = session.configData();
    for (const auto& part : data.testsOrTags)
    {
        if (part.find(',') != std::string::npos)
        {
            std::cerr << "test main: cannot leave out the cases above from a test spec with ','; "
                         "add ~[needs:NAME] to each of its filters\n";
            return 1;
        }
    }
    if (data.testsOrTags.empty())
    {
        data.testsOrTags.push_back("~[.]"); // exclusions alone would select the hidden cases
    }
    for (const auto& [need, reason] : missing)
    {
        data.testsOrTags.push_back("~[" + std::string(kNeedsTag) + need + "]");
    }
    session.useConfigData(data);
    std::cout << skipped << " of " << selected << " cases skipped (their reasons are above)\n";
    return session.run();
}
