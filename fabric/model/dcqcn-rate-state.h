#ifndef FABRICSCOPE_FABRIC_DCQCN_RATE_STATE_H
#define FABRICSCOPE_FABRIC_DCQCN_RATE_STATE_H

#include <cstdint>

namespace ns3::fabric
{

/**
 * DCQCN parameters as HPCC's simulator runs them (Zhu et al., SIGCOMM 2015; REFERENCE.md), 100G
 * by default. Rates in bits per second, times in nanoseconds.
 */
struct DcqcnParameters
{
    std::uint64_t lineRateBps{100'000'000'000ULL};
    std::uint64_t minRateBps{100'000'000ULL};
    double g{1.0 / 256};                        ///< alpha gain
    std::int64_t alphaUpdateIntervalNs{1'000};  ///< alpha window
    std::int64_t rateDecreaseIntervalNs{4'000}; ///< the rate is cut at most once per interval
    std::int64_t rateIncreaseTimerNs{300'000};  ///< rate-increase timer, restarted by every cut
    std::uint32_t fastRecoveryStages{5};        ///< F
    /** Byte counter: an increase event every this many bytes sent (the paper: 10 MB; NVIDIA
     *  firmware: 32,767 B). 0, HPCC's setting, counts timer stages only. */
    std::uint64_t byteCounterBytes{0};
    std::uint64_t additiveIncreaseBps{20'000'000}; ///< R_AI: 5 × bw / 25 Mb/s
    std::uint64_t hyperIncreaseBps{200'000'000};   ///< R_HAI: 50 × bw / 25 Mb/s
    double initialAlpha{1.0};
    /** NVIDIA's clamp_tgt_rate (off by default, as in HPCC's runs): when off, a cut moves the
     *  target rate down to the current rate only if the rate increased since the last cut. */
    bool clampTargetRate{false};

    /** HPCC's scaling: R_AI = 5·bw/25 Mb/s and R_HAI = 50·bw/25 Mb/s for a line rate of bw Gb/s. */
    static DcqcnParameters ForLineRate(std::uint64_t bitsPerSecond);
};

/**
 * The reaction point of one queue pair: current rate Rc, target rate Rt, alpha, increase stage.
 * Plain state transitions; the NIC calls them from its timers.
 *
 *  alpha, per window:  α ← (1 − g)·α + g if a CNP arrived in the window, else α ← (1 − g)·α
 *                      (windows are applied lazily: no event per window)
 *  cut, at a decrease check after a CNP:
 *                      Rt ← Rc (clamping, or if the rate increased since the last cut);
 *                      Rc ← max(min rate, Rc·(1 − α/2)); stage ← 0
 *  increase timer, byte counter off (HPCC) - stage s, then s ← s + 1:
 *      fast recovery  s < F:  Rc ← (Rt + Rc)/2
 *      additive       s = F:  Rt ← Rt + R_AI;  Rc ← (Rt + Rc)/2
 *      hyper          s > F:  Rt ← Rt + R_HAI; Rc ← (Rt + Rc)/2
 *  with the byte counter (the paper): timer expiries T and byte-counter expiries BC both count,
 *  and after each expiry
 *      fast recovery  max(T, BC) < F:         Rc ← (Rt + Rc)/2
 *      additive       min(T, BC) < F ≤ max:   Rt ← Rt + R_AI;  Rc ← (Rt + Rc)/2
 *      hyper          min(T, BC) ≥ F:         Rt ← Rt + i·R_HAI, i = min(T, BC) − F + 1; Rc ← (Rt +
 * Rc)/2 Rates stay within [min rate, line rate]. Alpha starts (at its initial value) with the first
 * CNP.
 */
class DcqcnRateState
{
public:
    explicit DcqcnRateState(const DcqcnParameters& parameters);

    /** A CNP arrived. Returns true when this CNP needs a decrease check scheduled (none pending).
     */
    bool OnCnp(std::int64_t nowNs);
    /** The decrease check after a CNP; returns whether it cut the rate (then the increase timer
     *  restarts). */
    bool OnDecreaseCheck(std::int64_t nowNs);
    /** The rate-increase timer fired. */
    void OnIncreaseTimer();
    /** `bytes` were sent (counts byte-counter expiries when the byte counter is on). */
    void OnBytesSent(std::uint64_t bytes);
    /** Alpha as of `nowNs` (applies the windows that ended before it). */
    double AlphaAt(std::int64_t nowNs);

    std::uint64_t CurrentRateBps() const { return static_cast<std::uint64_t>(m_currentBps); }
    std::uint64_t TargetRateBps() const { return static_cast<std::uint64_t>(m_targetBps); }
    double Alpha() const { return m_alpha; }
    std::uint32_t Stage() const { return m_stage; }
    std::uint64_t Cuts() const { return m_cuts; }
    bool DecreasePending() const { return m_decreasePending; }
    const DcqcnParameters& Parameters() const { return m_parameters; }

private:
    void AdvanceAlpha(std::int64_t nowNs);
    void PaperIncrease();
    double Clamp(double bps) const;

    DcqcnParameters m_parameters;
    double m_currentBps;
    double m_targetBps;
    double m_alpha;
    bool m_started{false};
    std::int64_t m_appliedWindow{0}; ///< windows before this one are in m_alpha
    std::int64_t m_cnpWindow{-1};    ///< a window that saw a CNP and is not applied yet
    bool m_decreasePending{false};
    std::uint32_t m_stage{0};     ///< timer expiries since the last cut (T)
    std::uint32_t m_byteStage{0}; ///< byte-counter expiries since the last cut (BC)
    std::uint64_t m_bytes{0};
    std::uint64_t m_cuts{0};
};

} // namespace ns3::fabric

#endif
