#include "telemetry/model/csv-writer.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace fab::telemetry
{

namespace
{

std::string
FormatCsvDouble(double value)
{
    if (std::isnan(value))
    {
        return "nan"; // to_chars would keep the sign bit ("-nan"), which means nothing here
    }
    if (value == 0)
    {
        return "0"; // also for -0, so that a sum that cancels does not print "-0"
    }
    char buffer[32];
    auto result
        = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 6);
    return std::string(buffer, result.ptr);
}

std::string
QuoteCsvText(std::string_view text)
{
    if (text.find_first_of(",\"\r\n") == std::string_view::npos)
    {
        return std::string(text);
    }
    std::string out = "\"";
    for (char c : text)
    {
        if (c == '"')
        {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

} // namespace

CsvCell::CsvCell(double value)
: m_text(FormatCsvDouble(value))
{
}

CsvCell::CsvCell(std::string_view text)
: m_text(QuoteCsvText(text))
{
}

CsvCell::CsvCell(const std::string& text)
: CsvCell(std::string_view(text))
{
}

CsvCell::CsvCell(const char* text)
: CsvCell(std::string_view(text))
{
}

CsvWriter::CsvWriter(std::ostream& out, const std::vector<std::string>& columns)
: m_out(out)
, m_columns(columns.size())
{
    if (columns.empty())
    {
        throw std::invalid_argument("a CSV file needs at least one column");
    }
    WriteLine(std::vector<CsvCell>(columns.begin(), columns.end()));
}

void
CsvWriter::AddRow(const std::vector<CsvCell>& cells)
{
    if (cells.size() != m_columns)
    {
        throw std::invalid_argument("CSV row has " + std::to_string(cells.size())
                                    + " cells, expected " + std::to_string(m_columns)
                                    + " (one per column)");
    }
    WriteLine(cells);
    ++m_rows;
}

void
CsvWriter::WriteLine(const std::vector<CsvCell>& cells)
{
    if (cells.size() == 1 && cells[0].Text().empty())
    {
        // An empty line is a missing record to many readers; "" is an empty field to all.
        m_out << "\"\"\r\n";
        return;
    }
    for (std::size_t i = 0; i < cells.size(); ++i)
    {
        if (i > 0)
        {
            m_out << ',';
        }
        m_out << cells[i].Text();
    }
    m_out << "\r\n";
}

} // namespace fab::telemetry
