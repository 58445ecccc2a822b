// Reading a sweep's grid: JSON pointers into the scenario document, each with its values, and
// the seeds every point runs with. Values are checked by the scenario reader itself, so a grid
// accepts exactly what a scenario file would.
#include "fabric/helper/scenario-reading.h"

#include <set>

namespace ns3::fabric
{

using ::fab::telemetry::InputError;
using ::fab::telemetry::JsonObjectReader;
using ::fab::telemetry::JsonPointerChild;

namespace
{

constexpr std::size_t kMaxValuesPerDimension = 10'000;

/** A value as an error message quotes it: its JSON text, cut short. */
std::string
Quoted(const nlohmann::json& value)
{
    std::string text = value.dump();
    return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

std::string
GridPlace(const std::string& pointer)
{
    return JsonPointerChild("/sweep/grid", pointer);
}

void
ReadDimension(const std::string& pointer,
              const nlohmann::json& values,
              const std::string& at,
              ScenarioSweep& s)
{
    try
    {
        nlohmann::json::json_pointer parsed(pointer);
    }
    catch (const nlohmann::json::exception&)
    {
        throw InputError(at,
                         "expected a JSON pointer into the scenario, such as "
                         "\"/fabric/transport/congestion_control\" or \"/jobs/0/bytes\"");
    }
    if (pointer.empty() || pointer == "/sweep" || pointer.rfind("/sweep/", 0) == 0
        || pointer == "/schema")
    {
        throw InputError(at,
                         "a grid sets values inside the scenario: not the whole document, its "
                         "schema or its sweep");
    }
    if (!values.is_array() || values.empty() || values.size() > kMaxValuesPerDimension)
    {
        throw InputError(at,
                         "expected a list of 1 to " + std::to_string(kMaxValuesPerDimension)
                             + " values for " + pointer);
    }
    s.grid.push_back({pointer, std::vector<nlohmann::json>(values.begin(), values.end())});
}

void
ReadSeeds(const nlohmann::json& seeds, const std::string& at, ScenarioSweep& s)
{
    if (!seeds.is_array() || seeds.empty())
    {
        throw InputError(at, "expected a non-empty list of seeds such as [1, 2, 3]");
    }
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < seeds.size(); ++i)
    {
        const auto& seed = seeds[i];
        bool whole = seed.is_number_unsigned()
                     || (seed.is_number_integer() && seed.get<std::int64_t>() >= 0);
        if (!whole || seed.get<std::uint64_t>() > kMaxSeed)
        {
            throw InputError(JsonPointerChild(at, i),
                             "expected a whole number from 0 to " + std::to_string(kMaxSeed));
        }
        if (!seen.insert(seed.get<std::uint64_t>()).second)
        {
            throw InputError(JsonPointerChild(at, i), "seed " + Quoted(seed) + " is listed twice");
        }
        s.seeds.push_back(seed.get<std::uint64_t>());
    }
}

} // namespace

std::uint64_t
ScenarioSweep::GridPoints() const
{
    std::uint64_t points = 1;
    for (const auto& dimension : grid)
    {
        // Bounded by the reader: at most kMaxGridRuns points, so no product overflows.
        points *= dimension.values.size();
    }
    return points;
}

void
ReadSweepGrid(JsonObjectReader& sweep, ScenarioSweep& s)
{
    if (const auto* grid = sweep.Optional("grid"))
    {
        std::string at = sweep.PointerOf("grid");
        if (!grid->is_object() || grid->empty())
        {
            throw InputError(
                at,
                "expected an object of JSON pointers, each with its values, such "
                "as {\"/fabric/transport/congestion_control\": [\"dcqcn\", \"dctcp\"]}");
        }
        std::uint64_t points = 1;
        for (const auto& [pointer, values] : grid->items())
        {
            std::string place = JsonPointerChild(at, pointer);
            ReadDimension(pointer, values, place, s);
            points *= values.size();
            if (points > kMaxGridRuns)
            {
                throw InputError(
                    place, "the grid has more than " + std::to_string(kMaxGridRuns) + " points");
            }
        }
    }
    if (const auto* seeds = sweep.Optional("seeds"))
    {
        ReadSeeds(*seeds, sweep.PointerOf("seeds"), s);
        for (const auto& dimension : s.grid)
        {
            if (dimension.pointer == "/seed")
            {
                throw InputError(GridPlace("/seed"),
                                 "the sweep's \"seeds\" set each run's seed already");
            }
        }
        if (s.GridPoints() * s.seeds.size() > kMaxGridRuns)
        {
            throw InputError(sweep.PointerOf("seeds"),
                             std::to_string(s.GridPoints()) + " grid points × "
                                 + std::to_string(s.seeds.size()) + " seeds are more than "
                                 + std::to_string(kMaxGridRuns) + " runs");
        }
    }
}

nlohmann::json
ScenarioAtGridPoint(const nlohmann::json& document,
                    const std::vector<std::pair<std::string, nlohmann::json>>& values)
{
    nlohmann::json point = document;
    point.erase("sweep");
    for (const auto& [pointer, value] : values)
    {
        nlohmann::json::json_pointer target(pointer);
        auto parent = target.parent_pointer();
        bool placed = false;
        try
        {
            if (point.contains(parent))
            {
                const auto& holder = point.at(parent);
                placed = holder.is_object() || (holder.is_array() && point.contains(target));
            }
        }
        catch (const nlohmann::json::exception&)
        {
            placed = false; // an array index that is no number
        }
        if (!placed)
        {
            throw InputError(GridPlace(pointer),
                             "the scenario has no object at " + parent.to_string() + " to set \""
                                 + target.back() + "\" in, nor an element " + pointer
                                 + " to replace");
        }
        point[target] = value;
    }
    return point;
}

void
CheckSweepGrid(const nlohmann::json& document,
               const std::string& baseDirectory,
               const Scenario& scenario)
{
    for (const auto& dimension : scenario.sweep.grid)
    {
        for (std::size_t i = 0; i < dimension.values.size(); ++i)
        {
            const auto& value = dimension.values[i];
            auto point = ScenarioAtGridPoint(document, {{dimension.pointer, value}});
            try
            {
                ScenarioFromJson(point, baseDirectory);
            }
            catch (const InputError& e)
            {
                std::string where = e.Place().empty() ? "" : e.Place() + ": ";
                throw InputError(JsonPointerChild(GridPlace(dimension.pointer), i),
                                 "with " + dimension.pointer + " set to " + Quoted(value)
                                     + ", the scenario does not read: " + where + e.Expectation());
            }
        }
    }
}

} // namespace ns3::fabric
