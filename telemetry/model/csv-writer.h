#ifndef FABRICSCOPE_TELEMETRY_CSV_WRITER_H
#define FABRICSCOPE_TELEMETRY_CSV_WRITER_H

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace fab::telemetry
{

/**
 * One CSV field, formatted when it is made, so a row costs no formatting decisions later and
 * the header and every row share the same rules:
 *
 * - integers (any signed or unsigned type) are written exactly, in decimal;
 * - doubles with at most 6 significant digits, as printf's "%.6g" would write them but without
 *   the locale (std::to_chars): 2.5 → "2.5", 1.0/3 → "0.333333", 1234567.0 → "1.23457e+06".
 *   Six digits are plenty for a plot and hide last-bit differences between compilers, which
 *   keeps golden files stable; a quantity that needs every digit belongs in an integer cell
 *   (nanoseconds, bytes). -0 is written "0", NaN "nan", infinities "inf" and "-inf";
 * - text is quoted only when it holds a comma, a double quote, CR or LF, with quotes doubled
 *   (RFC 4180).
 *
 * bool and char are refused at compile time: neither has one obvious spelling in a table.
 */
class CsvCell
{
public:
    template <typename Integer, std::enable_if_t<std::is_integral_v<Integer>, int> = 0>
    CsvCell(Integer value)
    : m_text(std::is_signed_v<Integer> ? std::to_string(static_cast<std::int64_t>(value))
                                       : std::to_string(static_cast<std::uint64_t>(value)))
    {
    }

    CsvCell(double value);
    CsvCell(std::string_view text);
    CsvCell(const std::string& text);
    CsvCell(const char* text);

    CsvCell(bool) = delete;
    CsvCell(char) = delete;

    /** The field as it appears between the commas. */
    const std::string& Text() const { return m_text; }

private:
    std::string m_text;
};

/**
 * A CSV file (RFC 4180: CRLF line ends, a header line) written row by row as a simulation runs,
 * so a long run holds no rows in memory. To keep a table in memory instead, write into a
 * std::ostringstream.
 */
class CsvWriter
{
public:
    /**
     * Writes the header line at once, so even a run that records nothing leaves a file that
     * says what it would have held. The stream must outlive the writer. Throws
     * std::invalid_argument when there are no columns.
     */
    CsvWriter(std::ostream& out, const std::vector<std::string>& columns);

    /** Writes one line; throws std::invalid_argument unless there is one cell per column. */
    void AddRow(const std::vector<CsvCell>& cells);

    std::size_t Columns() const { return m_columns; }

    /** Rows written so far, the header not counted. */
    std::size_t Rows() const { return m_rows; }

private:
    void WriteLine(const std::vector<CsvCell>& cells);

    std::ostream& m_out;
    std::size_t m_columns;
    std::size_t m_rows{0};
};

} // namespace fab::telemetry

#endif
