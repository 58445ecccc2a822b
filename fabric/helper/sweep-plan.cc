#include "fabric/helper/sweep-plan.h"

#include "fabric/helper/simulation-sweep.h"
#include "telemetry/model/json-object-reader.h"

#include <set>

namespace ns3::fabric
{

using fab::telemetry::InputError;

namespace
{

const char*
VaryName(ScenarioSweep::Vary vary)
{
    switch (vary)
    {
        case ScenarioSweep::Vary::Policy:
            return "policy";
        case ScenarioSweep::Vary::Link:
            return "link";
        case ScenarioSweep::Vary::Grid:
            return "grid";
        case ScenarioSweep::Vary::Nothing:
            break;
    }
    return "nothing";
}

ScenarioSweep::Vary
VaryFromName(const std::string& name)
{
    for (auto vary :
         {ScenarioSweep::Vary::Policy, ScenarioSweep::Vary::Link, ScenarioSweep::Vary::Grid})
    {
        if (name == VaryName(vary))
        {
            return vary;
        }
    }
    throw InputError("/vary", "expected \"policy\", \"link\" or \"grid\", found \"" + name + "\"");
}

/** Adds a task, its folder made unique should two labels read the same as file names. */
void
AddTask(SweepPlan& plan, SweepTask task, std::set<std::string>& folders)
{
    task.index = static_cast<std::uint32_t>(plan.tasks.size());
    task.folder = SweepFolderName(task.label);
    if (!folders.insert(task.folder).second)
    {
        task.folder += "-" + std::to_string(task.index);
        folders.insert(task.folder);
    }
    plan.tasks.push_back(std::move(task));
}

/** "g07" for point 7 of 12, the width fixed by the count so that names sort as numbers. */
std::string
Numbered(const char* prefix, std::uint64_t index, std::uint64_t count)
{
    std::string digits = std::to_string(index);
    std::size_t width = std::to_string(count > 0 ? count - 1 : 0).size();
    return prefix + std::string(width - std::min(width, digits.size()), '0') + digits;
}

void
PlanGrid(SweepPlan& plan, const ScenarioSweep& sweep, std::set<std::string>& folders)
{
    std::uint64_t points = sweep.GridPoints();
    std::vector<std::size_t> at(sweep.grid.size(), 0);
    for (std::uint64_t p = 0; p < points; ++p)
    {
        // The last dimension varies fastest.
        std::uint64_t rest = p;
        for (std::size_t d = sweep.grid.size(); d-- > 0;)
        {
            at[d] = rest % sweep.grid[d].values.size();
            rest /= sweep.grid[d].values.size();
        }
        nlohmann::json values = nlohmann::json::object();
        for (std::size_t d = 0; d < sweep.grid.size(); ++d)
        {
            values[sweep.grid[d].pointer] = sweep.grid[d].values[at[d]];
        }
        std::string label = Numbered("g", p, points);
        if (sweep.seeds.empty())
        {
            SweepTask task;
            task.label = label;
            task.point = values;
            AddTask(plan, std::move(task), folders);
            continue;
        }
        for (auto seed : sweep.seeds)
        {
            SweepTask task;
            task.label = label + "-s" + std::to_string(seed);
            task.point = values;
            task.seed = seed;
            AddTask(plan, std::move(task), folders);
        }
    }
}

} // namespace

SweepPlan
PlanSweep(const nlohmann::json& document,
          const Scenario& scenario,
          const std::string& source,
          const std::string& baseDirectory)
{
    SweepPlan plan;
    plan.scenario = document;
    plan.source = source;
    plan.baseDirectory = baseDirectory;
    plan.scenarioName = scenario.name;
    plan.designName = scenario.design.name;
    plan.vary = scenario.sweep.vary;
    std::set<std::string> folders;
    std::string policy = RecoveryPolicyName(scenario.fabric.recovery.policy);
    switch (scenario.sweep.vary)
    {
        case ScenarioSweep::Vary::Nothing:
            break;
        case ScenarioSweep::Vary::Policy:
        case ScenarioSweep::Vary::Link:
        {
            SweepTask baseline;
            baseline.label = "baseline";
            baseline.baseline = true;
            baseline.policy = policy;
            AddTask(plan, std::move(baseline), folders);
            if (scenario.sweep.vary == ScenarioSweep::Vary::Policy)
            {
                for (auto p : scenario.sweep.policies)
                {
                    SweepTask task;
                    task.label = RecoveryPolicyName(p);
                    task.policy = task.label;
                    AddTask(plan, std::move(task), folders);
                }
                break;
            }
            for (const auto& link : SweptLinks(scenario))
            {
                SweepTask task;
                task.label = link;
                task.policy = policy;
                task.target = link;
                AddTask(plan, std::move(task), folders);
            }
            break;
        }
        case ScenarioSweep::Vary::Grid:
            for (const auto& dimension : scenario.sweep.grid)
            {
                plan.dimensions.push_back(dimension.pointer);
            }
            plan.seeds = scenario.sweep.seeds;
            PlanGrid(plan, scenario.sweep, folders);
            break;
    }
    return plan;
}

Scenario
TaskScenario(const SweepPlan& plan, const SweepTask& task)
{
    try
    {
        if (plan.vary == ScenarioSweep::Vary::Grid)
        {
            std::vector<std::pair<std::string, nlohmann::json>> values;
            for (const auto& pointer : plan.dimensions)
            {
                values.emplace_back(pointer, task.point.at(pointer));
            }
            Scenario scenario
                = ScenarioFromJson(ScenarioAtGridPoint(plan.scenario, values), plan.baseDirectory);
            if (task.seed)
            {
                scenario.seed = *task.seed;
            }
            return scenario;
        }
        Scenario scenario = ScenarioFromJson(plan.scenario, plan.baseDirectory);
        scenario.sweep = ScenarioSweep{};
        if (task.baseline)
        {
            scenario.failures.clear();
            scenario.randomFailures.reset();
        }
        else if (!task.target.empty())
        {
            scenario.failures.at(0).target = task.target;
        }
        else if (!ParseRecoveryPolicy(task.policy, scenario.fabric.recovery.policy))
        {
            throw InputError("/tasks/" + std::to_string(task.index) + "/policy",
                             "expected a recovery policy, found \"" + task.policy + "\"");
        }
        return scenario;
    }
    catch (InputError& e)
    {
        if (e.File().empty())
        {
            e.SetFile(plan.source);
        }
        throw;
    }
    catch (const std::out_of_range&)
    {
        throw InputError("/tasks/" + std::to_string(task.index),
                         "the task does not fit the plan's scenario");
    }
    catch (const nlohmann::json::exception&)
    {
        throw InputError("/tasks/" + std::to_string(task.index),
                         "the task does not fit the plan's scenario");
    }
}

nlohmann::json
SweepTaskJson(const SweepTask& task)
{
    nlohmann::json j = {{"index", task.index},
                        {"label", task.label},
                        {"folder", task.folder},
                        {"engine", task.engine}};
    if (task.baseline)
    {
        j["baseline"] = true;
    }
    if (!task.policy.empty())
    {
        j["policy"] = task.policy;
    }
    if (!task.target.empty())
    {
        j["target"] = task.target;
    }
    if (!task.point.is_null())
    {
        j["point"] = task.point;
    }
    if (task.seed)
    {
        j["seed"] = *task.seed;
    }
    return j;
}

nlohmann::json
SweepPlanJson(const SweepPlan& plan)
{
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& task : plan.tasks)
    {
        tasks.push_back(SweepTaskJson(task));
    }
    return {{"schema", 1},
            {"source", plan.source},
            {"base_directory", plan.baseDirectory},
            {"scenario_name", plan.scenarioName},
            {"design_name", plan.designName},
            {"vary", VaryName(plan.vary)},
            {"dimensions", plan.dimensions},
            {"seeds", plan.seeds},
            {"tasks", std::move(tasks)},
            {"scenario", plan.scenario}};
}

SweepPlan
SweepPlanFromJson(const nlohmann::json& d)
{
    SweepPlan plan;
    std::string at = "/schema";
    try
    {
        if (d.at("schema").get<int>() != 1)
        {
            throw InputError(at, "expected schema 1");
        }
        at = "/source";
        plan.source = d.at("source").get<std::string>();
        at = "/base_directory";
        plan.baseDirectory = d.at("base_directory").get<std::string>();
        at = "/scenario_name";
        plan.scenarioName = d.at("scenario_name").get<std::string>();
        at = "/design_name";
        plan.designName = d.at("design_name").get<std::string>();
        at = "/vary";
        plan.vary = VaryFromName(d.at("vary").get<std::string>());
        at = "/dimensions";
        plan.dimensions = d.at("dimensions").get<std::vector<std::string>>();
        at = "/seeds";
        plan.seeds = d.at("seeds").get<std::vector<std::uint64_t>>();
        at = "/scenario";
        plan.scenario = d.at("scenario");
        const auto& tasks = d.at("tasks");
        for (std::size_t i = 0; i < tasks.size(); ++i)
        {
            at = "/tasks/" + std::to_string(i);
            const auto& t = tasks.at(i);
            SweepTask task;
            task.index = t.at("index").get<std::uint32_t>();
            if (task.index != i)
            {
                throw InputError(at + "/index", "expected " + std::to_string(i));
            }
            task.label = t.at("label").get<std::string>();
            task.folder = t.at("folder").get<std::string>();
            if (task.folder.empty() || task.folder == "." || task.folder == ".."
                || task.folder.find('/') != std::string::npos)
            {
                throw InputError(at + "/folder", "expected a plain file name");
            }
            task.engine = t.at("engine").get<std::string>();
            task.baseline = t.value("baseline", false);
            task.policy = t.value("policy", "");
            task.target = t.value("target", "");
            task.point = t.value("point", nlohmann::json());
            if (t.contains("seed"))
            {
                task.seed = t.at("seed").get<std::uint64_t>();
            }
            plan.tasks.push_back(std::move(task));
        }
    }
    catch (const nlohmann::json::exception& e)
    {
        throw InputError(at, std::string("not a sweep plan: ") + e.what());
    }
    return plan;
}

} // namespace ns3::fabric
