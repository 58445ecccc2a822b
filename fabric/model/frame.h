#ifndef FABRICSCOPE_FABRIC_FRAME_H
#define FABRICSCOPE_FABRIC_FRAME_H

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace ns3::fabric
{

enum class FrameKind : std::uint8_t
{
    Roce,
    Infiniband, ///< native IB: LRH, BTH, payload, ICRC, VCRC
    Pfc,
    Lldp,
    Other,
};

/**
 * One Ethernet frame in flight: real header bytes, a payload of zeros that is counted rather than
 * stored, and the trailer (the RoCE ICRC). Forwarding fields are parsed once, when the frame is
 * made, into the metadata below; switches never parse bytes. The FCS is not stored (captures do
 * not carry it) but is counted on the wire.
 */
struct Frame
{
    static constexpr std::size_t kMaxHeaderBytes = 128;

    std::array<std::uint8_t, kMaxHeaderBytes> header{};
    std::uint16_t headerBytes{0};
    std::uint32_t zeroBytes{0};            ///< payload (and padding) after the header, all zero
    std::array<std::uint8_t, 6> trailer{}; ///< CRCs after the payload: RoCE ICRC, or IB ICRC + VCRC
    std::uint8_t trailerBytes{0};

    FrameKind kind{FrameKind::Other};
    std::uint8_t priority{0}; ///< traffic class (802.1p), 0..7
    std::uint8_t ipOffset{0}; ///< where the IPv4 header starts, 0 when there is none
    std::uint32_t srcEndpoint{0};
    std::uint32_t dstEndpoint{0};
    std::uint32_t flowHash{0}; ///< hash of (src IP, dst IP, UDP source port, dest QP)
    std::uint32_t destQp{0};
    std::uint8_t bthOpcode{0}; ///< parsed once: BTH opcode, PSN (24 bits), AckReq, AETH
    bool ackRequest{false};
    bool becn{false};
    std::uint32_t psn{0};
    std::uint32_t aeth{0};
    std::uint32_t payloadBytes{0}; ///< RDMA payload carried (goodput)
    std::uint16_t ingressPort{0};  ///< set by the switch that holds the frame
    std::uint64_t sequence{0};     ///< unique per frame, for tracing
    std::int64_t createdNs{0};

    /** Bytes of the frame as captured: header, payload and trailer (no FCS). */
    std::uint32_t Bytes() const { return headerBytes + zeroBytes + trailerBytes; }

    /** Stores a little-endian CRC-32 (the ICRC) as the first four trailer bytes. */
    void SetIcrc(std::uint32_t icrc);
    /** The ICRC read back from the trailer. */
    std::uint32_t Icrc() const;

    /** Bytes the frame occupies on the wire: padded to 64 with its FCS, plus preamble, SFD and the
     *  inter-frame gap (20). */
    std::uint32_t WireBytes() const;

    bool IsEcnCapable() const;
    bool IsCongestionExperienced() const;
    /** Sets IPv4 ECN to CE (11) if the frame is ECN-capable, fixing the header checksum; the ICRC
     *  masks the TOS byte, so it stays valid. Returns whether it marked. */
    bool MarkCongestionExperienced();

    /** Writes the whole frame (header, zeros, trailer) to `out`. */
    void CopyTo(std::vector<std::uint8_t>& out) const;
};

/** Copies the BTH fields every writer's spec has (RoCE or IB) into the frame's parsed metadata. */
template <typename Spec>
void
SetBthMetadata(Frame& frame, const Spec& spec)
{
    frame.bthOpcode = static_cast<std::uint8_t>(spec.opcode);
    frame.ackRequest = spec.ackRequest;
    frame.becn = spec.becn;
    frame.psn = spec.psn & 0xFFFFFF;
    frame.aeth = spec.aeth.value_or(0);
    frame.destQp = spec.destQp;
}

/**
 * Frames are recycled, never freed during a run: a simulation moves millions of them and none may
 * cost an allocation. Single-threaded, like ns-3's scheduler.
 */
class FramePool
{
public:
    static FramePool& Get();

    /** A frame with default contents. */
    Frame* Acquire();
    void Release(Frame* frame);

    std::size_t Allocated() const { return m_all.size(); }
    std::size_t InUse() const { return m_all.size() - m_free.size(); }

private:
    std::vector<std::unique_ptr<Frame>> m_all;
    std::vector<Frame*> m_free;
};

} // namespace ns3::fabric

#endif
