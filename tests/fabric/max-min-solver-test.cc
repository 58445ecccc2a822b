#include "fabric/flow/max-min-solver.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

using fab::flow::MaxMinSolver;

namespace
{

constexpr std::uint64_t kGbps = 1'000'000'000ULL;

double
Gbps(const MaxMinSolver& solver, MaxMinSolver::FlowId flow)
{
    return solver.RateBps(flow) / 1e9;
}

/** Max-min fairness as a property: no link is over its capacity, and every flow crosses a full
 *  link on which no flow gets more than it does (or is at its own limit). */
void
CheckMaxMinFair(const MaxMinSolver& solver, const std::vector<MaxMinSolver::FlowId>& flows)
{
    for (MaxMinSolver::LinkId link = 0; link < solver.Links(); ++link)
    {
        REQUIRE(solver.LoadBps(link) <= static_cast<double>(solver.CapacityBps(link)) * (1 + 1e-9));
    }
    for (auto flow : flows)
    {
        double rate = solver.RateBps(flow);
        bool bottlenecked = false;
        for (auto link : solver.PathOf(flow))
        {
            bool full = solver.LoadBps(link)
                        >= static_cast<double>(solver.CapacityBps(link)) * (1 - 1e-9);
            bool largest = true;
            for (auto other : flows)
            {
                const auto& path = solver.PathOf(other);
                if (std::find(path.begin(), path.end(), link) != path.end()
                    && solver.RateBps(other) > rate * (1 + 1e-9))
                {
                    largest = false;
                }
            }
            bottlenecked = bottlenecked || (full && largest);
        }
        INFO("flow " << flow << " at " << rate);
        REQUIRE((bottlenecked || rate >= solver.LimitBps(flow) * (1 - 1e-9)));
    }
}

} // namespace

TEST_CASE("three flows over one link share it equally", "[flow][max-min]")
{
    MaxMinSolver solver;
    auto link = solver.AddLink(100 * kGbps);
    auto a = solver.AddFlow({link});
    auto b = solver.AddFlow({link});
    auto c = solver.AddFlow({link});
    solver.Solve();
    CHECK(Gbps(solver, a) == Approx(100.0 / 3));
    CHECK(Gbps(solver, b) == Approx(100.0 / 3));
    CHECK(Gbps(solver, c) == Approx(100.0 / 3));
    CHECK(solver.Changed().size() == 3);
}

TEST_CASE("a two-level bottleneck leaves the rest to the flows the first level spares",
          "[flow][max-min]")
{
    // L2 (60G) is the tighter share (60 / 2 < 100 / 3): f1 and f4 freeze at 30, then f2 and f3
    // split the 70G f1 leaves on L1.
    MaxMinSolver solver;
    auto l1 = solver.AddLink(100 * kGbps);
    auto l2 = solver.AddLink(60 * kGbps);
    auto f1 = solver.AddFlow({l1, l2});
    auto f2 = solver.AddFlow({l1});
    auto f3 = solver.AddFlow({l1});
    auto f4 = solver.AddFlow({l2});
    solver.Solve();
    CHECK(Gbps(solver, f1) == Approx(30));
    CHECK(Gbps(solver, f4) == Approx(30));
    CHECK(Gbps(solver, f2) == Approx(35));
    CHECK(Gbps(solver, f3) == Approx(35));
    CheckMaxMinFair(solver, {f1, f2, f3, f4});
}

TEST_CASE("two flows hashed onto one uplink get half of it each; on two uplinks, all of theirs",
          "[flow][max-min][ecmp]")
{
    // Two senders under one leaf, two receivers under another, two spines: every link 400G.
    MaxMinSolver solver;
    auto up1 = solver.AddLink(400 * kGbps); // sender 1 → leaf 0
    auto up2 = solver.AddLink(400 * kGbps); // sender 2 → leaf 0
    std::vector<MaxMinSolver::LinkId> leafUp{solver.AddLink(400 * kGbps),
                                             solver.AddLink(400 * kGbps)}; // leaf 0 → spine s
    std::vector<MaxMinSolver::LinkId> spineDown{solver.AddLink(400 * kGbps),
                                                solver.AddLink(400 * kGbps)}; // spine s → leaf 1
    auto down1 = solver.AddLink(400 * kGbps);
    auto down2 = solver.AddLink(400 * kGbps);
    bool collide = GENERATE(true, false);
    std::size_t second = collide ? 0 : 1;
    auto a = solver.AddFlow({up1, leafUp[0], spineDown[0], down1});
    auto b = solver.AddFlow({up2, leafUp[second], spineDown[second], down2});
    solver.Solve();
    double expected = collide ? 200 : 400;
    CHECK(Gbps(solver, a) == Approx(expected));
    CHECK(Gbps(solver, b) == Approx(expected));
    CheckMaxMinFair(solver, {a, b});
}

TEST_CASE("a flow limited by its NIC leaves the rest of a shared link to the others",
          "[flow][max-min]")
{
    MaxMinSolver solver;
    auto fabric = solver.AddLink(400 * kGbps);
    SECTION("the NIC as a link of the path")
    {
        auto nic = solver.AddLink(100 * kGbps);
        auto slow = solver.AddFlow({nic, fabric});
        auto fast = solver.AddFlow({fabric});
        solver.Solve();
        CHECK(Gbps(solver, slow) == Approx(100));
        CHECK(Gbps(solver, fast) == Approx(300));
    }
    SECTION("the NIC as the flow's own limit")
    {
        auto slow = solver.AddFlow({fabric}, 100e9);
        auto fast = solver.AddFlow({fabric});
        auto other = solver.AddFlow({fabric});
        solver.Solve();
        CHECK(Gbps(solver, slow) == Approx(100));
        CHECK(Gbps(solver, fast) == Approx(150));
        CHECK(Gbps(solver, other) == Approx(150));
    }
}

TEST_CASE("flows ending and starting re-solve only the flows they are connected to",
          "[flow][max-min]")
{
    MaxMinSolver solver;
    auto shared = solver.AddLink(100 * kGbps);
    auto apart = solver.AddLink(100 * kGbps);
    auto a = solver.AddFlow({shared});
    auto b = solver.AddFlow({shared});
    auto alone = solver.AddFlow({apart});
    solver.Solve();
    REQUIRE(Gbps(solver, a) == Approx(50));

    solver.RemoveFlow(b);
    solver.Solve();
    CHECK(Gbps(solver, a) == Approx(100));
    CHECK(Gbps(solver, alone) == Approx(100));
    CHECK(solver.Changed() == std::vector<MaxMinSolver::FlowId>{a});
    CHECK(solver.ActiveFlows() == 2);

    auto c = solver.AddFlow({shared, apart});
    solver.Solve();
    CHECK(c == b); // the ended flow's id is reused
    CHECK(Gbps(solver, a) == Approx(50));
    CHECK(Gbps(solver, c) == Approx(50));
    CHECK(Gbps(solver, alone) == Approx(50));
    CHECK(solver.Changed().size() == 3);

    solver.Solve();
    CHECK(solver.Changed().empty()); // nothing changed since
}

TEST_CASE("solving as flows come and go gives the rates of solving the survivors afresh",
          "[flow][max-min]")
{
    auto seed = GENERATE(1u, 2u, 3u, 4u, 5u);
    std::mt19937 random(seed);
    MaxMinSolver incremental;
    std::vector<std::uint64_t> capacities;
    for (int l = 0; l < 12; ++l)
    {
        capacities.push_back((1 + random() % 8) * 50 * kGbps);
        incremental.AddLink(capacities.back());
    }
    struct Spec
    {
        std::vector<MaxMinSolver::LinkId> path;
        double limitBps;
        MaxMinSolver::FlowId id;
    };
    std::vector<Spec> live;
    for (int step = 0; step < 60; ++step)
    {
        if (!live.empty() && random() % 3 == 0)
        {
            std::size_t victim = random() % live.size();
            incremental.RemoveFlow(live[victim].id);
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
        }
        else
        {
            Spec spec;
            for (MaxMinSolver::LinkId l = 0; l < capacities.size(); ++l)
            {
                if (random() % 4 == 0)
                {
                    spec.path.push_back(l);
                }
            }
            if (spec.path.empty())
            {
                spec.path.push_back(static_cast<MaxMinSolver::LinkId>(random() % 12));
            }
            spec.limitBps = random() % 5 == 0 ? 30e9 : MaxMinSolver::kUnlimited;
            spec.id = incremental.AddFlow(spec.path, spec.limitBps);
            live.push_back(spec);
        }
        incremental.Solve();
    }
    MaxMinSolver fresh;
    for (auto capacity : capacities)
    {
        fresh.AddLink(capacity);
    }
    std::vector<MaxMinSolver::FlowId> ids;
    for (const auto& spec : live)
    {
        ids.push_back(spec.id);
        auto id = fresh.AddFlow(spec.path, spec.limitBps);
        fresh.Solve();
        (void)id;
    }
    MaxMinSolver once;
    for (auto capacity : capacities)
    {
        once.AddLink(capacity);
    }
    for (const auto& spec : live)
    {
        once.AddFlow(spec.path, spec.limitBps);
    }
    once.Solve();
    for (std::size_t i = 0; i < live.size(); ++i)
    {
        CHECK(incremental.RateBps(live[i].id)
              == Approx(once.RateBps(static_cast<MaxMinSolver::FlowId>(i))));
        CHECK(fresh.RateBps(static_cast<MaxMinSolver::FlowId>(i))
              == Approx(once.RateBps(static_cast<MaxMinSolver::FlowId>(i))));
    }
    CheckMaxMinFair(incremental, ids);
}

TEST_CASE("weights divide a bottleneck in proportion and leave the rest fair", "[flow][max-min]")
{
    // 90G shared 1 : 2; the heavier flow also crosses a 100G link with a third flow, which
    // takes what the 90G link leaves it.
    MaxMinSolver solver;
    auto narrow = solver.AddLink(90 * kGbps);
    auto wide = solver.AddLink(100 * kGbps);
    auto light = solver.AddFlow({narrow});
    auto heavy = solver.AddFlow({narrow, wide}, MaxMinSolver::kUnlimited, 2.0);
    auto other = solver.AddFlow({wide});
    solver.Solve();
    CHECK(Gbps(solver, light) == Approx(30));
    CHECK(Gbps(solver, heavy) == Approx(60));
    CHECK(Gbps(solver, other) == Approx(40));
}

TEST_CASE("a group counts as its members on each link and leaves the rest to other flows",
          "[flow][max-min]")
{
    // Link 0 (12 Gbps) carries three members of the group, link 1 (10 Gbps) one member and a
    // flow of its own. By hand: the group's members are held to 12 / 3 = 4 Gbps each on link 0,
    // which leaves 10 - 4 = 6 Gbps of link 1 to the other flow.
    MaxMinSolver solver;
    solver.AddLink(12 * kGbps);
    solver.AddLink(10 * kGbps);
    auto group = solver.AddGroup({0, 1}, {3, 1});
    auto flow = solver.AddFlow({1});
    solver.Solve();
    CHECK(Gbps(solver, group) == Approx(4.0));
    CHECK(Gbps(solver, flow) == Approx(6.0));
    CHECK(solver.LoadBps(0) / 1e9 == Approx(12.0));
    CHECK(solver.LoadBps(1) / 1e9 == Approx(10.0));

    SECTION("as many single flows on link 0 would get what the group's members get")
    {
        MaxMinSolver singles;
        singles.AddLink(12 * kGbps);
        singles.AddLink(10 * kGbps);
        auto a = singles.AddFlow({0, 1});
        auto b = singles.AddFlow({0});
        auto c = singles.AddFlow({0});
        auto other = singles.AddFlow({1});
        singles.Solve();
        for (auto member : {a, b, c})
        {
            CHECK(Gbps(singles, member) == Approx(Gbps(solver, group)));
        }
        CHECK(Gbps(singles, other) == Approx(Gbps(solver, flow)));
    }
    SECTION("removing the group gives its links back, and a flow removed beside it too")
    {
        auto third = solver.AddFlow({0});
        solver.Solve();
        // Link 0: 3 members and a flow share 12 Gbps, 3 each; link 1 then leaves 7 to the flow.
        CHECK(Gbps(solver, group) == Approx(3.0));
        CHECK(Gbps(solver, third) == Approx(3.0));
        CHECK(Gbps(solver, flow) == Approx(7.0));
        solver.RemoveFlow(third);
        solver.RemoveFlow(group);
        solver.Solve();
        CHECK(Gbps(solver, flow) == Approx(10.0));
        CHECK(solver.ActiveFlows() == 1);
    }
}
