// Reading scenario documents (schema 1).
#include "fabric/helper/scenario.h"

#include "fabric/helper/scenario-reading.h"
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/quantity-json.h"
#include "topologies/model/reference-designs.h"

#include <filesystem>
#include <map>
#include <optional>

namespace fab::embedded
{
extern const char* const kDefaultScenarioText;
} // namespace fab::embedded

namespace ns3::fabric
{

using ::fab::telemetry::InputError;
using ::fab::telemetry::JsonObjectReader;
using ::fab::telemetry::JsonPointerChild;

namespace
{

constexpr std::int64_t kMaxSchema = 1;

/** A name from a fixed list; the error lists the names. */
template <typename T, typename Parse, typename NameOf>
T
Choice(JsonObjectReader& reader,
       const std::string& key,
       T fallback,
       Parse parse,
       const std::vector<T>& values,
       NameOf name)
{
    if (!reader.Has(key))
    {
        reader.Optional(key);
        return fallback;
    }
    std::string text = reader.String(key);
    auto value = parse(text);
    if (!value)
    {
        std::string known;
        for (const auto& v : values)
        {
            known += std::string(known.empty() ? "" : ", ") + "\"" + name(v) + "\"";
        }
        reader.Fail(key, "expected one of " + known + ", found \"" + text + "\"");
    }
    return *value;
}

traffic::CollectiveAlgorithm
ReadAlgorithm(JsonObjectReader& reader,
              const std::string& key,
              traffic::CollectiveAlgorithm fallback)
{
    using A = traffic::CollectiveAlgorithm;
    return Choice(
        reader,
        key,
        fallback,
        traffic::ParseCollectiveAlgorithm,
        std::vector<A>{
            A::Ring, A::Tree, A::HalvingDoubling, A::Hierarchical, A::Pairwise, A::Direct},
        traffic::CollectiveAlgorithmName);
}

void
ReadAlgorithmOptions(JsonObjectReader& reader, traffic::AlgorithmOptions& options)
{
    options.channels = Count(reader, "channels", 1, options.channels);
    options.treeChunks = Count(reader, "tree_chunks", 1, options.treeChunks);
}

topo::Design
ReadDesign(JsonObjectReader& reader, const std::string& baseDirectory, std::string& source)
{
    const nlohmann::json& value
        = reader.Optional("design")
              ? *reader.Optional("design")
              : nlohmann::json("builtin:" + std::string(topo::kDefaultDesignName));
    std::string pointer = reader.PointerOf("design");
    if (value.is_object())
    {
        source = "inline";
        try
        {
            return topo::DesignFromJson(value);
        }
        catch (const InputError& e)
        {
            throw InputError(pointer + e.Place(), e.Expectation());
        }
    }
    if (!value.is_string())
    {
        throw InputError(pointer,
                         "expected \"builtin:NAME\", a design file's path or a design object");
    }
    source = value.get<std::string>();
    std::string path = source;
    if (source.rfind("builtin:", 0) != 0 && std::filesystem::path(source).is_relative())
    {
        path = (std::filesystem::path(baseDirectory) / source).string();
    }
    if (source.rfind("builtin:", 0) != 0 && !std::filesystem::is_regular_file(path))
    {
        throw InputError(pointer, "no design file \"" + path + "\"");
    }
    try
    {
        return topo::LoadDesign(path);
    }
    catch (const InputError& e)
    {
        if (!e.File().empty())
        {
            throw; // an error inside the design file names that file
        }
        throw InputError(pointer, e.what());
    }
}

void
ReadFabric(JsonObjectReader& reader, Scenario& scenario)
{
    FabricOptions& options = scenario.fabric;
    options.payloadMtu = scenario.design.nicMtuBytes;
    options.switchMtuBytes = scenario.design.switchMtuBytes;
    if (!reader.Has("fabric"))
    {
        reader.Optional("fabric");
        return;
    }
    JsonObjectReader fabric = reader.Object("fabric");
    options.features.pfc = fabric.Bool("pfc", true);
    options.features.ecn = fabric.Bool("ecn", true);
    options.payloadMtu
        = static_cast<std::uint32_t>(fabric.Integer("mtu_bytes",
                                                    topo::kMinMtuBytes,
                                                    topo::MaxMtuBytes(scenario.design.fabric),
                                                    options.payloadMtu));
    options.bufferBytes = topo::ReadBytes(fabric, "buffer", 0);
    options.lldpInterval = NanoSeconds(fabric.Bool("lldp", true) ? 1'000'000 : 0);
    if (fabric.Has("transport"))
    {
        JsonObjectReader transport = fabric.Object("transport");
        TransportConfig& t = options.transport;
        t.reliable = transport.Bool("reliable", t.reliable);
        t.ackEvery = Count(transport, "ack_every", 1, t.ackEvery);
        t.retransmitTimeout = NanoSeconds(topo::ReadDurationNs(
            transport, "retransmit_timeout", t.retransmitTimeout.GetNanoSeconds()));
        t.cnpIntervalNs = topo::ReadDurationNs(transport, "cnp_interval", t.cnpIntervalNs);
        if (transport.Has("congestion_control"))
        {
            std::string name = transport.String("congestion_control");
            if (!ParseCongestionControl(name, t.congestionControl))
            {
                transport.Fail("congestion_control",
                               "expected \"dcqcn\", \"dctcp\" or \"none\", found \"" + name + "\"");
            }
        }
        transport.Finish();
    }
    else
    {
        fabric.Optional("transport");
    }
    if (fabric.Has("scale_up"))
    {
        JsonObjectReader scaleUp = fabric.Object("scale_up");
        scenario.scaleUp.bitsPerSecond
            = topo::ReadRate(scaleUp, "rate", scenario.scaleUp.bitsPerSecond);
        scenario.scaleUp.latencyNs
            = topo::ReadDurationNs(scaleUp, "latency", scenario.scaleUp.latencyNs);
        scaleUp.Finish();
    }
    else
    {
        fabric.Optional("scale_up");
    }
    fabric.Finish();
}

void
ReadModel(JsonObjectReader& reader, traffic::ModelSpec& model)
{
    model.name = reader.String("name", model.name);
    model.layers = Count(reader, "layers", 1, model.layers);
    model.hidden = Count(reader, "hidden", 1, model.hidden);
    model.ffnHidden = Count(reader, "ffn_hidden", 0, model.ffnHidden);
    model.sequence = Count(reader, "sequence", 1, model.sequence);
    model.vocabulary = Count(reader, "vocabulary", 0, model.vocabulary);
    model.parameters = static_cast<std::uint64_t>(reader.Number("parameters", 0, 1e15, 0));
    model.experts = Count(reader, "experts", 0, model.experts);
    model.topK = Count(reader, "top_k", 1, model.topK);
    model.moeEvery = Count(reader, "moe_every", 1, model.moeEvery);
    model.bytesPerValue = Count(reader, "bytes_per_value", 1, model.bytesPerValue);
    reader.Finish();
}

ScenarioJob
ReadTrainingJob(JsonObjectReader& reader)
{
    ScenarioJob job;
    job.kind = ScenarioJob::Kind::Training;
    traffic::JobSpec& spec = job.training;
    spec.name = reader.String("name");
    std::uint32_t gpus = Count(reader, "gpus", 1, 0);
    JsonObjectReader model = reader.Object("model");
    ReadModel(model, spec.model);
    JsonObjectReader parallel = reader.Object("parallel");
    spec.parallel.dp = Count(parallel, "dp", 1, 1);
    spec.parallel.tp = Count(parallel, "tp", 1, 1);
    spec.parallel.pp = Count(parallel, "pp", 1, 1);
    spec.parallel.ep = Count(parallel, "ep", 1, 1);
    spec.parallel.sequenceParallel = parallel.Bool("sp", false);
    parallel.Finish();
    if (static_cast<std::uint64_t>(spec.parallel.dp) * spec.parallel.tp * spec.parallel.pp != gpus)
    {
        throw InputError(reader.PointerOf("parallel"),
                         "dp × tp × pp = " + std::to_string(spec.parallel.dp) + " × "
                             + std::to_string(spec.parallel.tp) + " × "
                             + std::to_string(spec.parallel.pp) + " must equal the job's "
                             + std::to_string(gpus) + " GPUs");
    }
    spec.microBatch = Count(reader, "micro_batch", 1, 1);
    spec.globalBatch = Count(reader, "global_batch", 0, 0);
    if (reader.Has("compute"))
    {
        JsonObjectReader compute = reader.Object("compute");
        spec.compute.peakFlops
            = compute.Number("peak_tflops", 0.001, 1e6, spec.compute.peakFlops / 1e12) * 1e12;
        spec.compute.mfu = compute.Number("mfu", 0.001, 1, spec.compute.mfu);
        spec.compute.layerForwardNs = topo::ReadDurationNs(compute, "layer_time", 0);
        compute.Finish();
    }
    else
    {
        reader.Optional("compute");
    }
    spec.bucketBytes = topo::ReadBytes(reader, "bucket", spec.bucketBytes);
    spec.dpAlgorithm = ReadAlgorithm(reader, "dp_algorithm", spec.dpAlgorithm);
    ReadAlgorithmOptions(reader, spec.algorithm);
    return job;
}

ScenarioJob
ReadCollectiveJob(JsonObjectReader& reader)
{
    using Op = traffic::CollectiveOp;
    ScenarioJob job;
    job.kind = ScenarioJob::Kind::Collective;
    traffic::CollectiveJobSpec& spec = job.collective;
    spec.name = reader.String("name");
    spec.op
        = Choice(reader,
                 "op",
                 spec.op,
                 traffic::ParseCollectiveOp,
                 std::vector<Op>{
                     Op::AllReduce, Op::AllGather, Op::ReduceScatter, Op::AllToAll, Op::SendRecv},
                 traffic::CollectiveOpName);
    spec.algorithm = ReadAlgorithm(reader, "algorithm", traffic::DefaultAlgorithm(spec.op));
    spec.bytes = topo::ReadBytes(reader, "bytes");
    spec.gpus = Count(reader, "gpus", 2, 0);
    spec.gpusPerServer = Count(reader, "gpus_per_server", 1, 0);
    ReadAlgorithmOptions(reader, spec.options);
    try
    {
        // Whether the algorithm implements the op for this many ranks: a few ranks on one
        // channel tell, without expanding a collective of the job's size.
        traffic::AlgorithmOptions probe;
        probe.channels = 1;
        probe.treeChunks = 1;
        traffic::ExpandCollective(
            spec.op, spec.algorithm, std::min(spec.gpus, 64u), spec.bytes, probe);
        if ((spec.gpus & (spec.gpus - 1)) != 0
            && spec.algorithm == traffic::CollectiveAlgorithm::HalvingDoubling)
        {
            throw std::invalid_argument("halving-doubling needs a power-of-two rank count, not "
                                        + std::to_string(spec.gpus));
        }
    }
    catch (const std::invalid_argument& e)
    {
        throw InputError(reader.PointerOf("algorithm"), e.what());
    }
    return job;
}

/** The job's servers: [first, first + count). */
std::pair<std::uint32_t, std::uint32_t>
ServersOf(const ScenarioJob& job, const topo::Design& design)
{
    std::uint32_t perServer = design.servers.gpus;
    std::uint32_t gpus = 0;
    std::uint32_t first = 0;
    if (job.kind == ScenarioJob::Kind::Training)
    {
        gpus = job.training.parallel.Gpus();
        first = job.training.firstServer;
    }
    else
    {
        gpus = job.collective.gpus;
        first = job.collective.firstServer;
        perServer = job.collective.gpusPerServer != 0 ? job.collective.gpusPerServer : perServer;
    }
    return {first, (gpus + perServer - 1) / perServer};
}

void
ReadJobs(JsonObjectReader& reader, Scenario& scenario)
{
    const nlohmann::json& jobs = reader.Required("jobs");
    std::string pointer = reader.PointerOf("jobs");
    if (!jobs.is_array() || jobs.empty())
    {
        throw InputError(pointer, "expected a non-empty array of jobs");
    }
    const topo::Design& design = scenario.design;
    auto servers = static_cast<std::uint32_t>(design.servers.count);
    // The servers each job took: ranges, not a table per server, which a large design would
    // make big before any estimate of the run could refuse it.
    struct Taken
    {
        std::uint32_t start;
        std::uint32_t count;
        std::string job;
    };
    std::vector<Taken> taken;
    std::uint32_t nextFree = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i)
    {
        std::string at = JsonPointerChild(pointer, i);
        if (!jobs[i].is_object())
        {
            throw InputError(at, "expected a job object");
        }
        JsonObjectReader job(jobs[i], at);
        std::string kind = job.String("kind");
        ScenarioJob parsed;
        if (kind == "training")
        {
            parsed = ReadTrainingJob(job);
        }
        else if (kind == "collective")
        {
            parsed = ReadCollectiveJob(job);
        }
        else
        {
            job.Fail("kind", "expected \"training\" or \"collective\", found \"" + kind + "\"");
        }
        parsed.priority = static_cast<std::uint8_t>(job.Integer("priority", 0, 7, 3));
        auto first = Count(job, "first_server", 0, nextFree);
        parsed.training.firstServer = first;
        parsed.collective.firstServer = first;
        if (parsed.kind == ScenarioJob::Kind::Training)
        {
            try
            {
                traffic::ValidateJob(parsed.training, design.servers.gpus, servers);
            }
            catch (const traffic::JobError& e)
            {
                throw InputError(at + "/" + e.Field(), e.what());
            }
        }
        else if (parsed.collective.gpusPerServer > design.servers.gpus)
        {
            job.Fail("gpus_per_server",
                     "a server of this design has " + std::to_string(design.servers.gpus)
                         + " GPUs, not " + std::to_string(parsed.collective.gpusPerServer));
        }
        job.Finish();
        auto [start, count] = ServersOf(parsed, design);
        if (static_cast<std::uint64_t>(start) + count > servers)
        {
            throw InputError(at + "/first_server",
                             "the job needs servers " + std::to_string(start) + " to "
                                 + std::to_string(start + count - 1) + " but the design has "
                                 + std::to_string(servers) + " servers");
        }
        const Taken* clash = nullptr;
        std::uint32_t clashAt = 0;
        for (const auto& t : taken)
        {
            std::uint32_t from = std::max(start, t.start);
            if (from < std::min(start + count, t.start + t.count) && (!clash || from < clashAt))
            {
                clash = &t;
                clashAt = from;
            }
        }
        if (clash != nullptr)
        {
            throw InputError(at + "/first_server",
                             "server " + std::to_string(clashAt) + " already runs job \""
                                 + clash->job + "\"");
        }
        taken.push_back({start, count, parsed.Name()});
        nextFree = std::max(nextFree, start + count);
        scenario.jobs.push_back(std::move(parsed));
    }
}

/**
 * Port patterns to capture. The design is fixed, and so are its port names: a pattern that
 * matches none of them is a typo, which would otherwise leave the run without its capture.
 */
void
ReadCapturePatterns(const nlohmann::json& capture, const std::string& at, Scenario& scenario)
{
    if (!capture.is_array())
    {
        throw InputError(at, "expected an array of port patterns such as \"leaf-0-0\"");
    }
    if (capture.empty())
    {
        return;
    }
    auto graph = topo::FabricGraph::Build(scenario.design, topo::PlanFatTree(scenario.design));
    for (std::size_t i = 0; i < capture.size(); ++i)
    {
        if (!capture[i].is_string())
        {
            throw InputError(JsonPointerChild(at, i), "expected a port pattern string");
        }
        std::string pattern = capture[i].get<std::string>();
        bool matched = false;
        for (const auto& link : graph.Links())
        {
            if (topo::PortPatternMatches(pattern, graph.PortName(link.lower, link.lowerPort))
                || topo::PortPatternMatches(pattern, graph.PortName(link.upper, link.upperPort)))
            {
                matched = true;
                break;
            }
        }
        if (!matched)
        {
            const auto& first = graph.Links().front();
            throw InputError(JsonPointerChild(at, i),
                             "the pattern \"" + pattern
                                 + "\" matches no port of this design; expected a port such as \""
                                 + graph.PortName(first.upper, first.upperPort) + "\" or \""
                                 + graph.PortName(first.lower, first.lowerPort)
                                 + "\", or a pattern without ':' for every port of a switch");
        }
        scenario.outputs.captures.push_back(std::move(pattern));
    }
}

void
ReadOutputs(JsonObjectReader& reader, Scenario& scenario)
{
    if (!reader.Has("outputs"))
    {
        reader.Optional("outputs");
        return;
    }
    JsonObjectReader outputs = reader.Object("outputs");
    ScenarioOutputs& o = scenario.outputs;
    o.intervalNs = topo::ReadDurationNs(outputs, "interval", o.intervalNs);
    o.series = outputs.Bool("series", o.series);
    o.trace = outputs.Bool("trace", o.trace);
    std::uint64_t snap = topo::ReadBytes(outputs, "snap_length", 0);
    if (snap != 0 && (snap < 64 || snap > 262144))
    {
        outputs.Fail("snap_length",
                     "expected 64B to 256KiB, found " + std::to_string(snap) + " bytes");
    }
    o.snapLength = static_cast<std::uint32_t>(snap);
    if (const auto* capture = outputs.Optional("capture"))
    {
        ReadCapturePatterns(*capture, outputs.PointerOf("capture"), scenario);
    }
    ReadSflow(outputs, scenario);
    outputs.Finish();
}

} // namespace

std::vector<traffic::RankPlace>
ScenarioJob::Places(std::uint32_t gpusPerServer) const
{
    return kind == Kind::Training ? traffic::PlaceRanks(training, gpusPerServer)
                                  : traffic::PlaceCollective(collective, gpusPerServer);
}

traffic::Schedule
ScenarioJob::Iteration(const std::vector<traffic::RankPlace>& places,
                       const traffic::ScaleUpLink& scaleUp) const
{
    return kind == Kind::Training ? traffic::StreamIteration(training, places, scaleUp)
                                  : traffic::BuildCollectiveIteration(collective, places, scaleUp);
}

Scenario
ScenarioFromJson(const nlohmann::json& document, const std::string& baseDirectory)
{
    if (!document.is_object())
    {
        throw InputError("", "expected a scenario object");
    }
    JsonObjectReader reader(document, "");
    Scenario scenario;
    reader.Integer("schema", 1, kMaxSchema);
    scenario.name = reader.String("name", scenario.name);
    scenario.description = reader.String("description", "");
    scenario.design = ReadDesign(reader, baseDirectory, scenario.designSource);
    ReadFabric(reader, scenario);
    ReadJobs(reader, scenario);
    ReadRecovery(reader, scenario);
    ReadSweep(reader, scenario);
    ReadFailures(reader, scenario);
    if (reader.Has("stop"))
    {
        JsonObjectReader stop = reader.Object("stop");
        // A time alone means: run the jobs over and over until then.
        scenario.iterations = Count(stop, "iterations", 0, stop.Has("time") ? 0 : 1);
        scenario.stopTimeNs = topo::ReadDurationNs(stop, "time", 0);
        if (scenario.iterations == 0 && scenario.stopTimeNs == 0)
        {
            stop.Fail("iterations", "with no iteration count a stop time is needed");
        }
        stop.Finish();
    }
    else
    {
        reader.Optional("stop");
    }
    ReadRandomFailures(reader, scenario);
    if (scenario.sweep.vary == ScenarioSweep::Vary::Policy && scenario.failures.empty()
        && !scenario.randomFailures)
    {
        throw InputError(reader.PointerOf("sweep") + "/policies",
                         "a policy sweep needs faults to recover from: add \"failures\" or "
                         "\"random_failures\"");
    }
    scenario.seed = static_cast<std::uint64_t>(reader.Integer("seed", 0, kMaxSeed, 1));
    scenario.engine = reader.String("engine", scenario.engine);
    if (scenario.engine != "packet" && scenario.engine != "flow")
    {
        reader.Fail("engine", "\"packet\" or \"flow\"");
    }
    ReadOutputs(reader, scenario);
    reader.Finish();
    if (scenario.sweep.vary == ScenarioSweep::Vary::Grid)
    {
        CheckSweepGrid(document, baseDirectory, scenario);
    }
    return scenario;
}

Scenario
LoadScenarioFile(const std::string& path)
{
    try
    {
        auto document = ::fab::telemetry::ReadJsonFile(path);
        return ScenarioFromJson(document, std::filesystem::path(path).parent_path().string());
    }
    catch (InputError& e)
    {
        if (e.File().empty())
        {
            e.SetFile(path);
        }
        throw;
    }
}

const char*
DefaultScenarioText()
{
    return ::fab::embedded::kDefaultScenarioText;
}

Scenario
DefaultScenario()
{
    try
    {
        return ScenarioFromJson(::fab::telemetry::ParseJsonText(DefaultScenarioText()), ".");
    }
    catch (InputError& e)
    {
        e.SetFile("builtin:default");
        throw;
    }
}

} // namespace ns3::fabric
