#include "tools/demo-command.h"

#include "telemetry/model/json-object-reader.h"
#include "tools/analyze-command.h"
#include "tools/output.h"
#include "tools/review-command.h"
#include "tools/simulate-command.h"

#include <algorithm>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace fab::tools
{

int
RunDemo(const std::string& directory)
{
    try
    {
        // Before anything is written: an empty -o would put the reports in the root folder.
        PrepareOutputFolder("-o", directory);
    }
    catch (const telemetry::InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
    int review = RunReviewOfDefault(directory);
    if (review == kExitBadInput)
    {
        return review;
    }
    SimulateOptions simulate;
    simulate.out = directory + "/simulate";
    simulate.formats = {"html", "md", "json"};
    int simulated = RunSimulate(simulate);
    if (simulated == kExitBadInput)
    {
        return simulated;
    }
    // The analyzer reads what the simulator captured: the failed uplink's traffic.
    AnalyzeOptions analyze;
    for (const auto& entry : std::filesystem::directory_iterator(simulate.out + "/captures"))
    {
        if (entry.path().extension() == ".pcap")
        {
            analyze.captures.push_back(entry.path().string());
        }
    }
    std::sort(analyze.captures.begin(), analyze.captures.end());
    analyze.output = directory + "/analyze.html";
    analyze.progress = false;
    int analyzed = analyze.captures.empty() ? kExitOk : RunAnalyze(analyze);
    return std::max({review, simulated, analyzed});
}

} // namespace fab::tools
