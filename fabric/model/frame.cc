#include "fabric/model/frame.h"

#include <algorithm>

namespace ns3::fabric
{

std::uint32_t
Frame::WireBytes() const
{
    if (kind == FrameKind::Infiniband)
    {
        return Bytes(); // LRH through VCRC; IB has no preamble, FCS or inter-frame gap
    }
    constexpr std::uint32_t kFcs = 4;
    constexpr std::uint32_t kMinFrame = 64;
    constexpr std::uint32_t kPreambleSfdGap = 8 + 12;
    return std::max(Bytes() + kFcs, kMinFrame) + kPreambleSfdGap;
}

bool
Frame::IsEcnCapable() const
{
    return ipOffset != 0 && (header[ipOffset + 1] & 0x03) != 0;
}

bool
Frame::IsCongestionExperienced() const
{
    return ipOffset != 0 && (header[ipOffset + 1] & 0x03) == 0x03;
}

bool
Frame::MarkCongestionExperienced()
{
    if (!IsEcnCapable() || IsCongestionExperienced())
    {
        return false;
    }
    std::uint8_t* ip = &header[ipOffset];
    std::uint16_t oldWord = static_cast<std::uint16_t>((ip[0] << 8) | ip[1]);
    ip[1] |= 0x03;
    std::uint16_t newWord = static_cast<std::uint16_t>((ip[0] << 8) | ip[1]);
    // Incremental checksum update (RFC 1624): HC' = ~(~HC + ~m + m').
    std::uint32_t sum = static_cast<std::uint16_t>(~((ip[10] << 8) | ip[11]));
    sum += static_cast<std::uint16_t>(~oldWord);
    sum += newWord;
    while (sum >> 16)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    std::uint16_t checksum = static_cast<std::uint16_t>(~sum);
    ip[10] = static_cast<std::uint8_t>(checksum >> 8);
    ip[11] = static_cast<std::uint8_t>(checksum);
    return true;
}

void
Frame::CopyTo(std::vector<std::uint8_t>& out) const
{
    out.assign(header.begin(), header.begin() + headerBytes);
    out.resize(headerBytes + zeroBytes, 0);
    out.insert(out.end(), trailer.begin(), trailer.begin() + trailerBytes);
}

void
Frame::SetIcrc(std::uint32_t icrc)
{
    for (int i = 0; i < 4; ++i)
    {
        trailer[i] = static_cast<std::uint8_t>(icrc >> (8 * i));
    }
}

std::uint32_t
Frame::Icrc() const
{
    return trailer[0] | trailer[1] << 8 | trailer[2] << 16
           | static_cast<std::uint32_t>(trailer[3]) << 24;
}

FramePool&
FramePool::Get()
{
    // Never destroyed: devices disposed by ns-3 at exit may still hand frames back.
    static FramePool* pool = new FramePool();
    return *pool;
}

Frame*
FramePool::Acquire()
{
    if (m_free.empty())
    {
        m_all.push_back(std::make_unique<Frame>());
        return m_all.back().get();
    }
    Frame* frame = m_free.back();
    m_free.pop_back();
    *frame = Frame{};
    return frame;
}

void
FramePool::Release(Frame* frame)
{
    m_free.push_back(frame);
}

} // namespace ns3::fabric
