#include "dpi/extended-header-decoder.h"

#include <array>

namespace fab::dpi
{
namespace
{

void
ReadRdeth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    std::uint8_t reserved = 0;
    reader.ReadU8(reserved);
    reader.ReadU24(out.rdethEeContext);
}

void
ReadDeth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    DecodeDeth(reader, out.deth);
}

void
ReadXrceth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    std::uint8_t reserved = 0;
    reader.ReadU8(reserved);
    reader.ReadU24(out.xrcSrq);
}

void
ReadFeth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    std::uint32_t word = 0;
    reader.ReadU32(word);
    out.feth.selectivity = static_cast<std::uint8_t>((word >> 4) & 0x03);
    out.feth.placementType = static_cast<std::uint8_t>(word & 0x0F);
}

void
ReadReth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    DecodeReth(reader, out.reth);
}

void
ReadAtomicEth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    DecodeAtomicEth(reader, out.atomicEth);
}

void
ReadAeth(ByteReader& reader, ExtendedHeaders& out, AnomalySet& notes)
{
    DecodeAeth(reader, out.aeth, notes);
}

void
ReadAtomicAckEth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    reader.ReadU64(out.atomicAckOriginalData);
}

void
ReadImmDt(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    reader.ReadU32(out.immediate);
}

void
ReadIeth(ByteReader& reader, ExtendedHeaders& out, AnomalySet&)
{
    reader.ReadU32(out.invalidateRkey);
}

void
ReadCnpReserved(ByteReader& reader, ExtendedHeaders&, AnomalySet&)
{
    reader.Skip(kCnpReservedBytes);
}

/** One row per extended header, in wire order: its size, its truncation name, its reader. */
struct HeaderRow
{
    ExtendedHeader header;
    std::size_t bytes;
    Anomaly truncated;
    void (*read)(ByteReader&, ExtendedHeaders&, AnomalySet&);
};

constexpr std::array<HeaderRow, 11> kHeaders = {{
    {ExtendedHeader::Rdeth, kRdethBytes, Anomaly::TruncatedRdeth, &ReadRdeth},
    {ExtendedHeader::Deth, kDethBytes, Anomaly::TruncatedDeth, &ReadDeth},
    {ExtendedHeader::Xrceth, kXrcethBytes, Anomaly::TruncatedXrceth, &ReadXrceth},
    {ExtendedHeader::Feth, kFethBytes, Anomaly::TruncatedFeth, &ReadFeth},
    {ExtendedHeader::Reth, kRethBytes, Anomaly::TruncatedReth, &ReadReth},
    {ExtendedHeader::AtomicEth, kAtomicEthBytes, Anomaly::TruncatedAtomicEth, &ReadAtomicEth},
    {ExtendedHeader::Aeth, kAethBytes, Anomaly::TruncatedAeth, &ReadAeth},
    {ExtendedHeader::AtomicAckEth,
     kAtomicAckEthBytes,
     Anomaly::TruncatedAtomicAckEth,
     &ReadAtomicAckEth},
    {ExtendedHeader::ImmDt, kImmDtBytes, Anomaly::TruncatedImmDt, &ReadImmDt},
    {ExtendedHeader::Ieth, kIethBytes, Anomaly::TruncatedIeth, &ReadIeth},
    {ExtendedHeader::CnpReserved, kCnpReservedBytes, Anomaly::TruncatedCnp, &ReadCnpReserved},
}};

constexpr bool
RowsInWireOrder()
{
    for (std::size_t i = 0; i < kHeaders.size(); ++i)
    {
        if (HeaderBit(kHeaders[i].header) != (1u << i))
        {
            return false;
        }
    }
    return true;
}

static_assert(RowsInWireOrder(), "the header rows follow the ExtendedHeader bits");
static_assert(kRethBytes == 8 + 4 + 4, "RETH: VA, R_Key, DMA length");
static_assert(kAtomicEthBytes == 8 + 4 + 8 + 8, "AtomicETH: VA, R_Key, swap/add, compare");
static_assert(kDethBytes == 4 + 4, "DETH: Q_Key, reserved byte and source QP");

// IBTA's RNR timer encoding in units of 10 µs; code 0 means 655.36 ms.
constexpr std::array<std::uint32_t, 32> kRnrTimerTensOfMicroseconds = {
    65536, 1,    2,    3,    4,    6,     8,     12,    16,    24,    32,
    48,    64,   96,   128,  192,  256,   384,   512,   768,   1024,  1536,
    2048,  3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768, 49152,
};

} // namespace

bool
DecodeAethSyndrome(std::uint8_t syndrome, AethFields& out)
{
    out.syndrome = syndrome;
    out.kind = static_cast<AethKind>((syndrome >> 5) & 0x03);
    out.value = static_cast<std::uint8_t>(syndrome & 0x1F);
    bool reservedBit = (syndrome & 0x80) != 0;
    bool reservedNak = out.kind == AethKind::Nak
                       && out.value > static_cast<std::uint8_t>(NakCode::InvalidRdRequest);
    return !reservedBit && out.kind != AethKind::Reserved && !reservedNak;
}

std::int64_t
RnrTimerNs(std::uint8_t code)
{
    return std::int64_t{kRnrTimerTensOfMicroseconds[code & 0x1F]} * 10'000;
}

Anomaly
DecodeReth(ByteReader& reader, RethFields& out)
{
    if (!reader.CanRead(kRethBytes))
    {
        return Anomaly::TruncatedReth;
    }
    reader.ReadU64(out.virtualAddress);
    reader.ReadU32(out.rkey);
    reader.ReadU32(out.dmaLength);
    return Anomaly::None;
}

Anomaly
DecodeAtomicEth(ByteReader& reader, AtomicEthFields& out)
{
    if (!reader.CanRead(kAtomicEthBytes))
    {
        return Anomaly::TruncatedAtomicEth;
    }
    reader.ReadU64(out.virtualAddress);
    reader.ReadU32(out.rkey);
    reader.ReadU64(out.swapOrAdd);
    reader.ReadU64(out.compare);
    return Anomaly::None;
}

Anomaly
DecodeAeth(ByteReader& reader, AethFields& out, AnomalySet& notes)
{
    if (!reader.CanRead(kAethBytes))
    {
        return Anomaly::TruncatedAeth;
    }
    std::uint8_t syndrome = 0;
    reader.ReadU8(syndrome);
    reader.ReadU24(out.msn);
    if (!DecodeAethSyndrome(syndrome, out))
    {
        notes.Add(Anomaly::BadAethSyndrome);
    }
    return Anomaly::None;
}

Anomaly
DecodeDeth(ByteReader& reader, DethFields& out)
{
    if (!reader.CanRead(kDethBytes))
    {
        return Anomaly::TruncatedDeth;
    }
    std::uint8_t reserved = 0;
    reader.ReadU32(out.qkey);
    reader.ReadU8(reserved);
    reader.ReadU24(out.sourceQp);
    return Anomaly::None;
}

Anomaly
DecodeExtendedHeaders(ByteReader& reader,
                      std::uint16_t headers,
                      ExtendedHeaders& out,
                      AnomalySet& notes)
{
    for (const HeaderRow& row : kHeaders)
    {
        if (headers == 0)
        {
            break; // most packets carry none or one: stop at the last one asked for
        }
        if ((headers & HeaderBit(row.header)) == 0)
        {
            continue;
        }
        headers = static_cast<std::uint16_t>(headers & ~HeaderBit(row.header));
        if (!reader.CanRead(row.bytes))
        {
            return row.truncated;
        }
        row.read(reader, out, notes);
        out.present |= HeaderBit(row.header);
    }
    return Anomaly::None;
}

} // namespace fab::dpi
