#include "topologies/model/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace fab::topo
{
namespace
{

/** Splits "400Gbps" into 400 and "Gbps"; nothing unless the number is finite and positive. */
std::optional<std::pair<double, std::string>>
SplitQuantity(const std::string& text)
{
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.'))
    {
        return std::nullopt;
    }
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(value) || value <= 0)
    {
        return std::nullopt;
    }
    std::string unit(end);
    if (!unit.empty() && unit.front() == ' ')
    {
        unit.erase(0, 1);
    }
    return std::make_pair(value, unit);
}

std::optional<double>
Scale(const std::string& text, const std::vector<std::pair<std::string, double>>& units)
{
    auto quantity = SplitQuantity(text);
    if (!quantity)
    {
        return std::nullopt;
    }
    for (const auto& [suffix, factor] : units)
    {
        if (quantity->second == suffix)
        {
            return quantity->first * factor;
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t>
ToWhole(std::optional<double> value)
{
    if (!value || *value >= 1.8e19 || std::fabs(*value - std::round(*value)) > 1e-6 * *value)
    {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(std::llround(*value));
}

} // namespace

std::optional<std::uint64_t>
ParseRate(const std::string& text)
{
    static const std::vector<std::pair<std::string, double>> kUnits = {{"Tbps", 1e12},
                                                                       {"Tb/s", 1e12},
                                                                       {"T", 1e12},
                                                                       {"Gbps", 1e9},
                                                                       {"Gb/s", 1e9},
                                                                       {"G", 1e9},
                                                                       {"Mbps", 1e6},
                                                                       {"Mb/s", 1e6},
                                                                       {"M", 1e6},
                                                                       {"bps", 1}};
    return ToWhole(Scale(text, kUnits));
}

std::optional<double>
ParseLengthMetres(const std::string& text)
{
    static const std::vector<std::pair<std::string, double>> kUnits
        = {{"km", 1000}, {"m", 1}, {"cm", 0.01}};
    return Scale(text, kUnits);
}

std::optional<std::uint64_t>
ParseBytes(const std::string& text)
{
    static const std::vector<std::pair<std::string, double>> kUnits = {{"GiB", 1073741824.0},
                                                                       {"MiB", 1048576.0},
                                                                       {"KiB", 1024.0},
                                                                       {"GB", 1e9},
                                                                       {"MB", 1e6},
                                                                       {"KB", 1e3},
                                                                       {"kB", 1e3},
                                                                       {"B", 1}};
    return ToWhole(Scale(text, kUnits));
}

std::optional<double>
ParseWatts(const std::string& text)
{
    static const std::vector<std::pair<std::string, double>> kUnits
        = {{"kW", 1000}, {"W", 1}, {"mW", 0.001}};
    return Scale(text, kUnits);
}

std::optional<double>
ParseRatio(const std::string& text)
{
    auto colon = text.find(':');
    if (colon == std::string::npos)
    {
        auto whole = SplitQuantity(text);
        return whole && whole->second.empty() ? std::optional<double>(whole->first) : std::nullopt;
    }
    auto down = SplitQuantity(text.substr(0, colon));
    auto up = SplitQuantity(text.substr(colon + 1));
    if (!down || !up || !down->second.empty() || !up->second.empty())
    {
        return std::nullopt;
    }
    return down->first / up->first;
}

std::optional<std::int64_t>
ParseDurationNs(const std::string& text)
{
    static const std::vector<std::pair<std::string, double>> kUnits
        = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    auto ns = ToWhole(Scale(text, kUnits));
    if (!ns || *ns == 0
        || *ns > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*ns);
}

} // namespace fab::topo
