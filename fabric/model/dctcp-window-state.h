#ifndef FABRICSCOPE_FABRIC_DCTCP_WINDOW_STATE_H
#define FABRICSCOPE_FABRIC_DCTCP_WINDOW_STATE_H

#include <cstdint>

namespace ns3::fabric
{

/** DCTCP-style window parameters (Alizadeh et al., SIGCOMM 2010; g = 1/16 as HPCC runs it). */
struct DctcpParameters
{
    double g{1.0 / 16};
    std::uint64_t initialWindowBytes{131'072}; ///< about one BDP: 100 Gb/s × ~10 us fabric RTT
    double initialAlpha{1.0};                  ///< Linux DCTCP starts at 1 (dctcp_alpha_on_init)
    std::uint64_t minWindowBytes{4096};
    std::uint64_t maxWindowBytes{16'000'000};
    std::uint64_t mssBytes{4096};
};

/**
 * A congestion window driven by ECN echoes: per window of data, F = marked bytes / acknowledged
 * bytes, α ← (1 − g)·α + g·F, and if anything was marked the window shrinks once,
 * W ← W·(1 − α/2); otherwise it grows by one MSS per window (additive increase).
 */
class DctcpWindowState
{
public:
    explicit DctcpWindowState(const DctcpParameters& parameters);

    /** `bytes` newly acknowledged, `marked` of them echoed as congestion; `ackedUpTo` is the
     *  cumulative position (bytes) and `sentUpTo` what had been sent when it was acknowledged. */
    void OnAck(std::uint64_t bytes,
               std::uint64_t marked,
               std::uint64_t ackedUpTo,
               std::uint64_t sentUpTo);

    std::uint64_t WindowBytes() const { return static_cast<std::uint64_t>(m_window); }
    double Alpha() const { return m_alpha; }
    std::uint64_t Reductions() const { return m_reductions; }

private:
    DctcpParameters m_parameters;
    double m_window;
    double m_alpha{0};
    std::uint64_t m_windowEnd{0}; ///< the window closes when this many bytes are acknowledged
    std::uint64_t m_ackedInWindow{0};
    std::uint64_t m_markedInWindow{0};
    std::uint64_t m_reductions{0};
};

} // namespace ns3::fabric

#endif
