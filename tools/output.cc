#include "tools/output.h"

#include "telemetry/model/json-object-reader.h"
#include "topologies/model/units.h"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace fab::tools
{

using telemetry::InputError;
using telemetry::ReportFormat;

OutputChoice
ChooseOutput(const std::optional<std::string>& format,
             const std::optional<std::string>& path,
             const std::string& defaultHtmlPath)
{
    OutputChoice choice;
    choice.path = path;
    if (format)
    {
        if (!telemetry::ParseReportFormat(*format, choice.format))
        {
            throw InputError("--format", "expected json, md or html, found \"" + *format + "\"");
        }
    }
    else if (path)
    {
        auto extension = std::filesystem::path(*path).extension().string();
        if (extension == ".json")
        {
            choice.format = ReportFormat::Json;
        }
        else if (extension == ".md" || extension == ".markdown")
        {
            choice.format = ReportFormat::Markdown;
        }
        else
        {
            choice.format = ReportFormat::Html;
        }
    }
    if (path && *path == "-")
    {
        choice.path.reset();
    }
    else if (!path && choice.format == ReportFormat::Html)
    {
        choice.path = defaultHtmlPath;
    }
    return choice;
}

std::optional<std::string>
WriteReport(const telemetry::Report& report, const OutputChoice& choice)
{
    std::string text = telemetry::Render(report, choice.format);
    if (!choice.path)
    {
        std::cout << text;
        std::cout.flush();
        return std::nullopt;
    }
    std::filesystem::path target(*choice.path);
    std::error_code error;
    if (target.has_parent_path())
    {
        std::filesystem::create_directories(target.parent_path(), error);
    }
    // Write beside the target and rename, so a reader never sees half a report.
    std::filesystem::path partial = target;
    partial += ".partial";
    {
        std::ofstream out(partial, std::ios::binary);
        if (!out || !(out << text) || !out.flush())
        {
            throw InputError("-o", "cannot write " + target.string());
        }
    }
    std::filesystem::rename(partial, target, error);
    if (error)
    {
        throw InputError("-o", "cannot write " + target.string() + ": " + error.message());
    }
    return std::filesystem::absolute(target).lexically_normal().string();
}

std::optional<telemetry::Severity>
ParseFailOn(const std::string& text)
{
    return telemetry::ParseSeverity(text);
}

std::int64_t
ParseDurationOption(const char* option, const std::string& text)
{
    auto ns = topo::ParseDurationNs(text);
    if (!ns || *ns <= 0)
    {
        throw InputError(option, "expected a duration such as 1s or 500ms, found \"" + text + "\"");
    }
    return *ns;
}

} // namespace fab::tools
