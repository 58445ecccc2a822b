// fabricscope: design review, simulation and analysis of AI-training fabrics.
#include "tools/analyze-command.h"
#include "tools/collect-command.h"
#include "tools/demo-command.h"
#include "tools/output.h"
#include "tools/review-command.h"
#include "tools/simulate-command.h"
#include "tools/sweep-command.h"
#include "tools/terminal-log.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <set>
#include <spdlog/spdlog.h>

int
main(int argc, char** argv)
{
    // Logs go to stderr; results go to files or stdout.
    fab::tools::UseTerminalLog();

    CLI::App app{"fabricscope: review, simulate and analyze RoCEv2 / InfiniBand fat-tree fabrics "
                 "for AI training"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "fabricscope 0.1.0");

    fab::tools::ReviewOptions review;
    auto* reviewCommand
        = app.add_subcommand("review",
                             "design file or flags -> bill of materials, design-rule findings and "
                             "a report (JSON, Markdown, HTML)");
    fab::tools::AddReviewOptions(*reviewCommand, review);

    fab::tools::SimulateOptions simulate;
    auto* simulateCommand = app.add_subcommand(
        "simulate",
        "run training jobs on an ns-3 model of the fabric -> collective timings, port telemetry, "
        "captures, a trace and a report");
    fab::tools::AddSimulateOptions(*simulateCommand, simulate);

    fab::tools::SweepRunOptions sweepRun;
    auto* sweepRunCommand = app.add_subcommand(
        "sweep-run",
        "run one run of a sweep from its folder (what local and Slurm workers run)");
    fab::tools::AddSweepRunOptions(*sweepRunCommand, sweepRun);

    fab::tools::SweepMergeOptions sweepMerge;
    auto* sweepMergeCommand = app.add_subcommand(
        "sweep-merge", "merge a sweep's finished runs into its summary.json and report");
    fab::tools::AddSweepMergeOptions(*sweepMergeCommand, sweepMerge);

    fab::tools::AnalyzeOptions analyze;
    auto* analyzeCommand = app.add_subcommand(
        "analyze",
        "captures (pcap, pcapng, gzip) -> RDMA flows, PSN loss and retransmissions, CNPs, ECN, "
        "PFC pauses and storms, LLDP, anomalies, rule findings and a report");
    fab::tools::AddAnalyzeOptions(*analyzeCommand, analyze);

    fab::tools::CollectOptions collect;
    auto* collectCommand = app.add_subcommand(
        "collect",
        "sFlow from switches (or the simulator) -> the same decoders and rules, live: Prometheus "
        "metrics, findings raised and cleared, periodic reports");
    fab::tools::AddCollectOptions(*collectCommand, collect);

    std::string demoDirectory = "fabricscope-demo";
    auto* demoCommand = app.add_subcommand(
        "demo",
        "review the built-in 10,240-GPU RoCE design and simulate the built-in 128-GPU scenario "
        "into a folder of reports");
    demoCommand->add_option(
        "-o,--output", demoDirectory, "folder for the reports (default: fabricscope-demo)");

    const std::set<std::string> commands
        = {"review", "simulate", "sweep-run", "sweep-merge", "analyze", "collect", "demo"};
    if (argc > 1 && argv[1][0] != '-' && commands.count(argv[1]) == 0)
    {
        spdlog::error(
            "unknown command \"{}\"; expected one of: review, simulate, sweep-run, sweep-merge, "
            "analyze, collect, demo",
            argv[1]);
        std::cerr << "Run with --help for usage.\n";
        return fab::tools::kExitBadInput;
    }
    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::CallForHelp& e)
    {
        return app.exit(e);
    }
    catch (const CLI::CallForAllHelp& e)
    {
        return app.exit(e);
    }
    catch (const CLI::CallForVersion& e)
    {
        return app.exit(e);
    }
    catch (const CLI::ParseError& e)
    {
        spdlog::error("{}", e.what());
        std::cerr << "Run with --help for usage.\n";
        return fab::tools::kExitBadInput;
    }
    if (reviewCommand->parsed())
    {
        return fab::tools::RunReview(review);
    }
    if (simulateCommand->parsed())
    {
        return fab::tools::RunSimulate(simulate);
    }
    if (sweepRunCommand->parsed())
    {
        return fab::tools::RunSweepWorker(sweepRun);
    }
    if (sweepMergeCommand->parsed())
    {
        return fab::tools::RunSweepMerge(sweepMerge);
    }
    if (analyzeCommand->parsed())
    {
        return fab::tools::RunAnalyze(analyze);
    }
    if (collectCommand->parsed())
    {
        return fab::tools::RunCollect(collect);
    }
    if (demoCommand->parsed())
    {
        return fab::tools::RunDemo(demoDirectory);
    }
    return fab::tools::kExitBadInput;
}
