#ifndef FABRICSCOPE_DPI_OPCODE_TABLE_H
#define FABRICSCOPE_DPI_OPCODE_TABLE_H

#include <cstdint>
#include <string_view>

namespace fab::dpi
{

/** The top three bits of a BTH opcode (IBTA vol. 1, 9.2; RoCEv2 CNP from Annex A17). */
enum class Transport : std::uint8_t
{
    Rc,           ///< 000 reliable connection
    Uc,           ///< 001 unreliable connection
    Rd,           ///< 010 reliable datagram
    Ud,           ///< 011 unreliable datagram
    Cnp,          ///< 100 congestion notification
    Xrc,          ///< 101 extended reliable connection
    Reserved,     ///< 110
    Manufacturer, ///< 111 vendor specific
};

/** The low five bits of a BTH opcode, named as for RC. */
enum class Operation : std::uint8_t
{
    SendFirst = 0x00,
    SendMiddle = 0x01,
    SendLast = 0x02,
    SendLastWithImmediate = 0x03,
    SendOnly = 0x04,
    SendOnlyWithImmediate = 0x05,
    RdmaWriteFirst = 0x06,
    RdmaWriteMiddle = 0x07,
    RdmaWriteLast = 0x08,
    RdmaWriteLastWithImmediate = 0x09,
    RdmaWriteOnly = 0x0A,
    RdmaWriteOnlyWithImmediate = 0x0B,
    RdmaReadRequest = 0x0C,
    RdmaReadResponseFirst = 0x0D,
    RdmaReadResponseMiddle = 0x0E,
    RdmaReadResponseLast = 0x0F,
    RdmaReadResponseOnly = 0x10,
    Acknowledge = 0x11,
    AtomicAcknowledge = 0x12,
    CompareSwap = 0x13,
    FetchAdd = 0x14,
    Resync = 0x15,
    SendLastWithInvalidate = 0x16,
    SendOnlyWithInvalidate = 0x17,
    Flush = 0x1C,       ///< IBTA 1.5 persistent-memory FLUSH
    AtomicWrite = 0x1D, ///< IBTA 1.5 ATOMIC WRITE
};

/** The RoCEv2 congestion notification packet (Annex A17): BTH, 16 reserved bytes, ICRC. */
inline constexpr std::uint8_t kOpcodeRoceCnp = 0x81;
/** The native InfiniBand CNP of the congestion-control annex (A10). */
inline constexpr std::uint8_t kOpcodeIbCnp = 0x80;

/**
 * The extended transport headers, one bit each, in the order they follow the BTH on the wire
 * (IBTA vol. 1, 9.2: RDETH, DETH, XRCETH, then RETH/AtomicETH/AETH, AtomicAckETH, ImmDt, IETH).
 */
enum class ExtendedHeader : std::uint16_t
{
    Rdeth = 1u << 0,
    Deth = 1u << 1,
    Xrceth = 1u << 2,
    Feth = 1u << 3,
    Reth = 1u << 4,
    AtomicEth = 1u << 5,
    Aeth = 1u << 6,
    AtomicAckEth = 1u << 7,
    ImmDt = 1u << 8,
    Ieth = 1u << 9,
    CnpReserved = 1u << 10, ///< the 16 reserved bytes of a RoCEv2 CNP
};

inline constexpr std::uint16_t
HeaderBit(ExtendedHeader header)
{
    return static_cast<std::uint16_t>(header);
}

/** What an opcode means for the decoder: is it defined, and which headers follow the BTH. */
struct OpcodeInfo
{
    bool known{false};
    std::uint16_t headers{0}; ///< ExtendedHeader bits
};

Transport TransportOf(std::uint8_t opcode);
Operation OperationOf(std::uint8_t opcode);
inline constexpr std::uint8_t
MakeOpcode(Transport transport, Operation operation)
{
    return static_cast<std::uint8_t>((static_cast<unsigned>(transport) << 5)
                                     | static_cast<unsigned>(operation));
}

/** One lookup in a 256-entry table built at compile time. */
const OpcodeInfo& LookupOpcode(std::uint8_t opcode);

/** "RC", "UC", "RD", "UD", "CNP", "XRC", "reserved", "manufacturer". */
std::string_view TransportName(Transport transport);
/** "SEND_FIRST" … "ATOMIC_WRITE", "CNP" for the CNP opcodes, "unknown" otherwise. */
std::string_view OperationName(std::uint8_t opcode);

} // namespace fab::dpi

#endif
