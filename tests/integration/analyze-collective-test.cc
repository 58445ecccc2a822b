// Collectives the simulator ran, recognised from its captures: a ring AllReduce is a ring in
// the traffic library's rank order, an All-to-All a full mesh, a double binary tree AllReduce
// NCCL's double binary tree with the library's ranks; `analyze` writes them to JSON, Markdown
// and HTML (with a picture).
#include "dpi/capture-analysis.h"
#include "dpi/collective-shape.h"
#include "fabric/helper/schedule-runner.h"
#include "fabric/model/roce-wire.h"
#include "support/run-command.h"
#include "support/test-designs.h"
#include "traffic/model/collective-job.h"
#include "traffic/model/tree-collective.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::TempDir;
using fab::tests::UniformDesign;
namespace dpi = fab::dpi;
namespace tr = fab::traffic;

namespace
{

constexpr std::uint32_t kRanks = 8;
/** Rank r runs on server kServerOfRank[r]: not in address order, so ranks must be found. */
const std::vector<std::uint32_t> kServerOfRank{5, 2, 7, 0, 3, 6, 1, 4};

struct Capture
{
    std::vector<std::string> files;
    std::uint64_t fabricBytes{0}; ///< what the schedule's transfers carry between servers
};

/** One run of `op` over 8 servers of one 100G NIC (two leaves), every server NIC captured. */
Capture
RunCollective(const std::filesystem::path& dir,
              tr::CollectiveOp op,
              tr::CollectiveAlgorithm algorithm,
              std::uint64_t bytes,
              std::uint32_t channels)
{
    auto design = UniformDesign(kRanks, 1, 8, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    Capture capture;
    // Headers are enough: the analyzer takes payload lengths from the UDP length.
    capture.files = fabric.EnableCapture(dir.string(), "srv-*:*", 128);
    tr::CollectiveJobSpec spec;
    spec.op = op;
    spec.algorithm = algorithm;
    spec.bytes = bytes;
    spec.gpus = kRanks;
    spec.options.channels = channels;
    auto places = tr::PlaceCollective(spec, design.servers.gpus);
    FabricJob job;
    job.iteration = tr::BuildCollectiveIteration(spec, places, {});
    job.ranks = PlaceOnNics(design, places);
    for (std::uint32_t r = 0; r < kRanks; ++r)
    {
        job.ranks[r].server = kServerOfRank[r];
    }
    for (const auto& task : job.iteration.ExpandTasks())
    {
        capture.fabricBytes += task.kind == tr::TaskKind::Transfer ? task.bytes : 0;
    }
    ScheduleRunner runner(fabric);
    runner.AddJob(std::move(job));
    runner.Start(MicroSeconds(1));
    Simulator::Stop(MilliSeconds(50));
    Simulator::Run();
    REQUIRE(runner.Done());
    Simulator::Destroy(); // closes the capture files
    REQUIRE(capture.files.size() == kRanks);
    return capture;
}

dpi::AnalysisResult
Analyze(const Capture& capture)
{
    dpi::AnalysisOptions options;
    options.linkBps = 100'000'000'000ULL;
    return dpi::AnalyzeCaptures(capture.files, options);
}

/** The server a group member is: address 10.0.0.(endpoint + 1), one endpoint per server. */
std::vector<std::uint32_t>
ServersByRank(const dpi::CollectiveGroup& group)
{
    std::vector<std::uint32_t> servers;
    for (const auto& m : group.members)
    {
        servers.push_back(dpi::Ipv4Of(m.address.bytes) - EndpointIpv4(0));
    }
    return servers;
}

/** The only group: every data flow belongs to the collective; each packet is in the sender's
 *  and the receiver's capture, so the group carries twice what the transfers moved. */
const dpi::CollectiveGroup&
OnlyGroup(const dpi::AnalysisResult& result, const Capture& capture)
{
    REQUIRE(result.decoded.roce > 0);
    REQUIRE(result.collectives.size() == 1);
    const auto& group = result.collectives[0];
    REQUIRE(group.Size() == kRanks);
    REQUIRE(group.payloadBytes == 2 * capture.fabricBytes);
    return group;
}

} // namespace

TEST_CASE("a ring AllReduce the simulator ran is a ring in the library's rank order",
          "[integration][analyze][sim][collective]")
{
    auto dir = TempDir("analyze-ring");
    auto capture = RunCollective(
        dir, tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Ring, 2ull << 20, 2);
    auto result = Analyze(capture);
    const auto& group = OnlyGroup(result, capture);
    REQUIRE(group.pattern == dpi::CollectivePattern::Ring);
    // The library's ring is rank 0, 1, ..., 7 (one GPU per server); the analyzer starts it at
    // the lowest address, server 0, which runs rank 3.
    std::vector<std::uint32_t> expected;
    for (std::uint32_t k = 0; k < kRanks; ++k)
    {
        expected.push_back(kServerOfRank[(3 + k) % kRanks]);
    }
    REQUIRE(ServersByRank(group) == expected);
    // Two channels: two queue pairs per hop, each carrying half.
    for (const auto& e : group.edges)
    {
        REQUIRE(e.toRank == (e.fromRank + 1) % kRanks);
        REQUIRE(e.flows == 2);
        REQUIRE(e.payloadBytes == 2 * capture.fabricBytes / kRanks);
    }
    REQUIRE(group.imbalance == 1.0);

    SECTION("analyze writes the group to JSON, Markdown and HTML")
    {
        std::string files;
        for (const auto& f : capture.files)
        {
            files += " '" + f + "'";
        }
        auto json = fab::tests::RunFabricscope(dir, "analyze" + files + " --format json -o a.json");
        INFO(json.err);
        REQUIRE((json.exitCode == 0 || json.exitCode == 1));
        auto out = nlohmann::json::parse(fab::tests::ReadFile(dir / "a.json"));
        const auto& ring = out.at("collectives").at(0);
        REQUIRE(ring.at("kind") == "ring");
        REQUIRE(ring.at("members").size() == kRanks);
        REQUIRE(ring.at("members").at(0).at("address") == "10.0.0.1");
        REQUIRE(ring.at("members").at(1).at("address")
                == "10.0.0." + std::to_string(expected[1] + 1));
        REQUIRE(ring.at("edges").size() == kRanks);
        REQUIRE(ring.at("bytes") == 2 * capture.fabricBytes);
        REQUIRE(ring.at("flows") == 2 * kRanks);

        REQUIRE(fab::tests::RunFabricscope(dir, "analyze" + files + " --format md -o a.md").exitCode
                <= 1);
        auto markdown = fab::tests::ReadFile(dir / "a.md");
        REQUIRE(markdown.find("## Collectives") != std::string::npos);
        REQUIRE(markdown.find("ring of 8: each member sends to the next rank only")
                != std::string::npos);
        REQUIRE(markdown.find("```text\nring of 8") != std::string::npos);

        REQUIRE(
            fab::tests::RunFabricscope(dir, "analyze" + files + " --format html -o a.html").exitCode
            <= 1);
        auto html = fab::tests::ReadFile(dir / "a.html");
        auto svg = html.find("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        REQUIRE(svg != std::string::npos);
        auto end = html.find("</svg>", svg);
        REQUIRE(end != std::string::npos);
        auto picture = html.substr(svg, end - svg);
        // Eight members and eight hops, each hop an arrow.
        std::size_t circles = 0;
        std::size_t arrows = 0;
        for (auto at = picture.find("<circle"); at != std::string::npos;
             at = picture.find("<circle", at + 1))
        {
            ++circles;
        }
        for (auto at = picture.find("marker-end="); at != std::string::npos;
             at = picture.find("marker-end=", at + 1))
        {
            ++arrows;
        }
        REQUIRE(circles == kRanks);
        REQUIRE(arrows == kRanks);
    }
}

TEST_CASE("an All-to-All the simulator ran is a full mesh",
          "[integration][analyze][sim][collective]")
{
    auto dir = TempDir("analyze-alltoall");
    auto capture = RunCollective(
        dir, tr::CollectiveOp::AllToAll, tr::CollectiveAlgorithm::Direct, 2ull << 20, 1);
    auto result = Analyze(capture);
    const auto& group = OnlyGroup(result, capture);
    REQUIRE(group.pattern == dpi::CollectivePattern::AllToAll);
    REQUIRE(group.edges.size() == kRanks * (kRanks - 1));
    REQUIRE(group.degrees.density == 1.0);
    REQUIRE(group.imbalance == 1.0);
    // A mesh has no order of its own: ranks are the address order.
    REQUIRE(ServersByRank(group) == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("a double binary tree AllReduce the simulator ran is NCCL's double binary tree",
          "[integration][analyze][sim][collective]")
{
    // The analyzer knows the shape without the traffic library: both agree on it.
    auto trees = tr::DoubleBinaryTree(kRanks);
    auto parents = dpi::DoubleBinaryTreeParents(kRanks);
    REQUIRE(trees[0].parent == parents[0]);
    REQUIRE(trees[1].parent == parents[1]);

    auto dir = TempDir("analyze-tree");
    auto capture = RunCollective(
        dir, tr::CollectiveOp::AllReduce, tr::CollectiveAlgorithm::Tree, 2ull << 20, 1);
    auto result = Analyze(capture);
    const auto& group = OnlyGroup(result, capture);
    REQUIRE(group.pattern == dpi::CollectivePattern::DoubleBinaryTree);
    REQUIRE(group.roots == std::vector<std::uint32_t>{trees[0].root, trees[1].root});
    REQUIRE(group.height == trees[0].Height());
    // Each tree edge carries the reduce up and the broadcast down.
    for (const auto& tree : trees)
    {
        for (std::uint32_t r = 0; r < kRanks; ++r)
        {
            if (r == tree.root)
            {
                continue;
            }
            bool up = false;
            bool down = false;
            for (const auto& e : group.edges)
            {
                up = up || (e.fromRank == r && e.toRank == tree.parent[r]);
                down = down || (e.fromRank == tree.parent[r] && e.toRank == r);
            }
            REQUIRE(up);
            REQUIRE(down);
        }
    }
    // The union of the two trees over 8 ranks has one symmetry, the mirror r → 7 − r that swaps
    // them; the analyzer reports the ranks that start at the lower address.
    std::vector<std::uint32_t> mirrored(kServerOfRank.rbegin(), kServerOfRank.rend());
    REQUIRE(ServersByRank(group)
            == (mirrored.front() < kServerOfRank.front() ? mirrored : kServerOfRank));
}
