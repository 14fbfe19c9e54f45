"""The ASA's vocabulary: protocols, port literals, ICMP types, commands and their passes."""

from __future__ import annotations

import re

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMP, ICMPV6
from exaudit.platforms.cisco import common as cc

NAME = "asa"
# The ASA keeps state for every connection it lets through, by an ACL or by security
# levels: replies never meet the rules.
STATEFUL = True


def _p(*values: int) -> IntervalSet:
    return IntervalSet.of(values)


PROTOCOLS: dict[str, IntervalSet | None] = {
    "ip": None,
    "ah": _p(51),
    "eigrp": _p(88),
    "esp": _p(50),
    "gre": _p(47),
    "icmp": _p(1),
    "icmp6": _p(58),
    "igmp": _p(2),
    "igrp": _p(9),
    "ipinip": _p(4),
    "ipsec": _p(50),
    "nos": _p(94),
    "ospf": _p(89),
    "pcp": _p(108),
    "pim": _p(103),
    "pptp": _p(47),
    "snp": _p(109),
    "tcp": _p(6),
    "udp": _p(17),
    "sctp": _p(132),
    "tcp-udp": _p(6, 17),
}

# The ASA's own port literals (ASA configuration guide, "TCP and UDP Ports"); several
# differ from IOS and from IANA (kerberos 750, radius 1645, secureid-udp 5510, ...).
PORT_NAMES = {
    "aol": 5190,
    "bgp": 179,
    "biff": 512,
    "bootpc": 68,
    "bootps": 67,
    "chargen": 19,
    "cifs": 3020,
    "citrix-ica": 1494,
    "cmd": 514,
    "ctiqbe": 2748,
    "daytime": 13,
    "discard": 9,
    "dnsix": 195,
    "domain": 53,
    "echo": 7,
    "exec": 512,
    "finger": 79,
    "ftp": 21,
    "ftp-data": 20,
    "gopher": 70,
    "h323": 1720,
    "hostname": 101,
    "http": 80,
    "https": 443,
    "ident": 113,
    "imap4": 143,
    "irc": 194,
    "isakmp": 500,
    "kerberos": 750,
    "klogin": 543,
    "kshell": 544,
    "ldap": 389,
    "ldaps": 636,
    "login": 513,
    "lotusnotes": 1352,
    "lpd": 515,
    "mobile-ip": 434,
    "nameserver": 42,
    "netbios-dgm": 138,
    "netbios-ns": 137,
    "netbios-ssn": 139,
    "nfs": 2049,
    "nntp": 119,
    "ntp": 123,
    "pcanywhere-data": 5631,
    "pcanywhere-status": 5632,
    "pim-auto-rp": 496,
    "pop2": 109,
    "pop3": 110,
    "pptp": 1723,
    "radius": 1645,
    "radius-acct": 1646,
    "rip": 520,
    "rsh": 514,
    "rtsp": 554,
    "secureid-udp": 5510,
    "sip": 5060,
    "smtp": 25,
    "snmp": 161,
    "snmptrap": 162,
    "sqlnet": 1521,
    "ssh": 22,
    "sunrpc": 111,
    "syslog": 514,
    "tacacs": 49,
    "talk": 517,
    "telnet": 23,
    "tftp": 69,
    "time": 37,
    "uucp": 540,
    "vxlan": 4789,
    "who": 513,
    "whois": 43,
    "www": 80,
    "xdmcp": 177,
}

ICMP4_NAMES = {name: value for name, value in cc.ICMP4_NAMES.items() if value[1] is None}
ICMP6_NAMES: dict[str, tuple[int, int | None]] = {
    "unreachable": (1, None),
    "packet-too-big": (2, None),
    "time-exceeded": (3, None),
    "parameter-problem": (4, None),
    "echo": (128, None),
    "echo-reply": (129, None),
    "membership-query": (130, None),
    "membership-report": (131, None),
    "membership-reduction": (132, None),
    "router-solicitation": (133, None),
    "router-advertisement": (134, None),
    "neighbor-solicitation": (135, None),
    "neighbor-advertisement": (136, None),
    "neighbor-redirect": (137, None),
    "router-renumbering": (138, None),
}
ICMP_NAMES = {ICMP: ICMP4_NAMES, ICMPV6: ICMP6_NAMES}

LOG_LEVELS = {
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
}
# Identity conditions that may stand before the source address; exaudit has no users.
IDENTITY_ARGS = {
    "user": 1,
    "user-group": 1,
    "object-group-user": 1,
    "object-group-security": 1,
    "security-group": 2,
}
# Filtering commands of PIX and pre-9.0 ASA releases exaudit does not read.
LEGACY_FILTERS = {"conduit", "outbound", "apply"}
# object-group kinds by their keyword (a service group with a protocol is a port group)
GROUP_KINDS = {
    "network": "network",
    "service": "service",
    "protocol": "protocol",
    "icmp-type": "icmp",
}
# The words after ``clear`` that mean ``clear configure``.
CONFIGURE_WORDS = ("configure", "config", "conf")
# The pass that reads each top-level command (0 names, 1 objects, 2 object-groups and
# interfaces, 3 lists and bindings) and the method reading it, by its first words. A
# ``no`` form is read in the pass of what it undoes; every other ``no`` form turns off
# something exaudit does not model.
COMMANDS: dict[tuple[str, ...], tuple[int, str]] = {
    ("name",): (0, "_name"),
    ("no", "name"): (0, "_no_names"),
    ("no", "names"): (0, "_no_names"),
    ("object",): (1, "_object"),
    ("no", "object"): (1, "_no_object"),
    ("object-group",): (2, "_object_group"),
    ("no", "object-group"): (2, "_no_object_group"),
    ("interface",): (2, "_interface"),
    ("no", "interface"): (2, "_no_interface"),
    ("access-list",): (3, "_access_list"),
    ("no", "access-list"): (3, "_no_access_list"),
    ("access-group",): (3, "_access_group"),
    ("no", "access-group"): (3, "_no_access_group"),
    ("same-security-traffic",): (3, "_same_security"),
    ("no", "same-security-traffic"): (3, "_same_security"),
    ("ipv6", "access-list"): (3, "_legacy"),
    **{(word,): (3, "_legacy") for word in LEGACY_FILTERS},
}
# ``clear configure WHAT`` forms that remove something exaudit models (the others clear
# what it does not model), read like COMMANDS.
CLEARS: dict[str, tuple[int, str]] = {
    "name": (0, "_no_names"),
    "names": (0, "_no_names"),
    "object": (1, "_no_object"),
    "object-group": (2, "_no_object_group"),
    "interface": (2, "_clear_interfaces"),
    "access-list": (3, "_clear_access_lists"),
    "access-group": (3, "_clear_access_groups"),
    "same-security-traffic": (3, "_clear_same_security"),
}
# Interface kinds the ASA creates and deletes (``no interface``); physical ones stay.
VIRTUAL_INTERFACES = ("vlan", "port-channel", "bvi", "redundant", "tunnel", "loopback")
# ``show access-list`` output carries counters and hashes after the entry.
DISPLAY_NOISE = re.compile(r"^(\(hitcnt=\d+\)|\(inactive\)|0x[0-9a-fA-F]+)$")


def clears(words: list[str]) -> str | None:
    """What a ``clear configure WHAT ...`` line clears (None for any other line)."""
    low = [w.lower() for w in words[:3]]
    if len(low) == 3 and low[0] == "clear" and low[1] in CONFIGURE_WORDS:
        return low[2]
    return None


def command(words: list[str]) -> tuple[int, str] | None:
    """The pass and the method that read a top-level line, or None to leave it."""
    what = clears(words)
    if what is not None:
        return CLEARS.get(what)
    low = tuple(w.lower() for w in words[:2])
    return COMMANDS.get(low) or COMMANDS.get(low[:1])
