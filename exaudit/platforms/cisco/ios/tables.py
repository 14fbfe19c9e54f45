"""IOS's vocabulary: protocol and port names, ICMP types, list numbering, ACE options."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import TCP_FLAG_BITS
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import Addr

NAME = "ios"


def _p(*values: int) -> IntervalSet:
    return IntervalSet.of(values)


PROTOCOLS_V4: dict[str, IntervalSet | None] = {
    "ip": None,
    "tcp": _p(6),
    "udp": _p(17),
    "icmp": _p(1),
    "igmp": _p(2),
    "gre": _p(47),
    "esp": _p(50),
    "ahp": _p(51),
    "eigrp": _p(88),
    "ospf": _p(89),
    "ipinip": _p(4),
    "nos": _p(94),
    "pcp": _p(108),
    "pim": _p(103),
    "sctp": _p(132),
}
PROTOCOLS_V6: dict[str, IntervalSet | None] = {
    "ipv6": None,
    "tcp": _p(6),
    "udp": _p(17),
    "icmp": _p(58),
    "sctp": _p(132),
    "esp": _p(50),
    "ahp": _p(51),
    "pcp": _p(108),
    "gre": _p(47),
}

# IOS's own port keywords (``permit tcp any any eq ?``); they differ from the ASA's.
TCP_PORTS = {
    "bgp": 179,
    "chargen": 19,
    "cmd": 514,
    "daytime": 13,
    "discard": 9,
    "domain": 53,
    "drip": 3949,
    "echo": 7,
    "exec": 512,
    "finger": 79,
    "ftp": 21,
    "ftp-data": 20,
    "gopher": 70,
    "hostname": 101,
    "ident": 113,
    "irc": 194,
    "klogin": 543,
    "kshell": 544,
    "login": 513,
    "lpd": 515,
    "msrpc": 135,
    "nntp": 119,
    "onep-plain": 15001,
    "onep-tls": 15002,
    "pim-auto-rp": 496,
    "pop2": 109,
    "pop3": 110,
    "smtp": 25,
    "sunrpc": 111,
    "tacacs": 49,
    "talk": 517,
    "telnet": 23,
    "time": 37,
    "uucp": 540,
    "whois": 43,
    "www": 80,
}
UDP_PORTS = {
    "biff": 512,
    "bootpc": 68,
    "bootps": 67,
    "discard": 9,
    "dnsix": 195,
    "domain": 53,
    "echo": 7,
    "isakmp": 500,
    "mobile-ip": 434,
    "nameserver": 42,
    "netbios-dgm": 138,
    "netbios-ns": 137,
    "netbios-ss": 139,
    "non500-isakmp": 4500,
    "ntp": 123,
    "pim-auto-rp": 496,
    "rip": 520,
    "ripv6": 521,
    "snmp": 161,
    "snmptrap": 162,
    "sunrpc": 111,
    "syslog": 514,
    "tacacs": 49,
    "talk": 517,
    "tftp": 69,
    "time": 37,
    "who": 513,
    "xdmcp": 177,
}
# IOS-like dialects filed as IOS (Arista EOS exports) also write these; they name the
# IANA port unambiguously, so accepting them changes no IOS reading.
DIALECT_PORTS = {"https": 443, "ssh": 22}
PORT_NAMES = {**UDP_PORTS, **TCP_PORTS, **DIALECT_PORTS}

ICMP6_NAMES: dict[str, tuple[int, int | None]] = {
    "unreachable": (1, None),
    "destination-unreachable": (1, None),
    "no-route": (1, 0),
    "no-admin": (1, 1),
    "beyond-scope": (1, 2),
    "port-unreachable": (1, 4),
    "packet-too-big": (2, None),
    "time-exceeded": (3, None),
    "hop-limit": (3, 0),
    "reassembly-timeout": (3, 1),
    "parameter-problem": (4, None),
    "header": (4, 0),
    "next-header": (4, 1),
    "parameter-option": (4, 2),
    "echo-request": (128, None),
    "echo-reply": (129, None),
    "mld-query": (130, None),
    "mld-report": (131, None),
    "mld-reduction": (132, None),
    "router-solicitation": (133, None),
    "router-advertisement": (134, None),
    "nd-ns": (135, None),
    "nd-na": (136, None),
    "redirect": (137, None),
    "router-renumbering": (138, None),
    "renum-command": (138, 0),
    "renum-result": (138, 1),
    "renum-seq-number": (138, 255),
    "mldv2": (143, None),
    "dhaad-request": (144, None),
    "dhaad-reply": (145, None),
}

IGMP_TYPES = {
    "dvmrp",
    "host-query",
    "host-report",
    "mtrace-response",
    "mtrace-route",
    "pim",
    "trace",
}

# Numbered IP access lists by range (anything else is a MAC, protocol-type... list).
NUMBERED = (
    ((1, 99), "standard"),
    ((1300, 1999), "standard"),
    ((100, 199), "extended"),
    ((2000, 2699), "extended"),
)

# ``ip access-list`` words that are global settings or kinds of list exaudit does not
# read (they filter no interface traffic).
NAMED_SETTINGS = frozenset({"logging", "log-update", "role-based", "fqdn", "match-local-traffic"})
# Global ``no`` forms that undo something exaudit models, and the method reading each;
# every other ``no`` form turns off something exaudit does not model.
NO_FORMS = {
    ("access-list",): "_no_numbered",
    ("ip", "access-list"): "_remove",
    ("ipv6", "access-list"): "_remove",
    ("interface",): "_no_interface",
}
ACCESS_GROUP = (["ip", "access-group"], ["ipv6", "traffic-filter"])
# Interface types IOS creates and deletes (``no interface``); physical ones stay.
VIRTUAL_INTERFACES = (
    "loopback",
    "tunnel",
    "vlan",
    "port-channel",
    "bvi",
    "dialer",
    "virtual-template",
    "multilink",
    "null",
)

# ACE options that do not change which packets match.
NO_EFFECT = {"log", "log-input"}
# ACE options exaudit does not model, with how many words follow them.
UNMODELLED = {
    "precedence": 1,
    "tos": 1,
    "dscp": 1,
    "time-range": 1,
    "option": 1,
    "reflect": 1,
    "timeout": 1,
    "routing": 0,
    "hbh": 0,
    "flow-label": 1,
    "undetermined-transport": 0,
    "routing-type": 1,
    "dest-option-type": 1,
    "mobility": 0,
    "mobility-type": 1,
    "auth": 0,
}
# ``fragments``: the entry matches only non-initial fragments (Cisco, "Access Control
# Lists and IP Fragments": an initial fragment does not match it). exaudit's questions
# are about a new connection's first packet and its replies, never such fragments, so
# the entry matches none of them; the reader marks its rules with this and drops them.
FRAGMENTS_ONLY = "fragments (non-initial fragments only)"
FLAG_WORDS = {
    name.lower(): bit
    for name, bit in TCP_FLAG_BITS.items()
    if name in ("FIN", "SYN", "RST", "PSH", "ACK", "URG")
}
ALL_OPTION_WORDS = (
    NO_EFFECT
    | set(UNMODELLED)
    | set(FLAG_WORDS)
    | {"established", "match-all", "match-any", "ttl", "packet-length", "sequence", "fragments"}
)


def flag_set(constraints: list[tuple[int, bool]], any_of: bool) -> IntervalSet:
    """The flags bytes meeting all (or any) of ``(bit, must_be_set)``."""

    def ok(value: int) -> bool:
        tests = [bool(value & bit) == wanted for bit, wanted in constraints]
        return any(tests) if any_of else all(tests)

    return IntervalSet.of(v for v in range(256) if ok(v))


ESTABLISHED = flag_set([(TCP_FLAG_BITS["ACK"], True), (TCP_FLAG_BITS["RST"], True)], True)


def numbered_kind(name: str) -> str | None:
    if not cc.DIGITS.match(name):
        return None
    value = int(name)
    for (lo, hi), kind in NUMBERED:
        if lo <= value <= hi:
            return kind
    return None


def family_space(family: int) -> IntervalSet:
    return addresses.ALL_V6 if family == 6 else addresses.ALL_V4


def any_address(family: int) -> Addr:
    return Addr(family_space(family))
