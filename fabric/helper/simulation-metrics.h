#ifndef FABRICSCOPE_FABRIC_SIMULATION_METRICS_H
#define FABRICSCOPE_FABRIC_SIMULATION_METRICS_H

#include "fabric/helper/simulation.h"
#include "telemetry/model/prometheus-text.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3::fabric
{

/**
 * A running simulation as Prometheus metrics (`simulate --prometheus`): the run's progress and
 * speed, the collectives and iterations done, faults, and the counters of every port that has
 * sent or received anything, labelled with the port's name and link class as in summary.json.
 *
 * Counters are the simulation's own, which advance in simulated time: a PromQL rate() over them
 * gives per wall second, which is rarely what is wanted. So the rates that matter (bytes per
 * second and utilisation per port and per link class) are also given as gauges over simulated
 * time, between the last two updates. Counters start again with each run of a sweep; Prometheus
 * treats that as a counter reset, and fabricscope_sim_run says which run it is.
 */
class SimulationMetrics
{
public:
    SimulationMetrics(fab::telemetry::MetricRegistry& registry,
                      const std::string& scenario,
                      const std::string& design);

    /** Reads the view into the registry (on the simulation's thread). */
    void Update(const SimulationLiveView& view);

private:
    struct PortBefore
    {
        std::uint64_t txBytes{0};
        std::uint64_t rxBytes{0};
    };

    void UpdateRun(const SimulationLiveView& view, double intervalSeconds);
    void UpdatePorts(const SimulationLiveView& view, double intervalSeconds);
    void StartRun(const SimulationLiveView& view);

    fab::telemetry::MetricRegistry& m_registry;
    std::string m_scenario;
    std::string m_design;
    fab::telemetry::MetricFamilyId m_info;
    fab::telemetry::MetricFamilyId m_run;
    fab::telemetry::MetricFamilyId m_runs;
    fab::telemetry::MetricFamilyId m_finished;
    fab::telemetry::MetricFamilyId m_simSeconds;
    fab::telemetry::MetricFamilyId m_stopSeconds;
    fab::telemetry::MetricFamilyId m_wallSeconds;
    fab::telemetry::MetricFamilyId m_events;
    fab::telemetry::MetricFamilyId m_eventRate;
    fab::telemetry::MetricFamilyId m_speedRatio;
    fab::telemetry::MetricFamilyId m_progress;
    fab::telemetry::MetricFamilyId m_iterations;
    fab::telemetry::MetricFamilyId m_iterationsPlanned;
    fab::telemetry::MetricFamilyId m_collectives;
    fab::telemetry::MetricFamilyId m_faultsInjected;
    fab::telemetry::MetricFamilyId m_faultsActive;
    fab::telemetry::MetricFamilyId m_faultPacketsLost;
    fab::telemetry::MetricFamilyId m_ports;
    fab::telemetry::MetricFamilyId m_octets;
    fab::telemetry::MetricFamilyId m_packets;
    fab::telemetry::MetricFamilyId m_drops;
    fab::telemetry::MetricFamilyId m_pauseFrames;
    fab::telemetry::MetricFamilyId m_resumeFrames;
    fab::telemetry::MetricFamilyId m_pausedSeconds;
    fab::telemetry::MetricFamilyId m_ecnMarked;
    fab::telemetry::MetricFamilyId m_cnps;
    fab::telemetry::MetricFamilyId m_queueBytes;
    fab::telemetry::MetricFamilyId m_speed;
    fab::telemetry::MetricFamilyId m_byteRate;
    fab::telemetry::MetricFamilyId m_utilisation;
    fab::telemetry::MetricFamilyId m_classUtilisation;
    fab::telemetry::MetricFamilyId m_classByteRate;

    std::uint32_t m_runIndex{0};
    std::string m_runLabel;
    std::int64_t m_lastSimNs{-1};
    std::uint64_t m_lastEvents{0};
    double m_lastWallSeconds{0};
    std::vector<PortBefore> m_before; ///< per builder port
};

} // namespace ns3::fabric

#endif
