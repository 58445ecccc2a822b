#include "fabric/model/dcqcn-rate-state.h"

#include <algorithm>
#include <cmath>

namespace ns3::fabric
{

DcqcnParameters
DcqcnParameters::ForLineRate(std::uint64_t bitsPerSecond)
{
    DcqcnParameters p;
    p.lineRateBps = bitsPerSecond;
    double gbps = static_cast<double>(bitsPerSecond) / 1e9;
    p.additiveIncreaseBps = static_cast<std::uint64_t>(5.0 * gbps / 25.0 * 1e6);
    p.hyperIncreaseBps = static_cast<std::uint64_t>(50.0 * gbps / 25.0 * 1e6);
    return p;
}

DcqcnRateState::DcqcnRateState(const DcqcnParameters& parameters)
: m_parameters(parameters)
, m_currentBps(static_cast<double>(parameters.lineRateBps))
, m_targetBps(static_cast<double>(parameters.lineRateBps))
, m_alpha(parameters.initialAlpha)
{
}

double
DcqcnRateState::Clamp(double bps) const
{
    return std::clamp(bps,
                      static_cast<double>(m_parameters.minRateBps),
                      static_cast<double>(m_parameters.lineRateBps));
}

bool
DcqcnRateState::OnCnp(std::int64_t nowNs)
{
    AdvanceAlpha(nowNs);
    m_lastCnpNs = nowNs;
    if (nowNs - m_lastCutNs < m_parameters.rateDecreaseIntervalNs)
    {
        return false;
    }
    m_lastCutNs = nowNs;
    m_targetBps = m_currentBps;
    m_currentBps = Clamp(m_currentBps * (1.0 - m_alpha / 2.0));
    m_alpha = (1.0 - m_parameters.g) * m_alpha + m_parameters.g;
    m_timerStages = 0;
    m_byteStages = 0;
    m_bytesSinceStage = 0;
    ++m_cuts;
    return true;
}

void
DcqcnRateState::OnAlphaTimer(std::int64_t nowNs)
{
    if (nowNs - m_lastCnpNs >= m_parameters.alphaUpdateIntervalNs)
    {
        m_alpha = (1.0 - m_parameters.g) * m_alpha;
        m_lastAlphaNs = nowNs;
    }
}

void
DcqcnRateState::AdvanceAlpha(std::int64_t nowNs)
{
    // Alpha keeps its initial value until the first CNP starts its timer (as HPCC's NIC does).
    if (m_lastCnpNs < 0 && m_cuts == 0)
    {
        return;
    }
    std::int64_t interval = m_parameters.alphaUpdateIntervalNs;
    std::int64_t from = std::max(m_lastAlphaNs, m_lastCnpNs);
    if (nowNs - from < interval)
    {
        return;
    }
    std::int64_t expiries = (nowNs - from) / interval;
    m_alpha *= std::pow(1.0 - m_parameters.g, static_cast<double>(expiries));
    m_lastAlphaNs = from + expiries * interval;
}

void
DcqcnRateState::OnIncreaseTimer()
{
    ++m_timerStages;
    Increase();
}

void
DcqcnRateState::OnBytesSent(std::uint64_t bytes)
{
    m_bytesSinceStage += bytes;
    while (m_bytesSinceStage >= m_parameters.byteCounterBytes)
    {
        m_bytesSinceStage -= m_parameters.byteCounterBytes;
        ++m_byteStages;
        Increase();
    }
}

void
DcqcnRateState::Increase()
{
    std::uint32_t f = m_parameters.fastRecoveryStages;
    std::uint32_t low = std::min(m_timerStages, m_byteStages);
    std::uint32_t high = std::max(m_timerStages, m_byteStages);
    if (low >= f)
    {
        m_targetBps = Clamp(m_targetBps
                            + static_cast<double>(low - f + 1)
                                  * static_cast<double>(m_parameters.hyperIncreaseBps));
    }
    else if (high >= f)
    {
        m_targetBps = Clamp(m_targetBps + static_cast<double>(m_parameters.additiveIncreaseBps));
    }
    m_currentBps = Clamp((m_targetBps + m_currentBps) / 2.0);
}

} // namespace ns3::fabric
