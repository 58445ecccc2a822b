#include "fabric/model/dctcp-window-state.h"

#include <algorithm>

namespace ns3::fabric
{

DctcpWindowState::DctcpWindowState(const DctcpParameters& parameters)
: m_parameters(parameters)
, m_window(static_cast<double>(parameters.initialWindowBytes))
, m_alpha(parameters.initialAlpha)
{
}

void
DctcpWindowState::OnAck(std::uint64_t bytes,
                        std::uint64_t marked,
                        std::uint64_t ackedUpTo,
                        std::uint64_t sentUpTo)
{
    m_ackedInWindow += bytes;
    m_markedInWindow += marked;
    if (ackedUpTo < m_windowEnd)
    {
        return;
    }
    // One window of data has been acknowledged: update alpha and the window once.
    double fraction = m_ackedInWindow == 0 ? 0.0
                                           : static_cast<double>(m_markedInWindow)
                                                 / static_cast<double>(m_ackedInWindow);
    m_alpha = (1.0 - m_parameters.g) * m_alpha + m_parameters.g * fraction;
    if (m_markedInWindow > 0)
    {
        m_window *= 1.0 - m_alpha / 2.0;
        ++m_reductions;
    }
    else
    {
        m_window += static_cast<double>(m_parameters.mssBytes);
    }
    m_window = std::clamp(m_window,
                          static_cast<double>(m_parameters.minWindowBytes),
                          static_cast<double>(m_parameters.maxWindowBytes));
    m_windowEnd = sentUpTo;
    m_ackedInWindow = 0;
    m_markedInWindow = 0;
}

} // namespace ns3::fabric
