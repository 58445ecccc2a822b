#include "dpi/anomaly.h"

namespace fab::dpi
{
namespace
{

// Indexed by the enum: the static_assert below catches a name added to one list and not the other.
constexpr std::array<std::string_view, kAnomalyCount> kNames = {
    "none",
    "truncated_ethernet",
    "truncated_vlan",
    "too_many_vlan_tags",
    "truncated_ipv4",
    "bad_ipv4_version",
    "bad_ipv4_ihl",
    "bad_ipv4_total_length",
    "ipv4_length_exceeds_frame",
    "ipv4_fragment",
    "truncated_ipv6",
    "bad_ipv6_version",
    "ipv6_length_exceeds_frame",
    "truncated_ipv6_extension_header",
    "too_many_ipv6_extension_headers",
    "ipv6_fragment",
    "truncated_udp",
    "bad_udp_length",
    "truncated_tcp",
    "bad_tcp_data_offset",
    "truncated_bth",
    "bad_bth_tver",
    "unknown_opcode",
    "truncated_rdeth",
    "truncated_deth",
    "truncated_xrceth",
    "truncated_feth",
    "truncated_reth",
    "truncated_atomic_eth",
    "truncated_aeth",
    "bad_aeth_syndrome",
    "truncated_atomic_ack_eth",
    "truncated_immdt",
    "truncated_ieth",
    "truncated_cnp",
    "truncated_icrc",
    "bad_pad_count",
    "bad_icrc",
    "icrc_not_checked",
    "truncated_pfc",
    "truncated_pause",
    "bad_pfc_opcode",
    "bad_pfc_class_enable",
    "bad_pfc_destination",
    "truncated_lldp",
    "bad_lldp_tlv",
    "truncated_lrh",
    "bad_lrh_link_version",
    "bad_lrh_packet_length",
    "truncated_grh",
    "bad_grh_version",
    "bad_grh_payload_length",
    "bad_vcrc",
    "vcrc_not_checked",
};

static_assert(kNames[kAnomalyCount - 1] == "vcrc_not_checked",
              "every Anomaly needs its name, in enum order");

} // namespace

std::string_view
AnomalyName(Anomaly anomaly)
{
    auto index = static_cast<std::size_t>(anomaly);
    return index < kAnomalyCount ? kNames[index] : std::string_view("unknown_anomaly");
}

void
AnomalyCounts::Add(Anomaly anomaly, std::uint64_t times)
{
    auto index = static_cast<std::size_t>(anomaly);
    if (anomaly != Anomaly::None && index < kAnomalyCount)
    {
        m_counts[index] += times;
    }
}

void
AnomalyCounts::Add(const AnomalySet& anomalies)
{
    std::uint64_t bits = anomalies.Bits();
    while (bits != 0)
    {
        unsigned index = static_cast<unsigned>(__builtin_ctzll(bits));
        ++m_counts[index];
        bits &= bits - 1;
    }
}

void
AnomalyCounts::Merge(const AnomalyCounts& other)
{
    for (std::size_t i = 0; i < kAnomalyCount; ++i)
    {
        m_counts[i] += other.m_counts[i];
    }
}

std::uint64_t
AnomalyCounts::Total() const
{
    std::uint64_t total = 0;
    for (std::uint64_t count : m_counts)
    {
        total += count;
    }
    return total;
}

} // namespace fab::dpi
