#include "telemetry/model/json-object-reader.h"

#include "telemetry/model/strict-json-builder.h"
#include "telemetry/model/text-format.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fab::telemetry
{

InputError::InputError(std::string place, const std::string& message)
: std::runtime_error(Compose("", place, message))
, m_place(std::move(place))
, m_expectation(message)
, m_full(Compose("", m_place, message))
{
}

void
InputError::SetFile(const std::string& file)
{
    m_file = file;
    m_full = Compose(m_file, m_place, m_expectation);
}

std::string
InputError::Compose(const std::string& file, const std::string& place, const std::string& message)
{
    std::string out;
    if (!file.empty())
    {
        out += file + ": ";
    }
    if (!place.empty())
    {
        out += place + ": ";
    }
    // Names and values quoted from the input reach a terminal: no control sequences.
    return EscapeForTerminal(out + message);
}

std::string
JsonPointerChild(const std::string& parent, const std::string& key)
{
    std::string escaped;
    for (char c : key)
    {
        if (c == '~')
        {
            escaped += "~0";
        }
        else if (c == '/')
        {
            escaped += "~1";
        }
        else
        {
            escaped += c;
        }
    }
    return parent + "/" + escaped;
}

std::string
JsonPointerChild(const std::string& parent, std::size_t index)
{
    return parent + "/" + std::to_string(index);
}

namespace
{

/** "9999999999…" for a token too long to quote whole. */
std::string
Shortened(const std::string& token)
{
    constexpr std::size_t kLongest = 40;
    if (token.size() <= kLongest)
    {
        return token;
    }
    return token.substr(0, kLongest) + "… (" + std::to_string(token.size()) + " characters)";
}

[[noreturn]] void
ThrowParseFailure(const std::string& text, const StrictJsonBuilder::Failure& failure)
{
    using Kind = StrictJsonBuilder::Failure::Kind;
    switch (failure.kind)
    {
        case Kind::DuplicateKey:
            throw InputError(failure.pointer,
                             "duplicate key \"" + failure.detail
                                 + "\": a key may appear only once in an object");
        case Kind::TooDeep:
        {
            std::size_t offset = OffsetOfDepth(text, kMaxJsonDepth + 1);
            auto [line, column] = LineAndColumn(text, offset);
            throw InputError("byte " + std::to_string(offset),
                             "arrays and objects nested deeper than "
                                 + std::to_string(kMaxJsonDepth) + " levels (line "
                                 + std::to_string(line) + ", column " + std::to_string(column)
                                 + "); expected a document at most that deep");
        }
        case Kind::NumberOverflow:
        {
            std::size_t offset = failure.byte.value_or(0);
            auto [line, column] = LineAndColumn(text, offset);
            throw InputError(failure.pointer.empty() ? "byte " + std::to_string(offset)
                                                     : failure.pointer,
                             "expected a number within a double's range (about ±1.8e308), found "
                                 + Shortened(failure.detail) + " (line " + std::to_string(line)
                                 + ", column " + std::to_string(column) + ")");
        }
        case Kind::Syntax:
            break;
    }
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 3,
    // column 5: ..."; keep the part after the bracket, which names line and column.
    std::string what = failure.detail;
    auto bracket = what.find("] ");
    if (bracket != std::string::npos)
    {
        what = what.substr(bracket + 2);
    }
    if (!failure.pointer.empty())
    {
        what += " (inside " + failure.pointer + ")";
    }
    throw InputError("byte " + std::to_string(failure.byte.value_or(0)), "not valid JSON: " + what);
}

std::string
ReadBoundedFile(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code error;
    auto status = fs::status(path, error);
    if (!error && fs::is_directory(status))
    {
        throw InputError("", "this is a folder; expected a JSON file");
    }
    std::string text;
    if (!error && fs::is_regular_file(status))
    {
        auto size = fs::file_size(path, error);
        if (!error && size > kMaxJsonFileBytes)
        {
            throw InputError("",
                             "the file is " + FormatBytes(static_cast<double>(size))
                                 + "; a JSON input may be at most "
                                 + FormatBytes(static_cast<double>(kMaxJsonFileBytes)));
        }
        text.reserve(error ? 0 : size);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw InputError("", "cannot open the file");
    }
    // Devices, pipes and FIFOs have no size to check first: read in chunks up to the limit.
    std::vector<char> chunk(1 << 16);
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
    {
        text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxJsonFileBytes)
        {
            throw InputError("",
                             "more than " + FormatBytes(static_cast<double>(kMaxJsonFileBytes))
                                 + " read; a JSON input may be at most that long");
        }
    }
    if (in.bad())
    {
        throw InputError("", "cannot read the file");
    }
    return text;
}

} // namespace

nlohmann::json
ParseJsonText(const std::string& text)
{
    // nlohmann takes a NUL byte for the end of the input and would ignore whatever follows it.
    if (auto nul = text.find('\0'); nul != std::string::npos)
    {
        auto [line, column] = LineAndColumn(text, nul);
        throw InputError("byte " + std::to_string(nul),
                         "not valid JSON: a NUL byte at line " + std::to_string(line) + ", column "
                             + std::to_string(column));
    }
    nlohmann::json document;
    StrictJsonBuilder builder(document, kMaxJsonDepth);
    if (!nlohmann::json::sax_parse(text, &builder))
    {
        ThrowParseFailure(text, builder.GetFailure().value_or(StrictJsonBuilder::Failure{}));
    }
    return document;
}

nlohmann::json
ReadJsonFile(const std::string& path)
{
    try
    {
        return ParseJsonText(ReadBoundedFile(path));
    }
    catch (InputError& error)
    {
        error.SetFile(path);
        throw;
    }
}

std::string
DescribeJsonType(const nlohmann::json& value)
{
    switch (value.type())
    {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::array:
            return "an array";
        case nlohmann::json::value_t::string:
            return "a string (" + value.dump() + ")";
        case nlohmann::json::value_t::boolean:
            return std::string("a boolean (") + (value.get<bool>() ? "true" : "false") + ")";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
        case nlohmann::json::value_t::number_float:
            return "the number " + value.dump();
        default:
            return "an unsupported value";
    }
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& object, std::string pointer)
: m_object(object)
, m_pointer(std::move(pointer))
{
    if (!m_object.is_object())
    {
        throw InputError(m_pointer.empty() ? "/" : m_pointer,
                         "expected an object, found " + DescribeJsonType(m_object));
    }
}

bool
JsonObjectReader::Has(const std::string& key) const
{
    return m_object.contains(key);
}

std::string
JsonObjectReader::PointerOf(const std::string& key) const
{
    return JsonPointerChild(m_pointer, key);
}

void
JsonObjectReader::Fail(const std::string& key, const std::string& message) const
{
    throw InputError(PointerOf(key), message);
}

const nlohmann::json&
JsonObjectReader::Required(const std::string& key)
{
    m_read.insert(key);
    auto it = m_object.find(key);
    if (it == m_object.end())
    {
        Fail(key, "required key is missing");
    }
    return *it;
}

const nlohmann::json*
JsonObjectReader::Optional(const std::string& key)
{
    m_read.insert(key);
    auto it = m_object.find(key);
    return it == m_object.end() ? nullptr : &*it;
}

std::string
JsonObjectReader::String(const std::string& key)
{
    const auto& value = Required(key);
    if (!value.is_string())
    {
        Fail(key, "expected a string, found " + DescribeJsonType(value));
    }
    return value.get<std::string>();
}

std::string
JsonObjectReader::String(const std::string& key, const std::string& fallback)
{
    return Has(key) ? String(key) : (m_read.insert(key), fallback);
}

bool
JsonObjectReader::Bool(const std::string& key, bool fallback)
{
    const auto* value = Optional(key);
    if (value == nullptr)
    {
        return fallback;
    }
    if (!value->is_boolean())
    {
        Fail(key, "expected true or false, found " + DescribeJsonType(*value));
    }
    return value->get<bool>();
}

std::int64_t
JsonObjectReader::Integer(const std::string& key, std::int64_t min, std::int64_t max)
{
    const auto& value = Required(key);
    std::string expected = "expected an integer in [" + std::to_string(min) + ", "
                           + std::to_string(max) + "], found ";
    if (!value.is_number_integer())
    {
        // Fractions, exponents (1e308) and integers past 2^64 arrive as floating-point numbers.
        Fail(key, value.is_number() ? expected + value.dump() : expected + DescribeJsonType(value));
    }
    bool fits = value.is_number_unsigned()
                    ? max >= 0 && value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max)
                          && static_cast<std::int64_t>(value.get<std::uint64_t>()) >= min
                    : value.get<std::int64_t>() >= min && value.get<std::int64_t>() <= max;
    if (!fits)
    {
        Fail(key, expected + value.dump());
    }
    return value.get<std::int64_t>();
}

std::int64_t
JsonObjectReader::Integer(const std::string& key,
                          std::int64_t min,
                          std::int64_t max,
                          std::int64_t fallback)
{
    return Has(key) ? Integer(key, min, max) : (m_read.insert(key), fallback);
}

double
JsonObjectReader::Number(const std::string& key, double min, double max)
{
    const auto& value = Required(key);
    if (!value.is_number())
    {
        Fail(key, "expected a number, found " + DescribeJsonType(value));
    }
    double result = value.get<double>();
    if (!std::isfinite(result) || result < min || result > max)
    {
        std::ostringstream range;
        range << "expected a number in [" << min << ", " << max << "], found " << value.dump();
        Fail(key, range.str());
    }
    return result;
}

double
JsonObjectReader::Number(const std::string& key, double min, double max, double fallback)
{
    return Has(key) ? Number(key, min, max) : (m_read.insert(key), fallback);
}

JsonObjectReader
JsonObjectReader::Object(const std::string& key)
{
    return JsonObjectReader(Required(key), PointerOf(key));
}

void
JsonObjectReader::Finish() const
{
    for (const auto& item : m_object.items())
    {
        if (m_read.count(item.key()) == 0)
        {
            std::string known;
            for (const auto& key : m_read)
            {
                known += (known.empty() ? "" : ", ") + key;
            }
            Fail(item.key(), "unknown key; expected one of: " + known);
        }
    }
}

} // namespace fab::telemetry
