#include "tools/output.h"

#include "telemetry/model/json-object-reader.h"
#include "telemetry/model/text-format.h"
#include "topologies/model/units.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

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

void
WriteTextFile(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
    {
        throw telemetry::InputError(path.string(), "cannot write this file");
    }
}

void
AddReportFileOptions(CLI::App& command, std::vector<std::string>& formats, std::string& failOn)
{
    command
        .add_option(
            "--format", formats, "report formats: json, md, html (default: html md)")
        ->delimiter(',')
        ->check(CLI::IsMember({"json", "md", "markdown", "html"}));
    command
        .add_option("--fail-on",
                    failOn,
                    "exit 1 on findings at or above: warning, error (default) or none")
        ->check(CLI::IsMember({"info", "warning", "error", "none"}));
}

int
WriteReportFiles(const telemetry::Report& report,
                 const std::string& out,
                 const std::vector<std::string>& formats,
                 const std::string& failOn)
{
    namespace fs = std::filesystem;
    std::vector<std::string> written = {fs::absolute(fs::path(out) / "summary.json").string()};
    for (const auto& name : formats)
    {
        telemetry::ReportFormat format{};
        telemetry::ParseReportFormat(name, format);
        std::string extension = format == telemetry::ReportFormat::Html       ? "html"
                                : format == telemetry::ReportFormat::Markdown ? "md"
                                                                              : "json";
        auto path = WriteReport(
            report, ChooseOutput(name, (fs::path(out) / ("report." + extension)).string(), ""));
        if (path)
        {
            written.push_back(*path);
        }
    }
    for (const auto& path : written)
    {
        std::cout << path << "\n";
    }
    if (failOn != "none")
    {
        auto threshold = telemetry::ParseSeverity(failOn);
        auto worst = telemetry::WorstSeverity(report.findings);
        if (threshold && worst && *worst >= *threshold)
        {
            return kExitFindings;
        }
    }
    return kExitOk;
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

CLI::Validator
WholeNumberIn(std::uint64_t min, std::uint64_t max)
{
    std::string range = "a whole number from " + telemetry::GroupDigits(min) + " to "
                        + telemetry::GroupDigits(max);
    auto check = [min, max, range](const std::string& text) -> std::string
    {
        std::string expected = "expected " + range + ", found \"" + text + "\"";
        // A leading zero would read as octal.
        if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')
            || text.find_first_not_of("0123456789") != std::string::npos)
        {
            return expected;
        }
        // At most 20 digits: the value may pass 2^64, so compare as text first.
        if (text.size() == 20 && text > "18446744073709551615")
        {
            return expected;
        }
        std::uint64_t value = std::stoull(text);
        return value < min || value > max ? expected : std::string();
    };
    return CLI::Validator(check, "UINT");
}

void
PrepareOutputFolder(const char* option, const std::string& path)
{
    namespace fs = std::filesystem;
    if (path.empty())
    {
        throw InputError(option, "expected a folder, found an empty path");
    }
    std::error_code error;
    fs::create_directories(path, error);
    if (!fs::is_directory(path))
    {
        throw InputError(option,
                         fs::exists(path) ? "\"" + path + "\" is a file; expected a folder"
                                          : "cannot create the folder \"" + path + "\": "
                                                + (error ? error.message() : "unknown reason"));
    }
    if (::access(path.c_str(), W_OK | X_OK) != 0)
    {
        throw InputError(option, "cannot write in the folder \"" + path + "\"");
    }
}

void
PrepareOutputFile(const char* option, const std::string& path)
{
    namespace fs = std::filesystem;
    if (path.empty())
    {
        throw InputError(option, "expected a file, found an empty path");
    }
    if (fs::is_directory(path))
    {
        throw InputError(option, "\"" + path + "\" is a folder; expected a file");
    }
    fs::path parent = fs::path(path).parent_path();
    PrepareOutputFolder(option, parent.empty() ? "." : parent.string());
}

} // namespace fab::tools
