// The switch's shared buffer on its own, without the simulator. Every expected number below is
// worked out by hand from the model's rules (REFERENCE.md, the MMU's contract), not read back
// from the code:
//   shared pool S     = buffer − ports × 8 × reserve − (lossless priorities) × Σ port headroom
//   threshold T       = ⌊alpha × (S − shared bytes in use)⌋, taken before the frame
//   into the pool     : the queue's shared bytes after the frame ≤ T (lossless: ingress queue;
//                       lossy: every byte queued for the egress (port, priority) ≤ T)
//   XOFF              : a lossless frame that does not fit pauses its ingress queue and waits
//                       in the port's headroom
//   XON               : headroom empty and shared + resume offset ≤ T (or the queue's shared
//                       bytes are gone)
#include "fabric/helper/fabric-builder.h"
#include "fabric/model/shared-buffer-mmu.h"
#include "support/test-designs.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <ns3/simulator.h>
#include <random>
#include <vector>

using namespace ns3::fabric;

namespace
{

constexpr std::uint8_t kLossless = 3;
constexpr std::uint8_t kLossy = 0;
constexpr std::uint64_t kShared = 89'000;

/**
 * Three ports, 1,000-byte reserves, unequal headroom, alpha 1/8: the buffer is sized so that
 * 89,000 bytes are left for the pool, which makes alpha × S and the thresholds below whole.
 */
MmuConfig
SmallSwitch()
{
    MmuConfig config;
    config.ports = 3;
    config.reservePerQueueBytes = 1'000;
    config.resumeOffsetBytes = 3'072;
    config.headroomBytes = {20'000, 30'000, 10'000};
    config.losslessMask = 1u << kLossless;
    config.dynamicThresholdAlpha = 1.0 / 8;
    config.bufferBytes = kShared + 3 * 8 * 1'000 + 60'000;
    return config;
}

/** Frames held by the switch, so that a test can release exactly what it admitted. */
struct Held
{
    std::uint32_t in;
    std::uint32_t out;
    std::uint8_t priority;
    std::uint32_t bytes;
};

/** Admits `count` frames of `bytes`; all of them must be accepted without a pause. */
void
Fill(SharedBufferMmu& mmu,
     std::uint32_t in,
     std::uint32_t out,
     std::uint8_t priority,
     std::uint32_t bytes,
     int count)
{
    for (int i = 0; i < count; ++i)
    {
        INFO("frame " << i << " of " << count);
        auto admission = mmu.Admit(in, out, priority, bytes);
        REQUIRE(admission.accepted);
        REQUIRE_FALSE(admission.sendPause);
    }
}

} // namespace

TEST_CASE("the shared pool is the buffer less every reserve and the lossless headroom",
          "[fabric][mmu]")
{
    REQUIRE(SharedBufferMmu(SmallSwitch()).SharedCapacity() == kShared);

    // A second lossless priority takes each port's headroom once more.
    auto twoLossless = SmallSwitch();
    twoLossless.losslessMask = (1u << 3) | (1u << 4);
    REQUIRE(SharedBufferMmu(twoLossless).SharedCapacity() == kShared - 60'000);

    // Reserves and headroom larger than the buffer leave no pool (and no wrapped number).
    auto undersized = SmallSwitch();
    undersized.bufferBytes = 50'000;
    REQUIRE(SharedBufferMmu(undersized).SharedCapacity() == 0);

    // The defaults are the reference's: 32 MiB, 4 KiB reserve, 3 KiB resume offset, alpha 1/8,
    // RoCE data lossless on priority 3.
    MmuConfig defaults;
    REQUIRE(defaults.bufferBytes == 33'554'432);
    REQUIRE(defaults.reservePerQueueBytes == 4'096);
    REQUIRE(defaults.resumeOffsetBytes == 3'072);
    REQUIRE(defaults.dynamicThresholdAlpha == 0.125);
    REQUIRE(defaults.losslessMask == 0x08);
    defaults.ports = 4;
    defaults.headroomBytes = {100'000, 100'000, 100'000, 100'000};
    REQUIRE(SharedBufferMmu(defaults).SharedCapacity() == 33'554'432 - 4 * 8 * 4'096 - 400'000);
}

TEST_CASE("a queue's reserve is used before the shared pool", "[fabric][mmu]")
{
    SharedBufferMmu mmu(SmallSwitch());
    Fill(mmu, 0, 1, kLossless, 400, 2);
    REQUIRE(mmu.IngressBytes(0, kLossless) == 800);
    REQUIRE(mmu.SharedUsed() == 0);

    // 400 more do not fit in the 200 left: the whole frame goes to the pool, none is split.
    Fill(mmu, 0, 1, kLossless, 400, 1);
    REQUIRE(mmu.SharedUsed() == 400);
    // A frame that fits what is left of the reserve still goes there.
    Fill(mmu, 0, 1, kLossless, 200, 1);
    REQUIRE(mmu.SharedUsed() == 400);
    REQUIRE(mmu.IngressBytes(0, kLossless) == 1'400);

    // Every (port, priority) has a reserve of its own.
    Fill(mmu, 0, 2, kLossy, 1'000, 1);
    Fill(mmu, 1, 2, kLossless, 1'000, 1);
    REQUIRE(mmu.SharedUsed() == 400);
    REQUIRE(mmu.EgressBytes(1, kLossless) == 1'400);
    REQUIRE(mmu.EgressBytes(2, kLossy) == 1'000);
    REQUIRE(mmu.EgressBytes(2, kLossless) == 1'000);

    // The reserve is the last to drain: a frame leaving takes its bytes from the pool first.
    REQUIRE_FALSE(mmu.Release(0, 1, kLossless, 200));
    REQUIRE(mmu.SharedUsed() == 200);
    REQUIRE(mmu.IngressBytes(0, kLossless) == 1'200);
}

TEST_CASE("the dynamic threshold admits and refuses at the right byte", "[fabric][mmu]")
{
    SharedBufferMmu mmu(SmallSwitch());
    REQUIRE(mmu.PauseThreshold() == kShared / 8); // 11,125 with the pool empty

    SECTION("lossless: one queue alone")
    {
        // The k-th 1,000-byte frame in the pool needs 1,000 k ≤ (89,000 − 1,000 (k − 1)) / 8,
        // i.e. k ≤ 10. After the reserve and 9 of them, T = (89,000 − 9,000) / 8 = 10,000.
        Fill(mmu, 0, 1, kLossless, 1'000, 10);
        REQUIRE(mmu.SharedUsed() == 9'000);
        REQUIRE(mmu.PauseThreshold() == 10'000);

        auto bytes = GENERATE(1u, 999u, 1'000u, 1'001u, 1'500u);
        CAPTURE(bytes);
        bool fits = 9'000 + bytes <= 10'000;
        auto admission = mmu.Admit(0, 1, kLossless, bytes);
        REQUIRE(admission.accepted); // lossless: into the pool or into the headroom
        REQUIRE(admission.sendPause == !fits);
        REQUIRE(mmu.IsPaused(0, kLossless) == !fits);
        REQUIRE(mmu.SharedUsed() == (fits ? 9'000 + bytes : 9'000));
        REQUIRE(mmu.HeadroomUsed(0, kLossless) == (fits ? 0 : bytes));
        REQUIRE(mmu.IngressBytes(0, kLossless) == 10'000 + bytes);
    }

    SECTION("the threshold falls as other queues fill the pool")
    {
        // Port 1 alone reaches 10,000 (as above); port 2 then sees 79,000 free and stops at
        // 9,000 k ≤ 80,000: 8 frames. Port 0 sees 71,000 free: 9,000 k ≤ 72,000, 8 frames, the
        // last exactly at its threshold (8,000 ≤ (71,000 − 7,000) / 8).
        Fill(mmu, 1, 0, kLossless, 1'000, 11);
        Fill(mmu, 2, 0, kLossless, 1'000, 9);
        Fill(mmu, 0, 1, kLossless, 1'000, 9);
        REQUIRE(mmu.SharedUsed() == 26'000);
        REQUIRE(mmu.PauseThreshold() == (kShared - 26'000) / 8);
        REQUIRE_FALSE(mmu.IsPaused(0, kLossless));
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
    }

    SECTION("lossy: every byte queued for the egress counts")
    {
        // Port 0 → port 1: the reserve's 1,000 bytes are queued at the egress too, so the k-th
        // frame in the pool needs 1,000 + 1,000 k ≤ (89,000 − 1,000 (k − 1)) / 8: k ≤ 9.
        Fill(mmu, 0, 1, kLossy, 1'000, 10);
        REQUIRE(mmu.EgressBytes(1, kLossy) == 10'000);
        REQUIRE(mmu.PauseThreshold() == 10'000);
        auto refused = mmu.Admit(0, 1, kLossy, 1);
        REQUIRE_FALSE(refused.accepted);
        REQUIRE(refused.reason == DropReason::EgressThreshold);
        REQUIRE_FALSE(refused.sendPause);
        REQUIRE_FALSE(mmu.IsPaused(0, kLossy));
        REQUIRE(mmu.HeadroomUsed(0, kLossy) == 0);

        // Another port's reserve is its own, whatever the egress holds; past it, the same
        // egress refuses, another egress does not.
        Fill(mmu, 2, 1, kLossy, 1'000, 1);
        REQUIRE(mmu.Admit(2, 1, kLossy, 1'000).reason == DropReason::EgressThreshold);
        Fill(mmu, 2, 0, kLossy, 1'000, 1);
        REQUIRE(mmu.SharedUsed() == 10'000);
    }

    SECTION("lossy: two ingress ports into one egress")
    {
        // Ports 0 and 1 take turns towards port 2: two reserve frames, then the k-th frame in
        // the pool needs 2,000 + 1,000 k ≤ (89,000 − 1,000 (k − 1)) / 8: k ≤ 8. Then the egress
        // holds 10,000 and T = 81,000 / 8 = 10,125: 125 bytes more fit, 126 do not.
        for (int i = 0; i < 10; ++i)
        {
            Fill(mmu, i % 2, 2, kLossy, 1'000, 1);
        }
        REQUIRE(mmu.EgressBytes(2, kLossy) == 10'000);
        REQUIRE(mmu.Admit(0, 2, kLossy, 1'000).reason == DropReason::EgressThreshold);
        auto bytes = GENERATE(125u, 126u);
        CAPTURE(bytes);
        REQUIRE(mmu.Admit(1, 2, kLossy, bytes).accepted == (bytes <= 125));
    }

    SECTION("lossy: one ingress port spread over two egresses is held at each egress")
    {
        // The ingress queue is accounted for PFC only; lossy frames are held to the threshold
        // where they queue. Port 0 alternates between ports 1 and 2: frame j (the first in the
        // reserve) leaves ⌈j / 2⌉ or j / 2 thousand bytes at its egress against
        // T = (89,000 − 1,000 (j − 2)) / 8. That holds up to j = 18 (9,000 ≤ 9,125) and fails
        // at j = 19 (10,000 > 9,000).
        for (int j = 1; j <= 18; ++j)
        {
            Fill(mmu, 0, j % 2 == 1 ? 1 : 2, kLossy, 1'000, 1);
        }
        REQUIRE(mmu.SharedUsed() == 17'000);
        REQUIRE(mmu.IngressBytes(0, kLossy) == 18'000); // beyond T = 9,000 at the ingress
        REQUIRE(mmu.Admit(0, 1, kLossy, 1'000).reason == DropReason::EgressThreshold);
    }
}

TEST_CASE("headroom absorbs what arrives after XOFF, up to the port's size", "[fabric][mmu]")
{
    SharedBufferMmu mmu(SmallSwitch());

    SECTION("port 0: 20,000 bytes of headroom")
    {
        Fill(mmu, 0, 1, kLossless, 1'000, 11); // the reserve and the pool up to its threshold
        auto crossing = mmu.Admit(0, 1, kLossless, 1'000);
        REQUIRE(crossing.accepted);
        REQUIRE(crossing.sendPause);
        // Only the crossing frame asks for a pause; the 18 after it land in the headroom.
        Fill(mmu, 0, 1, kLossless, 1'000, 18);
        REQUIRE(mmu.HeadroomUsed(0, kLossless) == 19'000);
        REQUIRE(mmu.SharedUsed() == 10'000); // the pool does not grow while paused

        auto bytes = GENERATE(1'000u, 1'001u);
        CAPTURE(bytes);
        auto last = mmu.Admit(0, 1, kLossless, bytes);
        REQUIRE(last.accepted == (19'000 + bytes <= 20'000));
        REQUIRE_FALSE(last.sendPause);
        if (!last.accepted)
        {
            REQUIRE(last.reason == DropReason::HeadroomOverflow);
        }
        REQUIRE(mmu.HeadroomUsed(0, kLossless) == (last.accepted ? 20'000 : 19'000));
        REQUIRE(mmu.MaxHeadroomUsed() == mmu.HeadroomUsed(0, kLossless));
    }

    SECTION("port 1: 30,000 bytes, the size of its own cable")
    {
        Fill(mmu, 1, 0, kLossless, 1'000, 11);
        REQUIRE(mmu.Admit(1, 0, kLossless, 1'000).sendPause);
        Fill(mmu, 1, 0, kLossless, 1'000, 29);
        REQUIRE(mmu.Admit(1, 0, kLossless, 1).reason == DropReason::HeadroomOverflow);
        REQUIRE(mmu.HeadroomUsed(1, kLossless) == 30'000);
    }

    SECTION("a paused queue keeps to its headroom even when the threshold rises again")
    {
        // Port 1 holds 5,000 of the pool: port 0 gets 9,000 k ≤ 85,000, 9 frames, and pauses
        // at the 10th (T = 75,000 / 8 = 9,375).
        Fill(mmu, 1, 2, kLossless, 1'000, 6);
        Fill(mmu, 0, 1, kLossless, 1'000, 10);
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
        // Port 1 drains: T is 10,000 again, where 1,000 more would have fitted before XOFF.
        for (int i = 0; i < 5; ++i)
        {
            REQUIRE_FALSE(mmu.Release(1, 2, kLossless, 1'000));
        }
        REQUIRE(mmu.PauseThreshold() == 10'000);
        Fill(mmu, 0, 1, kLossless, 1'000, 1);
        REQUIRE(mmu.SharedUsed() == 9'000);
        REQUIRE(mmu.HeadroomUsed(0, kLossless) == 2'000);
    }
}

TEST_CASE("XOFF at the threshold, XON only below it by the resume offset", "[fabric][mmu]")
{
    SharedBufferMmu mmu(SmallSwitch());

    SECTION("the resume point, frame by frame")
    {
        // XOFF with 10,000 bytes in the pool (as above); 4 more frames in the headroom.
        Fill(mmu, 0, 1, kLossless, 1'000, 11);
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
        Fill(mmu, 0, 1, kLossless, 1'000, 4);
        // XON needs an empty headroom and shared + 3,072 ≤ (89,000 − shared) / 8, i.e.
        // shared ≤ 7,158: the 5 headroom frames leave, then the pool's 10,000 → 9,000 → 8,000
        // → 7,000. Exactly the 8th release resumes.
        for (int release = 1; release <= 8; ++release)
        {
            CAPTURE(release);
            REQUIRE(mmu.Release(0, 1, kLossless, 1'000) == (release == 8));
        }
        REQUIRE_FALSE(mmu.IsPaused(0, kLossless));
        REQUIRE(mmu.SharedUsed() == 7'000);

        // Back under the threshold, the queue fills to the same point before pausing again:
        // 8,000 ≤ 10,250, 9,000 ≤ 10,125, 10,000 ≤ 10,000, then 11,000 > 9,875.
        Fill(mmu, 0, 1, kLossless, 1'000, 3);
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
    }

    SECTION("the resume point, to the byte")
    {
        // The pool holds L, then 2,000; a crossing frame goes to the headroom. When it and the
        // 2,000 have left, L remains: XON exactly when L ≤ 7,158 (9 L ≤ 89,000 − 8 × 3,072).
        auto left = GENERATE(7'158u, 7'159u);
        CAPTURE(left);
        Fill(mmu, 0, 1, kLossless, 1'000, 1);
        Fill(mmu, 0, 1, kLossless, left, 1);
        Fill(mmu, 0, 1, kLossless, 2'000, 1);
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
        REQUIRE_FALSE(mmu.Release(0, 1, kLossless, 1'000));
        REQUIRE(mmu.Release(0, 1, kLossless, 2'000) == (left <= 7'158));
        // Either way, a queue whose pool bytes are gone resumes.
        if (mmu.IsPaused(0, kLossless))
        {
            REQUIRE(mmu.Release(0, 1, kLossless, left));
        }
        REQUIRE_FALSE(mmu.IsPaused(0, kLossless));
    }

    SECTION("no flapping: one frame in and one out at the threshold changes nothing")
    {
        Fill(mmu, 0, 1, kLossless, 1'000, 11);
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
        int pauses = 0;
        int resumes = 0;
        for (int i = 0; i < 50; ++i)
        {
            resumes += mmu.Release(0, 1, kLossless, 1'000) ? 1 : 0;
            auto admission = mmu.Admit(0, 1, kLossless, 1'000);
            REQUIRE(admission.accepted);
            pauses += admission.sendPause ? 1 : 0;
        }
        REQUIRE(pauses == 0);
        REQUIRE(resumes == 0);
        REQUIRE(mmu.IsPaused(0, kLossless));
    }

    SECTION("a resume offset larger than the threshold can reach resumes when the pool empties")
    {
        auto config = SmallSwitch();
        config.resumeOffsetBytes = 20'000; // T is never above 11,125 here
        SharedBufferMmu deep(config);
        Fill(deep, 0, 1, kLossless, 1'000, 11);
        REQUIRE(deep.Admit(0, 1, kLossless, 1'000).sendPause);
        for (int release = 1; release <= 11; ++release)
        {
            CAPTURE(release);
            // 1 headroom frame, then 10 in the pool: the 11th empties it; the reserve stays.
            REQUIRE(deep.Release(0, 1, kLossless, 1'000) == (release == 11));
        }
        REQUIRE(deep.IngressBytes(0, kLossless) == 1'000);
    }
}

TEST_CASE("priorities and ports are paused and resumed independently", "[fabric][mmu]")
{
    auto config = SmallSwitch();
    config.losslessMask = (1u << 3) | (1u << 4);
    config.bufferBytes += 60'000; // the second lossless priority's headroom: the pool stays 89,000
    SharedBufferMmu mmu(config);
    REQUIRE(mmu.SharedCapacity() == kShared);

    Fill(mmu, 0, 1, 3, 1'000, 11);
    REQUIRE(mmu.Admit(0, 1, 3, 1'000).sendPause);
    REQUIRE(mmu.IsPaused(0, 3));
    REQUIRE_FALSE(mmu.IsPaused(0, 4));
    REQUIRE_FALSE(mmu.IsPaused(1, 3));

    // Priority 4 on the same port: its own reserve, then the pool with 79,000 free: 9,000 k ≤
    // 80,000, 8 frames, then its own XOFF and its own 20,000 bytes of headroom.
    Fill(mmu, 0, 2, 4, 1'000, 9);
    REQUIRE(mmu.Admit(0, 2, 4, 1'000).sendPause);
    Fill(mmu, 0, 2, 4, 1'000, 19);
    REQUIRE(mmu.HeadroomUsed(0, 4) == 20'000);
    REQUIRE(mmu.HeadroomUsed(0, 3) == 1'000);

    // Priority 4 draining does not resume priority 3, nor the reverse.
    for (int i = 0; i < 29; ++i)
    {
        bool resumed = mmu.Release(0, 2, 4, 1'000);
        REQUIRE(mmu.IsPaused(0, 3));
        if (resumed)
        {
            REQUIRE_FALSE(mmu.IsPaused(0, 4));
        }
    }
    REQUIRE_FALSE(mmu.IsPaused(0, 4));
    REQUIRE(mmu.IsPaused(0, 3));
    // With priority 4's bytes gone, priority 3 resumes as it would alone: its headroom frame,
    // then 10,000 → 9,000 → 8,000 → 7,000 in the pool (7,000 + 3,072 ≤ 82,000 / 8).
    int releases = 0;
    while (mmu.IsPaused(0, 3))
    {
        REQUIRE(releases < 11);
        mmu.Release(0, 1, 3, 1'000);
        ++releases;
    }
    REQUIRE(releases == 4);
}

TEST_CASE("lossless priorities pause and lossy ones drop when the pool runs out", "[fabric][mmu]")
{
    // With alpha 64 the threshold stops nothing here: the pool's size is what binds.
    auto config = SmallSwitch();
    config.dynamicThresholdAlpha = 64;
    SharedBufferMmu mmu(config);
    // Port 0 lossy → port 1: its reserve, then 88 frames in the pool (the 89th would put
    // 90,000 at the egress against T = 64 × 1,000).
    Fill(mmu, 0, 1, kLossy, 1'000, 89);
    REQUIRE(mmu.SharedUsed() == 88'000);
    // Port 2 lossy: its reserve, then the pool's last 1,000 bytes, then nothing.
    Fill(mmu, 2, 0, kLossy, 1'000, 2);
    REQUIRE(mmu.SharedUsed() == kShared);
    auto lossy = mmu.Admit(2, 0, kLossy, 1);
    REQUIRE_FALSE(lossy.accepted);
    REQUIRE(lossy.reason == DropReason::BufferFull);
    REQUIRE_FALSE(lossy.sendPause);
    // Port 1 lossless: its reserve, then straight to the headroom with a pause.
    Fill(mmu, 1, 0, kLossless, 1'000, 1);
    auto lossless = mmu.Admit(1, 0, kLossless, 1'000);
    REQUIRE(lossless.accepted);
    REQUIRE(lossless.sendPause);
    REQUIRE(mmu.HeadroomUsed(1, kLossless) == 1'000);
    REQUIRE(mmu.SharedUsed() == kShared);
}

TEST_CASE("edge cases: frames larger than what is left, zero-size buffers", "[fabric][mmu]")
{
    SECTION("a frame larger than the reserve goes to the pool whole")
    {
        SharedBufferMmu mmu(SmallSwitch());
        Fill(mmu, 0, 1, kLossless, 1'500, 1);
        REQUIRE(mmu.SharedUsed() == 1'500);
        REQUIRE(mmu.IngressBytes(0, kLossless) == 1'500);
    }

    SECTION("a frame larger than the pool's free bytes, under a large alpha")
    {
        auto config = SmallSwitch();
        config.dynamicThresholdAlpha = 64;
        SharedBufferMmu mmu(config);
        Fill(mmu, 0, 1, kLossy, 1'000, 1);
        Fill(mmu, 0, 1, kLossy, 80'000, 1);
        // 9,000 free: 9,000 fits, 9,001 does not.
        auto bytes = GENERATE(9'000u, 9'001u);
        CAPTURE(bytes);
        auto admission = mmu.Admit(1, 2, kLossy, bytes);
        REQUIRE(admission.accepted == (bytes <= 9'000));
        if (!admission.accepted)
        {
            REQUIRE(admission.reason == DropReason::BufferFull);
        }
    }

    SECTION("the frame that crosses XOFF but not into the headroom still pauses the sender")
    {
        // Port 2 has 10,000 bytes of headroom; a 10,001-byte frame at XOFF cannot wait there.
        SharedBufferMmu mmu(SmallSwitch());
        Fill(mmu, 2, 0, kLossless, 1'000, 11);
        auto admission = mmu.Admit(2, 0, kLossless, 10'001);
        REQUIRE_FALSE(admission.accepted);
        REQUIRE(admission.reason == DropReason::HeadroomOverflow);
        REQUIRE(admission.sendPause);
        REQUIRE(mmu.IsPaused(2, kLossless));
        REQUIRE(mmu.HeadroomUsed(2, kLossless) == 0);
        // What it holds drains, and the last of its pool bytes resumes it.
        int resumes = 0;
        for (int i = 0; i < 11; ++i)
        {
            resumes += mmu.Release(2, 0, kLossless, 1'000) ? 1 : 0;
        }
        REQUIRE(resumes == 1);
        REQUIRE_FALSE(mmu.IsPaused(2, kLossless));
    }

    SECTION("no headroom: a lossless frame past XOFF is dropped, and the sender paused")
    {
        auto config = SmallSwitch();
        config.headroomBytes = {0, 0, 0};
        config.bufferBytes -= 60'000;
        SharedBufferMmu mmu(config);
        REQUIRE(mmu.SharedCapacity() == kShared);
        Fill(mmu, 0, 1, kLossless, 1'000, 11);
        auto first = mmu.Admit(0, 1, kLossless, 1'000);
        REQUIRE_FALSE(first.accepted);
        REQUIRE(first.reason == DropReason::HeadroomOverflow);
        REQUIRE(first.sendPause);
        auto second = mmu.Admit(0, 1, kLossless, 1'000);
        REQUIRE_FALSE(second.accepted);
        REQUIRE_FALSE(second.sendPause); // once
    }

    SECTION("no pool: past the reserve, lossless goes to the headroom and lossy is dropped")
    {
        auto config = SmallSwitch();
        config.bufferBytes -= kShared;
        SharedBufferMmu mmu(config);
        REQUIRE(mmu.SharedCapacity() == 0);
        REQUIRE(mmu.PauseThreshold() == 0);
        Fill(mmu, 0, 1, kLossless, 1'000, 1);
        REQUIRE(mmu.Admit(0, 1, kLossless, 1'000).sendPause);
        REQUIRE(mmu.HeadroomUsed(0, kLossless) == 1'000);
        Fill(mmu, 0, 1, kLossy, 1'000, 1);
        REQUIRE(mmu.Admit(0, 1, kLossy, 1).reason == DropReason::BufferFull);
        // The headroom frame leaving resumes: the queue has nothing in the pool.
        REQUIRE(mmu.Release(0, 1, kLossless, 1'000));
    }

    SECTION("no buffer at all: nothing is admitted, whatever the reserves say")
    {
        auto config = SmallSwitch();
        config.bufferBytes = 0;
        SharedBufferMmu mmu(config);
        for (std::uint8_t priority : {kLossy, kLossless})
        {
            CAPTURE(int(priority));
            auto admission = mmu.Admit(0, 1, priority, 64);
            REQUIRE_FALSE(admission.accepted);
            REQUIRE(admission.reason == DropReason::BufferFull);
            // An empty queue is not paused: nothing of its own would ever leave to resume it.
            REQUIRE_FALSE(admission.sendPause);
            REQUIRE_FALSE(mmu.IsPaused(0, priority));
        }
    }

    SECTION("a buffer smaller than its reserves never holds more than its size")
    {
        auto config = SmallSwitch();
        config.bufferBytes = 2'500;
        SharedBufferMmu mmu(config);
        Fill(mmu, 0, 1, kLossy, 1'000, 1);
        Fill(mmu, 1, 2, kLossy, 1'000, 1);
        Fill(mmu, 2, 0, kLossy, 500, 1);
        REQUIRE(mmu.Admit(2, 0, kLossy, 1).reason == DropReason::BufferFull);
        REQUIRE(mmu.Admit(0, 1, 5, 1).reason == DropReason::BufferFull);
    }

    SECTION("zero reserve: the first byte goes to the pool")
    {
        auto config = SmallSwitch();
        config.reservePerQueueBytes = 0;
        config.bufferBytes -= 24'000;
        SharedBufferMmu mmu(config);
        REQUIRE(mmu.SharedCapacity() == kShared);
        Fill(mmu, 0, 1, kLossless, 64, 1);
        REQUIRE(mmu.SharedUsed() == 64);
    }
}

TEST_CASE("a random mix of frames: the books balance throughout and return to zero",
          "[fabric][mmu]")
{
    auto config = SmallSwitch();
    config.losslessMask = (1u << 3) | (1u << 4);
    config.bufferBytes += 60'000;
    SharedBufferMmu mmu(config);
    std::mt19937 random(20240611);
    std::vector<Held> held;
    std::uint64_t heldBytes = 0;
    std::vector<int> pauses(3 * 8, 0);
    std::vector<int> resumes(3 * 8, 0);
    int accepted = 0;
    int refused = 0;

    // Checked after every step; one REQUIRE per property keeps 20,000 steps quick.
    auto check = [&]
    {
        std::uint64_t ingress = 0;
        std::uint64_t egress = 0;
        bool headroomWithinPort = true;
        bool lossyNeverHeld = true;
        for (std::uint32_t port = 0; port < 3; ++port)
        {
            for (std::uint8_t priority = 0; priority < 8; ++priority)
            {
                ingress += mmu.IngressBytes(port, priority);
                egress += mmu.EgressBytes(port, priority);
                headroomWithinPort
                    = headroomWithinPort
                      && mmu.HeadroomUsed(port, priority) <= config.headroomBytes[port];
                if (priority != 3 && priority != 4)
                {
                    lossyNeverHeld = lossyNeverHeld && mmu.HeadroomUsed(port, priority) == 0
                                     && !mmu.IsPaused(port, priority);
                }
            }
        }
        REQUIRE(headroomWithinPort);
        REQUIRE(lossyNeverHeld);
        REQUIRE(ingress == heldBytes);
        REQUIRE(egress == heldBytes);
        REQUIRE(heldBytes <= config.bufferBytes);
        REQUIRE(mmu.SharedUsed() <= mmu.SharedCapacity());
    };

    auto release = [&](std::size_t index)
    {
        Held frame = held[index];
        held[index] = held.back();
        held.pop_back();
        heldBytes -= frame.bytes;
        if (mmu.Release(frame.in, frame.out, frame.priority, frame.bytes))
        {
            ++resumes[frame.in * 8 + frame.priority];
        }
    };

    for (int step = 0; step < 20'000; ++step)
    {
        // Arrivals outpace departures two to one until half-way, then the switch drains.
        bool arrive = held.empty() || random() % 3 != 0;
        if (step > 10'000)
        {
            arrive = held.empty() || random() % 3 == 0;
        }
        if (arrive)
        {
            // Most frames on the lossless priorities, the rest anywhere; sizes up to a jumbo.
            Held frame{
                static_cast<std::uint32_t>(random() % 3),
                static_cast<std::uint32_t>(random() % 3),
                static_cast<std::uint8_t>(random() % 8 < 5 ? 3 + random() % 2 : random() % 8),
                static_cast<std::uint32_t>(64 + random() % 9'153)};
            auto admission = mmu.Admit(frame.in, frame.out, frame.priority, frame.bytes);
            if (admission.sendPause)
            {
                ++pauses[frame.in * 8 + frame.priority];
            }
            if (admission.accepted)
            {
                held.push_back(frame);
                heldBytes += frame.bytes;
                ++accepted;
            }
            else
            {
                ++refused;
            }
        }
        else
        {
            release(random() % held.size());
        }
        check();
    }
    while (!held.empty())
    {
        release(random() % held.size());
        check();
    }

    REQUIRE(accepted > 1'000);
    REQUIRE(refused > 0);
    REQUIRE(mmu.SharedUsed() == 0);
    int pauseTotal = 0;
    for (std::uint32_t port = 0; port < 3; ++port)
    {
        for (std::uint8_t priority = 0; priority < 8; ++priority)
        {
            CAPTURE(port, int(priority));
            REQUIRE(mmu.IngressBytes(port, priority) == 0);
            REQUIRE(mmu.EgressBytes(port, priority) == 0);
            REQUIRE(mmu.HeadroomUsed(port, priority) == 0);
            REQUIRE_FALSE(mmu.IsPaused(port, priority));
            // Every XOFF was followed by exactly one XON.
            REQUIRE(pauses[port * 8 + priority] == resumes[port * 8 + priority]);
            pauseTotal += pauses[port * 8 + priority];
        }
    }
    REQUIRE(pauseTotal > 0);
    REQUIRE(mmu.PauseThreshold() == kShared / 8);
}

TEST_CASE("a switch's own probes and notices leave its buffer's books alone",
          "[fabric][mmu][sim][probes]")
{
    // Link probes every 10 us are sent by the switches themselves and never admitted; when they
    // leave, nothing may be given back on their behalf.
    auto design = fab::tests::UniformDesign(4, 1, 4, 1, 2, 100'000'000'000ULL);
    ns3::fabric::FabricOptions options;
    options.lldpInterval = ns3::Time(0);
    options.recovery.probeIntervalNs = 10'000;
    ns3::fabric::FabricBuilder fabric(design, options);
    ns3::fabric::RoceFlowSpec flow;
    flow.dstEndpoint = fabric.Endpoint(3, 0);
    flow.bytes = 200 * 4'096;
    flow.start = ns3::MicroSeconds(1);
    fabric.Host(0)->AddFlow(flow);
    ns3::Simulator::Stop(ns3::MilliSeconds(1));
    ns3::Simulator::Run();
    REQUIRE(fabric.Host(3)->GetReceived(fabric.Endpoint(0, 0), 1).payloadBytes == flow.bytes);
    std::uint64_t probesSent = 0;
    for (const auto& node : fabric.Switches())
    {
        const auto& mmu = node->GetMmu();
        CHECK(mmu.SharedUsed() == 0);
        for (std::uint32_t port = 0; port < node->GetPorts().size(); ++port)
        {
            probesSent
                += node->GetPorts()[port] ? node->GetPorts()[port]->GetCounters().txPackets : 0;
            for (std::uint8_t priority = 0; priority < 8; ++priority)
            {
                CAPTURE(port, int(priority));
                CHECK(mmu.IngressBytes(port, priority) == 0);
                CHECK(mmu.EgressBytes(port, priority) == 0);
            }
        }
    }
    REQUIRE(probesSent > 200); // 100 intervals on every switch-facing port
    ns3::Simulator::Destroy();
}
