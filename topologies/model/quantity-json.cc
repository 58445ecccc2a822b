#include "topologies/model/quantity-json.h"

#include "topologies/model/units.h"

namespace fab::topo
{

using telemetry::DescribeJsonType;
using telemetry::JsonObjectReader;

namespace
{

std::string
QuantityString(JsonObjectReader& reader, const std::string& key, const std::string& example)
{
    const auto& value = reader.Required(key);
    if (!value.is_string())
    {
        reader.Fail(key,
                    "expected a quantity with its unit as a string, e.g. \"" + example
                        + "\", found " + DescribeJsonType(value));
    }
    return value.get<std::string>();
}

} // namespace

std::uint64_t
ReadRate(JsonObjectReader& reader, const std::string& key)
{
    auto text = QuantityString(reader, key, "400Gbps");
    auto rate = ParseRate(text);
    if (!rate || *rate < 1'000'000 || *rate > kMaxRateBps)
    {
        reader.Fail(key,
                    "expected a link rate from 1Mbps to 10Tbps such as \"400Gbps\", found \"" + text
                        + "\"");
    }
    return *rate;
}

double
ReadLength(JsonObjectReader& reader, const std::string& key)
{
    auto text = QuantityString(reader, key, "3m");
    auto metres = ParseLengthMetres(text);
    if (!metres || *metres < kMinLengthMetres || *metres > kMaxLengthMetres)
    {
        reader.Fail(key,
                    "expected a length from 1mm to 100km such as \"3m\" or \"2km\", found \"" + text
                        + "\"");
    }
    return *metres;
}

double
ReadWatts(JsonObjectReader& reader, const std::string& key)
{
    auto text = QuantityString(reader, key, "17W");
    auto watts = ParseWatts(text);
    if (!watts || *watts < kMinWatts || *watts > kMaxWatts)
    {
        reader.Fail(key,
                    "expected a power from 1mW to 100kW such as \"17W\", found \"" + text + "\"");
    }
    return *watts;
}

std::uint64_t
ReadBytes(JsonObjectReader& reader, const std::string& key)
{
    auto text = QuantityString(reader, key, "32MiB");
    auto bytes = ParseBytes(text);
    if (!bytes)
    {
        reader.Fail(key, "expected a positive size such as \"32MiB\", found \"" + text + "\"");
    }
    return *bytes;
}

std::int64_t
ReadDurationNs(JsonObjectReader& reader, const std::string& key)
{
    auto text = QuantityString(reader, key, "10us");
    auto ns = ParseDurationNs(text);
    if (!ns || *ns > kMaxDurationNs)
    {
        reader.Fail(key,
                    "expected a positive duration up to 1000000s such as \"10us\" or \"2ms\", "
                    "found \""
                        + text + "\"");
    }
    return *ns;
}

std::uint64_t
ReadRate(JsonObjectReader& reader, const std::string& key, std::uint64_t fallback)
{
    return reader.Has(key) ? ReadRate(reader, key) : fallback;
}

std::uint64_t
ReadBytes(JsonObjectReader& reader, const std::string& key, std::uint64_t fallback)
{
    return reader.Has(key) ? ReadBytes(reader, key) : fallback;
}

std::int64_t
ReadDurationNs(JsonObjectReader& reader, const std::string& key, std::int64_t fallback)
{
    return reader.Has(key) ? ReadDurationNs(reader, key) : fallback;
}

} // namespace fab::topo
