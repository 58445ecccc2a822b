#include "tools/review-command.h"

#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/text-format.h"
#include "tools/output.h"
#include "topologies/model/design-review.h"
#include "topologies/model/reference-designs.h"

#include <chrono>
#include <iostream>
#include <spdlog/spdlog.h>

namespace fab::tools
{

using telemetry::InputError;

namespace
{

void
LogSummary(const topo::DesignReview& review, double seconds)
{
    auto counts = telemetry::CountBySeverity(review.findings);
    spdlog::info("review design=\"{}\" gpus={} switches={} transceivers={} cables={} errors={} "
                 "warnings={} notes={} "
                 "wall_s={:.3f}",
                 review.design.name,
                 review.bom.gpus,
                 review.bom.TotalSwitches(),
                 review.bom.TotalTransceivers(),
                 review.bom.TotalCables(),
                 counts[2],
                 counts[1],
                 counts[0],
                 seconds);
}

topo::Design
ResolveDesign(const ReviewOptions& options)
{
    std::optional<topo::Design> base;
    if (options.design)
    {
        base = topo::LoadDesign(*options.design);
    }
    else if (!options.flags.Any())
    {
        base = topo::LoadReferenceDesign(topo::kDefaultDesignName);
    }
    if (!options.flags.Any())
    {
        return *base;
    }
    return ApplyDesignFlags(options.flags, base);
}

} // namespace

void
AddReviewOptions(CLI::App& command, ReviewOptions& options)
{
    command.add_option("design",
                       options.design,
                       "design file, or builtin:NAME (default: builtin:"
                           + std::string(topo::kDefaultDesignName) + ")");
    options.flags.AddTo(command);
    command.add_option(
        "--rules", options.rules, "rules file overriding thresholds, severities or enabling rules");
    command.add_option(
        "--format", options.format, "json, md or html (default: from -o, else html)");
    command.add_option("-o,--output", options.output, "output file ('-' for standard output)");
    command
        .add_option("--fail-on",
                    options.failOn,
                    "exit 1 on findings at or above: warning, error (default) or none")
        ->check(CLI::IsMember({"info", "warning", "error", "none"}));
    command.add_flag("--list-designs", options.listDesigns, "list the built-in designs and exit");
    command.add_flag(
        "--print-design", options.printDesign, "print the resolved design as JSON and exit");
}

int
RunReview(const ReviewOptions& options)
{
    if (options.listDesigns)
    {
        for (const auto& name : topo::ReferenceDesignNames())
        {
            auto design = topo::LoadReferenceDesign(name);
            std::cout << "builtin:" << name << "\t" << design.name << "\n";
        }
        return kExitOk;
    }
    try
    {
        auto started = std::chrono::steady_clock::now();
        topo::Design design = ResolveDesign(options);
        if (options.printDesign)
        {
            std::cout << topo::DesignToJson(design).dump(2) << "\n";
            return kExitOk;
        }
        auto rules = topo::DefaultDesignRules();
        if (options.rules)
        {
            rules.ApplyOverridesFile(*options.rules);
        }
        OutputChoice output
            = ChooseOutput(options.format, options.output, "fabricscope-review.html");
        topo::DesignReview review;
        try
        {
            review = topo::ReviewDesign(design, rules, telemetry::SystemMemoryLimit());
        }
        catch (telemetry::OverLimitError& error)
        {
            if (options.flags.Any())
            {
                throw InputError(FlagForPointer(error.Place()), error.Expectation());
            }
            error.SetFile(
                options.design.value_or(std::string("builtin:") + topo::kDefaultDesignName));
            throw;
        }
        catch (InputError& error)
        {
            // Sizing errors point into the design: name where it came from.
            if (options.design && !options.flags.Any())
            {
                error.SetFile(*options.design);
                throw;
            }
            if (options.flags.Any())
            {
                throw InputError(FlagForPointer(error.Place()),
                                 "contradicting flags: " + error.Expectation());
            }
            error.SetFile(std::string("builtin:") + topo::kDefaultDesignName);
            throw;
        }
        auto report = topo::MakeReviewReport(review, rules);
        double seconds
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        auto written = WriteReport(report, output);
        LogSummary(review, seconds);
        if (written)
        {
            std::cout << *written << "\n";
        }
        if (options.failOn != "none")
        {
            auto threshold = telemetry::ParseSeverity(options.failOn);
            auto worst = telemetry::WorstSeverity(review.findings);
            if (threshold && worst && *worst >= *threshold)
            {
                return kExitFindings;
            }
        }
        return kExitOk;
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
}

int
RunReviewOfDefault(const std::string& directory)
{
    // One review of the built-in design, written in every format.
    try
    {
        auto started = std::chrono::steady_clock::now();
        auto rules = topo::DefaultDesignRules();
        auto review
            = topo::ReviewDesign(topo::LoadReferenceDesign(topo::kDefaultDesignName), rules);
        auto report = topo::MakeReviewReport(review, rules);
        for (const char* extension : {"json", "md", "html"})
        {
            auto output = ChooseOutput(std::nullopt, directory + "/review." + extension, "");
            if (auto written = WriteReport(report, output))
            {
                std::cout << *written << "\n";
            }
        }
        LogSummary(
            review,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        return kExitOk;
    }
    catch (const InputError& error)
    {
        spdlog::error("{}", error.what());
        return kExitBadInput;
    }
}

} // namespace fab::tools
