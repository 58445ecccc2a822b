#ifndef FABRICSCOPE_TOOLS_REVIEW_COMMAND_H
#define FABRICSCOPE_TOOLS_REVIEW_COMMAND_H

#include "tools/design-flags.h"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace fab::tools
{

/** Options of `fabricscope review` (and of `demo`, which reviews the built-in design). */
struct ReviewOptions
{
    std::optional<std::string> design;
    DesignFlags flags;
    std::optional<std::string> rules;
    std::optional<std::string> format;
    std::optional<std::string> output;
    std::string failOn{"error"};
    bool listDesigns{false};
    bool printDesign{false};
};

/** Declares the review subcommand's options on `command`. */
void AddReviewOptions(CLI::App& command, ReviewOptions& options);

/** Runs a review; returns the exit code. Bad input is reported on stderr with code 2. */
int RunReview(const ReviewOptions& options);

/** Reviews the default design into DIR as review.html, review.md and review.json. */
int RunReviewOfDefault(const std::string& directory);

} // namespace fab::tools

#endif
