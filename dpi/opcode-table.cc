#include "dpi/opcode-table.h"

#include <array>

namespace fab::dpi
{
namespace
{

constexpr std::uint16_t kNoHeaders = 0;
constexpr std::uint16_t kReth = HeaderBit(ExtendedHeader::Reth);
constexpr std::uint16_t kAeth = HeaderBit(ExtendedHeader::Aeth);
constexpr std::uint16_t kImm = HeaderBit(ExtendedHeader::ImmDt);
constexpr std::uint16_t kIeth = HeaderBit(ExtendedHeader::Ieth);
constexpr std::uint16_t kAtomic = HeaderBit(ExtendedHeader::AtomicEth);
constexpr std::uint16_t kAtomicAck = HeaderBit(ExtendedHeader::AtomicAckEth);
constexpr std::uint16_t kFeth = HeaderBit(ExtendedHeader::Feth);
constexpr std::uint16_t kDeth = HeaderBit(ExtendedHeader::Deth);
constexpr std::uint16_t kRdeth = HeaderBit(ExtendedHeader::Rdeth);
constexpr std::uint16_t kXrceth = HeaderBit(ExtendedHeader::Xrceth);

/**
 * One row per operation (the low five bits): the headers it carries on RC and on which
 * transports it exists. A response carries no DETH on RD and no XRCETH on XRC, since it goes
 * back on the requester's own context.
 */
struct OperationRow
{
    std::string_view name;
    std::uint16_t headers;
    bool rc, uc, rd, ud, xrc;
    bool response;
};

constexpr std::array<OperationRow, 32> kOperations = {{
    {"SEND_FIRST", kNoHeaders, true, true, true, false, true, false},
    {"SEND_MIDDLE", kNoHeaders, true, true, true, false, true, false},
    {"SEND_LAST", kNoHeaders, true, true, true, false, true, false},
    {"SEND_LAST_WITH_IMMEDIATE", kImm, true, true, true, false, true, false},
    {"SEND_ONLY", kNoHeaders, true, true, true, true, true, false},
    {"SEND_ONLY_WITH_IMMEDIATE", kImm, true, true, true, true, true, false},
    {"RDMA_WRITE_FIRST", kReth, true, true, true, false, true, false},
    {"RDMA_WRITE_MIDDLE", kNoHeaders, true, true, true, false, true, false},
    {"RDMA_WRITE_LAST", kNoHeaders, true, true, true, false, true, false},
    {"RDMA_WRITE_LAST_WITH_IMMEDIATE", kImm, true, true, true, false, true, false},
    {"RDMA_WRITE_ONLY", kReth, true, true, true, false, true, false},
    {"RDMA_WRITE_ONLY_WITH_IMMEDIATE", kReth | kImm, true, true, true, false, true, false},
    {"RDMA_READ_REQUEST", kReth, true, false, true, false, true, false},
    {"RDMA_READ_RESPONSE_FIRST", kAeth, true, false, true, false, true, true},
    {"RDMA_READ_RESPONSE_MIDDLE", kNoHeaders, true, false, true, false, true, true},
    {"RDMA_READ_RESPONSE_LAST", kAeth, true, false, true, false, true, true},
    {"RDMA_READ_RESPONSE_ONLY", kAeth, true, false, true, false, true, true},
    {"ACKNOWLEDGE", kAeth, true, false, true, false, true, true},
    {"ATOMIC_ACKNOWLEDGE", kAeth | kAtomicAck, true, false, true, false, true, true},
    {"COMPARE_SWAP", kAtomic, true, false, true, false, true, false},
    {"FETCH_ADD", kAtomic, true, false, true, false, true, false},
    {"RESYNC", kNoHeaders, false, false, true, false, false, false},
    {"SEND_LAST_WITH_INVALIDATE", kIeth, true, false, false, false, true, false},
    {"SEND_ONLY_WITH_INVALIDATE", kIeth, true, false, false, false, true, false},
    {"unknown", kNoHeaders, false, false, false, false, false, false},
    {"unknown", kNoHeaders, false, false, false, false, false, false},
    {"unknown", kNoHeaders, false, false, false, false, false, false},
    {"unknown", kNoHeaders, false, false, false, false, false, false},
    {"FLUSH", kFeth | kReth, true, false, false, false, false, false},
    {"ATOMIC_WRITE", kReth, true, false, false, false, false, false},
    {"unknown", kNoHeaders, false, false, false, false, false, false},
    {"unknown", kNoHeaders, false, false, false, false, false, false},
}};

constexpr OpcodeInfo
Describe(unsigned opcode)
{
    const OperationRow& row = kOperations[opcode & 0x1F];
    switch (opcode >> 5)
    {
        case 0: // RC
            return {row.rc, row.headers};
        case 1: // UC
            return {row.uc, row.headers};
        case 2: // RD: RDETH always, DETH on requests
            return {row.rd,
                    static_cast<std::uint16_t>(kRdeth | (row.response ? 0 : kDeth) | row.headers)};
        case 3: // UD: DETH, and only the two SEND_ONLY opcodes exist
            return {row.ud, static_cast<std::uint16_t>(kDeth | row.headers)};
        case 4:
            if (opcode == kOpcodeRoceCnp)
            {
                return {true, HeaderBit(ExtendedHeader::CnpReserved)};
            }
            return {opcode == kOpcodeIbCnp, kNoHeaders};
        case 5: // XRC: XRCETH on requests
            return {row.xrc,
                    static_cast<std::uint16_t>((row.response ? 0 : kXrceth) | row.headers)};
        default:
            return {false, kNoHeaders};
    }
}

constexpr std::array<OpcodeInfo, 256>
BuildOpcodeTable()
{
    std::array<OpcodeInfo, 256> table{};
    for (unsigned opcode = 0; opcode < table.size(); ++opcode)
    {
        table[opcode] = Describe(opcode);
    }
    return table;
}

constexpr std::array<OpcodeInfo, 256> kOpcodes = BuildOpcodeTable();

static_assert(kOpcodes[0x64].known && kOpcodes[0x64].headers == kDeth, "UD SEND_ONLY has DETH");
static_assert(!kOpcodes[0x60].known, "UD has no SEND_FIRST");
static_assert(kOpcodes[0x12].headers == (kAeth | kAtomicAck), "ATOMIC_ACK: AETH, AtomicAckETH");
static_assert(!kOpcodes[0x2C].known, "UC has no RDMA READ");
static_assert(kOpcodes[0x81].known && !kOpcodes[0x82].known, "0x81 is the RoCEv2 CNP");

} // namespace

Transport
TransportOf(std::uint8_t opcode)
{
    return static_cast<Transport>(opcode >> 5);
}

Operation
OperationOf(std::uint8_t opcode)
{
    return static_cast<Operation>(opcode & 0x1F);
}

const OpcodeInfo&
LookupOpcode(std::uint8_t opcode)
{
    return kOpcodes[opcode];
}

std::string_view
TransportName(Transport transport)
{
    static constexpr std::array<std::string_view, 8> kNames
        = {"RC", "UC", "RD", "UD", "CNP", "XRC", "reserved", "manufacturer"};
    return kNames[static_cast<std::size_t>(transport) & 7];
}

std::string_view
OperationName(std::uint8_t opcode)
{
    if (TransportOf(opcode) == Transport::Cnp)
    {
        return kOpcodes[opcode].known ? std::string_view("CNP") : std::string_view("unknown");
    }
    return kOpcodes[opcode].known ? kOperations[opcode & 0x1F].name : std::string_view("unknown");
}

} // namespace fab::dpi
