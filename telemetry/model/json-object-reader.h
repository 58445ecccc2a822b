#ifndef FABRICSCOPE_TELEMETRY_JSON_OBJECT_READER_H
#define FABRICSCOPE_TELEMETRY_JSON_OBJECT_READER_H

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

namespace fab::telemetry
{

/**
 * Bad input, found at the edge: where (a file and a JSON pointer, or a command-line flag) and
 * what was expected. Commands turn it into one message and exit code 2.
 */
class InputError : public std::runtime_error
{
public:
    InputError(std::string place, const std::string& message);

    /** The JSON pointer (e.g. "/servers/count") or flag (e.g. "--gpus") of the offender. */
    const std::string& Place() const { return m_place; }

    /** Names the file the place is in; the full message then reads "file: place: message". */
    void SetFile(const std::string& file);

    const std::string& File() const { return m_file; }

    /** "file: place: message", or the parts of it that are known. */
    const char* what() const noexcept override { return m_full.c_str(); }

    /** The message without file and place. */
    const std::string& Expectation() const { return m_expectation; }

private:
    static std::string Compose(const std::string& file,
                               const std::string& place,
                               const std::string& message);

    std::string m_file;
    std::string m_place;
    std::string m_expectation;
    std::string m_full;
};

/** Appends a key to a JSON pointer, escaping '~' and '/' as RFC 6901 asks. */
std::string JsonPointerChild(const std::string& parent, const std::string& key);

/** Appends an array index to a JSON pointer. */
std::string JsonPointerChild(const std::string& parent, std::size_t index);

/** Arrays and objects nest at most this deep in a JSON input (ours need fewer than 10). */
constexpr std::size_t kMaxJsonDepth = 64;

/** A JSON input file is at most this long. */
constexpr std::uint64_t kMaxJsonFileBytes = std::uint64_t{64} << 20;

/**
 * Parses JSON text strictly. Every problem is an InputError: a syntax error names the byte
 * offset, line and column; a number past a double's range and a key repeated in an object name
 * the JSON pointer of the offender; nesting deeper than kMaxJsonDepth names the byte offset.
 */
nlohmann::json ParseJsonText(const std::string& text);

/**
 * Reads and parses a JSON file of at most kMaxJsonFileBytes (a regular file's size is checked
 * before reading; devices, pipes and FIFOs are read in chunks up to the limit). The InputError
 * names the file.
 */
nlohmann::json ReadJsonFile(const std::string& path);

/**
 * Strict reading of one JSON object: every read names the key, so every error carries the JSON
 * pointer of the offender; Finish() rejects keys nobody read.
 */
class JsonObjectReader
{
public:
    JsonObjectReader(const nlohmann::json& object, std::string pointer);

    bool Has(const std::string& key) const;
    const std::string& Pointer() const { return m_pointer; }
    std::string PointerOf(const std::string& key) const;

    /** The value of a key that must be present (of any type). */
    const nlohmann::json& Required(const std::string& key);

    /** The value of a key, or nullptr when absent. */
    const nlohmann::json* Optional(const std::string& key);

    std::string String(const std::string& key);
    std::string String(const std::string& key, const std::string& fallback);
    bool Bool(const std::string& key, bool fallback);

    /** An integer in [min, max]; rejects fractions, strings and out-of-range values. */
    std::int64_t Integer(const std::string& key, std::int64_t min, std::int64_t max);
    std::int64_t Integer(const std::string& key,
                         std::int64_t min,
                         std::int64_t max,
                         std::int64_t fallback);

    /** A finite number in [min, max]. */
    double Number(const std::string& key, double min, double max);
    double Number(const std::string& key, double min, double max, double fallback);

    /** A nested object reader for a key that must hold an object. */
    JsonObjectReader Object(const std::string& key);

    /** Throws an InputError for the first key that was never read. */
    void Finish() const;

    /** Throws an InputError about this key. */
    [[noreturn]] void Fail(const std::string& key, const std::string& message) const;

private:
    const nlohmann::json& m_object;
    std::string m_pointer;
    std::set<std::string> m_read;
};

/** "a string", "a number", ...: how a JSON value's type reads in an error message. */
std::string DescribeJsonType(const nlohmann::json& value);

} // namespace fab::telemetry

#endif
