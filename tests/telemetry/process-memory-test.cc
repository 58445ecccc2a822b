#include "telemetry/model/process-memory.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <sys/resource.h>

using namespace fab::telemetry;

TEST_CASE("MemAvailable is read from /proc/meminfo text, in bytes", "[telemetry][memory]")
{
    const char* meminfo = "MemTotal:       24683664 kB\n"
                          "MemFree:        23955284 kB\n"
                          "MemAvailable:   24295788 kB\n"
                          "Buffers:            2304 kB\n";
    REQUIRE(ParseMemAvailable(meminfo) == 24295788ull * 1024);
    SECTION("a kernel without the line, or a line in another unit, gives nothing")
    {
        REQUIRE_FALSE(ParseMemAvailable("MemTotal: 1 kB\nMemFree: 1 kB\n"));
        REQUIRE_FALSE(ParseMemAvailable("MemAvailable: 12 MB\n"));
        REQUIRE_FALSE(ParseMemAvailable("MemAvailable:\n"));
        REQUIRE_FALSE(ParseMemAvailable(""));
    }
}

TEST_CASE("the peak resident memory grows with memory the process touches", "[telemetry][memory]")
{
    std::uint64_t before = PeakResidentBytes();
    REQUIRE(before > 1'000'000);
    constexpr std::size_t kBytes = 256u << 20;
    auto block = std::make_unique<char[]>(kBytes);
    std::memset(block.get(), 1, kBytes);
    REQUIRE(block[kBytes - 1] == 1);
    REQUIRE(PeakResidentBytes() >= before + kBytes / 2);
}

TEST_CASE("the system's limit is what the kernel has available, within an address-space limit",
          "[telemetry][memory]")
{
    auto limit = SystemMemoryLimit();
    REQUIRE(limit);
    REQUIRE(limit->bytes > 0);
#if !defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer maps terabytes of shadow memory, so only an uninstrumented build can
    // lower its own address-space limit.
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_AS, &saved) == 0);
    rlimit lowered = saved;
    lowered.rlim_cur = 64ull << 40; // far above what is mapped, far below "unlimited"
    if (saved.rlim_cur == RLIM_INFINITY || saved.rlim_cur > lowered.rlim_cur)
    {
        REQUIRE(setrlimit(RLIMIT_AS, &lowered) == 0);
        auto capped = SystemMemoryLimit();
        REQUIRE(setrlimit(RLIMIT_AS, &saved) == 0);
        REQUIRE(capped);
        // MemAvailable is far below 64 TiB on any test machine, so it still decides...
        REQUIRE(capped->source == "available memory");
        lowered.rlim_cur = 4ull << 30;
        REQUIRE(setrlimit(RLIMIT_AS, &lowered) == 0);
        capped = SystemMemoryLimit();
        REQUIRE(setrlimit(RLIMIT_AS, &saved) == 0);
        REQUIRE(capped);
        // ...until the address space is the tighter bound: 4 GiB less what is mapped and not
        // resident (the libraries, reserved heap).
        if (capped->source == "address-space limit")
        {
            REQUIRE(capped->bytes < 4ull << 30);
            REQUIRE(capped->bytes > 1ull << 30);
        }
        else
        {
            REQUIRE(capped->bytes < 4ull << 30); // a machine with less than 4 GiB available
        }
    }
#endif
}
