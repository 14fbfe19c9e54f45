"""Cisco ASA: access-lists with objects and object-groups, access-groups, security levels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    ICMP,
    ICMPV6,
    Chain,
    IssueKind,
    Match,
    Origin,
    Rule,
    Ruleset,
    Stage,
    Target,
    Verb,
)
from exaudit.platforms import cisco_common as cc
from exaudit.platforms.api import FixRequest, Platform
from exaudit.platforms.cisco_common import (
    Addr,
    Group,
    ParseError,
    Service,
    Tokens,
    cached_stages,
    unresolved_member,
)
from exaudit.platforms.comments import CISCO

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


# --- parsed structure -------------------------------------------------------------------


@dataclass(eq=False)
class Entry:
    index: int  # 0-based line
    rules: list[Rule]
    remark: bool = False
    inactive: bool = False
    text: str = ""  # the entry as written after the list's name (``line N`` left out)
    doubt_at: int | None = None  # a line that may have removed it


@dataclass
class Acl:
    name: str
    index: int
    entries: list[Entry] = field(default_factory=list)
    doubts: int = 0  # entries that may be gone (then ``line N`` positions are not sure)

    def rules(self) -> list[Rule]:
        return [r for e in self.entries for r in e.rules]


@dataclass
class Interface:
    name: str  # hardware name, GigabitEthernet0/0
    index: int
    nameif: str | None = None
    nameif_index: int | None = None
    level: int | None = None
    level_index: int | None = None
    addresses: IntervalSet = field(default_factory=IntervalSet)
    management_only: int | None = None  # the ``management-only`` line
    # a line after which the level is 0 or 100, which one not documented (``no
    # security-level`` on inside; an inside interface with no level set, renamed)
    level_doubt: int | None = None
    # (line, why) when what filters through this interface is undetermined
    doubt: tuple[int, str] | None = None

    def security_level(self) -> int:
        # an interface named "inside" defaults to 100, every other to 0
        if self.level is not None:
            return self.level
        return 100 if (self.nameif or "").lower() == "inside" else 0

    def security_levels(self) -> tuple[int, ...]:
        """Every level the interface may have."""
        return (0, 100) if self.level_doubt is not None else (self.security_level(),)


@dataclass
class Binding:
    acl: str
    index: int  # the access-group line
    doubt: str | None = None  # why it may no longer be in effect


# --- the parser -------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        lines = cc.split_lines(text, path)
        self.ctx = cc.Context(path, lines, Ruleset(NAME, path, lines_total=len(lines)))
        self.conf = cc.load_blocks(lines, path, "asa")
        self.names: dict[str, IntervalSet] = {}
        self.name_lines: dict[str, int] = {}  # name -> line that defined it first
        self.name_doubt: dict[str, str] = {}  # names a later line may have removed
        self.objects = cc.Groups(self.ctx)
        self.groups = cc.Groups(self.ctx)
        self.interfaces: dict[str, Interface] = {}
        self._numbers: dict[str, list[str]] = {}  # interface numbering -> names configured
        self.nameifs_gone: list[tuple[str, int, Interface]] = []  # (old nameif, line, iface)
        self.acls: dict[str, Acl] = {}
        self.bindings: dict[tuple[str, str], Binding] = {}  # (nameif or "", in|out|global)
        self.same_security: dict[str, int] = {}  # inter-interface / intra-interface -> line

    def run(self) -> Ruleset:
        tops = cc.top_level(self.conf)
        # ``clear configure all`` empties the running configuration: only what follows
        # the last one counts
        start = 0
        for i, obj in enumerate(tops):
            if _clears(obj.text.split()) == "all":
                start = i + 1
        # names first (everything may use them), objects before groups (groups name
        # objects, never the reverse), then interfaces, then lists and bindings; a ``no``
        # or ``clear configure`` form is read in the pass of what it undoes
        passes: list[list[tuple[Any, list[str], str]]] = [[] for _ in range(4)]
        for obj in tops[start:]:
            words = obj.text.split()
            found = _command(words)
            if found is not None:
                passes[found[0]].append((obj, words, found[1]))
        for step in passes:
            for obj, words, method in step:
                self._guard(obj.linenum, getattr(self, method), obj, words)
        self._finish()
        return self.ctx.ruleset

    def _legacy(self, obj, words: list[str]) -> None:
        # filtering commands of old PIX/ASA releases: flagged, never skipped
        self.ctx.ace_lines.add(obj.linenum)
        self.ctx.not_understood(
            obj.linenum, f"'{' '.join(words[:2])}' (PIX/ASA 8.x syntax) is not supported"
        )

    def _guard(self, index: int, action: Callable[..., None], *args: object) -> None:
        try:
            action(*args)
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))

    # names, objects, groups -------------------------------------------------------------

    def _name(self, obj, words: list[str]) -> None:
        if len(words) < 3:
            raise ParseError("expected 'name ADDRESS NAME'")
        if not (cc.is_ipv4(words[1]) or cc.is_ipv6(words[1])):
            raise ParseError(f"{words[1]!r} is not an address")
        name, value = words[2], cc.host(words[1])
        if name in self.names and self.names[name] != value:
            # which address the ASA keeps for it is not documented
            self.name_doubt.setdefault(
                name, f"line {obj.linenum + 1} gives {name} another address (not modelled)"
            )
            self.ctx.not_understood(
                obj.linenum,
                f"{name} already names another address: the lines using it are undetermined",
            )
        self.names.setdefault(name, value)
        self.name_lines.setdefault(name, obj.linenum)

    def _no_names(self, obj, words: list[str]) -> None:
        """``no name ADDRESS NAME``, ``no names``, ``clear configure names``: what the ASA
        does with the lines that use a removed name is not documented, so they are
        undetermined (names defined only further down are not affected)."""
        index = obj.linenum
        low = [w.lower() for w in words]
        if low[:2] == ["no", "name"]:
            if len(words) < 3:
                raise ParseError("expected 'no name ADDRESS NAME'")
            gone = [words[-1]]
        else:
            gone = list(self.names)
        gone = [name for name in gone if self.name_lines.get(name, index) < index]
        for name in gone:
            self.name_doubt.setdefault(
                name, f"line {index + 1} may have removed name {name} (not modelled)"
            )
        if gone:
            self.ctx.not_understood(
                index,
                f"removing name {', '.join(gone)} is not "
                "modelled; the lines using it are undetermined",
            )

    def _object(self, obj, words: list[str]) -> None:
        if len(words) < 3:
            return
        kind = words[1].lower()
        if kind not in ("network", "service"):
            raise ParseError(f"object {kind} is not supported")
        group = self.objects.define(Group(kind, words[2], obj.linenum))
        for child in cc.children(obj):
            cw = child.text.split()
            if not cw or cw[0].startswith("!") or cw[0].lower() == "description":
                continue
            if self._member_removed(group, child, cw):
                continue
            before = list(group.members)
            try:
                if kind == "network":
                    self._object_network_member(group, cw, child.linenum)
                else:
                    if cw[0].lower() != "service":
                        raise ParseError(f"expected 'service', found {cw[0]!r}")
                    toks = Tokens(cw[1:])
                    group.members.extend(self._service_spec(toks))
                    self._end(toks)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))
                group.members.append(
                    unresolved_member(kind, f"line {child.linenum + 1} not understood: {exc}")
                )
            added = group.members[len(before) :]
            if before and added and added != before:
                # An object holds one value; whether this one replaces the one before is
                # not documented: both are kept as an outer bound, and every use of the
                # object is undetermined.
                self.ctx.not_understood(
                    child.linenum,
                    f"object {group.name} already has a "
                    "value: replacing it is not modelled; its uses are "
                    "undetermined",
                )
                group.doubt = (
                    group.doubt
                    or f"line {child.linenum + 1} gives object "
                    f"{group.name} a second value (not modelled)"
                )

    def _member_removed(self, group: Group, child, words: list[str]) -> bool:
        """A ``no ...`` line inside an object or object-group: removing a member is not
        modelled, so the members may be fewer than read and every use is undetermined."""
        if words[0].lower() != "no":
            return False
        self.ctx.not_understood(
            child.linenum,
            f"'{child.text.strip()}' (removing from "
            f"{group.name}) is not modelled; its uses are undetermined",
        )
        group.doubt = (
            group.doubt or f"line {child.linenum + 1} may have removed a member (not modelled)"
        )
        return True

    def _no_object(self, obj, words: list[str]) -> None:
        """``no object KIND NAME`` / ``clear configure object [KIND]``: the ASA refuses to
        delete an object in use, and a deleted one may be defined again; neither is
        modelled, so the uses of the objects defined above are undetermined."""
        self._doubt_groups(self.objects, obj.linenum, words, "object")

    def _no_object_group(self, obj, words: list[str]) -> None:
        """``no object-group KIND NAME`` / ``clear configure object-group [KIND]``: as
        ``_no_object``."""
        self._doubt_groups(self.groups, obj.linenum, words, "object-group")

    def _doubt_groups(self, groups: cc.Groups, index: int, words: list[str], what: str) -> None:
        cleared = _clears(words) is not None
        rest = words[3:] if cleared else words[2:]
        if not cleared and len(rest) < 2:
            raise ParseError(f"expected 'no {what} KIND NAME'")
        if cleared:
            kind = GROUP_KINDS.get(rest[0].lower(), rest[0].lower()) if rest else None
            names = [
                n
                for n, g in groups.by_name.items()
                if kind is None or g.kind == kind or (kind == "service" and g.kind == "port")
            ]
        else:
            names = [rest[1]]
        why = f"line {index + 1} may have deleted it (not modelled)"
        hit = [name for name in names if groups.doubt(name, index, f"{what} {name}: {why}")]
        if hit:
            self.ctx.not_understood(
                index,
                f"deleting {what} {', '.join(hit)} is not modelled; "
                "the entries using it are undetermined",
            )

    def _object_network_member(self, group: Group, words: list[str], index: int) -> None:
        toks = Tokens(words)
        head = toks.take().lower()
        if head == "nat":
            return  # address translation: it does not change which packets an ACL matches
        if head == "host":
            group.members.append(Addr(self._host(toks.take("an address"))))
        elif head == "subnet":
            group.members.append(Addr(self._net(toks)))
        elif head == "range":
            group.members.append(Addr(cc.span(toks.take("an address"), toks.take("an address"))))
        elif head == "fqdn":
            toks.take_if("v4", "v6")
            name = toks.take("a domain name")
            why = f"fqdn {name} (resolved by DNS at run time)"
            self.ctx.not_modelled(index, f"object {group.name}: {why}")
            group.members.append(Addr(IntervalSet(), (f"object {group.name}: {why}",)))
        else:
            raise ParseError(f"unknown object network line {head!r}")
        self._end(toks)

    def _object_group(self, obj, words: list[str]) -> None:
        if len(words) < 3:
            return
        kind_word = words[1].lower()
        kinds = GROUP_KINDS
        if kind_word in ("user", "security"):
            group = self.groups.define(Group(kind_word, words[2], obj.linenum))
            return
        if kind_word not in kinds:
            raise ParseError(f"object-group {kind_word} is not supported")
        kind = kinds[kind_word]
        subtype = None
        if kind == "service" and len(words) >= 4:
            subtype = words[3].lower()
            if subtype not in ("tcp", "udp", "tcp-udp"):
                raise ParseError(f"unknown service group type {subtype!r}")
            kind = "port"
        group = self.groups.define(Group(kind, words[2], obj.linenum, subtype=subtype))
        for child in cc.children(obj):
            cw = child.text.split()
            if not cw or cw[0].startswith("!") or cw[0].lower() == "description":
                continue
            if self._member_removed(group, child, cw):
                continue
            try:
                self._group_member(group, cw, child.linenum)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))
                group.members.append(
                    unresolved_member(group.kind, f"line {child.linenum + 1} not understood: {exc}")
                )

    def _group_member(self, group: Group, words: list[str], index: int) -> None:
        toks = Tokens(words)
        head = toks.take().lower()
        if head == "group-object":
            group.nested.append((toks.take("a group name"), index))
        elif group.kind == "network" and head == "network-object":
            if toks.take_if("object"):
                name = toks.take("an object name")
                group.members.extend(
                    self.objects.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
                )
            elif toks.take_if("host"):
                group.members.append(Addr(self._host(toks.take("an address"))))
            else:
                group.members.append(Addr(self._net(toks)))
        elif group.kind == "port" and head == "port-object":
            ports = cc.port_operator(toks, PORT_NAMES, multi_eq=False)
            if ports is None:
                raise ParseError("expected eq or range after port-object")
            group.members.append(ports)
        elif group.kind == "service" and head == "service-object":
            if toks.take_if("object"):
                name = toks.take("an object name")
                group.members.extend(
                    self.objects.members(
                        name, "service", lambda why: Service(None, None, None, (why,))
                    )
                )
            else:
                group.members.extend(self._service_spec(toks))
        elif group.kind == "protocol" and head == "protocol-object":
            group.members.append(cc.protocol(toks.take("a protocol"), PROTOCOLS))
        elif group.kind == "icmp" and head == "icmp-object":
            group.members.append(toks.take("an ICMP type").lower())
        else:
            raise ParseError(f"{head!r} does not belong in a {group.kind} group")
        self._end(toks)

    def _service_spec(self, toks: Tokens) -> list[Service]:
        """``PROTO [source OP P] [destination OP P]`` or ``icmp [TYPE [CODE]]``."""
        proto = cc.protocol(toks.take("a protocol"), PROTOCOLS)
        if (
            proto is not None
            and len(proto.spans) == 1
            and proto.min() in ICMP_NAMES
            and proto.size() == 1
        ):
            number = proto.min()
            types, codes = cc.icmp_message(toks, ICMP_NAMES[number])
            return [cc.icmp_service(number, types, codes)]
        if proto is None or not proto.issubset(cc.PORT_PROTOCOLS):
            return [Service(proto)]
        sport = dport = None
        while not toks.done():
            if toks.take_if("source"):
                sport = self._port_op(toks)
            elif toks.take_if("destination"):
                dport = self._port_op(toks)
            elif toks.peek_lower() in cc.PORT_OPERATORS:
                dport = self._port_op(toks)  # the destination keyword may be left out
            else:
                break
        return [Service(proto, sport, dport)]

    def _port_op(self, toks: Tokens) -> IntervalSet:
        ports = cc.port_operator(toks, PORT_NAMES, multi_eq=False)
        if ports is None:
            raise ParseError("expected a port operator")
        return ports

    def _end(self, toks: Tokens) -> None:
        if not toks.done():
            raise ParseError(f"unexpected {' '.join(toks.rest())!r}")

    # addresses --------------------------------------------------------------------------

    def _host(self, word: str) -> IntervalSet:
        if cc.is_ipv4(word) or cc.is_ipv6(word):
            return cc.host(word)
        if word in self.name_doubt:
            raise ParseError(self.name_doubt[word])
        if word in self.names:
            return self.names[word]
        raise ParseError(f"{word!r} is not an address or a name")

    def _net(self, toks: Tokens) -> IntervalSet:
        """``ADDRESS MASK`` (a name may stand for the address) or ``IPV6/LEN``."""
        word = toks.take("an address")
        if cc.is_prefix(word):
            return cc.prefix(word)
        base = word if cc.is_ipv4(word) else None
        if base is None and word in self.name_doubt:
            raise ParseError(self.name_doubt[word])
        if base is None and word in self.names:
            base = addresses.first_address(self.names[word])
        if base is None or not cc.is_ipv4(base):
            raise ParseError(f"{word!r} is not an address or a name")
        mask = toks.take("a netmask")
        if not cc.is_ipv4(mask):
            raise ParseError(f"{mask!r} is not a netmask")
        return cc.with_netmask(base, mask)

    def _address(self, toks: Tokens, index: int) -> Addr:
        word = toks.take("an address")
        low = word.lower()
        if low == "any":
            return Addr(addresses.ALL)
        if low == "any4":
            return Addr(addresses.ALL_V4)
        if low == "any6":
            return Addr(addresses.ALL_V6)
        if low == "host" and toks.peek() in self.name_doubt:
            return Addr(IntervalSet(), (self.name_doubt[toks.take()],))
        if low == "host":
            return Addr(self._host(toks.take("an address")))
        if word in self.name_doubt:
            if cc.is_ipv4(toks.peek()):
                toks.take()  # its netmask
            return Addr(IntervalSet(), (self.name_doubt[word],))
        if low == "object":
            name = toks.take("an object name")
            return cc.union_addr(
                self.objects.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
            )
        if low == "object-group":
            name = toks.take("an object-group name")
            return cc.union_addr(
                self.groups.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
            )
        if low == "interface":
            return self._interface_address(toks.take("an interface name"))
        toks.i -= 1
        return Addr(self._net(toks))

    def _interface_address(self, nameif: str) -> Addr:
        for iface in self.interfaces.values():
            if iface.nameif == nameif:
                if iface.addresses:
                    return Addr(iface.addresses)
                return Addr(IntervalSet(), (f"interface {nameif} has no static address",))
        return Addr(IntervalSet(), (f"interface {nameif} is not defined",))

    # access lists -----------------------------------------------------------------------

    def _access_list(self, obj, words: list[str]) -> None:
        index = obj.linenum
        if obj.children:
            self.ctx.note(
                index,
                "indented lines under an access-list line (show "
                "access-list expansions) are ignored; the line itself is read",
            )
        words = [w for w in words if not DISPLAY_NOISE.match(w)]
        if len(words) >= 2 and (words[1].endswith(";") or words[1] == "cached"):
            self.ctx.note(index, "show access-list summary line: not configuration; ignored")
            return
        if len(words) < 3:
            self.ctx.ace_lines.add(index)
            self.ctx.not_understood(index, "incomplete access-list line")
            return
        name = words[1]
        try:
            position, toks = _line_number(words)
        except ParseError as exc:
            self.ctx.ace_lines.add(index)
            self.ctx.not_understood(index, str(exc))
            return
        kind = toks.peek_lower()
        text = " ".join(toks.words[toks.i :])
        if kind == "remark":
            self._add(name, index, Entry(index, [], remark=True, text=text), position)
            return
        if kind in ("ethertype", "webtype"):
            self.ctx.note(
                index,
                f"{kind} access list {name} does not filter IP traffic "
                "the way exaudit evaluates it; ignored",
            )
            return
        self.ctx.ace_lines.add(index)
        entry = self._read_ace(index, toks)
        entry.text = text
        self._add(name, index, entry, position)

    def _read_ace(self, index: int, toks: Tokens) -> Entry:
        """An extended or standard entry; a line not understood is an entry of unknown
        effect (its verb kept when known)."""
        kind = toks.peek_lower()
        origin = self.ctx.origin(index)
        verb = None
        try:
            if kind not in ("extended", "standard"):
                raise ParseError(f"unknown access-list type {kind!r}")
            toks.take()
            verb = {"permit": Verb.ACCEPT, "deny": Verb.DROP}.get(toks.peek_lower() or "")
            return (
                self._extended(origin, toks) if kind == "extended" else self._standard(origin, toks)
            )
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))
            return Entry(
                index, [cc.unknown_rule(origin, verb, f"not understood: {exc}", stateful=True)]
            )

    def _add(self, name: str, index: int, entry: Entry, position: int | None) -> None:
        acl = self.acls.setdefault(name, Acl(name, index))
        if position is None or position > len(acl.entries):
            acl.entries.append(entry)
            return
        if acl.doubts and any(e.doubt_at is not None for e in acl.entries[: position - 1]):
            # line N counts entries that may be gone: where this one lands is undetermined,
            # so nothing from the earliest place it may take on is decided for sure
            why = (
                f"line {position}: its place is undetermined (an entry before it may "
                "have been removed)"
            )
            self.ctx.not_understood(index, why)
            entry = Entry(
                index,
                [cc.unknown_rule(self.ctx.origin(index), None, why, stateful=True)],
                text=entry.text,
            )
            position = next(i for i, e in enumerate(acl.entries, 1) if e.doubt_at is not None)
        acl.entries.insert(position - 1, entry)

    # undoing lists and bindings ---------------------------------------------------------

    def _no_access_list(self, obj, words: list[str]) -> None:
        """``no access-list NAME ...`` with "the entire command syntax string as it appears
        in the configuration" deletes that entry (ASA configuration guide). Written the
        same way: deleted. Matching the same packets, written differently, or not
        understood: whether the ASA deletes it is undetermined."""
        index = obj.linenum
        words = [w for w in words[1:] if not DISPLAY_NOISE.match(w)]
        if len(words) < 2:
            raise ParseError("incomplete 'no access-list' line")
        acl = self.acls.get(words[1])
        if acl is None:
            return  # no such list: nothing to delete
        if len(words) == 2:
            # not documented (the guide removes a list with clear configure access-list)
            self.ctx.not_understood(
                index,
                f"'no access-list {acl.name}' without an entry is "
                "not documented; the list's entries are undetermined",
            )
            for entry in acl.entries:
                self._doubt(acl, entry, index, f"line {index + 1} may have deleted it")
            return
        position, toks = _line_number(words)
        kind = toks.peek_lower()
        text = " ".join(toks.words[toks.i :])
        if kind in ("ethertype", "webtype"):
            return  # lists exaudit does not read
        same = [e for e in acl.entries if e.text == text and e.remark == (kind == "remark")]
        at = acl.entries[position - 1] if position and position <= len(acl.entries) else None
        if kind == "remark":
            if same:
                self._remove_entry(acl, same[0], index)
            return
        sig = self._quiet_sig(index, toks)
        if len(same) == 1 and (position is None or at is same[0]):
            self._remove_entry(acl, same[0], index)
            same = []
        twins = [
            e
            for e in acl.entries
            if not e.remark
            and e.doubt_at is None
            and (e in same or sig is None or _signature(e) == sig)
        ]
        if twins:
            self.ctx.not_understood(
                index,
                f"whether 'no access-list {acl.name} {text}' "
                f"deletes line {twins[0].index + 1} (written differently, "
                "or not understood) is not modelled; the entries it may "
                "name are undetermined",
            )
            for entry in twins:
                self._doubt(acl, entry, index, f"line {index + 1} may have deleted it")

    def _quiet_sig(self, index: int, toks: Tokens) -> tuple | None:
        """The signature of the entry a ``no`` line names (None if not understood); it is
        read only to compare, so what reading it reports is dropped."""
        with self.ctx.quiet() as said:
            entry = self._read_ace(index, toks)
        return None if any(i.kind is IssueKind.UNPARSED for i in said) else _signature(entry)

    def _doubt(self, acl: Acl, entry: Entry, index: int, why: str) -> None:
        """``entry`` may no longer be in ``acl`` because of line ``index``."""
        if entry.doubt_at is None:
            entry.doubt_at = index
            acl.doubts += 1
        entry.rules = cc.doubtful(entry.rules, why)
        if not entry.remark:
            self.ctx.not_modelled(entry.index, why)

    def _remove_entry(self, acl: Acl, entry: Entry, index: int) -> None:
        acl.entries.remove(entry)
        if entry.doubt_at is not None:
            acl.doubts -= 1
        if not acl.entries:
            # a list without entries no longer exists
            self._drop_acl(acl.name, index)

    def _drop_acl(self, name: str, index: int) -> None:
        """List ``name`` is gone at line ``index``: what the ASA does with access-groups
        naming it is not documented, so they may or may not still be in effect."""
        self.acls.pop(name, None)
        bound = [b for b in self.bindings.values() if b.acl == name]
        for binding in bound:
            binding.doubt = binding.doubt or f"line {index + 1} deleted access-list {name}"
        if bound:
            self.ctx.not_understood(
                index,
                f"access-list {name} is bound by an access-group: "
                "what happens to the access-group when the list is "
                "deleted is not modelled; its verdicts are undetermined",
            )

    def _clear_access_lists(self, obj, words: list[str]) -> None:
        """``clear configure access-list [NAME]`` removes the list (or every list)."""
        names = words[3:4] or list(self.acls)
        for name in names:
            if name in self.acls:
                self._drop_acl(name, obj.linenum)

    def _clear_access_groups(self, obj, words: list[str]) -> None:
        """``clear configure access-group`` removes every binding."""
        self.bindings.clear()

    def _clear_same_security(self, obj, words: list[str]) -> None:
        self.same_security.clear()

    def _standard(self, origin: Origin, toks: Tokens) -> Entry:
        target = cc.ACTIONS.get(toks.take("permit or deny").lower())
        if target is None:
            raise ParseError("expected permit or deny")
        # a standard ASA list names destination addresses (route maps, split tunnels)
        dst = self._address(toks, origin.line - 1)
        self._end(toks)
        self._report(origin, [Service()], dst)
        return Entry(
            origin.line - 1,
            cc.build_rules(origin, target, [Service()], Addr(addresses.ALL), dst, stateful=True),
        )

    def _extended(self, origin: Origin, toks: Tokens) -> Entry:
        index = origin.line - 1
        target = cc.ACTIONS.get(toks.take("permit or deny").lower())
        if target is None:
            raise ParseError("expected permit or deny")
        unknown: list[str] = []
        services, protos = self._protocol_spec(toks)
        for _ in range(2):  # identity conditions may precede the source
            word = toks.peek_lower()
            if word in IDENTITY_ARGS:
                toks.take()
                args = [toks.take(f"a value after {word}") for _ in range(IDENTITY_ARGS[word])]
                unknown.append(f"{word} {' '.join(args)}")
                self.ctx.not_modelled(
                    index, f"{word} {' '.join(args)}: identity conditions are not modelled"
                )
        src = self._address(toks, index)
        ported = protos is not None and protos.issubset(cc.PORT_PROTOCOLS)
        sport = self._ports(toks, unknown, after_dst=False) if ported else None
        dst = self._address(toks, index)
        dport = self._ports(toks, unknown, after_dst=True) if ported else None
        if protos is not None and protos.issubset(IntervalSet.of([ICMP, ICMPV6])):
            services = self._icmp_services(toks, protos) or services
        elif ported and (sport is not None or dport is not None):
            services = [Service(protos, sport, dport)]
        inactive = False
        while not toks.done():
            word = toks.take().lower()
            if word == "log":
                nxt = toks.peek_lower()
                if (
                    nxt in ("disable", "default")
                    or nxt in LOG_LEVELS
                    or cc._DIGITS.match(nxt or "")
                ):
                    toks.take()
                if toks.take_if("interval"):
                    toks.take("an interval")
            elif word == "interval":
                toks.take("an interval")
            elif word == "inactive":
                inactive = True
            elif word == "time-range":
                name = toks.take("a time-range name")
                unknown.append(f"time-range {name}")
                self.ctx.not_modelled(
                    index, f"time-range {name}: the entry applies only at some times"
                )
            else:
                raise ParseError(f"unknown option {word!r}")
        if inactive:
            self.ctx.note(index, "inactive entry: ignored, as the ASA does")
            return Entry(index, [], inactive=True)
        self._report(origin, services, src, dst)
        for why in unknown:
            if why.endswith("is not defined"):
                self.ctx.not_modelled(
                    index, f"{why}: the entry's verdicts are undetermined where it matters"
                )
        return Entry(
            index,
            cc.build_rules(
                origin, target, services, src, dst, unknown=tuple(unknown), stateful=True
            ),
        )

    def _protocol_spec(self, toks: Tokens) -> tuple[list[Service], IntervalSet | None]:
        """The protocol position: (service boxes, the protocols when ports may follow)."""
        word = toks.take("a protocol").lower()
        if word == "object":
            name = toks.take("a service object name")
            if self.objects.kind_of(name) is None and name.lower() in PROTOCOLS:
                return [Service(PROTOCOLS[name.lower()])], None  # built-in ``object icmp``
            return self.objects.members(
                name, "service", lambda why: Service(None, None, None, (why,))
            ), None
        if word == "object-group":
            name = toks.take("an object-group name")
            if self.groups.kind_of(name) == "protocol":
                members = self.groups.members(
                    name, "protocol", lambda why: Service(None, None, None, (why,))
                )
                services = [m if isinstance(m, Service) else Service(m) for m in members]
                protos = IntervalSet()
                for s in services:
                    if s.proto is None:
                        return services, None
                    protos = protos | s.proto
                return services, protos
            return self.groups.members(
                name, "service", lambda why: Service(None, None, None, (why,))
            ), None
        proto = cc.protocol(word, PROTOCOLS)
        return [Service(proto)], proto

    def _ports(self, toks: Tokens, unknown: list[str], after_dst: bool) -> IntervalSet | None:
        word = toks.peek_lower()
        name = toks.peek(1) or ""
        if word == "object-group" and after_dst and self.groups.kind_of(name) is None:
            # only a port group can follow the destination: this one is not defined
            toks.take()
            toks.take()
            unknown.append(f"object-group {name} is not defined")
            return None
        if word == "object-group" and self.groups.kind_of(name) == "port":
            toks.take()
            members = self.groups.members(toks.take(), "port", lambda why: ParseError(why))
            out = IntervalSet()
            for m in members:
                if isinstance(m, ParseError):
                    raise m
                out = out | m
            return out
        return cc.port_operator(toks, PORT_NAMES, multi_eq=False)

    def _icmp_services(self, toks: Tokens, protos: IntervalSet) -> list[Service]:
        """An ICMP type (and code), or an icmp-type group, after the destination."""
        words: list[str] = []
        codes: IntervalSet | None = None
        if (
            toks.peek_lower() == "object-group"
            and self.groups.kind_of(toks.peek(1) or "") == "icmp"
        ):
            toks.take()
            words = self.groups.members(toks.take(), "icmp", lambda why: why)
        elif (
            toks.peek_lower() in ICMP4_NAMES
            or toks.peek_lower() in ICMP6_NAMES
            or cc._DIGITS.match(toks.peek() or "")
        ):
            words = [toks.take().lower()]
            if cc._DIGITS.match(toks.peek() or ""):
                codes = IntervalSet.point(cc.number(toks.take(), 0, 255, "ICMP code"))
        if not words:
            return []
        out = []
        for number in (ICMP, ICMPV6):
            if number not in protos:
                continue
            types = IntervalSet()
            for word in words:
                if cc._DIGITS.match(word):
                    types = types | IntervalSet.point(cc.number(word, 0, 255, "ICMP type"))
                elif word in ICMP_NAMES[number]:
                    types = types | IntervalSet.point(ICMP_NAMES[number][word][0])
                else:
                    raise ParseError(f"unknown ICMP type {word!r}")
            out.append(cc.icmp_service(number, types, codes))
        return out

    def _report(self, origin: Origin, services: list[Service], *addrs: Addr) -> None:
        reasons = [u for a in addrs for u in a.unknown] + [u for s in services for u in s.unknown]
        for why in dict.fromkeys(reasons):
            self.ctx.not_modelled(
                origin.line - 1, f"{why}: the entry's verdicts are undetermined where it matters"
            )

    # interfaces and bindings -----------------------------------------------------------

    def _iface(self, name: str, index: int | None) -> Interface | None:
        """The interface ``name`` configures, however an earlier line spelt it; a new one
        when ``index`` (its block's line) is given and none matches."""
        spelt = self._numbers.setdefault(cc.interface_number(name), [])
        key = cc.same_interface(name, spelt)
        if key is None:
            if index is None:
                return None
            iface = Interface(name, index)
            self.interfaces[name] = iface
            spelt.append(name)
            return iface
        iface = self.interfaces[key]
        if index is not None and len(name) > len(key):
            # keep the longest spelling: a query may abbreviate it, never expand it
            del self.interfaces[key]
            spelt[spelt.index(key)] = name
            iface.name = name
            self.interfaces[name] = iface
        return iface

    def _interface(self, obj, words: list[str]) -> None:
        if len(words) < 2:
            return
        iface = self._iface(" ".join(words[1:]), obj.linenum)
        assert iface is not None
        for child in cc.children(obj):
            words = child.text.split()
            low = [w.lower() for w in words]
            try:
                self._interface_line(iface, child.linenum, words, low)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))

    def _interface_line(
        self, iface: Interface, index: int, words: list[str], low: list[str]
    ) -> None:
        if low[:1] == ["nameif"] and len(words) == 2:
            if iface.nameif is not None and iface.nameif != words[1]:
                self._nameif_gone(iface, index)
            iface.nameif, iface.nameif_index = words[1], index
            if low[1] == "inside" and iface.level is None:
                iface.level_doubt = None  # named inside without a level: 100, as documented
        elif low[:2] == ["no", "nameif"]:
            self._nameif_gone(iface, index)
            iface.nameif = None
        elif low[:1] == ["security-level"] and len(words) == 2:
            iface.level = cc.number(words[1], 0, 100, "security level")
            iface.level_index, iface.level_doubt = index, None
        elif low[:2] == ["no", "security-level"]:
            iface.level, iface.level_index = None, None
            if (iface.nameif or "").lower() == "inside":
                # back to the default: 0, or the 100 that naming it inside set? Not documented
                iface.level_doubt = index
                self.ctx.not_understood(
                    index,
                    f"the security level of {iface.nameif} after "
                    "'no security-level' (0 or 100) is not documented; "
                    "the verdicts it decides are undetermined",
                )
        elif low[:2] == ["ip", "address"] and len(words) >= 4 and cc.is_ipv4(words[2]):
            # one IPv4 address per interface: a new one replaces the old
            addrs = cc.host(words[2])
            if len(words) >= 6 and low[4] == "standby" and cc.is_ipv4(words[5]):
                addrs = addrs | cc.host(words[5])
            iface.addresses = (iface.addresses - addresses.ALL_V4) | addrs
        elif low[:3] == ["no", "ip", "address"]:
            iface.addresses = iface.addresses - addresses.ALL_V4
        elif low[:2] == ["ipv6", "address"] and len(words) >= 3 and "/" in words[2]:
            address = words[2].split("/")[0]
            if cc.is_ipv6(address):
                iface.addresses = iface.addresses | cc.host(address)
        elif low[:3] == ["no", "ipv6", "address"]:
            if len(words) == 3:
                iface.addresses = iface.addresses - addresses.ALL_V6
            elif "/" in words[3] and cc.is_ipv6(words[3].split("/")[0]):
                iface.addresses = iface.addresses - cc.host(words[3].split("/")[0])
        elif low in (["management-only"], ["no", "management-only"]):
            iface.management_only = index if low[0] != "no" else None

    def _nameif_gone(self, iface: Interface, index: int) -> None:
        """The interface loses its nameif (renamed, or ``no nameif``): access-groups that
        named it are settled once every binding is read."""
        if iface.nameif is None:
            return
        self.nameifs_gone.append((iface.nameif, index, iface))
        if iface.level is None and iface.level_doubt is None:
            # naming an interface inside set its level to 100; whether renaming it (or
            # naming it inside later) changes that is not documented
            iface.level_doubt = index if (iface.nameif or "").lower() == "inside" else None

    def _clear_interfaces(self, obj, words: list[str]) -> None:
        """``clear configure interface [NAME]`` returns interfaces to no configuration."""
        name = " ".join(words[3:])
        targets = (
            list(self.interfaces.values())
            if not name
            else [i for i in [self._iface(name, None)] if i is not None]
        )
        for iface in targets:
            self._nameif_gone(iface, obj.linenum)
            fresh = Interface(iface.name, iface.index)
            fresh.doubt = iface.doubt
            self.interfaces[iface.name] = fresh

    def _no_interface(self, obj, words: list[str]) -> None:
        """``no interface X`` deletes a subinterface or a virtual interface; deleting a
        physical one is not documented, so what filters through it is undetermined."""
        iface = self._iface(" ".join(words[2:]), None)
        if iface is None:
            return
        self._nameif_gone(iface, obj.linenum)
        stem = cc.interface_stem(iface.name)
        if "." in iface.name or any(v.startswith(stem) for v in VIRTUAL_INTERFACES):
            del self.interfaces[iface.name]
            self._numbers[cc.interface_number(iface.name)].remove(iface.name)
            return
        self.ctx.not_understood(
            obj.linenum,
            f"deleting the physical interface {iface.name} "
            "is not modelled; verdicts through it are undetermined",
        )
        iface.doubt = iface.doubt or (obj.linenum, f"line {obj.linenum + 1} may have deleted it")

    def _access_group(self, obj, words: list[str]) -> None:
        """``access-group ACL in|out interface NAMEIF`` / ``access-group ACL global``: one
        list per interface and direction, so a new one replaces the one before."""
        key = self._binding_key(obj.linenum, words)
        if key is not None:
            self.bindings[key] = Binding(words[1], obj.linenum)

    def _no_access_group(self, obj, words: list[str]) -> None:
        """``no access-group ACL ...`` removes that binding; naming another list than the
        one bound there is not documented, so that binding may or may not be gone."""
        key = self._binding_key(obj.linenum, words[1:])
        current = self.bindings.get(key) if key is not None else None
        if current is None:
            return  # nothing bound there: nothing to remove
        if current.acl == words[2]:
            del self.bindings[key]  # type: ignore[arg-type]
            return
        self.ctx.not_understood(
            obj.linenum,
            f"access-list {current.acl} is bound there, "
            f"not {words[2]}: whether the ASA removes it is not "
            "modelled; its verdicts are undetermined",
        )
        current.doubt = current.doubt or f"line {obj.linenum + 1} may have removed it"

    def _binding_key(self, index: int, words: list[str]) -> tuple[str, str] | None:
        """Where an access-group line (without ``no``) binds: (nameif or "", direction)."""
        low = [w.lower() for w in words]
        if len(words) == 3 and low[2] == "global":
            return ("", "global")
        if len(words) >= 5 and low[2] in ("in", "out") and low[3] == "interface":
            extra = low[5:]
            if "control-plane" in extra:
                self.ctx.note(
                    index,
                    f"access-group {words[1]} control-plane filters traffic "
                    "to the ASA itself; not on any through path",
                )
                return None
            if extra and extra != ["per-user-override"]:
                raise ParseError(f"unexpected {' '.join(words[5:])!r}")
            return (words[4], low[2])
        raise ParseError(
            "expected 'access-group ACL in|out interface NAMEIF' or 'access-group ACL global'"
        )

    def _same_security(self, obj, words: list[str]) -> None:
        """``[no] same-security-traffic permit inter-interface|intra-interface``."""
        low = [w.lower() for w in words]
        undo = low[:1] == ["no"]
        low = low[1:] if undo else low
        if (
            low[1:2] != ["permit"]
            or len(low) != 3
            or low[2] not in ("inter-interface", "intra-interface")
        ):
            raise ParseError(
                "expected 'same-security-traffic permit inter-interface|intra-interface'"
            )
        if undo:
            self.same_security.pop(low[2], None)
        else:
            self.same_security[low[2]] = obj.linenum

    def _finish(self) -> None:
        rs = self.ctx.ruleset
        self._settle_nameifs()
        for name, acl in self.acls.items():
            chain = cc.acl_chain(name)
            chain.rules = acl.rules()
            aces = [e for e in acl.entries if not e.remark]
            if aces and all(e.doubt_at is not None for e in aces):
                # if every entry is gone, so is the list, and what the access-groups naming
                # it then do is not modelled
                cause = min(e.doubt_at for e in aces if e.doubt_at is not None)
                chain.rules.append(
                    cc.unknown_rule(
                        self.ctx.origin(cause),
                        None,
                        f"every entry of {name} may be gone (line {cause + 1})",
                    )
                )
            rs.chains[name] = chain
        nameifs = {i.nameif for i in self.interfaces.values() if i.nameif}
        for (nameif, _direction), binding in self.bindings.items():
            if binding.acl not in self.acls:
                self.ctx.not_understood(
                    binding.index,
                    f"access-list {binding.acl} is not "
                    "defined: what this access-group does is unknown",
                )
            if nameif and nameif not in nameifs:
                self.ctx.not_understood(binding.index, f"no interface has nameif {nameif}")
        rs.extra["lines"] = self.ctx.lines
        rs.extra["interfaces"] = self.interfaces
        rs.extra["acls"] = self.acls
        rs.extra["bindings"] = self.bindings
        rs.extra["same_security"] = self.same_security
        rs.extra["coverage"] = self.ctx.coverage()
        rs.extra["stage_cache"] = {}

    def _settle_nameifs(self) -> None:
        """An access-group naming a nameif that a later line removed or renamed: whether
        the ASA drops it, keeps it, or follows the rename is not documented."""
        for old, index, iface in self.nameifs_gone:
            hit = [
                b for (nameif, _), b in self.bindings.items() if nameif == old and b.index < index
            ]
            if not hit:
                continue
            why = f"line {index + 1} took nameif {old} away from {iface.name}"
            self.ctx.not_understood(
                index,
                f"access-groups name {old}: what becomes of them "
                "when the nameif goes is not modelled; their verdicts "
                "are undetermined",
            )
            for binding in hit:
                binding.doubt = binding.doubt or why
            if iface.nameif is not None and iface.nameif != old:
                iface.doubt = iface.doubt or (index, why)  # the list may follow the rename


def _line_number(words: list[str]) -> tuple[int | None, Tokens]:
    """``access-list NAME [line N] ...``: N (None without it) and the words after it."""
    toks = Tokens(words[2:])
    position = None
    if toks.take_if("line"):
        position = cc.number(toks.take("a line number"), 1, 2**31, "line")
    return position, toks


def _signature(entry: Entry) -> tuple:
    """What an entry matches and does: entries with equal signatures may be one entry to
    the ASA, written differently."""
    return tuple((r.match, r.target.verb, r.unknown) for r in entry.rules), entry.inactive


def _clears(words: list[str]) -> str | None:
    """What a ``clear configure WHAT ...`` line clears (None for any other line)."""
    low = [w.lower() for w in words[:3]]
    if len(low) == 3 and low[0] == "clear" and low[1] in CONFIGURE_WORDS:
        return low[2]
    return None


def _command(words: list[str]) -> tuple[int, str] | None:
    """The pass and the method that read a top-level line, or None to leave it."""
    what = _clears(words)
    if what is not None:
        return CLEARS.get(what)
    low = tuple(w.lower() for w in words[:2])
    return COMMANDS.get(low) or COMMANDS.get(low[:1])


# --- the platform interface -------------------------------------------------------------


def parse(text: str, path: str) -> Ruleset:
    """ASA configuration text to ACL chains, bindings, security levels and issues."""
    return _Parser(text, path).run()


def looks_like(text: str) -> float:
    sample = text[:200_000]
    score = 0.0
    if re.search(r"^(: Saved|ASA Version|PIX Version)", sample, re.M):
        score += 0.5
    if re.search(r"^access-list \S+ (line \d+ )?extended (permit|deny) ", sample, re.M):
        score += 0.4
    if re.search(r"^\s+nameif \S+", sample, re.M):
        score += 0.3
    if re.search(
        r"^(object network|object-group network|access-group \S+ (in|out) "
        r"interface|same-security-traffic)",
        sample,
        re.M,
    ):
        score += 0.2
    if re.search(r"^ip access-list (standard|extended) |^\s+ip access-group ", sample, re.M):
        score -= 0.5
    return max(0.0, min(1.0, score))


def coverage(ruleset: Ruleset) -> dict[str, int]:
    return dict(ruleset.extra.get("coverage", {}))  # type: ignore[arg-type]


def _interfaces(ruleset: Ruleset) -> dict[str, Interface]:
    return ruleset.extra.get("interfaces", {})  # type: ignore[return-value]


def _acls(ruleset: Ruleset) -> dict[str, Acl]:
    return ruleset.extra.get("acls", {})  # type: ignore[return-value]


def _bindings(ruleset: Ruleset) -> dict[tuple[str, str], Binding]:
    return ruleset.extra.get("bindings", {})  # type: ignore[return-value]


def _origin(ruleset: Ruleset, index: int | None) -> Origin | None:
    if index is None:
        return None
    lines: list[str] = ruleset.extra.get("lines", [])  # type: ignore[assignment]
    return Origin(ruleset.file, index + 1, lines[index].strip() if index < len(lines) else "")


def resolve_interface(ruleset: Ruleset, name: str) -> Interface:
    """A nameif (as the contract's topologies use), or a hardware name or abbreviation."""
    ifaces = _interfaces(ruleset)
    named = [i for i in ifaces.values() if i.nameif]
    for iface in named:
        if iface.nameif == name:
            return iface
    lowered = [i for i in named if (i.nameif or "").lower() == name.lower()]
    if len(lowered) == 1:
        return lowered[0]
    full, candidates = cc.resolve_interface(name, ifaces)
    if full is not None:
        if not ifaces[full].nameif:
            raise InputError(
                ruleset.file, None, f"interface {full} has no nameif: it passes no traffic"
            )
        return ifaces[full]
    if candidates:
        raise InputError(
            ruleset.file, None, f"interface {name} is ambiguous: {', '.join(candidates)}"
        )
    known = ", ".join(sorted(i.nameif for i in named if i.nameif)) or "none"
    raise InputError(
        ruleset.file,
        None,
        f"interface {name} is not defined in the configuration (nameifs: {known})",
    )


def _level_origin(ruleset: Ruleset, iface: Interface) -> Origin | None:
    if iface.level_doubt is not None:
        return _origin(ruleset, iface.level_doubt)
    return _origin(
        ruleset, iface.level_index if iface.level_index is not None else iface.nameif_index
    )


def _level_outcomes(ruleset: Ruleset, src: Interface, dst: Interface) -> set[bool]:
    """Whether the ASA lets traffic from ``src`` to ``dst`` through without an ACL, for
    every level either may have."""
    same: dict[str, int] = ruleset.extra.get("same_security", {})  # type: ignore[assignment]
    if src is dst:
        return {"intra-interface" in same}
    return {
        a > b or (a == b and "inter-interface" in same)
        for a in src.security_levels()
        for b in dst.security_levels()
    }


def _level_verdict(ruleset: Ruleset, src: Interface, dst: Interface) -> bool:
    """Whether the ASA may let traffic from ``src`` to ``dst`` through without an ACL."""
    return True in _level_outcomes(ruleset, src, dst)


def _levels(iface: Interface) -> str:
    return " or ".join(str(level) for level in iface.security_levels())


def _acl_chain(ruleset: Ruleset, binding: Binding, returning: bool) -> Chain:
    """An access-group's list; ``returning``: falling off it goes on (to the global list)."""
    chain = ruleset.chains.get(binding.acl)
    if chain is None:
        origin = _origin(ruleset, binding.index)
        assert origin is not None
        rule = Rule(
            origin,
            Match(),
            Target(Verb.UNKNOWN, name="undefined access-list"),
            (f"access-list {binding.acl} is not defined",),
        )
        return Chain(binding.acl, [rule], None if returning else cc.DENY, None)
    if returning:
        return Chain(chain.name, chain.rules, None, None)
    return chain


def _renamed(stage: Stage, suffix: str) -> Stage:
    """The same stage with every chain name suffixed (so two stages can share a dict)."""
    names = {name: name + suffix for name in stage.chains}
    chains = {}
    for name, chain in stage.chains.items():
        rules = [
            r
            if r.target.chain not in names
            else replace(r, target=replace(r.target, chain=names[r.target.chain]))
            for r in chain.rules
        ]
        chains[names[name]] = Chain(names[name], rules, chain.default, chain.default_origin)
    return Stage(stage.label, chains, names[stage.entry])


def _either(present: Stage, absent: Stage, origin: Origin, why: str, label: str) -> Stage:
    """A stage that is ``present`` if the line at ``origin`` is still in effect, else
    ``absent``: an uncertain ``goto`` to the second (``why`` it may be gone), then one to
    the first, the natural reading; the engine keeps what both agree on and reports the
    rest undetermined."""
    line = origin.line
    yes, no = _renamed(present, f" [with line {line}]"), _renamed(absent, f" [without line {line}]")
    entry = f"line {line} undetermined"
    rules = [
        Rule(origin, Match(), Target(Verb.GOTO, no.entry), (why,)),
        Rule(origin, Match(), Target(Verb.GOTO, yes.entry)),
    ]
    chains = {
        **yes.chains,
        **no.chains,
        entry: Chain(entry, rules, Target(Verb.DROP, name="implicit deny"), None),
    }
    return Stage(label, chains, entry)


def _in_stage(
    ruleset: Ruleset, given: str, iface: Interface, out: Interface | None, out_given: str | None
) -> Stage:
    bindings = _bindings(ruleset)
    own, glob = bindings.get((iface.nameif or "", "in")), bindings.get(("", "global"))
    return _in_variant(ruleset, given, iface, out, own, glob)


def _in_variant(
    ruleset: Ruleset,
    given: str,
    iface: Interface,
    out: Interface | None,
    own: Binding | None,
    glob: Binding | None,
) -> Stage:
    """The ingress stage with these bindings; one that may be gone makes two variants."""
    for binding, is_own in ((own, True), (glob, False)):
        if binding is None or binding.doubt is None:
            continue
        sure = Binding(binding.acl, binding.index)
        present = _in_variant(
            ruleset, given, iface, out, sure if is_own else own, glob if is_own else sure
        )
        absent = _in_variant(
            ruleset, given, iface, out, None if is_own else own, glob if is_own else None
        )
        origin = _origin(ruleset, binding.index)
        assert origin is not None
        return _either(
            present,
            absent,
            origin,
            binding.doubt,
            f"{present.label} (line {origin.line} may not apply)",
        )
    if own is not None and glob is None:
        chain = _acl_chain(ruleset, own, returning=False)
        return Stage(f"in {given} {own.acl}", {chain.name: chain}, chain.name)
    if own is not None or glob is not None:
        # interface list, then the global list, then one implicit deny (ASA 8.3+)
        chains: dict[str, Chain] = {}
        jumps = []
        parts = []
        for binding, kind in ((own, ""), (glob, "global ")):
            if binding is None:
                continue
            chain = _acl_chain(ruleset, binding, returning=True)
            chains[chain.name] = chain
            origin = _origin(ruleset, binding.index)
            assert origin is not None
            jumps.append(Rule(origin, Match(), Target(Verb.JUMP, chain.name)))
            parts.append(f"{kind}{binding.acl}")
        entry = "access-groups"  # a name no access-list can have (it has a dash... and s)
        chains[entry] = Chain(entry, jumps, Target(Verb.DROP, name="implicit deny"), None)
        return Stage(f"in {given} {' + '.join(parts)}", chains, entry)
    return _level_stage(ruleset, given, iface, out)


def _level_stage(ruleset: Ruleset, given: str, iface: Interface, out: Interface | None) -> Stage:
    """No access list: the security levels decide (one level each, or a level that is
    undetermined, then the verdicts it decides are too)."""
    targets = (
        [out]
        if out is not None
        else [i for i in _interfaces(ruleset).values() if i.nameif and i is not iface]
    )
    outcomes: set[bool] = set()
    for other in targets:
        outcomes |= _level_outcomes(ruleset, iface, other)
    outcomes = outcomes or {False}
    doubtful = next(
        (i for i in [iface, *([out] if out is not None else [])] if i.level_doubt is not None), None
    )
    origin = _level_origin(ruleset, doubtful or iface)
    if out is not None:
        verdict = {frozenset({True}): "permitted", frozenset({False}): "denied"}.get(
            frozenset(outcomes), "undetermined"
        )
        label = (
            f"in {given} (no access-group): security level {_levels(iface)} -> "
            f"{_levels(out)} {verdict}"
        )
    else:
        label = f"in {given} (no access-group): security level {_levels(iface)} -> any"
    if len(outcomes) == 1:
        allowed = outcomes.pop()
        target = Target(Verb.ACCEPT if allowed else Verb.DROP, name="security level")
        chain = Chain("security-level", [], target, origin)
    else:
        assert origin is not None
        why = (
            f"the security level of {doubtful.nameif} is undetermined (line {origin.line})"
            if doubtful is not None
            else "the egress interface's security level decides"
        )
        rule = Rule(origin, Match(), Target(Verb.ACCEPT, name="security level"), (why,))
        chain = Chain("security-level", [rule], Target(Verb.DROP, name="security level"), origin)
    return Stage(label, {chain.name: chain}, chain.name)


def _blocking_stage(label: str, origin: Origin | None, why: str) -> Stage:
    chain = Chain(why, [], Target(Verb.DROP, name=why), origin)
    return Stage(label, {chain.name: chain}, chain.name)


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """Ingress list (then the global one), or the security levels; then the egress list."""
    return cached_stages(
        ruleset,
        (in_iface, out_iface, chain),
        lambda: _crossing_stages(ruleset, in_iface, out_iface),
        local=local,
        no_local="Cisco ASA access-groups filter traffic crossing "
        "interfaces; a local (host firewall) path does not apply",
        acl_word="access-list",
    )


def _crossing_stages(ruleset: Ruleset, in_iface: str | None, out_iface: str | None) -> list[Stage]:
    """What a packet crossing from ``in_iface`` to ``out_iface`` meets, in order."""
    src = resolve_interface(ruleset, in_iface) if in_iface else None
    dst = resolve_interface(ruleset, out_iface) if out_iface else None
    result = []
    for iface, given in ((src, in_iface), (dst, out_iface)):
        if iface is not None and iface.management_only is not None:
            result.append(
                _blocking_stage(
                    f"management-only {given}: no through traffic",
                    _origin(ruleset, iface.management_only),
                    "management-only",
                )
            )
    for iface, given in ((src, in_iface), (dst, out_iface)):
        if iface is not None and iface.doubt is not None:
            # what filters through it is undetermined: so is every verdict through it
            index, why = iface.doubt
            origin = _origin(ruleset, index)
            assert origin is not None
            rule = Rule(origin, Match(), Target(Verb.UNKNOWN, name="undetermined"), (why,))
            chain = Chain("undetermined interface", [rule], cc.DENY, None)
            return result + [
                Stage(f"{given}: undetermined ({why})", {chain.name: chain}, chain.name)
            ]
    same: dict[str, int] = ruleset.extra.get("same_security", {})  # type: ignore[assignment]
    if src is not None and dst is not None:
        if src is dst and "intra-interface" not in same:
            result.append(
                _blocking_stage(
                    f"same-security {in_iface} -> {out_iface}: no same-security-traffic permit "
                    "intra-interface",
                    _level_origin(ruleset, src),
                    "same-security",
                )
            )
        elif src is not dst and "inter-interface" not in same:
            equal = {a == b for a in src.security_levels() for b in dst.security_levels()}
            if equal == {True}:
                result.append(
                    _blocking_stage(
                        f"same-security {in_iface} -> {out_iface}: level {src.security_level()} "
                        "on both, no same-security-traffic permit inter-interface",
                        _level_origin(ruleset, src),
                        "same-security",
                    )
                )
            elif True in equal:
                result.append(_maybe_same_level(ruleset, in_iface, out_iface, src, dst))
    if src is not None and in_iface is not None:
        result.append(_in_stage(ruleset, in_iface, src, dst, out_iface))
    if dst is not None and out_iface is not None:
        binding = _bindings(ruleset).get((dst.nameif or "", "out"))
        if binding is not None:
            out_chain = _acl_chain(ruleset, binding, returning=False)
            stage = Stage(
                f"out {out_iface} {binding.acl}", {out_chain.name: out_chain}, out_chain.name
            )
            if binding.doubt is not None:
                origin = _origin(ruleset, binding.index)
                assert origin is not None
                none = Chain(
                    "no out access-group", [], Target(Verb.ACCEPT, name="no access-group"), origin
                )
                stage = _either(
                    stage,
                    Stage(stage.label, {none.name: none}, none.name),
                    origin,
                    binding.doubt,
                    stage.label,
                )
            result.append(stage)
    return result


def _maybe_same_level(
    ruleset: Ruleset, in_iface: str | None, out_iface: str | None, src: Interface, dst: Interface
) -> Stage:
    """Two interfaces whose levels may be equal (one is undetermined) and no
    same-security-traffic permit inter-interface: the ASA may block the crossing."""
    doubtful = src if src.level_doubt is not None else dst
    origin = _level_origin(ruleset, doubtful)
    assert origin is not None
    why = f"the security level of {doubtful.nameif} is undetermined (line {origin.line})"
    rule = Rule(origin, Match(), Target(Verb.DROP, name="same-security"), (why,))
    chain = Chain("same-security", [rule], Target(Verb.ACCEPT, name="levels differ"), origin)
    return Stage(
        f"same-security {in_iface} -> {out_iface}: levels {_levels(src)} and "
        f"{_levels(dst)} may be equal",
        {chain.name: chain},
        chain.name,
    )


# --- fixes ------------------------------------------------------------------------------


def render_address(spans: IntervalSet) -> list[str]:
    """ASA address arguments for a set: ``any4``, ``host A``, ``A MASK``, ``V6/LEN``."""
    if spans == addresses.ALL:
        return ["any"]
    out = []
    for fam, word in ((addresses.ALL_V4, "any4"), (addresses.ALL_V6, "any6")):
        part = spans & fam
        if part == fam:
            out.append(word)
            continue
        for cidr in addresses.to_cidrs(part):
            if "/" not in cidr:
                out.append(f"host {cidr}")
            elif fam is addresses.ALL_V6:
                out.append(cidr)
            else:
                address, length = cidr.split("/")
                mask = addresses._from_int((0xFFFFFFFF << (32 - int(length))) & 0xFFFFFFFF)
                out.append(f"{address} {mask}")
    return out


def _bodies(request: FixRequest) -> list[str]:
    sources: list[str] = []
    for src in request.sources:
        sources.extend(render_address(addresses.parse(src)))
    dsts = render_address(addresses.parse(request.destination))
    ports = [
        ""
        if request.ports == IntervalSet.span(0, 65535)
        else (f"eq {lo}" if lo == hi else f"range {lo} {hi}")
        for lo, hi in request.ports.spans
    ]
    out = []
    for s in dict.fromkeys(sources):
        for d in dsts:
            for p in ports:
                out.append(" ".join(x for x in ("permit", request.proto, s, d, p) if x))
    return out


def _position(acl: Acl, before: Origin | None) -> int | None:
    """The ASA line number (remarks count) of the deciding entry, None if not in the list."""
    if before is None:
        return None
    for number, entry in enumerate(acl.entries, 1):
        if entry.index == before.line - 1:
            return number
    return None


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """ASA lines that permit the request where the deny happened."""
    if request.local is not None:
        return None
    words = request.stage.split()
    if not words:
        return None
    bodies = _bodies(request)
    if not bodies:
        return None
    if words[0] == "same-security":
        kind = "intra-interface" if request.in_iface == request.out_iface else "inter-interface"
        return f"same-security-traffic permit {kind}"
    acls = _acls(ruleset)
    if words[0] == "acl" and len(words) == 2:
        candidates = [words[1]]
    elif words[0] == "in" and len(words) >= 3:
        iface = resolve_interface(ruleset, words[1])
        bindings = _bindings(ruleset)
        own = bindings.get((iface.nameif or "", "in"))
        glob = bindings.get(("", "global"))
        if own is None and glob is None:
            return _new_acl(ruleset, iface, bodies)
        candidates = [b.acl for b in (own, glob) if b is not None]
    elif words[0] == "out" and len(words) >= 3:
        candidates = [" ".join(words[2:])]
    else:
        return None
    candidates = [c for c in candidates if c in acls]
    if not candidates:
        return None
    for name in candidates:
        line = _position(acls[name], request.before)
        if line is not None:
            return "\n".join(
                f"access-list {name} line {line + j} extended {body}"
                for j, body in enumerate(bodies)
            )
    # the implicit deny: append to the interface's own list (it runs before the global one)
    name = candidates[0]
    return "\n".join(f"access-list {name} extended {body}" for body in bodies)


def _new_acl(ruleset: Ruleset, iface: Interface, bodies: list[str]) -> str:
    nameif = iface.nameif or iface.name
    name = f"{nameif}_access_in"
    while name in _acls(ruleset):
        name += "_1"
    lines = []
    lower = [
        i
        for i in _interfaces(ruleset).values()
        if i.nameif and i is not iface and _level_verdict(ruleset, iface, i)
    ]
    if lower:
        lines.append(
            f"access-list {name} remark exaudit: an access-group replaces the "
            f"security-level permit for traffic entering {nameif}; permit what "
            "else it must pass"
        )
    lines.extend(f"access-list {name} extended {body}" for body in bodies)
    lines.append(f"access-group {name} in interface {nameif}")
    return "\n".join(lines)


PLATFORM = Platform(
    name=NAME,
    title="Cisco ASA",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    comments=CISCO,
    stateful=True,
)
