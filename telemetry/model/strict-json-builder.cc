#include "telemetry/model/strict-json-builder.h"

#include "telemetry/model/json-object-reader.h"

namespace fab::telemetry
{

StrictJsonBuilder::StrictJsonBuilder(nlohmann::json& root, std::size_t maxDepth)
: m_root(root)
, m_maxDepth(maxDepth)
{
}

std::string
StrictJsonBuilder::NextToken() const
{
    if (m_open.empty())
    {
        return "";
    }
    return m_open.back()->is_array() ? JsonPointerChild("", m_open.back()->size())
                                     : JsonPointerChild("", m_keys.back());
}

std::string
StrictJsonBuilder::PointerTo(const std::string& token) const
{
    std::string pointer;
    for (const auto& open : m_tokens)
    {
        pointer += open;
    }
    return pointer + token;
}

nlohmann::json&
StrictJsonBuilder::Place(nlohmann::json&& value)
{
    if (m_open.empty())
    {
        m_root = std::move(value);
        return m_root;
    }
    nlohmann::json& container = *m_open.back();
    if (container.is_array())
    {
        container.push_back(std::move(value));
        return container.back();
    }
    *m_slot = std::move(value);
    return *m_slot;
}

bool
StrictJsonBuilder::Open(nlohmann::json&& container)
{
    if (m_open.size() >= m_maxDepth)
    {
        m_failure = Failure{Failure::Kind::TooDeep, PointerTo(""), std::nullopt, ""};
        return false;
    }
    std::string token = NextToken();
    m_open.push_back(&Place(std::move(container)));
    m_tokens.push_back(std::move(token));
    m_keys.emplace_back();
    return true;
}

bool
StrictJsonBuilder::Close()
{
    m_open.pop_back();
    m_tokens.pop_back();
    m_keys.pop_back();
    return true;
}

bool
StrictJsonBuilder::null()
{
    Place(nullptr);
    return true;
}

bool
StrictJsonBuilder::boolean(bool value)
{
    Place(value);
    return true;
}

bool
StrictJsonBuilder::number_integer(number_integer_t value)
{
    Place(value);
    return true;
}

bool
StrictJsonBuilder::number_unsigned(number_unsigned_t value)
{
    Place(value);
    return true;
}

bool
StrictJsonBuilder::number_float(number_float_t value, const string_t& /* text */)
{
    Place(value);
    return true;
}

bool
StrictJsonBuilder::string(string_t& value)
{
    Place(std::move(value));
    return true;
}

bool
StrictJsonBuilder::binary(binary_t& value)
{
    Place(nlohmann::json::binary(std::move(value)));
    return true;
}

bool
StrictJsonBuilder::start_object(std::size_t /* elements */)
{
    return Open(nlohmann::json::object());
}

bool
StrictJsonBuilder::key(string_t& value)
{
    nlohmann::json& object = *m_open.back();
    if (object.contains(value))
    {
        m_failure = Failure{Failure::Kind::DuplicateKey,
                            PointerTo(JsonPointerChild("", value)),
                            std::nullopt,
                            value};
        return false;
    }
    m_keys.back() = value;
    m_slot = &object[value];
    return true;
}

bool
StrictJsonBuilder::end_object()
{
    return Close();
}

bool
StrictJsonBuilder::start_array(std::size_t /* elements */)
{
    return Open(nlohmann::json::array());
}

bool
StrictJsonBuilder::end_array()
{
    return Close();
}

bool
StrictJsonBuilder::parse_error(std::size_t position,
                               const std::string& lastToken,
                               const nlohmann::detail::exception& error)
{
    // nlohmann reports a number past a double's range as out_of_range 406.
    bool overflow = dynamic_cast<const nlohmann::json::out_of_range*>(&error) != nullptr;
    // A number failed before it was placed: the pointer names its slot. A syntax error is
    // somewhere after the latest value: the pointer names the container it is in.
    m_failure = Failure{overflow ? Failure::Kind::NumberOverflow : Failure::Kind::Syntax,
                        overflow ? PointerTo(NextToken()) : PointerTo(""),
                        position,
                        overflow ? lastToken : error.what()};
    return false;
}

std::size_t
OffsetOfDepth(const std::string& text, std::size_t depth)
{
    std::size_t level = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (inString)
        {
            if (c == '\\')
            {
                ++i;
            }
            else if (c == '"')
            {
                inString = false;
            }
        }
        else if (c == '"')
        {
            inString = true;
        }
        else if (c == '[' || c == '{')
        {
            if (++level == depth)
            {
                return i;
            }
        }
        else if ((c == ']' || c == '}') && level > 0)
        {
            --level;
        }
    }
    return text.size();
}

std::pair<std::size_t, std::size_t>
LineAndColumn(const std::string& text, std::size_t offset)
{
    std::size_t line = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    {
        if (text[i] == '\n')
        {
            ++line;
            lineStart = i + 1;
        }
    }
    return {line, offset - lineStart + 1};
}

} // namespace fab::telemetry
