"""nftables values: priorities, addresses, ports, protocols, ICMP types, states, flags."""

from __future__ import annotations

import re
import socket

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import TCP_FLAG_BITS, State
from exaudit.core.protocols import NUMBERS

# priority names of the ip, ip6 and inet families (nft(8), "PRIORITY")
PRIORITIES = {"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50}
PRIORITIES_SRCNAT = 100
NAT_PRIORITY_HOOKS = {"dstnat": "prerouting", "srcnat": "postrouting"}
# conntrack runs at this priority on prerouting and output (NF_IP_PRI_CONNTRACK)
CONNTRACK_PRIORITY = -200

PROTOCOLS = {**NUMBERS, "dccp": 33}  # the names nft knows
PORT_PROTOCOLS = IntervalSet.of([6, 17, 33, 132, 136])
ICMP_TYPES = {
    "echo-reply": 0,
    "destination-unreachable": 3,
    "source-quench": 4,
    "redirect": 5,
    "echo-request": 8,
    "router-advertisement": 9,
    "router-solicitation": 10,
    "time-exceeded": 11,
    "parameter-problem": 12,
    "timestamp-request": 13,
    "timestamp-reply": 14,
    "info-request": 15,
    "info-reply": 16,
    "address-mask-request": 17,
    "address-mask-reply": 18,
}
ICMPV6_TYPES = {
    "destination-unreachable": 1,
    "packet-too-big": 2,
    "time-exceeded": 3,
    "parameter-problem": 4,
    "echo-request": 128,
    "echo-reply": 129,
    "mld-listener-query": 130,
    "mld-listener-report": 131,
    "mld-listener-done": 132,
    "mld-listener-reduction": 132,
    "nd-router-solicit": 133,
    "nd-router-advert": 134,
    "nd-neighbor-solicit": 135,
    "nd-neighbor-advert": 136,
    "nd-redirect": 137,
    "router-renumbering": 138,
    "ind-neighbor-solicit": 141,
    "ind-neighbor-advert": 142,
    "mld2-listener-report": 143,
}
CT_STATES = {
    "new": State.NEW,
    "established": State.ESTABLISHED,
    "related": State.RELATED,
    "invalid": State.INVALID,
    "untracked": State.UNTRACKED,
}
TCP_FLAGS = {name.lower(): bit for name, bit in TCP_FLAG_BITS.items()}
NFPROTO = {"ipv4": addresses.ALL_V4, "ipv6": addresses.ALL_V6}
# the services nft knows without /etc/services (it prints numbers since 0.9.x)
SERVICES = {
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "http": 80,
    "pop3": 110,
    "sunrpc": 111,
    "nntp": 119,
    "ntp": 123,
    "netbios-ns": 137,
    "netbios-dgm": 138,
    "netbios-ssn": 139,
    "imap2": 143,
    "imap": 143,
    "snmp": 161,
    "ldap": 389,
    "https": 443,
    "microsoft-ds": 445,
    "submission": 587,
    "ldaps": 636,
    "imaps": 993,
    "pop3s": 995,
}


def priority(words: list[str], family: str, hook: str | None) -> int:
    """``filter``, ``-150``, ``filter + 10``, ``mangle - 5`` as a number."""
    if not words:
        raise ValueError("priority: no value")
    text = " ".join(words)
    base_word, offset = words[0], 0
    if len(words) == 3 and words[1] in ("+", "-"):
        offset = _int(words[2], "priority offset") * (1 if words[1] == "+" else -1)
    elif len(words) != 1:
        raise ValueError(f"priority {text!r}: expected NAME, NUMBER or NAME +/- NUMBER")
    # nft accepts dstnat only on prerouting and srcnat only on postrouting
    only = NAT_PRIORITY_HOOKS.get(base_word)
    if only is not None and hook != only:
        raise ValueError(f"priority {base_word} is only valid on the {only} hook")
    if base_word == "srcnat":
        return PRIORITIES_SRCNAT + offset
    if base_word in PRIORITIES:
        return PRIORITIES[base_word] + offset
    return _int(base_word, "priority") + offset


def _int(text: str, what: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a number") from None


def port(text: str) -> int:
    """A port by number or service name."""
    if text.isdigit():
        value = int(text)
    elif text in SERVICES:
        value = SERVICES[text]
    else:
        try:
            value = socket.getservbyname(text)
        except OSError:
            raise ValueError(f"unknown service {text!r}") from None
    if not 0 <= value <= 65535:
        raise ValueError(f"port {text} out of range")
    return value


def ports(text: str) -> IntervalSet:
    """``22``, ``ssh``, ``1024-65535``."""
    if "-" in text and not text.startswith("-"):
        lo, _, hi = text.partition("-")
        try:
            a, b = port(lo), port(hi)
        except ValueError:
            return IntervalSet.point(port(text))  # a service name with a dash
        if b < a:
            raise ValueError(f"range {text} ends before it starts")
        return IntervalSet.span(a, b)
    return IntervalSet.point(port(text))


def protocol(text: str) -> int:
    if text in PROTOCOLS:
        return PROTOCOLS[text]
    value = _int(text, "protocol")
    if not 0 <= value <= 255:
        raise ValueError(f"protocol {text} out of range")
    return value


def protocols(text: str) -> IntervalSet:
    if "-" in text and text[0].isdigit():
        lo, _, hi = text.partition("-")
        return IntervalSet.span(protocol(lo), protocol(hi))
    return IntervalSet.point(protocol(text))


_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = re.compile(rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:/(3[0-2]|[12]?\d))?$")


def _fast_v4(text: str) -> IntervalSet | None:
    """A dotted IPv4 address or prefix without the ipaddress module (most values are)."""
    m = _V4.match(text)
    if m is None:
        return None
    a, b, c, d, bits = m.groups()  # no leading zeros, nothing out of range: the regex
    length = int(bits) if bits is not None else 32
    value = int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)
    mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
    low = value & mask
    return IntervalSet.span(low, low | (~mask & 0xFFFFFFFF))


def address(text: str, version: int) -> IntervalSet:
    """``10.0.0.0/8``, ``10.0.0.1-10.0.0.9``, ``::1``, of the given IP version only."""
    if version == 4:
        fast = _fast_v4(text)
        if fast is not None:
            return fast
    try:
        got = addresses.parse(text)
    except addresses.AddressError as exc:
        raise ValueError(str(exc)) from None
    space = addresses.ALL_V4 if version == 4 else addresses.ALL_V6
    if not got.issubset(space):
        raise ValueError(f"{text} is not an IPv{version} address")
    return got


def icmp_types(text: str, table: dict[str, int]) -> IntervalSet:
    if text in table:
        return IntervalSet.point(table[text])
    if "-" in text and text[0].isdigit():
        lo, _, hi = text.partition("-")
        return IntervalSet.span(_byte(lo), _byte(hi))
    return IntervalSet.point(_byte(text))


def _byte(text: str) -> int:
    value = _int(text, "type")
    if not 0 <= value <= 255:
        raise ValueError(f"{text} out of range")
    return value


def ct_state(text: str) -> int:
    if text not in CT_STATES:
        raise ValueError(f"unknown ct state {text!r}")
    return int(CT_STATES[text])


def tcp_flag_bits(words: list[str]) -> int:
    """``syn``, ``syn|ack``, ``0x12``: one bit mask."""
    value = 0
    for word in words:
        if word in ("|", ","):
            continue
        if word in TCP_FLAGS:
            value |= TCP_FLAGS[word]
        else:
            value |= _byte(word)
    return value
