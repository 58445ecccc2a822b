#include "fabric/helper/sweep-run-record.h"

#include "telemetry/model/json-object-reader.h"

#include <numeric>

namespace ns3::fabric
{

using fab::telemetry::InputError;

namespace
{

nlohmann::json
Time(std::int64_t ns)
{
    return ns < 0 ? nlohmann::json() : nlohmann::json(ns);
}

std::int64_t
TimeFrom(const nlohmann::json& value)
{
    return value.is_null() ? -1 : value.get<std::int64_t>();
}

} // namespace

double
SweepRunRecord::MeanBusbwGbps() const
{
    if (collectives.empty())
    {
        return 0;
    }
    double sum = 0;
    for (const auto& c : collectives)
    {
        sum += c.busbwGbps;
    }
    return sum / static_cast<double>(collectives.size());
}

std::int64_t
SweepRunRecord::MeanIterationNs() const
{
    if (iterations.empty())
    {
        return -1;
    }
    std::int64_t sum = 0;
    for (const auto& i : iterations)
    {
        sum += i.endNs - i.startNs;
    }
    return sum / static_cast<std::int64_t>(iterations.size());
}

SweepRunRecord
RecordRun(const SimulationResult& result)
{
    SweepRunRecord r;
    r.completed = result.completed;
    r.seed = result.seed;
    for (const auto& job : result.jobs)
    {
        SweepRunRecord::Job j{job.name, {}};
        for (const auto& group : job.groups)
        {
            j.groups.push_back(group.name);
        }
        r.jobs.push_back(std::move(j));
    }
    r.iterations = result.iterations;
    for (const auto& c : result.collectives)
    {
        r.collectives.push_back({c.job, c.iteration, c.group, c.startNs, c.endNs, c.busbwGbps});
    }
    for (const auto& f : result.failures)
    {
        r.faults.push_back(
            {f.spec.target, f.spec.atNs, f.detectedNs, f.convergedNs, f.lastLossNs, f.packetsLost});
    }
    r.pfcPauses = std::accumulate(
        result.totals.pfcPauseTx.begin(), result.totals.pfcPauseTx.end(), std::uint64_t{0});
    r.retransmitted = result.retransmittedPackets;
    r.timeouts = result.retransmitTimeouts;
    r.failures = FailuresJson(result.failures);
    r.sflow = result.sflow ? SflowJson(*result.sflow) : nlohmann::json();
    r.events = result.stats.events;
    r.wallSeconds = result.stats.wallSeconds;
    r.peakRssBytes = result.stats.peakRssBytes;
    r.simTimeNs = result.stats.simTimeNs;
    r.files = result.files;
    r.sampleIntervalNs = result.sampleIntervalNs;
    for (const auto& sample : result.samples)
    {
        r.deliveredGbps.push_back(sample.deliveredGbps);
    }
    return r;
}

nlohmann::json
SweepRunRecordJson(const SweepRunRecord& r)
{
    nlohmann::json jobs = nlohmann::json::array();
    for (const auto& job : r.jobs)
    {
        jobs.push_back({{"name", job.name}, {"groups", job.groups}});
    }
    nlohmann::json iterations = nlohmann::json::array();
    for (const auto& i : r.iterations)
    {
        iterations.push_back({i.job, i.index, i.startNs, i.endNs});
    }
    nlohmann::json collectives = nlohmann::json::array();
    for (const auto& c : r.collectives)
    {
        collectives.push_back({c.job, c.iteration, c.group, c.startNs, c.endNs, c.busbwGbps});
    }
    nlohmann::json faults = nlohmann::json::array();
    for (const auto& f : r.faults)
    {
        faults.push_back({{"target", f.target},
                          {"at_ns", f.atNs},
                          {"detected_ns", Time(f.detectedNs)},
                          {"converged_ns", Time(f.convergedNs)},
                          {"last_loss_ns", Time(f.lastLossNs)},
                          {"packets_lost", f.packetsLost}});
    }
    return {{"schema", 1},
            {"completed", r.completed},
            {"seed", r.seed},
            {"jobs", std::move(jobs)},
            {"iterations", std::move(iterations)},
            {"collectives", std::move(collectives)},
            {"faults", std::move(faults)},
            {"pfc_pauses", r.pfcPauses},
            {"retransmitted_packets", r.retransmitted},
            {"retransmit_timeouts", r.timeouts},
            {"failures", r.failures},
            {"sflow", r.sflow},
            {"sim",
             {{"events", r.events},
              {"wall_s", r.wallSeconds},
              {"peak_rss_bytes", r.peakRssBytes},
              {"sim_time_ns", r.simTimeNs}}},
            {"files", r.files},
            {"sample_interval_ns", r.sampleIntervalNs},
            {"delivered_gbps", r.deliveredGbps}};
}

SweepRunRecord
SweepRunRecordFromJson(const nlohmann::json& d)
{
    SweepRunRecord r;
    std::string at;
    try
    {
        at = "/schema";
        if (d.at("schema").get<int>() != 1)
        {
            throw InputError(at, "expected schema 1");
        }
        at = "/completed";
        r.completed = d.at("completed").get<bool>();
        at = "/seed";
        r.seed = d.at("seed").get<std::uint64_t>();
        at = "/jobs";
        for (const auto& job : d.at("jobs"))
        {
            r.jobs.push_back({job.at("name").get<std::string>(),
                              job.at("groups").get<std::vector<std::string>>()});
        }
        // The merge indexes jobs and groups with these: a record must not name others.
        auto checkJob = [&r, &at](std::uint32_t job)
        {
            if (job >= r.jobs.size())
            {
                throw InputError(at, "names a job the run does not have");
            }
        };
        at = "/iterations";
        for (const auto& i : d.at("iterations"))
        {
            IterationRecord record;
            record.job = i.at(0).get<std::uint32_t>();
            record.index = i.at(1).get<std::uint32_t>();
            record.startNs = i.at(2).get<std::int64_t>();
            record.endNs = i.at(3).get<std::int64_t>();
            checkJob(record.job);
            r.iterations.push_back(record);
        }
        at = "/collectives";
        for (const auto& c : d.at("collectives"))
        {
            SweepRunRecord::Collective record{c.at(0).get<std::uint32_t>(),
                                              c.at(1).get<std::uint32_t>(),
                                              c.at(2).get<std::uint32_t>(),
                                              c.at(3).get<std::int64_t>(),
                                              c.at(4).get<std::int64_t>(),
                                              c.at(5).get<double>()};
            checkJob(record.job);
            if (record.group >= r.jobs[record.job].groups.size())
            {
                throw InputError(at, "names a group its job does not have");
            }
            r.collectives.push_back(record);
        }
        at = "/faults";
        for (const auto& f : d.at("faults"))
        {
            r.faults.push_back({f.at("target").get<std::string>(),
                                f.at("at_ns").get<std::int64_t>(),
                                TimeFrom(f.at("detected_ns")),
                                TimeFrom(f.at("converged_ns")),
                                TimeFrom(f.at("last_loss_ns")),
                                f.at("packets_lost").get<std::uint64_t>()});
        }
        at = "/pfc_pauses";
        r.pfcPauses = d.at("pfc_pauses").get<std::uint64_t>();
        at = "/retransmitted_packets";
        r.retransmitted = d.at("retransmitted_packets").get<std::uint64_t>();
        at = "/retransmit_timeouts";
        r.timeouts = d.at("retransmit_timeouts").get<std::uint64_t>();
        at = "/failures";
        r.failures = d.at("failures");
        at = "/sflow";
        r.sflow = d.at("sflow");
        at = "/sim";
        const auto& sim = d.at("sim");
        r.events = sim.at("events").get<std::uint64_t>();
        r.wallSeconds = sim.at("wall_s").get<double>();
        r.peakRssBytes = sim.at("peak_rss_bytes").get<std::uint64_t>();
        r.simTimeNs = sim.at("sim_time_ns").get<std::int64_t>();
        at = "/files";
        r.files = d.at("files").get<std::vector<std::string>>();
        at = "/sample_interval_ns";
        r.sampleIntervalNs = d.at("sample_interval_ns").get<std::int64_t>();
        at = "/delivered_gbps";
        r.deliveredGbps = d.at("delivered_gbps").get<std::vector<double>>();
    }
    catch (const nlohmann::json::exception& e)
    {
        throw InputError(at, std::string("not a run record: ") + e.what());
    }
    return r;
}

} // namespace ns3::fabric
