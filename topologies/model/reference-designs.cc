#include "topologies/model/reference-designs.h"

#include "telemetry/model/json-object-reader.h"

namespace fab::topo
{

std::vector<std::string>
ReferenceDesignNames()
{
    std::vector<std::string> names;
    for (unsigned i = 0; i < kEmbeddedDesignCount; ++i)
    {
        names.emplace_back(kEmbeddedDesigns[i].name);
    }
    return names;
}

Design
LoadReferenceDesign(const std::string& name)
{
    for (unsigned i = 0; i < kEmbeddedDesignCount; ++i)
    {
        if (name == kEmbeddedDesigns[i].name)
        {
            try
            {
                return DesignFromJson(telemetry::ParseJsonText(kEmbeddedDesigns[i].text));
            }
            catch (telemetry::InputError& error)
            {
                error.SetFile("builtin:" + name);
                throw;
            }
        }
    }
    std::string known;
    for (const auto& n : ReferenceDesignNames())
    {
        known += (known.empty() ? "" : ", ") + n;
    }
    throw telemetry::InputError("builtin:" + name, "no such built-in design; known: " + known);
}

Design
LoadDesign(const std::string& source)
{
    const std::string prefix = "builtin:";
    if (source.rfind(prefix, 0) == 0)
    {
        return LoadReferenceDesign(source.substr(prefix.size()));
    }
    return LoadDesignFile(source);
}

} // namespace fab::topo
