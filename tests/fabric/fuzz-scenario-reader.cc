// libFuzzer target: any bytes as a scenario file, through the strict JSON parser and the scenario
// reader (its design, fabric, jobs, recovery, sweep, failures, outputs and sFlow parts). Bad input
// must end as an InputError: any other exception, an abort or a read outside the bytes is a crash.
// The reader needs ns-3's Time, so this target links the ns-3 libraries and the fabric library
// as built; the reading code itself is compiled here, instrumented.
#include "fabric/helper/scenario.h"
#include "telemetry/model/json-object-reader.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

namespace
{

/**
 * Documents this target leaves alone: a design read from a path (files are the JSON reader's
 * part, and a path may name a device that blocks) and designs too large to expand in
 * milliseconds (how big a design may grow is a question of memory estimates, not of reading).
 */
bool
OutOfScope(const nlohmann::json& document)
{
    if (!document.is_object() || !document.contains("design"))
    {
        return false;
    }
    const auto& design = document["design"];
    if (design.is_string())
    {
        static const std::set<std::string> kSmall
            = {"builtin:roce-128-rail", "builtin:ib-ndr-1024-superpod", "builtin:roce-10k-rail"};
        return kSmall.count(design.get<std::string>()) == 0;
    }
    if (!design.is_object() || !design.contains("servers") || !design["servers"].is_object())
    {
        return false;
    }
    const auto& servers = design["servers"];
    for (const char* key : {"count", "gpus", "nics", "nic_ports"})
    {
        if (servers.contains(key) && servers[key].is_number_integer()
            && (servers[key].get<std::int64_t>() > 1024 || servers[key].get<std::int64_t>() < 0))
        {
            return true;
        }
    }
    return false;
}

} // namespace

/**
 * The fabric library linked here is built without AddressSanitizer: containers it fills would
 * look overflowed to instrumented code, so that check is off for this target.
 */
extern "C" const char*
__asan_default_options()
{
    return "detect_container_overflow=0";
}

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try
    {
        auto document
            = fab::telemetry::ParseJsonText(std::string(reinterpret_cast<const char*>(data), size));
        if (!OutOfScope(document))
        {
            ns3::fabric::ScenarioFromJson(document, ".");
        }
    }
    catch (const fab::telemetry::InputError&)
    {
    }
    return 0;
}
