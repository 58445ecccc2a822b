#!/usr/bin/env python3
"""An independent check of RoCEv2 ICRCs, for tests to run against what the project writes.

It shares nothing with the C++ code: another language, another CRC (zlib's), and the invariant
fields masked from the IBTA's description of the ICRC (Annex A17, RoCEv2):

  * the missing LRH is stood for by 8 bytes of ones;
  * IPv4: type of service, time to live and header checksum are ones;
    IPv6: traffic class, flow label and hop limit are ones;
  * UDP: the checksum is ones;
  * BTH: its fifth byte (FECN, BECN and the reserved bits after them) is ones.

The CRC-32 of all that, through the last payload byte before the ICRC, is the ICRC, sent
least significant byte first.

  roce-icrc-oracle.py CAPTURE.pcap     every UDP/4791 frame of a classic pcap (Ethernet, with or
                                       without 802.1Q/802.1ad tags; IPv4 or IPv6)
  roce-icrc-oracle.py --hex FRAME.hex  one Ethernet frame written as hex ('#' starts a comment)

Prints "roce=N cnp=N bad_icrc=N truncated=N" and exits 1 when an ICRC is wrong, 2 when the
input cannot be read. Frames cut by the snap length are counted as truncated, not checked.
"""

import struct
import sys
import zlib

ROCE_V2_PORT = 4791
CNP_OPCODE = 0x81
BTH_BYTES = 12
ICRC_BYTES = 4
VLAN_ETHERTYPES = (0x8100, 0x88A8, 0x9100)
IPV4_ETHERTYPE = 0x0800
IPV6_ETHERTYPE = 0x86DD
UDP_PROTOCOL = 17
LINKTYPE_ETHERNET = 1


class Counts:
    def __init__(self):
        self.roce = 0
        self.cnp = 0
        self.bad_icrc = 0
        self.truncated = 0

    def line(self):
        return "roce=%d cnp=%d bad_icrc=%d truncated=%d" % (
            self.roce, self.cnp, self.bad_icrc, self.truncated)


def masked_ip_header(frame, start, version):
    """The IP header with its variant fields set to ones, and where UDP starts."""
    if version == 4:
        header_bytes = (frame[start] & 0x0F) * 4
        header = bytearray(frame[start:start + header_bytes])
        header[1] = 0xFF             # type of service (DSCP and ECN)
        header[8] = 0xFF             # time to live
        header[10:12] = b"\xff\xff"  # header checksum
        return header, start + header_bytes
    header = bytearray(frame[start:start + 40])
    header[0] |= 0x0F                # traffic class, high nibble
    header[1:4] = b"\xff\xff\xff"    # traffic class, low nibble, and the flow label
    header[7] = 0xFF                 # hop limit
    return header, start + 40


def udp_to_roce(frame, offset):
    """(IP version, IP header start, UDP start) of a UDP/4791 frame, else None."""
    if len(frame) < offset + 2:
        return None
    ethertype = struct.unpack_from("!H", frame, offset)[0]
    offset += 2
    while ethertype in VLAN_ETHERTYPES:
        if len(frame) < offset + 4:
            return None
        ethertype = struct.unpack_from("!H", frame, offset + 2)[0]
        offset += 4
    if ethertype == IPV4_ETHERTYPE:
        if len(frame) < offset + 20 or frame[offset] >> 4 != 4:
            return None
        protocol = frame[offset + 9]
        udp = offset + (frame[offset] & 0x0F) * 4
        version = 4
    elif ethertype == IPV6_ETHERTYPE:
        if len(frame) < offset + 40 or frame[offset] >> 4 != 6:
            return None
        protocol = frame[offset + 6]
        udp = offset + 40
        version = 6
    else:
        return None
    if protocol != UDP_PROTOCOL or len(frame) < udp + 8:
        return None
    if struct.unpack_from("!H", frame, udp + 2)[0] != ROCE_V2_PORT:
        return None
    return version, offset, udp


def check_frame(frame, wire_length, counts):
    found = udp_to_roce(frame, 12)
    if found is None:
        return
    version, ip_start, udp_start = found
    counts.roce += 1
    udp_length = struct.unpack_from("!H", frame, udp_start + 4)[0]
    end = udp_start + udp_length
    if len(frame) < wire_length or len(frame) < end or udp_length < 8 + BTH_BYTES + ICRC_BYTES:
        counts.truncated += 1
        return
    bth = udp_start + 8
    if frame[bth] == CNP_OPCODE:
        counts.cnp += 1
    ip_header, _ = masked_ip_header(frame, ip_start, version)
    udp_header = bytearray(frame[udp_start:udp_start + 8])
    udp_header[6:8] = b"\xff\xff"
    transport = bytearray(frame[bth:end - ICRC_BYTES])
    transport[4] = 0xFF
    computed = zlib.crc32(b"\xff" * 8 + bytes(ip_header) + bytes(udp_header) + bytes(transport))
    sent = struct.unpack_from("<I", frame, end - ICRC_BYTES)[0]
    if computed != sent:
        counts.bad_icrc += 1


def read_pcap(path, counts):
    with open(path, "rb") as capture:
        data = capture.read()
    if len(data) < 24:
        raise ValueError("%s: shorter than a pcap file header (24 bytes)" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError("%s: byte 0: not a classic pcap file (magic %s)" % (path, magic.hex()))
    link_type = struct.unpack_from(order + "I", data, 20)[0] & 0x0FFFFFFF
    if link_type != LINKTYPE_ETHERNET:
        raise ValueError("%s: link type %d; only Ethernet (1) is checked" % (path, link_type))
    offset = 24
    while offset + 16 <= len(data):
        captured, wire = struct.unpack_from(order + "II", data, offset + 8)
        offset += 16
        if offset + captured > len(data):
            raise ValueError("%s: byte %d: a record of %d bytes runs past the end of the file"
                             % (path, offset - 16, captured))
        check_frame(data[offset:offset + captured], wire, counts)
        offset += captured


def read_hex(path, counts):
    words = []
    with open(path, "r", encoding="ascii") as text:
        for line in text:
            words.extend(line.split("#", 1)[0].split())
    frame = bytes.fromhex("".join(words))
    check_frame(frame, len(frame), counts)


def main(arguments):
    if len(arguments) == 2 and arguments[0] == "--hex":
        reader, path = read_hex, arguments[1]
    elif len(arguments) == 1 and not arguments[0].startswith("-"):
        reader, path = read_pcap, arguments[0]
    else:
        sys.stderr.write("usage: roce-icrc-oracle.py CAPTURE.pcap | --hex FRAME.hex\n")
        return 2
    counts = Counts()
    try:
        reader(path, counts)
    except (OSError, ValueError) as error:
        sys.stderr.write("roce-icrc-oracle: %s\n" % error)
        return 2
    print(counts.line())
    return 1 if counts.bad_icrc else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
