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

void
DcqcnRateState::AdvanceAlpha(std::int64_t nowNs)
{
    if (!m_started)
    {
        return;
    }
    std::int64_t current = nowNs / m_parameters.alphaUpdateIntervalNs; // windows before it ended
    double keep = 1.0 - m_parameters.g;
    if (m_cnpWindow >= m_appliedWindow && m_cnpWindow < current)
    {
        m_alpha *= std::pow(keep, static_cast<double>(m_cnpWindow - m_appliedWindow));
        m_alpha = keep * m_alpha + m_parameters.g;
        m_appliedWindow = m_cnpWindow + 1;
    }
    if (current > m_appliedWindow)
    {
        m_alpha *= std::pow(keep, static_cast<double>(current - m_appliedWindow));
        m_appliedWindow = current;
    }
}

double
DcqcnRateState::AlphaAt(std::int64_t nowNs)
{
    AdvanceAlpha(nowNs);
    return m_alpha;
}

bool
DcqcnRateState::OnCnp(std::int64_t nowNs)
{
    std::int64_t window = nowNs / m_parameters.alphaUpdateIntervalNs;
    if (!m_started)
    {
        // The first CNP starts alpha at its initial value; its own window decays like a quiet one.
        m_started = true;
        m_alpha = m_parameters.initialAlpha;
        m_appliedWindow = window;
    }
    else
    {
        AdvanceAlpha(nowNs);
        m_cnpWindow = window;
    }
    if (m_decreasePending)
    {
        return false;
    }
    m_decreasePending = true;
    return true;
}

bool
DcqcnRateState::OnDecreaseCheck(std::int64_t nowNs)
{
    if (!m_decreasePending)
    {
        return false;
    }
    AdvanceAlpha(nowNs);
    m_decreasePending = false;
    if (m_parameters.clampTargetRate || m_stage + m_byteStage > 0 || m_cuts == 0)
    {
        m_targetBps = m_currentBps;
    }
    m_currentBps = Clamp(m_currentBps * (1.0 - m_alpha / 2.0));
    m_stage = 0;
    m_byteStage = 0;
    m_bytes = 0;
    ++m_cuts;
    return true;
}

void
DcqcnRateState::OnBytesSent(std::uint64_t bytes)
{
    if (m_parameters.byteCounterBytes == 0)
    {
        return;
    }
    m_bytes += bytes;
    while (m_bytes >= m_parameters.byteCounterBytes)
    {
        m_bytes -= m_parameters.byteCounterBytes;
        ++m_byteStage;
        PaperIncrease();
    }
}

void
DcqcnRateState::PaperIncrease()
{
    std::uint32_t f = m_parameters.fastRecoveryStages;
    std::uint32_t low = std::min(m_stage, m_byteStage);
    std::uint32_t high = std::max(m_stage, m_byteStage);
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

void
DcqcnRateState::OnIncreaseTimer()
{
    if (m_parameters.byteCounterBytes != 0)
    {
        ++m_stage;
        PaperIncrease();
        return;
    }
    std::uint32_t f = m_parameters.fastRecoveryStages;
    if (m_stage == f)
    {
        m_targetBps = Clamp(m_targetBps + static_cast<double>(m_parameters.additiveIncreaseBps));
    }
    else if (m_stage > f)
    {
        m_targetBps = Clamp(m_targetBps + static_cast<double>(m_parameters.hyperIncreaseBps));
    }
    m_currentBps = Clamp((m_targetBps + m_currentBps) / 2.0);
    ++m_stage;
}

} // namespace ns3::fabric
