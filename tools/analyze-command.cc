#include "tools/analyze-command.h"

#include "dpi/capture-rules.h"
#include "telemetry/model/json-object-reader.h"
#include "tools/inventory-check.h"
#include "tools/output.h"
#include "topologies/model/reference-designs.h"
#include "topologies/model/units.h"

#include <cstdio>
#include <iostream>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace fab::tools
{

using telemetry::InputError;

namespace
{

std::uint64_t
ParseSpeed(const std::string& option, const std::string& text)
{
    // "400G" reads as 400 Gb/s, as on a switch's port list.
    std::string value = text;
    if (!value.empty() && (value.back() == 'G' || value.back() == 'M' || value.back() == 'T'))
    {
        value += "bps";
    }
    auto rate = topo::ParseRate(value);
    if (!rate || *rate == 0)
    {
        throw InputError(option,
                         "expected a link speed such as 400G or 100Gbps, found \"" + text + "\"");
    }
    return *rate;
}

void
PrintProgress(const dpi::ReadProgress& p, double seconds)
{
    double fraction = p.bytesTotal == 0 ? 1
                                        : static_cast<double>(p.bytesConsumed)
                                              / static_cast<double>(p.bytesTotal);
    std::fprintf(stderr,
                 "\r  read %.1f of %.1f MB (%.0f%%) | %.0f MB/s   ",
                 static_cast<double>(p.bytesConsumed) / 1e6,
                 static_cast<double>(p.bytesTotal) / 1e6,
                 fraction * 100,
                 seconds > 0 ? static_cast<double>(p.bytesConsumed) / 1e6 / seconds : 0.0);
    std::fflush(stderr);
}

} // namespace

void
AddAnalyzeOptions(CLI::App& command, AnalyzeOptions& options)
{
    command.add_option("captures", options.captures, "pcap or pcapng files, gzip-compressed too")
        ->required();
    command.add_option("--design",
                       options.design,
                       "design file or builtin:NAME: check the switches, ports and links LLDP "
                       "shows against it");
    command.add_option("--link-speed",
                       options.linkSpeeds,
                       "link speed for pause times: 400G for every capture, or FILE=400G "
                       "(default: the design's NIC speed, else 400G)");
    command.add_option("--interval",
                       options.interval,
                       "time-series interval (default: 1ms, "
                       "coarsened to at most 2000 points)");
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
    command.add_flag("--no-crc", options.noCrc, "skip ICRC and VCRC checks (faster)");
    command.add_flag("!--no-progress", options.progress, "no progress line on the terminal");
}

int
RunAnalyze(const AnalyzeOptions& options)
{
    try
    {
        dpi::AnalysisOptions analysis;
        analysis.linkBpsOfFile.assign(options.captures.size(), 0);
        bool speedGiven = false;
        for (const auto& speed : options.linkSpeeds)
        {
            auto equals = speed.rfind('=');
            if (equals == std::string::npos)
            {
                analysis.linkBps = ParseSpeed("--link-speed", speed);
                speedGiven = true;
                continue;
            }
            std::string file = speed.substr(0, equals);
            bool found = false;
            for (std::size_t i = 0; i < options.captures.size(); ++i)
            {
                if (options.captures[i] == file)
                {
                    analysis.linkBpsOfFile[i]
                        = ParseSpeed("--link-speed", speed.substr(equals + 1));
                    found = true;
                }
            }
            if (!found)
            {
                throw InputError("--link-speed", "\"" + file + "\" is not one of the captures");
            }
        }
        if (options.interval)
        {
            analysis.intervalNs = ParseDurationOption("--interval", *options.interval);
        }
        analysis.decode.verifyCrcs = !options.noCrc;
        auto rules = dpi::DefaultCaptureRules();
        RegisterInventoryRules(rules);
        std::optional<topo::Design> design;
        if (options.design)
        {
            try
            {
                design = topo::LoadDesign(*options.design);
            }
            catch (InputError& error)
            {
                if (error.File().empty())
                {
                    error.SetFile(*options.design);
                }
                throw;
            }
        }
        if (design && !speedGiven)
        {
            // Captures are mostly taken on server ports: pause times at the NICs' speed.
            analysis.linkBps = design->servers.nicSpeedBps;
        }
        if (options.rules)
        {
            rules.ApplyOverridesFile(*options.rules);
        }
        analysis.stormNs
            = static_cast<std::int64_t>(rules.Threshold("capture.pfc-storm", "min_pause_ms") * 1e6);
        OutputChoice output
            = ChooseOutput(options.format, options.output, "fabricscope-analysis.html");
        bool terminal = options.progress && isatty(STDERR_FILENO) != 0;
        auto started = std::chrono::steady_clock::now();
        if (terminal)
        {
            analysis.progress = [started](const dpi::ReadProgress& p)
            {
                PrintProgress(
                    p,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count());
            };
        }
        auto result = dpi::AnalyzeCaptures(options.captures, analysis);
        if (terminal)
        {
            std::fprintf(stderr, "\n");
        }
        for (const auto& problem : result.problems)
        {
            spdlog::warn("{}", problem.what());
        }
        auto findings = dpi::CheckCapture(result, rules);
        std::optional<InventoryCheck> inventory;
        if (design)
        {
            inventory = CheckInventory(result, *design, rules);
            findings.insert(findings.end(), inventory->findings.begin(), inventory->findings.end());
        }
        auto report = dpi::CaptureReport(result, findings);
        if (inventory)
        {
            report.sections.push_back(std::move(inventory->section));
        }
        auto written = WriteReport(report, output);
        auto counts = telemetry::CountBySeverity(findings);
        spdlog::info("analyzed packets={} flows={} roce={} cnp={} pfc={} malformed={} "
                     "errors={} warnings={} wall_s={:.2f} packets_per_s={:.0f}",
                     result.packets,
                     result.flows.Size(),
                     result.decoded.roce,
                     result.decoded.cnp,
                     result.decoded.pfc,
                     result.decoded.malformed,
                     counts[2],
                     counts[1],
                     result.wallSeconds,
                     result.wallSeconds > 0
                         ? static_cast<double>(result.packets) / result.wallSeconds
                         : 0.0);
        if (written)
        {
            std::cout << *written << "\n";
        }
        if (options.failOn != "none")
        {
            auto threshold = telemetry::ParseSeverity(options.failOn);
            auto worst = telemetry::WorstSeverity(findings);
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

} // namespace fab::tools
