#ifndef FABRICSCOPE_DPI_CAPTURE_ANALYSIS_H
#define FABRICSCOPE_DPI_CAPTURE_ANALYSIS_H

#include "dpi/application-classifier.h"
#include "dpi/capture-reader.h"
#include "dpi/collective-pattern.h"
#include "dpi/packet-decoder.h"
#include "dpi/pfc-tracker.h"
#include "dpi/rdma-flow-table.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fab::dpi
{

struct AnalysisOptions
{
    std::uint64_t linkBps{400'000'000'000ULL}; ///< for pause times, unless given per file
    std::vector<std::uint64_t> linkBpsOfFile;  ///< per capture, in the order given; 0: linkBps
    /** Width of a time-series interval; 0: 1 ms, doubled whenever the series would pass
     *  kMaxIntervals. */
    std::int64_t intervalNs{0};
    std::int64_t stormNs{100'000'000}; ///< a continuous pause this long is a storm
    DecodeOptions decode;
    CollectiveOptions collectives;
    /** Off: `collectives` stays empty (FindCollectives can run on the flows later). */
    bool recogniseCollectives{true};
    std::function<void(const ReadProgress&)> progress;
};

/** What the packets were, as the analyser tells them apart. */
struct DecodedCounts
{
    std::uint64_t roce{0};  ///< IB transport over Ethernet (RoCEv2, RoCEv1), CNPs included
    std::uint64_t cnp{0};   ///< RoCEv2 CNPs
    std::uint64_t pfc{0};   ///< 802.1Qbb PFC frames
    std::uint64_t pause{0}; ///< 802.3x PAUSE frames
    std::uint64_t lldp{0};
    std::uint64_t ib{0};        ///< native InfiniBand packets
    std::uint64_t other{0};     ///< anything else that decoded
    std::uint64_t malformed{0}; ///< decoding stopped at an anomaly in a packet captured whole
    std::uint64_t truncated{0}; ///< decoding stopped where the snap length cut the packet
    std::uint64_t icrcBad{0};
    std::uint64_t icrcVerified{0};
};

/** An LLDP speaker: who it says it is, on which port, at what speed. */
struct LldpSighting
{
    std::uint32_t file{0};
    std::string chassisId;
    std::string portId;
    std::string systemName;
    std::string portDescription;
    std::uint64_t speedBps{0};
    std::uint64_t frames{0};
    std::uint64_t firstPacket{0};
    std::int64_t firstNs{0};
};

/** One interval of the time series. */
struct IntervalCounts
{
    std::int64_t startNs{0};
    std::uint64_t packets{0};
    std::uint64_t bytes{0};
    std::uint64_t rdmaBytes{0};
    std::uint64_t cnps{0};
    std::uint64_t ecnCe{0};
    std::uint64_t pauseFrames{0};
    std::uint64_t retransmitted{0};
    std::uint64_t naks{0};

    IntervalCounts& operator+=(const IntervalCounts& other);
};

struct AnalysisResult
{
    std::vector<CaptureFileInfo> files;
    std::vector<CaptureError> problems;
    std::uint64_t packets{0};
    std::uint64_t bytes{0}; ///< wire bytes
    DecodedCounts decoded;
    AnomalyCounts anomalies;
    RdmaFlowTable flows;
    PfcTracker pfc;
    std::vector<LldpSighting> lldp;
    ApplicationClassifier applications; ///< IP traffic that is not RDMA, named by nDPI
    /** The request flows grouped by behaviour, with the collective pattern each group draws. */
    std::vector<CollectiveGroup> collectives;
    std::int64_t firstNs{0};
    std::int64_t lastNs{0};
    std::int64_t intervalNs{0};
    std::vector<IntervalCounts> series;
    double wallSeconds{0};

    std::int64_t SpanNs() const { return lastNs - firstNs; }
};

inline constexpr std::size_t kMaxIntervals = 2000;

/**
 * Reads captures (merged in time order), decodes every packet, and builds the flow table, the
 * pause accounting, the LLDP sightings, the time series and the collectives. Throws CaptureError
 * for a file that cannot be opened; a file that ends early or fails while being read is kept in
 * `problems`, with the packets read before it analysed.
 */
AnalysisResult AnalyzeCaptures(const std::vector<std::string>& paths,
                               const AnalysisOptions& options);

/** The result as `analyze` writes it: packets, bytes, decoded, flows, collectives, pfc, … */
nlohmann::json AnalysisJson(const AnalysisResult& result);

} // namespace fab::dpi

#endif
