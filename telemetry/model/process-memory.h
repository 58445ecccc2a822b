#ifndef FABRICSCOPE_TELEMETRY_PROCESS_MEMORY_H
#define FABRICSCOPE_TELEMETRY_PROCESS_MEMORY_H

#include "telemetry/model/json-object-reader.h"

#include <cstdint>
#include <optional>
#include <string>

namespace fab::telemetry
{

/** The most resident memory the process has held so far (getrusage), in bytes. */
std::uint64_t PeakResidentBytes();

/** How much more resident memory a run may take, and what set that figure. */
struct MemoryLimit
{
    std::uint64_t bytes{0};
    std::string source; ///< "available memory", "address-space limit", "--max-memory"
};

/**
 * Input that is well formed but would take more memory than the limit; the place is what drives
 * the size. Commands report it like any InputError, without calling it a contradiction.
 */
class OverLimitError : public InputError
{
public:
    using InputError::InputError;
};

/** MemAvailable of a /proc/meminfo text, in bytes; nothing when the line is missing. */
std::optional<std::uint64_t> ParseMemAvailable(const std::string& meminfo);

/**
 * The resident memory a run may reach: the smaller of the memory the kernel says is available
 * (MemAvailable, plus what this process holds already) and what the address-space limit
 * (RLIMIT_AS, `ulimit -v`) still lets the process map. The second counts every mapping
 * already made that is not resident (libraries, reserved heap) against the limit, since growth
 * shows up as both. A tenth of either is kept back for what an estimate misses. Nothing when
 * neither can be read.
 */
std::optional<MemoryLimit> SystemMemoryLimit();

} // namespace fab::telemetry

#endif
