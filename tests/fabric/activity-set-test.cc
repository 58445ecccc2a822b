// Which ports the sampler reads each interval: the set of ports that did something, and the
// ports' part of it, marking themselves wherever a counter the sampler reads moves.
#include "fabric/helper/fabric-builder.h"
#include "fabric/model/activity-set.h"
#include "support/fabric-flows.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <ns3/simulator.h>
#include <numeric>
#include <set>
#include <type_traits>
#include <vector>

using namespace ns3;
using namespace ns3::fabric;
using fab::tests::Flow;
using fab::tests::UniformDesign;

TEST_CASE("an activity set visits its members in order and keeps those asked to stay",
          "[fabric][activity]")
{
    ActivitySet set(200);
    for (std::uint32_t i : {150u, 3u, 64u, 63u, 199u, 0u, 128u})
    {
        set.Insert(i);
    }
    std::vector<std::uint32_t> seen;
    set.Sweep(
        [&](std::uint32_t i)
        {
            seen.push_back(i);
            return i % 2 == 1; // odd ones stay
        });
    REQUIRE(seen == std::vector<std::uint32_t>{0, 3, 63, 64, 128, 150, 199});
    seen.clear();
    set.Sweep(
        [&](std::uint32_t i)
        {
            seen.push_back(i);
            return false;
        });
    REQUIRE(seen == std::vector<std::uint32_t>{3, 63, 199});
    set.Sweep(
        [](std::uint32_t) -> bool
        {
            FAIL("the set should be empty");
            return false;
        });
    set.InsertAll(200);
    std::size_t count = 0;
    set.Sweep([&](std::uint32_t) { return ++count, false; });
    REQUIRE(count == 200);
}

namespace
{

/** What the sampler reads of a port, all of it. */
struct Seen
{
    std::uint64_t txPackets, txBytes, ecnMarked, drops, cnpTx, pauseTx, pauseRx, queue;
    std::int64_t pausedNs;

    bool operator!=(const Seen& o) const
    {
        return txPackets != o.txPackets || txBytes != o.txBytes || ecnMarked != o.ecnMarked
               || drops != o.drops || cnpTx != o.cnpTx || pauseTx != o.pauseTx
               || pauseRx != o.pauseRx || queue != o.queue || pausedNs != o.pausedNs;
    }
};

Seen
Read(const FabricNetDevice& port)
{
    const PortCounters& c = port.GetCounters();
    auto sum = [](const auto& a)
    {
        return std::accumulate(
            a.begin(), a.end(), typename std::decay_t<decltype(a)>::value_type{0});
    };
    return Seen{c.txPackets,
                c.txBytes,
                c.ecnMarked,
                c.TotalDrops(),
                c.cnpTx,
                sum(c.pfcPauseTx),
                sum(c.pfcPauseRx),
                port.GetQueueBytes(),
                sum(c.pausedNs)};
}

/** Every 500 ns: each port that changed or holds frames must be in the set; then sweeps it
 *  as the sampler does. */
struct Checker
{
    FabricBuilder& fabric;
    ActivitySet& set;
    std::vector<Seen> last;
    std::uint64_t changedPorts{0};
    std::uint64_t missed{0};

    void Check()
    {
        const auto& ports = fabric.Ports();
        std::set<std::uint32_t> marked;
        set.Sweep(
            [&](std::uint32_t i)
            {
                marked.insert(i);
                return ports[i].device->GetQueueBytes() != 0;
            });
        for (std::uint32_t i = 0; i < ports.size(); ++i)
        {
            Seen now = Read(*ports[i].device);
            if (now != last[i] || now.queue != 0)
            {
                ++changedPorts;
                missed += marked.count(i) == 0 ? 1 : 0;
            }
            last[i] = now;
        }
        Simulator::Schedule(NanoSeconds(500), &Checker::Check, this);
    }
};

} // namespace

TEST_CASE("a port marks itself active whenever what the sampler reads of it moves",
          "[fabric][sim][activity]")
{
    // An incast on lossless and lossy priorities (pauses, drops, ECN marks), then srv-0's leaf
    // port loses carrier (link-down drops of what it held).
    auto design = UniformDesign(17, 1, 64, 1, 2, 100'000'000'000ULL);
    FabricOptions options;
    options.bufferBytes = 8'000'000;
    FabricBuilder fabric(design, options); // LLDP on: every port sends now and then
    const auto& ports = fabric.Ports();
    ActivitySet set(ports.size());
    for (std::uint32_t i = 0; i < ports.size(); ++i)
    {
        ports[i].device->SetActivitySet(&set, i);
    }
    for (std::uint32_t s = 1; s <= 8; ++s)
    {
        fabric.Host(s)->AddFlow(Flow(fabric.Endpoint(0, 0), 1'000'000, s, s <= 4 ? 3 : 1));
    }
    Checker checker{fabric, set, std::vector<Seen>(ports.size(), Seen{})};
    Simulator::ScheduleNow(&Checker::Check, &checker);
    auto down = fabric.Port("leaf-0-0:0");
    Simulator::Schedule(MicroSeconds(300), &FabricNetDevice::SetLinkUp, down, false);
    Simulator::Stop(MicroSeconds(600));
    Simulator::Run();
    auto totals = fabric.Totals();
    REQUIRE(totals.pfcPauseTx[3] > 0);
    REQUIRE(totals.drops[static_cast<std::size_t>(DropReason::EgressThreshold)] > 0);
    REQUIRE(totals.drops[static_cast<std::size_t>(DropReason::LinkDown)] > 0);
    REQUIRE(totals.ecnMarked > 0);
    REQUIRE(checker.changedPorts > 100);
    REQUIRE(checker.missed == 0);
    for (const auto& record : ports)
    {
        record.device->SetActivitySet(nullptr, 0);
    }
    Simulator::Destroy();
}
