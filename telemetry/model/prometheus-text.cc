#include "telemetry/model/prometheus-text.h"

#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

namespace fab::telemetry
{

namespace
{

bool
IsNameStart(char c, bool colonAllowed)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
           || (colonAllowed && c == ':');
}

bool
IsNameChar(char c, bool colonAllowed)
{
    return IsNameStart(c, colonAllowed) || (c >= '0' && c <= '9');
}

bool
IsValidName(std::string_view name, bool colonAllowed)
{
    if (name.empty() || !IsNameStart(name[0], colonAllowed))
    {
        return false;
    }
    for (char c : name.substr(1))
    {
        if (!IsNameChar(c, colonAllowed))
        {
            return false;
        }
    }
    return true;
}

/**
 * Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when there is none.
 */
std::size_t
Utf8SequenceLength(std::string_view text)
{
    auto byte = [&](std::size_t i)
    {
        return static_cast<unsigned char>(text[i]);
    };
    auto continuation = [&](std::size_t i)
    {
        return i < text.size() && (byte(i) & 0xC0) == 0x80;
    };
    unsigned char lead = byte(0);
    if (lead < 0x80)
    {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF)
    {
        return continuation(1) ? 2 : 0;
    }
    if (lead >= 0xE0 && lead <= 0xEF)
    {
        if (!continuation(1) || !continuation(2))
        {
            return 0;
        }
        bool overlong = lead == 0xE0 && byte(1) < 0xA0;
        bool surrogate = lead == 0xED && byte(1) >= 0xA0;
        return overlong || surrogate ? 0 : 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4)
    {
        if (!continuation(1) || !continuation(2) || !continuation(3))
        {
            return 0;
        }
        bool overlong = lead == 0xF0 && byte(1) < 0x90;
        bool tooLarge = lead == 0xF4 && byte(1) >= 0x90;
        return overlong || tooLarge ? 0 : 4;
    }
    return 0;
}

bool
IsValidUtf8(std::string_view text)
{
    while (!text.empty())
    {
        auto length = Utf8SequenceLength(text);
        if (length == 0)
        {
            return false;
        }
        text.remove_prefix(length);
    }
    return true;
}

std::string
ReplaceInvalidUtf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    while (!text.empty())
    {
        auto length = Utf8SequenceLength(text);
        if (length == 0)
        {
            out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER, one per bad byte
            text.remove_prefix(1);
            continue;
        }
        out.append(text.substr(0, length));
        text.remove_prefix(length);
    }
    return out;
}

void
AppendDouble(std::string& out, double value)
{
    if (std::isnan(value))
    {
        out += "NaN";
        return;
    }
    if (std::isinf(value))
    {
        out += value > 0 ? "+Inf" : "-Inf";
        return;
    }
    // As Go's strconv.FormatFloat(value, 'g', -1, 64), which Prometheus' own client libraries
    // use: the shortest digits that read back to the same double, in exponent form when the
    // decimal exponent is below -4 or at least 6. The spelling matters for the le label of
    // histogram buckets, which is compared as text: "0.0001", not "1e-04".
    char buffer[40];
    auto scientific
        = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view text(buffer, static_cast<std::size_t>(scientific.ptr - buffer));
    int exponent = 0;
    auto e = text.rfind('e');
    std::from_chars(
        text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
    if (exponent < -4 || exponent >= 6)
    {
        out.append(text);
        return;
    }
    auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    out.append(buffer, fixed.ptr);
}

void
AppendEscapedHelp(std::string& out, std::string_view help)
{
    for (char c : help)
    {
        if (c == '\\')
        {
            out += "\\\\";
        }
        else if (c == '\n')
        {
            out += "\\n";
        }
        else
        {
            out += c;
        }
    }
}

void
AppendEscapedLabelValue(std::string& out, std::string_view value)
{
    for (char c : value)
    {
        if (c == '\\')
        {
            out += "\\\\";
        }
        else if (c == '"')
        {
            out += "\\\"";
        }
        else if (c == '\n')
        {
            out += "\\n";
        }
        else
        {
            out += c;
        }
    }
}

/** `{a="x",b="y"}`, with `le` last when given; nothing at all when there is no label. */
void
AppendLabels(std::string& out,
             const std::vector<std::string>& names,
             const std::vector<std::string>& values,
             const std::string* le)
{
    if (names.empty() && le == nullptr)
    {
        return;
    }
    out += '{';
    for (std::size_t i = 0; i < names.size(); ++i)
    {
        if (i > 0)
        {
            out += ',';
        }
        out += names[i];
        out += "=\"";
        AppendEscapedLabelValue(out, values[i]);
        out += '"';
    }
    if (le != nullptr)
    {
        if (!names.empty())
        {
            out += ',';
        }
        out += "le=\"";
        out += *le;
        out += '"';
    }
    out += '}';
}

[[noreturn]] void
ThrowFamilyError(const std::string& name, const std::string& why)
{
    throw std::invalid_argument("metric family '" + name + "': " + why);
}

} // namespace

std::string_view
MetricTypeName(MetricType type)
{
    switch (type)
    {
        case MetricType::Counter:
            return "counter";
        case MetricType::Gauge:
            return "gauge";
        case MetricType::Untyped:
            return "untyped";
        case MetricType::Histogram:
            return "histogram";
    }
    return "untyped";
}

bool
IsValidMetricName(std::string_view name)
{
    return IsValidName(name, true);
}

bool
IsValidLabelName(std::string_view name)
{
    return IsValidName(name, false) && name.substr(0, 2) != "__";
}

bool
MetricValue::IsNegative() const
{
    switch (m_kind)
    {
        case Kind::Signed:
            return m_signed < 0;
        case Kind::Unsigned:
            return false;
        case Kind::Double:
            return m_double < 0;
    }
    return false;
}

void
MetricValue::AppendTo(std::string& out) const
{
    char buffer[32];
    switch (m_kind)
    {
        case Kind::Signed:
        {
            auto result = std::to_chars(buffer, buffer + sizeof buffer, m_signed);
            out.append(buffer, result.ptr);
            return;
        }
        case Kind::Unsigned:
        {
            auto result = std::to_chars(buffer, buffer + sizeof buffer, m_unsigned);
            out.append(buffer, result.ptr);
            return;
        }
        case Kind::Double:
            AppendDouble(out, m_double);
            return;
    }
}

std::string
MetricValue::ToString() const
{
    std::string out;
    AppendTo(out);
    return out;
}

MetricFamilyId
MetricRegistry::AddCounter(std::string name, std::string help, std::vector<std::string> labelNames)
{
    return Add(std::move(name), std::move(help), MetricType::Counter, std::move(labelNames), {});
}

MetricFamilyId
MetricRegistry::AddGauge(std::string name, std::string help, std::vector<std::string> labelNames)
{
    return Add(std::move(name), std::move(help), MetricType::Gauge, std::move(labelNames), {});
}

MetricFamilyId
MetricRegistry::AddUntyped(std::string name, std::string help, std::vector<std::string> labelNames)
{
    return Add(std::move(name), std::move(help), MetricType::Untyped, std::move(labelNames), {});
}

MetricFamilyId
MetricRegistry::AddHistogram(std::string name,
                             std::string help,
                             std::vector<std::string> labelNames,
                             std::vector<double> upperBounds)
{
    return Add(std::move(name),
               std::move(help),
               MetricType::Histogram,
               std::move(labelNames),
               std::move(upperBounds));
}

MetricFamilyId
MetricRegistry::Add(std::string name,
                    std::string help,
                    MetricType type,
                    std::vector<std::string> labelNames,
                    std::vector<double> upperBounds)
{
    if (!IsValidMetricName(name))
    {
        ThrowFamilyError(name, "not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    const std::string totalSuffix = "_total";
    bool endsInTotal
        = name.size() > totalSuffix.size()
          && name.compare(name.size() - totalSuffix.size(), totalSuffix.size(), totalSuffix) == 0;
    if (type == MetricType::Counter && !endsInTotal)
    {
        ThrowFamilyError(name, "a counter's name must end in _total");
    }
    if (!IsValidUtf8(help))
    {
        ThrowFamilyError(name, "the help text is not UTF-8");
    }
    std::set<std::string> seen;
    for (const auto& label : labelNames)
    {
        if (!IsValidLabelName(label))
        {
            ThrowFamilyError(name,
                             "'" + label
                                 + "' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, "
                                   "not starting with __)");
        }
        if (type == MetricType::Histogram && label == "le")
        {
            ThrowFamilyError(name, "the label name 'le' is reserved for histogram buckets");
        }
        if (!seen.insert(label).second)
        {
            ThrowFamilyError(name, "the label name '" + label + "' appears twice");
        }
    }
    Family family{std::move(name), std::move(help), type, std::move(labelNames), {}, {}, {}};
    if (type == MetricType::Histogram)
    {
        for (std::size_t i = 0; i < upperBounds.size(); ++i)
        {
            if (!std::isfinite(upperBounds[i]) || (i > 0 && upperBounds[i] <= upperBounds[i - 1]))
            {
                ThrowFamilyError(family.name,
                                 "histogram bucket bounds must be finite and strictly increasing");
            }
            std::string text;
            AppendDouble(text, upperBounds[i]);
            family.upperBoundTexts.push_back(std::move(text));
        }
        family.upperBoundTexts.push_back("+Inf");
        family.upperBounds = std::move(upperBounds);
    }

    // All checks before any reservation, so that a refused family leaves the registry as it was.
    std::vector<std::string> sampleNames{family.name};
    if (type == MetricType::Histogram)
    {
        sampleNames
            = {family.name, family.name + "_bucket", family.name + "_sum", family.name + "_count"};
    }
    for (const auto& sampleName : sampleNames)
    {
        auto owner = m_sampleNameOwners.find(sampleName);
        if (owner != m_sampleNameOwners.end())
        {
            ThrowFamilyError(family.name,
                             "the sample name '" + sampleName + "' is already written by family '"
                                 + owner->second + "'");
        }
    }
    for (const auto& sampleName : sampleNames)
    {
        m_sampleNameOwners.emplace(sampleName, family.name);
    }
    m_families.push_back(std::move(family));
    return MetricFamilyId(m_families.size() - 1);
}

MetricRegistry::Family&
MetricRegistry::FamilyFor(MetricFamilyId id, const std::vector<std::string>& labelValues)
{
    if (id.Index() >= m_families.size())
    {
        throw std::invalid_argument("metric family id " + std::to_string(id.Index())
                                    + " was not registered here");
    }
    Family& family = m_families[id.Index()];
    if (labelValues.size() != family.labelNames.size())
    {
        ThrowFamilyError(family.name,
                         std::to_string(labelValues.size()) + " label values given, "
                             + std::to_string(family.labelNames.size()) + " expected");
    }
    return family;
}

namespace
{

std::vector<std::string>
StoredLabelValues(const std::vector<std::string>& labelValues)
{
    std::vector<std::string> stored;
    stored.reserve(labelValues.size());
    for (const auto& value : labelValues)
    {
        stored.push_back(IsValidUtf8(value) ? value : ReplaceInvalidUtf8(value));
    }
    return stored;
}

} // namespace

void
MetricRegistry::Set(MetricFamilyId id,
                    const std::vector<std::string>& labelValues,
                    MetricValue value)
{
    Family& family = FamilyFor(id, labelValues);
    if (family.type == MetricType::Histogram)
    {
        ThrowFamilyError(family.name, "a histogram takes SetHistogram, not Set");
    }
    if (family.type == MetricType::Counter && value.IsNegative())
    {
        ThrowFamilyError(family.name, "a counter cannot be negative");
    }
    family.samples[StoredLabelValues(labelValues)].value = value;
}

void
MetricRegistry::SetHistogram(MetricFamilyId id,
                             const std::vector<std::string>& labelValues,
                             const std::vector<std::uint64_t>& bucketCounts,
                             double sum)
{
    Family& family = FamilyFor(id, labelValues);
    if (family.type != MetricType::Histogram)
    {
        ThrowFamilyError(family.name, "only a histogram takes SetHistogram");
    }
    if (bucketCounts.size() != family.upperBounds.size() + 1)
    {
        ThrowFamilyError(family.name,
                         std::to_string(bucketCounts.size()) + " bucket counts given, "
                             + std::to_string(family.upperBounds.size() + 1)
                             + " expected (one per bound and one above them all)");
    }
    Sample& sample = family.samples[StoredLabelValues(labelValues)];
    sample.bucketCounts = bucketCounts;
    sample.sum = sum;
}

bool
MetricRegistry::Remove(MetricFamilyId id, const std::vector<std::string>& labelValues)
{
    Family& family = FamilyFor(id, labelValues);
    return family.samples.erase(StoredLabelValues(labelValues)) > 0;
}

void
MetricRegistry::Clear(MetricFamilyId id)
{
    if (id.Index() >= m_families.size())
    {
        throw std::invalid_argument("metric family id " + std::to_string(id.Index())
                                    + " was not registered here");
    }
    m_families[id.Index()].samples.clear();
}

void
MetricRegistry::RenderTo(std::string& out) const
{
    for (const auto& family : m_families)
    {
        if (!family.help.empty())
        {
            out += "# HELP ";
            out += family.name;
            out += ' ';
            AppendEscapedHelp(out, family.help);
            out += '\n';
        }
        out += "# TYPE ";
        out += family.name;
        out += ' ';
        out += MetricTypeName(family.type);
        out += '\n';
        for (const auto& [labelValues, sample] : family.samples)
        {
            if (family.type != MetricType::Histogram)
            {
                out += family.name;
                AppendLabels(out, family.labelNames, labelValues, nullptr);
                out += ' ';
                sample.value.AppendTo(out);
                out += '\n';
                continue;
            }
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i < sample.bucketCounts.size(); ++i)
            {
                cumulative += sample.bucketCounts[i];
                out += family.name;
                out += "_bucket";
                AppendLabels(out, family.labelNames, labelValues, &family.upperBoundTexts[i]);
                out += ' ';
                MetricValue(cumulative).AppendTo(out);
                out += '\n';
            }
            out += family.name;
            out += "_sum";
            AppendLabels(out, family.labelNames, labelValues, nullptr);
            out += ' ';
            AppendDouble(out, sample.sum);
            out += '\n';
            out += family.name;
            out += "_count";
            AppendLabels(out, family.labelNames, labelValues, nullptr);
            out += ' ';
            MetricValue(cumulative).AppendTo(out);
            out += '\n';
        }
    }
}

std::string
MetricRegistry::Render() const
{
    std::string out;
    RenderTo(out);
    return out;
}

MetricsSnapshot::MetricsSnapshot()
: m_text(std::make_shared<const std::string>())
{
}

void
MetricsSnapshot::Publish(std::string text)
{
    // The new text is built outside the lock; the old one is released outside it too, by the
    // last reader that still holds it.
    auto next = std::make_shared<const std::string>(std::move(text));
    std::lock_guard<std::mutex> lock(m_mutex);
    m_text.swap(next);
    ++m_generation;
}

std::shared_ptr<const std::string>
MetricsSnapshot::Current() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_text;
}

std::uint64_t
MetricsSnapshot::Generation() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_generation;
}

} // namespace fab::telemetry
