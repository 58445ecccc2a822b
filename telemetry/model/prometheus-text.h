#ifndef FABRICSCOPE_TELEMETRY_PROMETHEUS_TEXT_H
#define FABRICSCOPE_TELEMETRY_PROMETHEUS_TEXT_H

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace fab::telemetry
{

/** What a scraper must send back with a rendered registry. */
inline constexpr std::string_view kPrometheusTextContentType
    = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType
{
    Counter,
    Gauge,
    Untyped,
    Histogram,
};

/** "counter", "gauge", "untyped", "histogram": the word on the TYPE line. */
std::string_view MetricTypeName(MetricType type);

/** [a-zA-Z_:][a-zA-Z0-9_:]* */
bool IsValidMetricName(std::string_view name);

/** [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__" (reserved for Prometheus itself). */
bool IsValidLabelName(std::string_view name);

/**
 * One sample value. Integers are kept as integers and written exactly (a byte counter past 2^53
 * does not lose its last digits in the text; the scraper rounds, not us). Doubles are written
 * as the shortest text that reads back to the same double ("0.1", "1e+21"), NaN as "NaN" and
 * the infinities as "+Inf" and "-Inf", the spellings Prometheus parses.
 */
class MetricValue
{
public:
    template <typename Integer, std::enable_if_t<std::is_integral_v<Integer>, int> = 0>
    MetricValue(Integer value)
    {
        if constexpr (std::is_signed_v<Integer>)
        {
            m_kind = Kind::Signed;
            m_signed = value;
        }
        else
        {
            m_kind = Kind::Unsigned;
            m_unsigned = value;
        }
    }

    MetricValue(double value)
    : m_kind(Kind::Double)
    , m_double(value)
    {
    }

    MetricValue(bool) = delete;
    MetricValue(char) = delete;

    bool IsNegative() const;

    void AppendTo(std::string& out) const;

    std::string ToString() const;

private:
    enum class Kind : std::uint8_t
    {
        Signed,
        Unsigned,
        Double,
    };

    Kind m_kind{Kind::Signed};

    union
    {
        std::int64_t m_signed{0};
        std::uint64_t m_unsigned;
        double m_double;
    };
};

/** Names a family in the registry that registered it. */
class MetricFamilyId
{
public:
    std::size_t Index() const { return m_index; }

private:
    friend class MetricRegistry;

    explicit MetricFamilyId(std::size_t index)
    : m_index(index)
    {
    }

    std::size_t m_index;
};

/**
 * Metric families and their current samples, rendered in the Prometheus text exposition format
 * 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Everything that can be wrong with a name is found when the family is registered, so that
 * rendering cannot fail: metric and label names must be valid, a counter's name must end in
 * "_total", label names must not repeat, "le" is reserved for histograms, and no two families
 * may write the same sample name (a histogram "h" writes h_bucket, h_sum and h_count). These are
 * programming errors and throw std::invalid_argument.
 *
 * Families are written in registration order, each with its HELP and TYPE lines even while it
 * has no sample; samples within a family in the order of their label values (byte-wise, label
 * by label), so the same content always renders the same text.
 *
 * Label values may be any bytes: backslash, double quote and newline are escaped when written,
 * and bytes that are not UTF-8 are replaced by U+FFFD when stored, since Prometheus refuses a
 * whole scrape over one invalid label value.
 *
 * Not thread-safe: one producer owns it and hands the rendered text to a MetricsSnapshot.
 */
class MetricRegistry
{
public:
    MetricFamilyId AddCounter(std::string name,
                              std::string help,
                              std::vector<std::string> labelNames = {});
    MetricFamilyId AddGauge(std::string name,
                            std::string help,
                            std::vector<std::string> labelNames = {});
    MetricFamilyId AddUntyped(std::string name,
                              std::string help,
                              std::vector<std::string> labelNames = {});

    /**
     * `upperBounds` are the buckets' inclusive upper bounds, finite and strictly increasing; the
     * "+Inf" bucket is implied.
     */
    MetricFamilyId AddHistogram(std::string name,
                                std::string help,
                                std::vector<std::string> labelNames,
                                std::vector<double> upperBounds);

    /**
     * Sets the sample with these label values (one per label name, in the family's order).
     * Throws std::invalid_argument for a histogram family, a wrong number of label values or a
     * negative counter.
     */
    void Set(MetricFamilyId family, const std::vector<std::string>& labelValues, MetricValue value);

    void Set(MetricFamilyId family, MetricValue value) { Set(family, {}, value); }

    /**
     * Sets a histogram sample. `bucketCounts` holds the observations per bucket, not cumulated:
     * one count per upper bound and a last one for the observations above every bound. The
     * writer accumulates them and derives _count.
     */
    void SetHistogram(MetricFamilyId family,
                      const std::vector<std::string>& labelValues,
                      const std::vector<std::uint64_t>& bucketCounts,
                      double sum);

    /** Forgets one sample (a peer that went away); false when there was none. */
    bool Remove(MetricFamilyId family, const std::vector<std::string>& labelValues);

    /** Forgets every sample of the family; its HELP and TYPE are still written. */
    void Clear(MetricFamilyId family);

    std::size_t Families() const { return m_families.size(); }

    void RenderTo(std::string& out) const;

    std::string Render() const;

private:
    struct Sample
    {
        MetricValue value{0};
        std::vector<std::uint64_t> bucketCounts; // histograms only
        double sum{0};
    };

    struct Family
    {
        std::string name;
        std::string help;
        MetricType type;
        std::vector<std::string> labelNames;
        std::vector<double> upperBounds;
        std::vector<std::string> upperBoundTexts;
        std::map<std::vector<std::string>, Sample> samples;
    };

    MetricFamilyId Add(std::string name,
                       std::string help,
                       MetricType type,
                       std::vector<std::string> labelNames,
                       std::vector<double> upperBounds);
    Family& FamilyFor(MetricFamilyId family, const std::vector<std::string>& labelValues);
    void ReserveSampleName(const std::string& sampleName, const std::string& familyName);

    std::vector<Family> m_families;
    std::map<std::string, std::string> m_sampleNameOwners; // sample name → family name
};

/**
 * The latest rendered text, shared between the producer that publishes it and the HTTP threads
 * that serve it. Publishing swaps one pointer under a mutex held for no longer than that, and a
 * reader keeps its text alive for as long as it writes it out, so neither side waits for the
 * other's work.
 */
class MetricsSnapshot
{
public:
    MetricsSnapshot();

    void Publish(std::string text);

    /** Never null; empty text until the first Publish. */
    std::shared_ptr<const std::string> Current() const;

    /** Number of Publish calls so far. */
    std::uint64_t Generation() const;

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const std::string> m_text;
    std::uint64_t m_generation{0};
};

} // namespace fab::telemetry

#endif
