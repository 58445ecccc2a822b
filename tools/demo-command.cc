#include "tools/demo-command.h"

#include "tools/output.h"
#include "tools/review-command.h"
#include "tools/simulate-command.h"

#include <algorithm>

namespace fab::tools
{

int
RunDemo(const std::string& directory)
{
    int review = RunReviewOfDefault(directory);
    if (review == kExitBadInput)
    {
        return review;
    }
    SimulateOptions simulate;
    simulate.out = directory + "/simulate";
    simulate.formats = {"html", "md", "json"};
    return std::max(review, RunSimulate(simulate));
}

} // namespace fab::tools
