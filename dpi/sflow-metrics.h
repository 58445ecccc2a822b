#ifndef FABRICSCOPE_DPI_SFLOW_METRICS_H
#define FABRICSCOPE_DPI_SFLOW_METRICS_H

#include "dpi/live-rules.h"
#include "dpi/sflow-collector.h"
#include "telemetry/model/prometheus-text.h"

namespace fab::dpi
{

/**
 * What `collect` exposes to Prometheus of the collector's state: per agent (datagrams, lost,
 * restarts), per port (the agent's counters as counters, the rates between its last two
 * readings as gauges, PFC per priority), per RDMA traffic class (estimated packets and bytes;
 * over the window: ECN-CE ratio, CNP rate, retransmission ratio), the active findings, and the
 * decoding's health. Names follow Prometheus' conventions: a `fabricscope_` prefix, base units
 * in the name, `_total` on counters.
 */
class SflowMetrics
{
public:
    /** Registers the families in `registry`, which must outlive this. */
    explicit SflowMetrics(telemetry::MetricRegistry& registry);

    /** Replaces every sample with the collector's and the rules' present state. */
    void Update(const SflowCollector& collector, const LiveRules& rules);

private:
    void UpdateInterfaces(const SflowCollector& collector);
    void UpdateClasses(const SflowCollector& collector);

    telemetry::MetricRegistry& m_registry;
    telemetry::MetricFamilyId m_datagrams;
    telemetry::MetricFamilyId m_datagramBytes;
    telemetry::MetricFamilyId m_decodeErrors;
    telemetry::MetricFamilyId m_samples;
    telemetry::MetricFamilyId m_headers;
    telemetry::MetricFamilyId m_untracked;
    telemetry::MetricFamilyId m_agentDatagrams;
    telemetry::MetricFamilyId m_agentLost;
    telemetry::MetricFamilyId m_agentRestarts;
    telemetry::MetricFamilyId m_agentUptime;
    telemetry::MetricFamilyId m_octets;
    telemetry::MetricFamilyId m_packets;
    telemetry::MetricFamilyId m_errors;
    telemetry::MetricFamilyId m_discards;
    telemetry::MetricFamilyId m_byteRate;
    telemetry::MetricFamilyId m_packetRate;
    telemetry::MetricFamilyId m_speed;
    telemetry::MetricFamilyId m_pauseFrames;
    telemetry::MetricFamilyId m_pausedSeconds;
    telemetry::MetricFamilyId m_pausedRatio;
    telemetry::MetricFamilyId m_continuousPause;
    telemetry::MetricFamilyId m_rdmaPackets;
    telemetry::MetricFamilyId m_rdmaBytes;
    telemetry::MetricFamilyId m_ceRatio;
    telemetry::MetricFamilyId m_cnpRate;
    telemetry::MetricFamilyId m_retransmissionRatio;
    telemetry::MetricFamilyId m_flows;
    telemetry::MetricFamilyId m_findingActive;
    telemetry::MetricFamilyId m_findingsRaised;
};

} // namespace fab::dpi

#endif
