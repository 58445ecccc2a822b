#ifndef FABRICSCOPE_TELEMETRY_STRICT_JSON_BUILDER_H
#define FABRICSCOPE_TELEMETRY_STRICT_JSON_BUILDER_H

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fab::telemetry
{

/**
 * Builds a JSON document from nlohmann's SAX events, stricter than nlohmann's own parser: a key
 * that appears twice in one object (nlohmann keeps the last silently), a number beyond a double's
 * range (nlohmann throws out_of_range) and nesting deeper than a limit stop the parse, and the
 * reason names the JSON pointer of the offender.
 */
class StrictJsonBuilder : public nlohmann::json_sax<nlohmann::json>
{
public:
    /** Why the parse stopped. */
    struct Failure
    {
        enum class Kind : std::uint8_t
        {
            Syntax,
            NumberOverflow,
            DuplicateKey,
            TooDeep,
        };
        Kind kind{Kind::Syntax};
        std::string pointer;             ///< where the offending value (or key) sits
        std::optional<std::size_t> byte; ///< bytes read when it stopped, when the parser said
        std::string detail;              ///< nlohmann's message, or the offending token
    };

    StrictJsonBuilder(nlohmann::json& root, std::size_t maxDepth);

    bool null() override;
    bool boolean(bool value) override;
    bool number_integer(number_integer_t value) override;
    bool number_unsigned(number_unsigned_t value) override;
    bool number_float(number_float_t value, const string_t& text) override;
    bool string(string_t& value) override;
    bool binary(binary_t& value) override;
    bool start_object(std::size_t elements) override;
    bool key(string_t& value) override;
    bool end_object() override;
    bool start_array(std::size_t elements) override;
    bool end_array() override;
    bool parse_error(std::size_t position,
                     const std::string& lastToken,
                     const nlohmann::detail::exception& error) override;

    /** Set once the parse has stopped early. */
    const std::optional<Failure>& GetFailure() const { return m_failure; }

private:
    /** The reference token the next value gets in its container ("" at the root). */
    std::string NextToken() const;
    /** The JSON pointer of the container being filled, plus `token` when given. */
    std::string PointerTo(const std::string& token) const;
    nlohmann::json& Place(nlohmann::json&& value);
    bool Open(nlohmann::json&& container);
    bool Close();

    nlohmann::json& m_root;
    std::size_t m_maxDepth;
    // The containers being filled, outermost first; each is an element of the one before it,
    // which is not changed while it is open, so the pointers stay valid.
    std::vector<nlohmann::json*> m_open;
    std::vector<std::string> m_tokens; ///< each open container's token in its parent
    std::vector<std::string> m_keys;   ///< each open object's latest key
    nlohmann::json* m_slot{nullptr};   ///< the member the latest key made
    std::optional<Failure> m_failure;
};

/**
 * The offset of the bracket or brace that opens nesting level `depth` (1: the outermost) in
 * JSON text, skipping strings; the text's size if no value nests that deep.
 */
std::size_t OffsetOfDepth(const std::string& text, std::size_t depth);

/** Line and column (both from 1) of a byte offset in text. */
std::pair<std::size_t, std::size_t> LineAndColumn(const std::string& text, std::size_t offset);

} // namespace fab::telemetry

#endif
