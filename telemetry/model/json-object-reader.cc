#include "telemetry/model/json-object-reader.h"

#include <cmath>
#include <fstream>
#include <sstream>

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
    return out + message;
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

nlohmann::json
ParseJsonText(const std::string& text)
{
    try
    {
        return nlohmann::json::parse(text);
    }
    catch (const nlohmann::json::parse_error& error)
    {
        // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line
        // 3, column 5: ..."; keep the part after the bracket, which names line and column.
        std::string what = error.what();
        auto bracket = what.find("] ");
        if (bracket != std::string::npos)
        {
            what = what.substr(bracket + 2);
        }
        throw InputError("byte " + std::to_string(error.byte), "not valid JSON: " + what);
    }
}

nlohmann::json
ReadJsonFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        InputError error("", "cannot open the file");
        error.SetFile(path);
        throw error;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    try
    {
        return ParseJsonText(buffer.str());
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
    std::int64_t result = 0;
    if (value.is_number_unsigned())
    {
        auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(max))
        {
            Fail(key,
                 "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max)
                     + "], found " + value.dump());
        }
        result = static_cast<std::int64_t>(u);
    }
    else if (value.is_number_integer())
    {
        result = value.get<std::int64_t>();
    }
    else
    {
        Fail(key, "expected an integer, found " + DescribeJsonType(value));
    }
    if (result < min || result > max)
    {
        Fail(key,
             "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max)
                 + "], found " + std::to_string(result));
    }
    return result;
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
