#ifndef FABRICSCOPE_FABRIC_DCQCN_RATE_STATE_H
#define FABRICSCOPE_FABRIC_DCQCN_RATE_STATE_H

#include <cstdint>

namespace ns3::fabric
{

/**
 * DCQCN parameters (Zhu et al., SIGCOMM 2015; defaults as HPCC's simulator runs them at 100G,
 * REFERENCE.md). Rates in bits per second, times in nanoseconds.
 */
struct DcqcnParameters
{
    std::uint64_t lineRateBps{100'000'000'000ULL};
    std::uint64_t minRateBps{100'000'000ULL};
    double g{1.0 / 256};                           ///< alpha gain
    std::int64_t alphaUpdateIntervalNs{1'000};     ///< alpha decays when no CNP came for this long
    std::int64_t rateDecreaseIntervalNs{4'000};    ///< at most one rate cut per interval
    std::int64_t rateIncreaseTimerNs{300'000};     ///< rate-increase timer period
    std::uint64_t byteCounterBytes{10'000'000};    ///< rate-increase byte counter period
    std::uint32_t fastRecoveryStages{5};           ///< F
    std::uint64_t additiveIncreaseBps{20'000'000}; ///< R_AI: 5 × bw / 25 Mb/s
    std::uint64_t hyperIncreaseBps{200'000'000};   ///< R_HAI: 50 × bw / 25 Mb/s
    double initialAlpha{1.0};

    /** HPCC's scaling: R_AI = 5·bw/25 Mb/s and R_HAI = 50·bw/25 Mb/s for a line rate of bw Gb/s. */
    static DcqcnParameters ForLineRate(std::uint64_t bitsPerSecond);
};

/**
 * The reaction point of one queue pair: current rate Rc, target rate Rt, alpha and the two
 * increase counters. Plain state transitions; the NIC calls them from its timers.
 *
 *  CNP (cut):       Rt ← Rc; Rc ← Rc·(1 − α/2); α ← (1 − g)·α + g; counters reset
 *  alpha timer:     α ← (1 − g)·α                       (no CNP in the last interval)
 *  increase event:  T or BC counts one more stage, then
 *      fast recovery  (max(T, BC) < F):      Rc ← (Rt + Rc)/2
 *      additive       (min(T, BC) < F ≤ max): Rt ← Rt + R_AI;  Rc ← (Rt + Rc)/2
 *      hyper          (min(T, BC) ≥ F):       Rt ← Rt + i·R_HAI, i = min(T, BC) − F + 1; Rc ← (Rt +
 * Rc)/2 Rates stay within [min rate, line rate].
 */
class DcqcnRateState
{
public:
    explicit DcqcnRateState(const DcqcnParameters& parameters);

    /** A CNP arrived at `nowNs`; returns whether it cut the rate (at most one cut per interval). */
    bool OnCnp(std::int64_t nowNs);
    /** The alpha timer fired at `nowNs`: alpha decays if no CNP came during the last interval. */
    void OnAlphaTimer(std::int64_t nowNs);
    /** Applies every alpha-timer expiry between the last one and `nowNs` at once, as a timer
     *  running every alpha interval since the last CNP would have (cheaper than the events). */
    void AdvanceAlpha(std::int64_t nowNs);
    /** The rate-increase timer fired. */
    void OnIncreaseTimer();
    /** `bytes` were sent; every byte-counter period counts one increase stage. */
    void OnBytesSent(std::uint64_t bytes);

    std::uint64_t CurrentRateBps() const { return static_cast<std::uint64_t>(m_currentBps); }
    std::uint64_t TargetRateBps() const { return static_cast<std::uint64_t>(m_targetBps); }
    double Alpha() const { return m_alpha; }
    std::uint32_t TimerStages() const { return m_timerStages; }
    std::uint32_t ByteStages() const { return m_byteStages; }
    std::uint64_t Cuts() const { return m_cuts; }
    const DcqcnParameters& Parameters() const { return m_parameters; }

private:
    void Increase();
    double Clamp(double bps) const;

    DcqcnParameters m_parameters;
    double m_currentBps;
    double m_targetBps;
    double m_alpha;
    std::uint32_t m_timerStages{0};
    std::uint32_t m_byteStages{0};
    std::uint64_t m_bytesSinceStage{0};
    std::int64_t m_lastCutNs{-1'000'000'000'000LL};
    std::int64_t m_lastCnpNs{-1'000'000'000'000LL};
    std::int64_t m_lastAlphaNs{0};
    std::uint64_t m_cuts{0};
};

} // namespace ns3::fabric

#endif
