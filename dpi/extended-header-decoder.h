#ifndef FABRICSCOPE_DPI_EXTENDED_HEADER_DECODER_H
#define FABRICSCOPE_DPI_EXTENDED_HEADER_DECODER_H

#include "dpi/anomaly.h"
#include "dpi/byte-reader.h"
#include "dpi/opcode-table.h"

#include <cstddef>
#include <cstdint>

namespace fab::dpi
{

// Sizes of the extended transport headers (IBTA vol. 1, 9.3).
inline constexpr std::size_t kRdethBytes = 4;
inline constexpr std::size_t kDethBytes = 8;
inline constexpr std::size_t kXrcethBytes = 4;
inline constexpr std::size_t kFethBytes = 4;
inline constexpr std::size_t kRethBytes = 16;
inline constexpr std::size_t kAtomicEthBytes = 28;
inline constexpr std::size_t kAethBytes = 4;
inline constexpr std::size_t kAtomicAckEthBytes = 8;
inline constexpr std::size_t kImmDtBytes = 4;
inline constexpr std::size_t kIethBytes = 4;
inline constexpr std::size_t kCnpReservedBytes = 16;

/** RDMA extended transport header: where a WRITE or READ goes. */
struct RethFields
{
    std::uint64_t virtualAddress{0};
    std::uint32_t rkey{0};
    std::uint32_t dmaLength{0};
};

struct AtomicEthFields
{
    std::uint64_t virtualAddress{0};
    std::uint32_t rkey{0};
    std::uint64_t swapOrAdd{0};
    std::uint64_t compare{0};
};

/** Bits 6:5 of the AETH syndrome. */
enum class AethKind : std::uint8_t
{
    Ack = 0,
    RnrNak = 1,
    Reserved = 2,
    Nak = 3,
};

/** The low five bits of a NAK syndrome. */
enum class NakCode : std::uint8_t
{
    PsnSequenceError = 0, ///< the BTH PSN is the one expected: go-back-N restarts there
    InvalidRequest = 1,
    RemoteAccessError = 2,
    RemoteOperationalError = 3,
    InvalidRdRequest = 4,
};

/** An ACK syndrome whose credit field says "no end-to-end credits are being advertised". */
inline constexpr std::uint8_t kAethInvalidCredits = 0x1F;

/** ACK extended transport header: syndrome and message sequence number. */
struct AethFields
{
    std::uint8_t syndrome{0};
    AethKind kind{AethKind::Ack};
    /** The low five bits: credit count (ACK), RNR timer code (RNR NAK) or NakCode (NAK). */
    std::uint8_t value{0};
    std::uint32_t msn{0};

    NakCode Nak() const { return static_cast<NakCode>(value); }
};

/** Datagram extended transport header (UD, RD requests). */
struct DethFields
{
    std::uint32_t qkey{0};
    std::uint32_t sourceQp{0};
};

/** FLUSH extended transport header (IBTA 1.5): what to make persistent or visible. */
struct FethFields
{
    std::uint8_t selectivity{0};   ///< bits 5:4
    std::uint8_t placementType{0}; ///< bits 3:0
};

/** Every extended header of one packet; `present` has an ExtendedHeader bit for each decoded. */
struct ExtendedHeaders
{
    std::uint16_t present{0};
    std::uint32_t rdethEeContext{0};
    DethFields deth;
    std::uint32_t xrcSrq{0};
    FethFields feth;
    RethFields reth;
    AtomicEthFields atomicEth;
    AethFields aeth;
    std::uint64_t atomicAckOriginalData{0};
    std::uint32_t immediate{0};
    std::uint32_t invalidateRkey{0};

    bool Has(ExtendedHeader header) const { return (present & HeaderBit(header)) != 0; }
};

/** Splits an AETH syndrome byte into kind and value; false for a syndrome IBTA reserves. */
bool DecodeAethSyndrome(std::uint8_t syndrome, AethFields& out);

/** The RNR NAK timer of a 5-bit code (IBTA's encoding, also the verbs' min_rnr_timer) in
 *  nanoseconds; code 0 is the longest, 655.36 ms. */
std::int64_t RnrTimerNs(std::uint8_t code);

Anomaly DecodeReth(ByteReader& reader, RethFields& out);
Anomaly DecodeAtomicEth(ByteReader& reader, AtomicEthFields& out);
/** A reserved syndrome is noted as BadAethSyndrome; the fields are still returned. */
Anomaly DecodeAeth(ByteReader& reader, AethFields& out, AnomalySet& notes);
Anomaly DecodeDeth(ByteReader& reader, DethFields& out);

/**
 * Decodes, in wire order, the headers named by `headers` (ExtendedHeader bits, from
 * LookupOpcode). Stops at the first that does not fit and names it (TruncatedReth, …).
 */
Anomaly DecodeExtendedHeaders(ByteReader& reader,
                              std::uint16_t headers,
                              ExtendedHeaders& out,
                              AnomalySet& notes);

} // namespace fab::dpi

#endif
