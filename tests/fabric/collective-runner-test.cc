#include "fabric/helper/collective-runner.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::UniformDesign;
namespace tr = fab::traffic;

namespace
{

CollectiveResult
RunOnOneLeaf(tr::TransferDag dag,
             tr::CollectiveOp op,
             std::uint64_t bytes,
             std::uint64_t* delivered)
{
    auto design = UniformDesign(8, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.lldpInterval = Time(0);
    FabricBuilder fabric(design, options);
    std::vector<RankPlacement> ranks;
    for (std::uint32_t r = 0; r < 8; ++r)
    {
        ranks.push_back({r, 0});
    }
    std::uint64_t expected = dag.TotalBytes();
    CollectiveRunner runner(fabric, std::move(dag), ranks, op, bytes);
    runner.Start(MicroSeconds(1));
    Simulator::Stop(MilliSeconds(50));
    Simulator::Run();
    REQUIRE(runner.Done());
    *delivered = 0;
    for (std::uint32_t s = 0; s < 8; ++s)
    {
        *delivered += fabric.Host(s)->GetTotalReceivedPayload();
    }
    REQUIRE(*delivered == expected);
    auto result = runner.Result();
    Simulator::Destroy();
    return result;
}

} // namespace

TEST_CASE("collectives on the fabric: busbw approaches the link's payload rate",
          "[fabric][sim][collective]")
{
    // Each rank's 100G NIC carries 4,096 payload bytes per 4,178 on the wire (WRITE MIDDLE);
    // a ring step also waits for the previous one's ACK, a few microseconds per 2 MB chunk.
    const double payloadRate = 100.0 * 4096 / 4178;
    const std::uint64_t bytes = 16ull << 20;
    std::uint64_t delivered = 0;
    SECTION("ring AllReduce, 8 ranks")
    {
        auto result = RunOnOneLeaf(
            tr::RingAllReduce(8, bytes), tr::CollectiveOp::AllReduce, bytes, &delivered);
        WARN("ring AllReduce 8 x 16 MiB: busbw " << result.busbwGbps << " Gb/s, algbw "
                                                 << result.algbwGbps);
        REQUIRE(result.busbwGbps > 0.85 * payloadRate);
        REQUIRE(result.busbwGbps < payloadRate);
        REQUIRE(result.algbwGbps == Approx(result.busbwGbps * 8 / 14));
    }
    SECTION("ring AllReduce on 2 channels")
    {
        auto result = RunOnOneLeaf(
            tr::RingAllReduce(8, bytes, 2), tr::CollectiveOp::AllReduce, bytes, &delivered);
        REQUIRE(result.busbwGbps > 0.85 * payloadRate);
        REQUIRE(result.busbwGbps < payloadRate);
    }
    SECTION("halving-doubling AllReduce, 8 ranks")
    {
        auto result = RunOnOneLeaf(
            tr::HalvingDoublingAllReduce(8, bytes), tr::CollectiveOp::AllReduce, bytes, &delivered);
        WARN("halving-doubling AllReduce 8 x 16 MiB: busbw " << result.busbwGbps << " Gb/s");
        REQUIRE(result.busbwGbps > 0.85 * payloadRate);
        REQUIRE(result.busbwGbps < payloadRate);
    }
    SECTION("pairwise All-to-All, 8 ranks")
    {
        auto result = RunOnOneLeaf(
            tr::PairwiseAllToAll(8, bytes), tr::CollectiveOp::AllToAll, bytes, &delivered);
        WARN("pairwise All-to-All 8 x 16 MiB: busbw " << result.busbwGbps << " Gb/s");
        REQUIRE(result.busbwGbps > 0.8 * payloadRate);
        REQUIRE(result.busbwGbps < payloadRate);
    }
}
