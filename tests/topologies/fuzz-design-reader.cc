// libFuzzer target: any bytes as a design file and as a rules file, through the strict JSON
// parser, the design reader and the rule overrides (design rules). Bad input must end as an
// InputError: any other exception, an abort or a read outside the bytes is a crash. What reads
// must also write back as a document that reads again to the same thing.
#include "telemetry/model/json-object-reader.h"
#include "topologies/model/design-rules.h"
#include "topologies/model/design.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace
{

using fab::telemetry::InputError;

void
Check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

void
ReadDesign(const nlohmann::json& document)
{
    std::optional<fab::topo::Design> design;
    try
    {
        design = fab::topo::DesignFromJson(document);
    }
    catch (const InputError&)
    {
        return;
    }
    // Outside the try: a design that was read must read again from what it writes.
    auto written = fab::topo::DesignToJson(*design);
    Check(fab::topo::DesignToJson(fab::topo::DesignFromJson(written)) == written);
}

void
ReadRules(const nlohmann::json& document)
{
    auto rules = fab::topo::DefaultDesignRules();
    try
    {
        rules.ApplyOverrides(document);
    }
    catch (const InputError&)
    {
        return;
    }
    auto copy = fab::topo::DefaultDesignRules();
    copy.ApplyOverrides(rules.ToJson());
    Check(copy.ToJson() == rules.ToJson());
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    nlohmann::json document;
    try
    {
        document
            = fab::telemetry::ParseJsonText(std::string(reinterpret_cast<const char*>(data), size));
    }
    catch (const InputError&)
    {
        return 0;
    }
    ReadDesign(document);
    ReadRules(document);
    return 0;
}
