#ifndef FABRICSCOPE_DPI_ANOMALY_H
#define FABRICSCOPE_DPI_ANOMALY_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fab::dpi
{

/**
 * Every reason a decoder can give for not accepting bytes as they are, one name per failure
 * (Zeek's "weird" names, Suricata's decoder events). Decoders return these as status values;
 * None means the header was accepted. Some are fatal for the packet (a truncated header ends the
 * walk), others are notes and decoding goes on (a bad ICRC, a PFC vector with high bits set).
 */
enum class Anomaly : std::uint8_t
{
    None,
    // Ethernet and 802.1Q
    TruncatedEthernet,
    TruncatedVlan,
    TooManyVlanTags,
    // IPv4
    TruncatedIpv4,
    BadIpv4Version,
    BadIpv4Ihl,
    BadIpv4TotalLength,
    Ipv4LengthExceedsFrame,
    Ipv4Fragment,
    // IPv6
    TruncatedIpv6,
    BadIpv6Version,
    Ipv6LengthExceedsFrame,
    TruncatedIpv6ExtensionHeader,
    TooManyIpv6ExtensionHeaders,
    Ipv6Fragment,
    // UDP and TCP
    TruncatedUdp,
    BadUdpLength,
    TruncatedTcp,
    BadTcpDataOffset,
    // InfiniBand transport (RoCEv2, RoCEv1, native IB)
    TruncatedBth,
    BadBthTver,
    UnknownOpcode,
    TruncatedRdeth,
    TruncatedDeth,
    TruncatedXrceth,
    TruncatedFeth,
    TruncatedReth,
    TruncatedAtomicEth,
    TruncatedAeth,
    BadAethSyndrome,
    TruncatedAtomicAckEth,
    TruncatedImmDt,
    TruncatedIeth,
    TruncatedCnp,
    TruncatedIcrc,
    BadPadCount,
    BadIcrc,
    IcrcNotChecked,
    // MAC Control: 802.1Qbb PFC and 802.3x PAUSE
    TruncatedPfc,
    TruncatedPause,
    BadPfcOpcode,
    BadPfcClassEnable,
    BadPfcDestination,
    // LLDP
    TruncatedLldp,
    BadLldpTlv,
    // Native InfiniBand link and global routing headers
    TruncatedLrh,
    BadLrhLinkVersion,
    BadLrhPacketLength,
    TruncatedGrh,
    BadGrhVersion,
    BadGrhPayloadLength,
    BadVcrc,
    VcrcNotChecked,

    Count ///< not an anomaly: the number of names above
};

inline constexpr std::size_t kAnomalyCount = static_cast<std::size_t>(Anomaly::Count);

/** The snake_case name of an anomaly ("truncated_bth"), stable for reports and metrics. */
std::string_view AnomalyName(Anomaly anomaly);

/** The anomalies of one packet, a bit each: set without allocation, read in enum order. */
class AnomalySet
{
public:
    void Add(Anomaly anomaly) { m_bits |= Bit(anomaly); }
    bool Has(Anomaly anomaly) const { return (m_bits & Bit(anomaly)) != 0; }
    bool Empty() const { return m_bits == 0; }
    std::uint64_t Bits() const { return m_bits; }

private:
    static_assert(kAnomalyCount <= 64, "AnomalySet keeps one bit per anomaly in 64 bits");

    static std::uint64_t Bit(Anomaly anomaly)
    {
        return anomaly == Anomaly::None ? 0 : std::uint64_t{1} << static_cast<unsigned>(anomaly);
    }

    std::uint64_t m_bits = 0;
};

/** Running totals per anomaly over many packets: a fixed array indexed by the enum. */
class AnomalyCounts
{
public:
    void Add(Anomaly anomaly, std::uint64_t times = 1);
    /** Adds one for each anomaly of a packet. */
    void Add(const AnomalySet& anomalies);
    void Merge(const AnomalyCounts& other);

    std::uint64_t Get(Anomaly anomaly) const { return m_counts[static_cast<std::size_t>(anomaly)]; }
    /** The sum over every anomaly. */
    std::uint64_t Total() const;

private:
    std::array<std::uint64_t, kAnomalyCount> m_counts{};
};

} // namespace fab::dpi

#endif
