#ifndef FABRICSCOPE_TESTS_PMACCT_H
#define FABRICSCOPE_TESTS_PMACCT_H

// pmacct as an independent sFlow peer (Debian's pmacct package): pmacctd's sfprobe plugin turns
// a capture into sFlow datagrams sent to a port the test listens on, and sfacctd decodes a
// capture of sFlow datagrams offline into a CSV of flows and JSON lines of counters. Both run
// as children of the test (support/child-process.h), waited for with a time limit. See
// research/local-peers-slurm-prometheus-pmacct.md, section 3, for how they behave.

#include "support/child-process.h"
#include "support/prerequisites.h"
#include "support/run-command.h"
#include "support/udp-receiver.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fab::tests
{

/** Waits for the child to exit by itself; past `limit` it is stopped. Returns its exit code. */
inline int
WaitForExit(ChildProcess& child, std::chrono::steady_clock::time_point deadline)
{
    while (child.Running() && std::chrono::steady_clock::now() < deadline)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    bool inTime = !child.Running();
    int code = child.Stop(std::chrono::seconds(2));
    return inTime ? code : -1;
}

/** A CSV of pmacct's print plugin: one map from column name to text per row. */
using CsvRows = std::vector<std::map<std::string, std::string>>;

inline CsvRows
ParsePmacctCsv(const std::string& text)
{
    auto split = [](const std::string& line)
    {
        std::vector<std::string> cells;
        std::stringstream in(line);
        std::string cell;
        while (std::getline(in, cell, ','))
        {
            cells.push_back(cell);
        }
        return cells;
    };
    CsvRows rows;
    std::stringstream in(text);
    std::string line;
    std::vector<std::string> header;
    while (std::getline(in, line))
    {
        if (!line.empty() && line.back() == '\r')
        {
            line.pop_back();
        }
        if (line.empty())
        {
            continue;
        }
        std::vector<std::string> cells = split(line);
        // With appending, every purge writes the header again.
        if (header.empty() || cells == header)
        {
            header = cells;
            continue;
        }
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i)
        {
            row[header[i]] = cells[i];
        }
        rows.push_back(row);
    }
    return rows;
}

struct ProbeRun
{
    int exitCode{-1};
    std::vector<std::vector<std::uint8_t>> datagrams;
    std::string log;
    /** The file was read to its end and the plugin shut down when asked. */
    bool completed{false};
};

/**
 * Replays `capture` through pmacctd's sfprobe plugin (sampling rate 1, agent 127.0.0.1,
 * sub-agent `subAgentId`, input ifIndex `ifIndex`) and collects every datagram it sends. pmacctd
 * reads the file in one burst and exits by itself; no counter samples come in that mode. Its
 * exit races the plugin: now and then samples still queued for the plugin are lost, or a few
 * sent twice, so callers compare decoders on the datagrams that came, not on a fixed count.
 * Small plugin buffers made it rarer in our runs (about 1 in 12 against 1 in 4). The same race
 * sometimes lets the core see its plugin gone before it leaves itself ("connection lost", exit
 * 1) after a complete run: `completed` tells that end from a failure.
 */
inline ProbeRun
RunPmacctdProbe(const std::filesystem::path& dir,
                const std::filesystem::path& capture,
                std::uint32_t subAgentId,
                std::uint32_t ifIndex,
                std::chrono::seconds limit = std::chrono::seconds(60))
{
    ProbeRun run;
    UdpReceiver receiver;
    if (!receiver.Open())
    {
        return run;
    }
    auto config = dir / "pmacctd.conf";
    {
        std::ofstream out(config);
        out << "daemonize: false\n"
            << "pidfile: " << (dir / "pmacctd.pid").string() << "\n"
            << "logfile: " << (dir / "pmacctd.log").string() << "\n"
            << "pcap_savefile: " << capture.string() << "\n"
            << "plugins: sfprobe[sf]\n"
            << "sfprobe_receiver[sf]: 127.0.0.1:" << receiver.Port() << "\n"
            << "sfprobe_agentip[sf]: 127.0.0.1\n"
            << "sfprobe_agentsubid[sf]: " << subAgentId << "\n"
            << "sfprobe_ifspeed[sf]: 100000000000\n"
            << "sfprobe_ifindex[sf]: " << ifIndex << "\n"
            << "sampling_rate: 1\n"
            << "plugin_buffer_size: 2048\n";
    }
    ChildProcess pmacctd({ProgramPath("pmacctd").string(), "-f", config.string()},
                         dir / "pmacctd.output");
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::vector<std::uint8_t> datagram;
    while (pmacctd.Running() && std::chrono::steady_clock::now() < deadline)
    {
        if (receiver.Receive(datagram, 100))
        {
            run.datagrams.push_back(datagram);
        }
    }
    // The last datagrams may still be in the socket when the daemon is gone.
    while (receiver.Receive(datagram, 300))
    {
        run.datagrams.push_back(datagram);
    }
    run.exitCode = WaitForExit(pmacctd, deadline);
    run.log = ReadFile(dir / "pmacctd.log");
    bool pluginStoppedWhenAsked = run.log.find("Shutting down on user request") != std::string::npos
                                  && run.log.find("no more plugins active") != std::string::npos;
    run.completed = run.exitCode == 0 || (run.exitCode == 1 && pluginStoppedWhenAsked);
    return run;
}

struct CollectorRun
{
    int exitCode{-1};
    CsvRows flows;
    /** The counter file: one JSON object a line. */
    std::vector<std::string> counterLines;
    std::string log;
};

/**
 * Decodes a capture of sFlow datagrams with sfacctd offline: flows aggregated by `aggregate`
 * into a CSV (numeric protocols, no renormalisation by the sampling rate), counters into
 * JSON lines.
 */
inline CollectorRun
RunSfacctdOffline(const std::filesystem::path& dir,
                  const std::filesystem::path& capture,
                  const std::string& aggregate,
                  std::chrono::seconds limit = std::chrono::seconds(60))
{
    CollectorRun run;
    auto config = dir / "sfacctd.conf";
    auto flows = dir / "sfacctd-flows.csv";
    auto counters = dir / "sfacctd-counters.json";
    std::filesystem::remove(flows);
    std::filesystem::remove(counters);
    {
        std::ofstream out(config);
        out << "daemonize: false\n"
            << "pidfile: " << (dir / "sfacctd.pid").string() << "\n"
            << "logfile: " << (dir / "sfacctd.log").string() << "\n"
            << "pcap_savefile: " << capture.string() << "\n"
            << "sfacctd_counter_file: " << counters.string() << "\n"
            << "sfacctd_counter_output: json\n"
            << "plugins: print[p]\n"
            << "aggregate[p]: " << aggregate << "\n"
            << "print_output[p]: csv\n"
            << "print_output_file[p]: " << flows.string() << "\n"
            << "print_output_file_append[p]: true\n"
            << "print_num_protos[p]: true\n"
            << "print_refresh_time[p]: 1\n";
    }
    ChildProcess sfacctd({ProgramPath("sfacctd").string(), "-f", config.string()},
                         dir / "sfacctd.output");
    run.exitCode = WaitForExit(sfacctd, std::chrono::steady_clock::now() + limit);
    run.flows = ParsePmacctCsv(ReadFile(flows));
    std::stringstream lines(ReadFile(counters));
    std::string line;
    while (std::getline(lines, line))
    {
        if (!line.empty())
        {
            run.counterLines.push_back(line);
        }
    }
    run.log = ReadFile(dir / "sfacctd.log");
    return run;
}

} // namespace fab::tests

#endif
