"""Cisco IOS: numbered and named IPv4/IPv6 ACLs, object-groups, per-interface first match."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    ICMP,
    ICMPV6,
    TCP_FLAG_BITS,
    Chain,
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
    "fragments": 0,
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
FLAG_WORDS = {
    name.lower(): bit
    for name, bit in TCP_FLAG_BITS.items()
    if name in ("FIN", "SYN", "RST", "PSH", "ACK", "URG")
}
ALL_OPTION_WORDS = (
    NO_EFFECT
    | set(UNMODELLED)
    | set(FLAG_WORDS)
    | {"established", "match-all", "match-any", "ttl", "packet-length", "sequence"}
)


def _flag_set(constraints: list[tuple[int, bool]], any_of: bool) -> IntervalSet:
    """The flags bytes meeting all (or any) of ``(bit, must_be_set)``."""

    def ok(value: int) -> bool:
        tests = [bool(value & bit) == wanted for bit, wanted in constraints]
        return any(tests) if any_of else all(tests)

    return IntervalSet.of(v for v in range(256) if ok(v))


ESTABLISHED = _flag_set([(TCP_FLAG_BITS["ACK"], True), (TCP_FLAG_BITS["RST"], True)], True)


# --- parsed structure -------------------------------------------------------------------


@dataclass(eq=False)
class Entry:
    """One ACL line: its sequence number, its line, and the rules it yields."""

    seq: int
    index: int  # 0-based line
    rules: list[Rule]
    remark: bool = False
    text: str = ""  # the entry as written after its sequence number
    sig: tuple = ()  # what it matches and does (equal for entries IOS may take as equal)
    doubt_at: int | None = None  # a line that may have removed it (or kept it out)
    # an entry IOS may have taken this one to repeat (then it made no change): settled
    # once the list is complete, where it matters
    twin: Entry | None = None
    gone: bool = False  # removed by a later line


@dataclass
class Acl:
    name: str
    family: int  # 4 or 6
    kind: str  # standard | extended
    numbered: bool
    index: int  # line that created it
    key: str = ""  # its chain's name in the ruleset
    entries: list[Entry] = field(default_factory=list)
    texts: dict[str, Entry] = field(default_factory=dict)  # ACE text -> entry
    sigs: dict[tuple, list[Entry]] = field(default_factory=dict)
    # (first sequence number, line): from that number on, which entry has which number is
    # undetermined (the list may have been deleted and rebuilt, or renumbered around
    # entries that may be gone)
    renumbered: tuple[int, int] | None = None

    def has_aces(self) -> bool:
        return any(not e.remark for e in self.entries)

    def next_seq(self) -> int:
        return max((e.seq for e in self.entries if not e.remark), default=0) + 10

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        if not entry.remark:
            self.texts.setdefault(entry.text, entry)
            self.sigs.setdefault(entry.sig, []).append(entry)

    def remove(self, entry: Entry) -> None:
        self.entries.remove(entry)
        entry.gone = True
        if entry.remark:
            return
        if self.texts.get(entry.text) is entry:
            del self.texts[entry.text]
        twins = self.sigs.get(entry.sig, [])
        if entry in twins:
            twins.remove(entry)


@dataclass
class Attachment:
    """An ``ip access-group`` / ``ipv6 traffic-filter``: the list, maybe not for sure."""

    acl: str
    index: int  # the access-group / traffic-filter line
    doubt: str | None = None  # why this list may not be the one attached
    fallback: Attachment | None = None  # what filters if it is not (None: nothing)

    def possibly_gone(self, why: str) -> Attachment:
        """The same candidates, none of them sure any more, and possibly no list at all."""
        rest = self.fallback.possibly_gone(why) if self.fallback is not None else None
        return Attachment(self.acl, self.index, self.doubt or why, rest)


@dataclass
class Interface:
    name: str
    index: int
    groups: dict[tuple[str, int], Attachment] = field(default_factory=dict)  # (dir, family)
    zone: tuple[str, int] | None = None
    shutdown: bool = False


# --- the parser -------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        lines = cc.split_lines(text, path)
        self.ctx = cc.Context(path, lines, Ruleset(NAME, path, lines_total=len(lines)))
        self.conf = cc.load_blocks(lines, path, "ios")
        self.groups = cc.Groups(self.ctx)
        self.acls: dict[tuple[int, str], Acl] = {}
        self.interfaces: dict[str, Interface] = {}
        self._numbers: dict[str, list[str]] = {}  # interface numbering -> names configured

    # entry point ----------------------------------------------------------------------

    def run(self) -> Ruleset:
        tops = cc.top_level(self.conf)
        # object-groups first: ACLs may name groups defined further down
        for obj in tops:
            words = obj.text.split()
            if words[:1] == ["object-group"]:
                self._object_group(obj, words)
            elif words[:2] == ["no", "object-group"]:
                self._no_object_group(obj.linenum, words[1:])
        for obj in tops:
            self._top(obj)
        self._finish()
        return self.ctx.ruleset

    def _top(self, obj) -> None:
        text = obj.text
        words = text.split()
        if not words or words[0].startswith("!"):
            return
        head = words[0].lower()
        try:
            if head == "access-list":
                self._numbered(obj.linenum, words)
            elif head == "ip" and words[1:2] == ["access-list"]:
                self._named(obj, words[2:], 4)
            elif head == "ipv6" and words[1:2] == ["access-list"]:
                self._named(obj, words[2:], 6)
            elif head == "no" and len(words) > 1:
                self._no(obj.linenum, words[1:])
            elif head == "interface" and len(words) >= 2:
                self._interface_block(obj, words[1:])
            elif head == "default" and words[1:2] == ["interface"] and len(words) >= 3:
                for name in _interface_names(words[2:]):
                    self._default_interface(name)
        except ParseError as exc:
            self.ctx.not_understood(obj.linenum, str(exc))

    def _no(self, index: int, words: list[str]) -> None:
        """A global ``no`` form: those that undo something exaudit models (NO_FORMS)."""
        low = [w.lower() for w in words]
        for size in (2, 1):
            handler = NO_FORMS.get(tuple(low[:size]))
            if handler is not None:
                getattr(self, handler)(index, words)
                return
        # any other ``no`` form turns off something exaudit does not model

    # ACL definitions ------------------------------------------------------------------

    def _acl(self, family: int, name: str, kind: str, numbered: bool, index: int) -> Acl:
        key = (family, name)
        acl = self.acls.get(key)
        if acl is None:
            acl = Acl(name, family, kind, numbered, index)
            self.acls[key] = acl
        return acl

    def _numbered(self, index: int, words: list[str]) -> None:
        if len(words) < 3:
            self._ace_line(index)
            raise ParseError("incomplete access-list line")
        name = words[1]
        kind = _numbered_kind(name)
        if kind is None:
            self._ace_line(index)
            if words[2].lower() in ("extended", "standard", "line"):
                raise ParseError("not IOS syntax (ASA or NX-OS style access-list line)")
            raise ParseError(f"access-list {name} is not an IP access list")
        acl = self._acl(4, name, kind, True, index)
        self._entry(acl, index, Tokens(words[2:]), seq=None)

    def _named(self, obj, words: list[str], family: int) -> None:
        kind = "extended"
        if words and words[0].lower() == "resequence":
            self._resequence(obj.linenum, family, words[1:])
            return
        if words and words[0].lower() in ("standard", "extended"):
            kind = words[0].lower()
            words = words[1:]
        elif words and words[0].lower() in NAMED_SETTINGS:
            return  # global ACL settings, or kinds that do not filter interface traffic
        if len(words) != 1:
            raise ParseError("expected one ACL name")
        name = words[0]
        if family == 4 and kind == "extended" and obj.text.split()[2:3] == [name]:
            # ``ip access-list NAME`` without a type is EOS/NX-OS syntax: extended
            self.ctx.note(obj.linenum, f"ip access-list {name} has no type; read as extended")
        acl = self._acl(family, name, kind, False, obj.linenum)
        for child in cc.children(obj):
            self._child_entry(acl, child)

    def _child_entry(self, acl: Acl, child) -> None:
        words = child.text.split()
        if not words or words[0].startswith("!"):
            return
        seq = None
        try:
            low = words[0].lower()
            if low == "no":
                self._no_child(acl, child.linenum, words[1:])
                return
            if low == "sequence":  # IPv6: ``sequence 10 permit ...``
                seq = cc.number(words[1] if len(words) > 1 else "", 1, 2**32 - 1, "sequence")
                words = words[2:]
            elif cc._DIGITS.match(words[0]):
                seq = cc.number(words[0], 1, 2**32 - 1, "sequence")
                words = words[1:]
            if (
                acl.family == 6
                and len(words) >= 3
                and words[-2].lower() == "sequence"
                and words[0].lower() != "remark"
            ):
                # IPv6 running-configs put the sequence number last
                seq = cc.number(words[-1], 1, 2**32 - 1, "sequence")
                words = words[:-2]
        except ParseError as exc:
            self._ace_line(child.linenum)
            self.ctx.not_understood(child.linenum, str(exc))
            return
        self._entry(acl, child.linenum, Tokens(words), seq)

    def _ace_line(self, index: int) -> None:
        self.ctx.ace_lines.add(index)

    # undoing ACLs and entries ---------------------------------------------------------

    def _no_numbered(self, index: int, words: list[str]) -> None:
        """``no access-list N`` deletes list N (IOS command reference). With an entry after
        the number, old releases delete the whole list and later ones may delete only that
        entry: the reference documents neither, so every entry above may be gone."""
        if len(words) < 2:
            raise ParseError("incomplete 'no access-list' line")
        acl = self.acls.get((4, words[1]))
        if len(words) == 2:
            self.acls.pop((4, words[1]), None)
            return
        if acl is None or not acl.has_aces():
            return  # nothing above it that it could remove
        self.ctx.not_understood(
            index,
            f"'no access-list {words[1]}' followed by an entry: "
            "IOS releases differ (the whole list or one entry is "
            "deleted); the entries above it are undetermined",
        )
        self._doubt_all(
            acl,
            index,
            f"line {index + 1} may have deleted it (no access-list "
            f"{words[1]} ...: IOS releases differ)",
            renumber=True,
        )

    def _remove(self, index: int, words: list[str]) -> None:
        """``no ip access-list [standard|extended] NAME`` and ``no ipv6 access-list NAME``."""
        family = 6 if words[0].lower() == "ipv6" else 4
        rest = words[2:]
        if rest and rest[0].lower() in ("standard", "extended"):
            rest = rest[1:]
        elif not rest or rest[0].lower() in NAMED_SETTINGS | {"resequence"}:
            return  # settings and kinds exaudit does not model
        if len(rest) != 1:
            raise ParseError("expected 'no ip access-list [standard|extended] NAME'")
        self.acls.pop((family, rest[0]), None)

    def _resequence(self, index: int, family: int, words: list[str]) -> None:
        """``ip access-list resequence NAME START STEP`` renumbers the entries in order."""
        if len(words) != 3:
            raise ParseError("expected 'resequence NAME START INCREMENT'")
        start = cc.number(words[1], 1, 2**31 - 1, "starting sequence number")
        step = cc.number(words[2], 1, 2**31 - 1, "increment")
        acl = self.acls.get((family, words[0]))
        if acl is None:
            return
        ordered = sorted(acl.entries, key=lambda e: e.seq)
        seq = 0
        first_doubt = None
        for entry in ordered:
            if not entry.remark:
                seq = start if seq == 0 else seq + step
                if entry.doubt_at is not None and first_doubt is None:
                    first_doubt = seq
            entry.seq = seq  # a remark keeps its place after the entry before it
        acl.entries = ordered
        if acl.renumbered is not None:
            first_doubt = min(first_doubt or start, start)
        if first_doubt is not None:
            # which numbers the entries after a possibly missing one got is undetermined
            acl.renumbered = (first_doubt, index)

    def _no_child(self, acl: Acl, index: int, words: list[str]) -> None:
        """``no SEQ`` / ``no sequence SEQ`` / ``no permit ...`` inside a named list."""
        low = [w.lower() for w in words]
        if low[:1] == ["sequence"]:
            words, low = words[1:], low[1:]
        if not words:
            raise ParseError("incomplete 'no' line")  # IOS rejects it: nothing changes
        if words and cc._DIGITS.match(words[0]):
            self._no_seq(acl, index, cc.number(words[0], 1, 2**32 - 1, "sequence"), len(words) > 1)
            return
        if low[:1] in (["permit"], ["deny"], ["remark"], ["evaluate"], ["dynamic"]):
            self._no_text(acl, index, words)
            return
        self.ctx.not_understood(
            index,
            f"'no {' '.join(words)}' is not understood; the entries of {acl.name} are undetermined",
        )
        self._doubt_all(
            acl,
            index,
            f"line {index + 1} ({self.ctx.lines[index].strip()}) "
            "may have removed it (not understood)",
        )

    def _no_seq(self, acl: Acl, index: int, seq: int, more: bool) -> None:
        """``no SEQ`` deletes the entry with that number (IOS sequence numbering)."""
        renumbered = acl.renumbered is not None and seq >= acl.renumbered[0]
        if not renumbered and not more:
            for entry in [e for e in acl.entries if e.seq == seq]:
                acl.remove(entry)
            return
        if acl.renumbered is not None and renumbered:
            first, cause = acl.renumbered
            self.ctx.not_understood(
                index,
                f"which entry of {acl.name} has sequence {seq} is "
                f"undetermined (line {cause + 1}); the entries it may "
                "be are undetermined",
            )
            hit = [e for e in acl.entries if not e.remark and e.seq >= first]
        else:
            # ``no 10 permit ...``: whether IOS goes by the number or the text is not
            # documented
            self.ctx.not_understood(
                index,
                f"'no {seq}' followed by more words is not modelled; entry {seq} is undetermined",
            )
            hit = [e for e in acl.entries if not e.remark and e.seq == seq]
        for entry in hit:
            self._doubt(acl, entry, index, f"line {index + 1} may have removed it")

    def _no_text(self, acl: Acl, index: int, words: list[str]) -> None:
        """``no permit ...``: IOS removes the entry it equals (IP Access List Entry Sequence
        Numbering). Written the same way: removed. Matching the same packets, written
        differently: IOS may or may not take it as equal, so it is undetermined."""
        if words[-2:-1] and words[-2].lower() == "sequence" and acl.family == 6:
            words = words[:-2]
        text = " ".join(words)
        if words[0].lower() == "remark":
            for entry in acl.entries:
                if entry.remark and entry.text == text:
                    acl.remove(entry)
                    return
            return
        sig = self._quiet_sig(acl, index, words)
        exact = acl.texts.get(text)
        if exact is not None:
            acl.remove(exact)
        if sig is None:
            # the line itself is not understood: any entry may be the one it names
            self.ctx.not_understood(
                index, f"'no {text}' is not understood; the entries of {acl.name} are undetermined"
            )
            self._doubt_all(acl, index, f"line {index + 1} may have removed it")
            return
        twins = [e for e in acl.sigs.get(sig, ()) if e is not exact]
        if twins:
            self.ctx.not_understood(
                index,
                f"'no {text}' names an entry written differently "
                f"(line {twins[0].index + 1}); whether IOS takes them as "
                "equal is not modelled",
            )
            for entry in twins:
                self._doubt(
                    acl,
                    entry,
                    index,
                    f"line {index + 1} may have removed it (the same entry, written differently)",
                )
        elif exact is None:
            self.ctx.note(index, f"'no {text}' names no entry of {acl.name}: IOS changes nothing")

    def _quiet_sig(self, acl: Acl, index: int, words: list[str]) -> tuple | None:
        """The signature of an entry a ``no`` line names (None if it is not understood);
        the entry is read only to compare, so what reading it reports is dropped."""
        with self.ctx.quiet():
            try:
                rules = self._ace(acl, self.ctx.origin(index), Tokens(words))
            except ParseError:
                return None
        return _signature(rules, " ".join(words))

    def _doubt(self, acl: Acl, entry: Entry, index: int, why: str) -> None:
        """``entry`` may no longer be in ``acl`` because of line ``index``."""
        if entry.doubt_at is None:
            entry.doubt_at = index
        entry.rules = cc.doubtful(entry.rules, why)
        self.ctx.not_modelled(entry.index, why)

    def _doubt_all(self, acl: Acl, index: int, why: str, renumber: bool = False) -> None:
        seqs = [e.seq for e in acl.entries if not e.remark]
        for entry in acl.entries:
            if not entry.remark:
                self._doubt(acl, entry, index, why)
        if seqs and renumber:
            # the list may have been deleted: entries added later may be numbered anew
            first = min(seqs) if acl.renumbered is None else min(min(seqs), acl.renumbered[0])
            acl.renumbered = (first, index)

    # one entry --------------------------------------------------------------------------

    def _entry(self, acl: Acl, index: int, toks: Tokens, seq: int | None) -> None:
        word = toks.peek_lower()
        text = " ".join(toks.words[toks.i :])
        if word == "remark":
            # an unnumbered remark belongs to the entry after it and takes no number
            last = max((e.seq for e in acl.entries), default=0)
            acl.add(Entry(seq if seq is not None else last, index, [], remark=True, text=text))
            return
        self._ace_line(index)
        explicit = seq is not None
        seq = seq if seq is not None else acl.next_seq()
        origin = self.ctx.origin(index)
        if explicit and acl.renumbered is not None and seq >= acl.renumbered[0]:
            self._misplaced(acl, index, seq, origin)
            return
        taken = [e for e in acl.entries if e.seq == seq and not e.remark]
        if any(e.doubt_at is None for e in taken):
            self.ctx.not_understood(
                index, f"duplicate sequence number {seq} in {acl.name} (IOS rejects this entry)"
            )
            return
        same = acl.texts.get(text)
        if same is not None and same.doubt_at is None:
            # "an entry that matches an already existing entry (except for the sequence
            # number)": IOS makes no change
            self.ctx.note(index, f"the same entry as line {same.index + 1}: IOS makes no change")
            return
        try:
            rules = self._ace(acl, origin, toks)
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))
            verb = {"permit": Verb.ACCEPT, "deny": Verb.DROP}.get(word or "")
            rules = [
                cc.unknown_rule(origin, verb, f"not understood: {exc}", space=_space(acl.family))
            ]
        entry = Entry(seq, index, rules, text=text, sig=_signature(rules, text))
        twins = acl.sigs.get(entry.sig, [])
        if twins and not (rules and rules[0].target.verb is Verb.UNKNOWN):
            entry.twin = twins[0]  # settled once the list is complete
        acl.add(entry)
        for other in taken + ([same] if same is not None else []):
            # IOS accepts it only if that entry is gone
            self._doubt(
                acl,
                entry,
                other.doubt_at or index,
                f"IOS adds it only if line "
                f"{other.index + 1} is gone (line {(other.doubt_at or 0) + 1} may "
                "have removed that one)",
            )

    def _misplaced(self, acl: Acl, index: int, seq: int, origin: Origin) -> None:
        """An entry whose place is undetermined (the list's numbering is): nothing after
        the earliest place it may take is decided for sure."""
        first, cause = acl.renumbered  # type: ignore[misc]
        why = (
            f"entry {seq}: where it goes is undetermined (line {cause + 1} may have "
            "deleted or renumbered entries before it)"
        )
        self.ctx.not_understood(index, why)
        rule = cc.unknown_rule(origin, None, why, space=_space(acl.family))
        acl.add(
            Entry(
                min(seq, first),
                index,
                [rule],
                text=f"{seq} (undetermined place)",
                sig=_signature([rule], why),
            )
        )

    def _ace(self, acl: Acl, origin: Origin, toks: Tokens) -> list[Rule]:
        word = toks.take("permit or deny").lower()
        index = origin.line - 1
        if word == "evaluate":
            name = toks.take("a reflexive list name")
            self.ctx.not_modelled(
                index, f"reflexive list {name}: the replies it lets in depend on live sessions"
            )
            space = _space(acl.family)
            return [
                Rule(
                    origin,
                    Match(src=space, dst=space),
                    cc.PERMIT,
                    (f"evaluate {name} (reflexive ACL)",),
                )
            ]
        if word == "dynamic":
            name = toks.take("a dynamic entry name")
            while toks.take_if("timeout"):
                toks.take("a timeout")
            self.ctx.not_modelled(
                index, f"dynamic (lock-and-key) entry {name} is active only after authentication"
            )
            extra: tuple[str, ...] = (f"dynamic entry {name}",)
            word = toks.take("permit or deny").lower()
        else:
            extra = ()
        if word not in cc.ACTIONS:
            raise ParseError(f"expected permit or deny, found {word!r}")
        target = cc.ACTIONS[word]
        if acl.kind == "standard":
            return self._standard(acl, origin, target, toks, extra)
        return self._extended(acl, origin, target, toks, extra)

    def _standard(
        self, acl: Acl, origin: Origin, target: Target, toks: Tokens, extra: tuple[str, ...]
    ) -> list[Rule]:
        src = self._address(toks, acl.family, standard=True)
        unknown = list(extra) + self._options(toks, origin, None)[1]
        self._reportunresolved_member(origin, [Service()], src)
        return cc.build_rules(
            origin,
            target,
            [Service()],
            src,
            _any(acl.family),
            unknown=tuple(unknown),
            space=_space(acl.family),
        )

    def _extended(
        self, acl: Acl, origin: Origin, target: Target, toks: Tokens, extra: tuple[str, ...]
    ) -> list[Rule]:
        family = acl.family
        names = PROTOCOLS_V6 if family == 6 else PROTOCOLS_V4
        proto_word = toks.take("a protocol")
        services: list[Service]
        group_service = proto_word.lower() == "object-group"
        proto: IntervalSet | None = None
        if group_service:
            services = self._service_group(toks.take("an object-group name"), family)
        else:
            proto = cc.protocol(proto_word, names)
            services = [Service(proto)]
        has_ports = proto is not None and proto.issubset(cc.PORT_PROTOCOLS)
        src = self._address(toks, family)
        sport = self._ports(toks) if has_ports else None
        dst = self._address(toks, family)
        dport = self._ports(toks) if has_ports else None
        icmp_proto = ICMPV6 if family == 6 else ICMP
        igmp_type: list[str] = []
        if proto == IntervalSet.point(2) and (
            toks.peek_lower() in IGMP_TYPES or cc._DIGITS.match(toks.peek() or "")
        ):
            igmp_type.append(f"igmp type {toks.take()}")
            self.ctx.not_modelled(
                origin.line - 1, f"{igmp_type[0]}: IGMP message types are not modelled"
            )
        if proto is not None and proto == IntervalSet.point(icmp_proto):
            types, codes = cc.icmp_message(toks, ICMP6_NAMES if family == 6 else cc.ICMP4_NAMES)
            services = [cc.icmp_service(icmp_proto, types, codes)]
        elif has_ports:
            services = [Service(proto, sport, dport)]
        flags, unknown = self._options(toks, origin, proto)
        self._reportunresolved_member(origin, services, src, dst)
        if flags is not None and not group_service and proto != IntervalSet.point(6):
            raise ParseError("TCP flag conditions need protocol tcp")
        return cc.build_rules(
            origin,
            target,
            services,
            src,
            dst,
            flags=flags,
            unknown=tuple(list(extra) + igmp_type + unknown),
            space=_space(family),
        )

    def _reportunresolved_member(
        self, origin: Origin, services: list[Service], *addrs: Addr
    ) -> None:
        reasons = [u for a in addrs for u in a.unknown] + [u for s in services for u in s.unknown]
        for why in dict.fromkeys(reasons):
            self.ctx.not_modelled(
                origin.line - 1, f"{why}: the entry's verdicts are undetermined where it matters"
            )

    def _ports(self, toks: Tokens) -> IntervalSet | None:
        if toks.peek_lower() == "portgroup":
            toks.take()
            return self._port_group(toks.take("a port group name"))
        return cc.port_operator(toks, PORT_NAMES, multi_eq=True)

    def _address(self, toks: Tokens, family: int, standard: bool = False) -> Addr:
        word = toks.take("an address")
        low = word.lower()
        if low == "any":
            return _any(family)
        if low == "host":
            value = toks.take("a host address")
            return Addr(self._host(value, family))
        if low == "object-group" and not standard:
            return self._network_group(toks.take("an object-group name"), family)
        if family == 4 and cc.is_ipv4(word):
            if cc.is_ipv4(toks.peek()):
                return cc.wildcard_addr(word, toks.take())
            if standard:
                return Addr(cc.host(word))  # a standard entry's lone address is a host
            raise ParseError(f"address {word} needs a wildcard mask")
        if cc.is_prefix(word):
            spans = cc.prefix(word)
            if not spans.issubset(addresses.ALL_V6 if family == 6 else addresses.ALL_V4):
                raise ParseError(f"{word} is not an IPv{family} network")
            return Addr(spans)
        raise ParseError(f"expected an address, found {word!r}")

    def _host(self, word: str, family: int) -> IntervalSet:
        if (family == 4 and cc.is_ipv4(word)) or (family == 6 and cc.is_ipv6(word)):
            return cc.host(word)
        raise ParseError(f"{word!r} is not an IPv{family} address")

    def _options(
        self, toks: Tokens, origin: Origin, proto: IntervalSet | None
    ) -> tuple[IntervalSet | None, list[str]]:
        """Trailing options: (TCP flags condition or None, unmodelled conditions)."""
        index = origin.line - 1
        flags: IntervalSet | None = None
        unknown: list[str] = []
        set_bits: list[tuple[int, bool]] = []
        while not toks.done():
            word = toks.take().lower()
            if word in NO_EFFECT:
                nxt = toks.peek_lower()
                if nxt is not None and nxt not in ALL_OPTION_WORDS:
                    toks.take()  # the log cookie
            elif word == "established":
                flags = ESTABLISHED if flags is None else flags & ESTABLISHED
            elif word in FLAG_WORDS:
                set_bits.append((FLAG_WORDS[word], True))
            elif word in ("match-all", "match-any"):
                constraints = []
                while toks.peek() is not None and toks.peek()[0] in "+-":  # type: ignore[index]
                    item = toks.take()
                    bit = FLAG_WORDS.get(item[1:].lower())
                    if bit is None:
                        raise ParseError(f"unknown TCP flag {item!r}")
                    constraints.append((bit, item[0] == "+"))
                if not constraints:
                    raise ParseError(f"{word} needs +flag/-flag words")
                cond = _flag_set(constraints, word == "match-any")
                flags = cond if flags is None else flags & cond
            elif word in ("ttl", "packet-length"):
                op = toks.take(f"a {word} operator")
                toks.take(f"a {word} value")
                if op.lower() == "range":
                    toks.take(f"a {word} value")
                unknown.append(f"{word} {op}")
                self.ctx.not_modelled(index, f"{word} condition is not modelled")
            elif word in UNMODELLED:
                args = [toks.take(f"a value after {word}") for _ in range(UNMODELLED[word])]
                text = " ".join([word, *args])
                if word == "reflect":
                    self.ctx.not_modelled(
                        index,
                        f"reflect {args[0]}: its replies are let in only where 'evaluate' names it",
                    )
                    continue  # the entry itself matches exactly what it says
                if word == "timeout":
                    continue
                unknown.append(text)
                self.ctx.not_modelled(index, f"{text}: condition not modelled")
            else:
                # keep what was understood as an outer bound; the rest is flagged
                text = " ".join([word, *toks.rest()])
                unknown.append(f"not understood: {text}")
                self.ctx.not_understood(
                    index,
                    f"unknown option {text!r}: the entry is kept, "
                    "matching at most what the rest of it says",
                )
        if set_bits:
            cond = _flag_set(set_bits, False)
            flags = cond if flags is None else flags & cond
        return flags, unknown

    # object-groups ----------------------------------------------------------------------

    def _object_group(self, obj, words: list[str]) -> None:
        try:
            kind, name = _group_kind(words)
        except ParseError as exc:
            self.ctx.not_understood(obj.linenum, str(exc))
            return
        group = self.groups.define(Group(kind, name, obj.linenum))
        for child in cc.children(obj):
            cwords = child.text.split()
            if not cwords or cwords[0].startswith("!"):
                continue
            if cwords[0].lower() == "no":
                # removing a member is not modelled: the members may be fewer than read
                self.ctx.not_understood(
                    child.linenum,
                    f"'{child.text.strip()}' (removing a "
                    f"member of {name}) is not modelled; the group's "
                    "uses are undetermined",
                )
                group.doubt = (
                    group.doubt
                    or f"line {child.linenum + 1} may have removed a member (not modelled)"
                )
                continue
            try:
                self._group_member(group, cwords, child.linenum)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))
                group.members.append(
                    unresolved_member(group.kind, f"line {child.linenum + 1} not understood: {exc}")
                )

    def _no_object_group(self, index: int, words: list[str]) -> None:
        """``no object-group KIND NAME``: IOS deletes the group, or refuses while a list
        uses it; neither is documented, so the group's uses are undetermined."""
        try:
            _kind, name = _group_kind(words)
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))
            return
        if self.groups.doubt(
            name, index, f"line {index + 1} may have deleted object-group {name} (not modelled)"
        ):
            self.ctx.not_understood(
                index,
                f"deleting object-group {name} is not modelled; "
                "the entries using it are undetermined",
            )

    def _group_member(self, group: Group, words: list[str], index: int) -> None:
        toks = Tokens(words)
        head = toks.peek_lower()
        if head == "description":
            return
        if head == "group-object":
            toks.take()
            group.nested.append((toks.take("a group name"), index))
            return
        if group.kind == "network":
            group.members.append(self._network_member(toks))
        elif group.kind == "port":
            ports = cc.port_operator(toks, PORT_NAMES, multi_eq=True)
            if ports is None:
                raise ParseError(f"expected a port operator, found {head!r}")
            group.members.append(ports)
        elif group.kind == "protocol":
            if toks.peek_lower() == "protocol-object":
                toks.take()
            group.members.append(cc.protocol(toks.take("a protocol"), PROTOCOLS_V4))
        else:
            group.members.append(self._service_member(toks))
        if not toks.done():
            raise ParseError(f"unexpected {' '.join(toks.rest())!r}")

    def _network_member(self, toks: Tokens) -> Addr:
        if toks.peek_lower() == "network-object":
            toks.take()
        word = toks.take("an address")
        low = word.lower()
        if low == "host":
            value = toks.take("a host address")
            if cc.is_ipv4(value) or cc.is_ipv6(value):
                return Addr(cc.host(value))
            raise ParseError(f"{value!r} is not an address")
        if low == "any":
            return Addr(addresses.ALL_V4)
        if low == "range":
            return Addr(cc.span(toks.take("an address"), toks.take("an address")))
        if cc.is_ipv4(word) and cc.is_ipv4(toks.peek()):
            return Addr(cc.with_netmask(word, toks.take()))  # groups take subnet masks
        if cc.is_prefix(word):
            return Addr(cc.prefix(word))
        raise ParseError(f"expected a network-object, found {word!r}")

    def _service_member(self, toks: Tokens) -> Service:
        word = toks.take("a protocol").lower()
        if word == "tcp-udp":
            proto: IntervalSet | None = cc.TCP_UDP
        else:
            proto = cc.protocol(word, PROTOCOLS_V4)
        if proto == IntervalSet.point(ICMP):
            types, codes = cc.icmp_message(toks, cc.ICMP4_NAMES)
            return cc.icmp_service(ICMP, types, codes)
        if proto is None or not proto.issubset(cc.PORT_PROTOCOLS):
            return Service(proto)
        sport = None
        if toks.take_if("source"):
            sport = cc.port_operator(toks, PORT_NAMES, multi_eq=True)
            if sport is None:
                raise ParseError("expected a port operator after 'source'")
        dport = cc.port_operator(toks, PORT_NAMES, multi_eq=True)
        if dport is None and cc.is_port_word(toks.peek(), PORT_NAMES):
            dport = IntervalSet.point(cc.port(toks.take(), PORT_NAMES))  # ``tcp 65000``
        return Service(proto, sport, dport)

    def _network_group(self, name: str, family: int) -> Addr:
        members = self.groups.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
        whole = cc.union_addr(members)
        fam = addresses.ALL_V6 if family == 6 else addresses.ALL_V4
        return Addr(whole.spans & fam, whole.unknown)

    def _service_group(self, name: str, family: int) -> list[Service]:
        kind = self.groups.kind_of(name)
        if kind == "protocol":
            protos = self.groups.members(
                name, "protocol", lambda why: Service(None, None, None, (why,))
            )
            out = []
            for p in protos:
                out.append(p if isinstance(p, Service) else Service(p))
            return out
        return self.groups.members(name, "service", lambda why: Service(None, None, None, (why,)))

    def _port_group(self, name: str) -> IntervalSet:
        members = self.groups.members(name, "port", lambda why: ParseError(why))
        out = IntervalSet()
        for m in members:
            if isinstance(m, ParseError):
                raise m
            out = out | m
        return out

    # interfaces -------------------------------------------------------------------------

    def _iface(self, name: str, index: int | None) -> Interface | None:
        """The interface ``name`` configures, however an earlier line spelt it; a new one
        when ``index`` (its block's line) is given and none matches."""
        number = cc.interface_number(name)
        spelt = self._numbers.setdefault(number, [])
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

    def _interface_block(self, obj, words: list[str]) -> None:
        try:
            names = _interface_names(words)
        except ParseError as exc:
            # which interfaces it configures is unknown: any list it attaches or
            # detaches may be on any interface configured so far
            self.ctx.not_understood(
                obj.linenum,
                f"{exc}; the lists it attaches or "
                "detaches make every interface's lists undetermined",
            )
            for child in cc.children(obj):
                low = [w.lower() for w in child.text.split()]
                if low[:2] in ACCESS_GROUP or (low[:1] == ["no"] and low[1:3] in ACCESS_GROUP):
                    self._anywhere(child.linenum, child.text.split(), low)
            return
        self._interface(obj, names)

    def _anywhere(self, index: int, words: list[str], low: list[str]) -> None:
        """An access-group line of an interface range exaudit cannot expand."""
        undo = low[0] == "no"
        if undo:
            words, low = words[1:], low[1:]
        family = 6 if low[0] == "ipv6" else 4
        why = f"line {index + 1} may have changed it (an interface range not understood)"
        for iface in self.interfaces.values():
            for direction in _directions(words, low):
                key = (direction, family)
                current = iface.groups.get(key)
                if undo and current is not None:
                    iface.groups[key] = current.possibly_gone(why)
                elif not undo and len(words) >= 3:
                    iface.groups[key] = Attachment(words[2], index, why, current)

    def _interface(self, obj, names: list[str]) -> None:
        ifaces = [self._iface(name, obj.linenum) for name in names]
        for child in cc.children(obj):
            words = child.text.split()
            low = [w.lower() for w in words]
            for iface in ifaces:
                assert iface is not None
                self._interface_line(iface, child, words, low)

    def _interface_line(self, iface: Interface, child, words: list[str], low: list[str]) -> None:
        if low[:2] in ACCESS_GROUP:
            self._attach(iface, child.linenum, words, low)
        elif low[:1] == ["no"] and low[1:3] in ACCESS_GROUP:
            self._detach(iface, child.linenum, words[1:], low[1:])
        elif low[:2] == ["zone-member", "security"] and len(words) >= 3:
            iface.zone = (words[2], child.linenum)
            self.ctx.not_modelled(
                child.linenum,
                f"zone-based firewall (zone {words[2]}) "
                "is not modelled: verdicts through this interface "
                "are undetermined",
            )
        elif low[:3] == ["no", "zone-member", "security"]:
            iface.zone = None
        elif low[:2] == ["ip", "inspect"]:
            self.ctx.note(
                child.linenum,
                "CBAC inspection lets replies of inspected "
                "sessions back in; exaudit evaluates each direction alone",
            )
        elif low in (["shutdown"], ["no", "shutdown"]):
            iface.shutdown = low == ["shutdown"]

    def _attach(self, iface: Interface, index: int, words: list[str], low: list[str]) -> None:
        """``ip access-group NAME in|out``: a second one for the same direction replaces
        the first (one list per interface, protocol and direction)."""
        family = 6 if low[0] == "ipv6" else 4
        if len(words) == 4 and low[3] in ("in", "out"):
            iface.groups[(low[3], family)] = Attachment(words[2], index)
            return
        self.ctx.not_understood(index, f"expected '{words[0]} {words[1]} NAME in|out'")
        if len(words) < 3 or (len(words) == 3 and low[2] in ("in", "out")):
            return  # no list named: IOS rejects it and nothing changes
        # the old command reference reads a missing direction as out; with other words
        # after the name, the line may attach the list either way
        directions = _directions(words, low)
        for direction in directions:
            key = (direction, family)
            iface.groups[key] = Attachment(
                words[2],
                index,
                f"line {index + 1} may attach {words[2]} {direction} (not understood)",
                iface.groups.get(key),
            )

    def _detach(self, iface: Interface, index: int, words: list[str], low: list[str]) -> None:
        """``no ip access-group NAME in|out`` removes that list from the interface; what
        IOS does when another list is attached there is not documented."""
        family = 6 if low[0] == "ipv6" else 4
        exact = len(words) == 4 and low[3] in ("in", "out")
        why = f"line {index + 1} ({self.ctx.lines[index].strip()}) may have removed it"
        unsure: list[str] = []
        for direction in _directions(words, low):
            key = (direction, family)
            current = iface.groups.get(key)
            if current is None:
                continue  # nothing attached there: nothing to remove
            if exact and current.acl == words[2]:
                rest = (
                    current.fallback.possibly_gone(why)
                    if current.doubt and current.fallback is not None
                    else None
                )
                if rest is None:
                    del iface.groups[key]
                else:
                    iface.groups[key] = rest
                continue
            iface.groups[key] = current.possibly_gone(why)
            unsure.append(f"{current.acl} {direction}")
        if unsure:
            self.ctx.not_understood(
                index,
                f"whether '{self.ctx.lines[index].strip()}' "
                f"removes the list attached ({', '.join(unsure)}) is "
                "not modelled; verdicts through this interface are "
                "undetermined",
            )

    def _default_interface(self, name: str) -> None:
        """``default interface X`` returns X to its default configuration: no lists."""
        iface = self._iface(name, None)
        if iface is not None:
            iface.groups.clear()
            iface.zone = None

    def _no_interface(self, index: int, words: list[str]) -> None:
        """``no interface X`` deletes a subinterface or a virtual interface; deleting a
        physical one is not documented, so its lists may or may not be gone."""
        iface = self._iface(" ".join(words[1:]), None)
        if iface is None:
            return
        stem = cc.interface_stem(iface.name)
        if "." in iface.name or any(v.startswith(stem) for v in VIRTUAL_INTERFACES):
            del self.interfaces[iface.name]
            self._numbers[cc.interface_number(iface.name)].remove(iface.name)
            return
        if iface.groups:
            self.ctx.not_understood(
                index,
                f"deleting the physical interface {iface.name} is "
                "not modelled; its lists are undetermined",
            )
            why = f"line {index + 1} may have deleted {iface.name}"
            for key, att in list(iface.groups.items()):
                iface.groups[key] = att.possibly_gone(why)

    # finishing ------------------------------------------------------------------------

    def _finish(self) -> None:
        rs = self.ctx.ruleset
        taken: set[str] = set()
        for (family, name), acl in sorted(self.acls.items(), key=lambda kv: kv[0]):
            key = name if name not in taken else f"{name} (ipv6)"
            taken.add(key)
            acl.key = key
            self._settle_twins(acl)
            chain = cc.acl_chain(key)
            for entry in sorted(acl.entries, key=lambda e: e.seq):
                chain.rules.extend(entry.rules)
            if family == 6 and acl.has_aces():
                chain.rules.extend(_implicit_nd(self.ctx.origin(acl.index)))
            aces = [e for e in acl.entries if not e.remark]
            if aces and all(e.doubt_at is not None for e in aces):
                # if every entry is gone the list is empty, and IOS permits all through it
                cause = min(e.doubt_at for e in aces if e.doubt_at is not None)
                chain.rules.append(
                    cc.unknown_rule(
                        self.ctx.origin(cause),
                        None,
                        f"every entry of {name} may be gone (line "
                        f"{cause + 1}): an empty list permits all",
                        space=_space(family),
                    )
                )
            rs.chains[key] = chain
        for iface in self.interfaces.values():
            for (direction, family), att in iface.groups.items():
                acl = self.acls.get((family, att.acl))
                kind = "ip access-group" if family == 4 else "ipv6 traffic-filter"
                if acl is None:
                    self.ctx.note(
                        att.index,
                        f"{kind} {att.acl} {direction} on {iface.name}: "
                        "the ACL is not defined, so IOS permits all traffic",
                    )
                elif not acl.has_aces():
                    self.ctx.note(
                        att.index,
                        f"{kind} {att.acl} {direction} on {iface.name}: "
                        "the ACL has no entries, so IOS permits all traffic",
                    )
        rs.extra["lines"] = self.ctx.lines
        rs.extra["interfaces"] = self.interfaces
        rs.extra["acls"] = {acl.key: acl for acl in self.acls.values()}
        rs.extra["coverage"] = self.ctx.coverage()
        rs.extra["stage_cache"] = {}

    def _settle_twins(self, acl: Acl) -> None:
        """An entry IOS may have taken for one already in the list (written differently)
        made no change, or was added: that matters where it comes first, or where the
        other one was removed later."""
        for entry in acl.entries:
            twin = entry.twin
            if twin is None or entry.doubt_at is not None:
                continue
            if twin.gone or twin.seq > entry.seq or twin.doubt_at is not None:
                where = (
                    "was removed"
                    if twin.gone
                    else "comes after it"
                    if twin.seq > entry.seq
                    else "may be gone"
                )
                self._doubt(
                    acl,
                    entry,
                    entry.index,
                    f"IOS may have taken it for the entry "
                    f"of line {twin.index + 1} (written differently), which {where}: "
                    "whether IOS added it is not modelled",
                )


def _implicit_nd(origin: Origin) -> list[Rule]:
    """IOS ends every IPv6 list with permits for neighbor discovery, then the deny."""
    out = []
    for name in ("nd-na", "nd-ns"):
        match = Match(
            proto=IntervalSet.point(ICMPV6),
            src=addresses.ALL_V6,
            dst=addresses.ALL_V6,
            dport=IntervalSet.point(ICMP6_NAMES[name][0]),
        )
        out.append(Rule(origin, match, Target(Verb.ACCEPT, name=f"implicit permit {name}")))
    return out


_RANGE_ITEM = re.compile(r"^(.*?)(\d+)\s*-\s*(\d+)$")


def _interface_names(words: list[str]) -> list[str]:
    """The interfaces an ``interface`` line names: one, or an ``interface range`` of
    ``TYPE SLOT/FIRST - LAST`` items separated by commas."""
    if not words or words[0].lower() != "range":
        return [" ".join(words)]
    names: list[str] = []
    for item in " ".join(words[1:]).split(","):
        item = item.strip()
        m = _RANGE_ITEM.match(item)
        if m is None:
            if not item or item.lower().startswith("macro"):
                raise ParseError(f"interface range {' '.join(words[1:])!r} is not understood")
            names.append(item)
            continue
        first, last = int(m.group(2)), int(m.group(3))
        if last < first or last - first > 4096:
            raise ParseError(f"interface range {item!r} is not understood")
        names.extend(f"{m.group(1)}{n}" for n in range(first, last + 1))
    return names


def _directions(words: list[str], low: list[str]) -> tuple[str, ...]:
    """The directions an access-group line (without ``no``) may mean: the one it names;
    out when it names none (the old command reference's default); both otherwise."""
    if len(words) >= 4 and low[3] in ("in", "out"):
        return (low[3],)
    if len(words) == 3 and low[2] in ("in", "out"):
        return (low[2],)  # ``no ip access-group in``: no list named
    if len(words) == 3:
        return ("out",)
    return ("in", "out")


def _group_kind(words: list[str]) -> tuple[str, str]:
    """(kind, name) of an ``object-group`` line (without ``no``)."""
    if len(words) < 3:
        raise ParseError("incomplete object-group line")
    kind_word = words[1].lower()
    if kind_word == "ip" and len(words) >= 4 and words[2].lower() == "port":
        return "port", words[3]
    if kind_word in ("network", "service", "protocol"):
        return kind_word, words[2]
    raise ParseError(f"object-group {kind_word} is not supported")


def _signature(rules: list[Rule], text: str) -> tuple:
    """What an entry matches and does, and its logging words: IOS compares whole entries,
    so two entries with equal signatures may be one entry to IOS, written differently."""
    logs = tuple(sorted(w for w in text.lower().split() if w in NO_EFFECT))
    return tuple((r.match, r.target.verb, r.unknown) for r in rules), logs


def _numbered_kind(name: str) -> str | None:
    if not cc._DIGITS.match(name):
        return None
    value = int(name)
    for (lo, hi), kind in NUMBERED:
        if lo <= value <= hi:
            return kind
    return None


def _space(family: int) -> IntervalSet:
    return addresses.ALL_V6 if family == 6 else addresses.ALL_V4


def _any(family: int) -> Addr:
    return Addr(_space(family))


# --- the platform interface -------------------------------------------------------------


def parse(text: str, path: str) -> Ruleset:
    """IOS configuration text to ACL chains, interface attachments and issues."""
    return _Parser(text, path).run()


def looks_like(text: str) -> float:
    """How IOS-like the text is (ASA markers count against it)."""
    sample = text[:200_000]
    score = 0.0
    if re.search(r"^ip access-list (standard|extended) \S+", sample, re.M):
        score += 0.5
    if re.search(
        r"^access-list (1\d\d|2[0-6]\d\d|\d{1,2}|1[3-9]\d\d) (permit|deny|remark)", sample, re.M
    ):
        score += 0.4
    if re.search(r"^\s+ip access-group \S+ (in|out)", sample, re.M):
        score += 0.3
    if re.search(r"^interface (GigabitEthernet|FastEthernet|Ethernet|Serial|Vlan)", sample, re.M):
        score += 0.1
    if re.search(r"^(version 1\d\.|hostname |ipv6 access-list )", sample, re.M):
        score += 0.1
    if re.search(r"^(boot-start-marker|service timestamps |line vty )", sample, re.M):
        score += 0.2
    if re.search(
        r"^(ASA Version|:\s*Saved)|^\s+nameif |^access-list \S+ extended |"
        r"^object network ",
        sample,
        re.M,
    ):
        score -= 0.6
    return max(0.0, min(1.0, score))


def _interfaces(ruleset: Ruleset) -> dict[str, Interface]:
    return ruleset.extra.get("interfaces", {})  # type: ignore[return-value]


def _acls(ruleset: Ruleset) -> dict[str, Acl]:
    return ruleset.extra.get("acls", {})  # type: ignore[return-value]


def resolve_interface(ruleset: Ruleset, name: str) -> Interface:
    known = _interfaces(ruleset)
    full, candidates = cc.resolve_interface(name, known)
    if full is None:
        if candidates:
            raise InputError(
                ruleset.file, None, f"interface {name} is ambiguous: {', '.join(candidates)}"
            )
        raise InputError(
            ruleset.file,
            None,
            f"interface {name} is not defined in the "
            f"configuration (known: {', '.join(sorted(known)) or 'none'})",
        )
    return known[full]


def _acl_by_name(ruleset: Ruleset, name: str, family: int) -> Acl | None:
    for acl in _acls(ruleset).values():
        if acl.name == name and acl.family == family:
            return acl
    return None


def _other_family_passes(origin: Origin, family: int) -> Rule:
    if family == 4:
        match, why = Match(src=addresses.ALL_V6), "IPv6 is not filtered by ip access-group"
    else:
        match, why = Match(src=addresses.ALL_V4), "IPv4 is not filtered by ipv6 traffic-filter"
    return Rule(origin, match, Target(Verb.ACCEPT, name=why))


def _family_chain(ruleset: Ruleset, att: Attachment, family: int) -> Chain:
    """The rules one attached list applies to its own family (all its rules stay in it)."""
    origin = Origin(ruleset.file, att.index + 1, _line_text(ruleset, att.index))
    acl = _acl_by_name(ruleset, att.acl, family)
    if acl is None or not acl.has_aces():
        # IOS permits everything through an ACL that is not defined or has no entries
        why = "undefined ACL permits all" if acl is None else "empty ACL permits all"
        space = _space(family)
        return Chain(
            att.acl, [Rule(origin, Match(src=space), Target(Verb.ACCEPT, name=why))], None, None
        )
    return ruleset.chains[acl.key]


def _iface_stages(ruleset: Ruleset, given: str, direction: str) -> list[Stage]:
    """One stage per direction: the IPv4 list for IPv4 packets, the IPv6 one for IPv6."""
    iface = resolve_interface(ruleset, given)
    attached = [
        (family, iface.groups[(direction, family)])
        for family in (4, 6)
        if (direction, family) in iface.groups
    ]
    if not attached:
        return []
    if any(att.doubt is not None for _, att in attached):
        return [_undecided_stage(ruleset, given, direction, attached)]
    rules: list[Rule] = []
    names = []
    for family, att in attached:
        part = _family_chain(ruleset, att, family)
        rules.extend(part.rules)
        names.append(att.acl if family == 4 else f"ipv6 {att.acl}")
    default, default_origin = Target(Verb.DROP, name="implicit deny"), None
    if len(attached) == 1:
        family, att = attached[0]
        origin = Origin(ruleset.file, att.index + 1, _line_text(ruleset, att.index))
        rules.append(_other_family_passes(origin, family))
        part = _family_chain(ruleset, att, family)
        if part.default is None:  # undefined or empty: it permits everything
            default = Target(Verb.ACCEPT, name=part.rules[0].target.name)
            default_origin = origin
            rules = []
        name = part.name
    else:
        name = " + ".join(names)
    chain = Chain(name, rules, default, default_origin)
    label = f"{direction} {given} {' + '.join(names)}"
    return [Stage(label, {chain.name: chain}, chain.name)]


def _undecided_stage(
    ruleset: Ruleset, given: str, direction: str, attached: list[tuple[int, Attachment]]
) -> Stage:
    """A direction whose attached list is not sure. Each candidate is entered by a
    ``goto`` (its own implicit deny then decides), after an uncertain ``goto`` to what
    filters when it is not the one (the next candidate, or no list at all): the world
    where the list is attached is the natural reading, and the engine keeps what every
    world agrees on."""
    chains: dict[str, Chain] = {}
    rules: list[Rule] = []
    for family, att in attached:
        rules.extend(_candidates(ruleset, att, family, chains, f"{direction} {given}"))
    if len(attached) == 1:
        family, att = attached[0]
        rules.append(_other_family_passes(_att_origin(ruleset, att), family))
    names = [att.acl if family == 4 else f"ipv6 {att.acl}" for family, att in attached]
    entry = f"{direction} {given} (undetermined list)"
    chains[entry] = Chain(entry, rules, Target(Verb.DROP, name="implicit deny"), None)
    return Stage(f"{direction} {given} {' + '.join(names)}", chains, entry)


def _candidates(
    ruleset: Ruleset, att: Attachment, family: int, chains: dict[str, Chain], where: str
) -> list[Rule]:
    """Rules sending this family's packets to the list ``att`` names, or (uncertain) to
    what filters without it; adds the chains they go to."""
    space = _space(family)
    origin = _att_origin(ruleset, att)
    chain = _family_chain(ruleset, att, family)
    name = chain.name if chain.default is not None else f"{att.acl} ({chain.rules[0].target.name})"
    chains[name] = Chain(name, chain.rules, chain.default, chain.default_origin)
    present = Rule(origin, Match(src=space), Target(Verb.GOTO, name))
    if att.doubt is None:
        return [present]
    if att.fallback is None:
        return [
            Rule(
                origin, Match(src=space), Target(Verb.ACCEPT, name="no list attached"), (att.doubt,)
            ),
            present,
        ]
    rest = f"{where} without {att.acl} (line {origin.line})"
    chains[rest] = Chain(
        rest,
        _candidates(ruleset, att.fallback, family, chains, rest),
        Target(Verb.DROP, name="implicit deny"),
        None,
    )
    return [Rule(origin, Match(src=space), Target(Verb.GOTO, rest), (att.doubt,)), present]


def _att_origin(ruleset: Ruleset, att: Attachment) -> Origin:
    return Origin(ruleset.file, att.index + 1, _line_text(ruleset, att.index))


def _line_text(ruleset: Ruleset, index: int) -> str:
    lines: list[str] = ruleset.extra.get("lines", [])  # type: ignore[assignment]
    return lines[index].strip() if index < len(lines) else ""


def _zone_stage(ruleset: Ruleset, ifaces: list[Interface]) -> list[Stage]:
    zoned = [i for i in ifaces if i.zone is not None]
    if not zoned:
        return []
    zone, index = zoned[0].zone  # type: ignore[misc]
    origin = Origin(ruleset.file, index + 1, _line_text(ruleset, index))
    rule = Rule(
        origin,
        Match(),
        Target(Verb.ACCEPT, name="zone policy"),
        ("zone-based firewall policy (not modelled)",),
    )
    chain = Chain("zone-policy", [rule], Target(Verb.DROP, name="zone policy"), origin)
    names = " -> ".join(f"{i.name} ({i.zone[0] if i.zone else 'no zone'})" for i in ifaces)
    return [Stage(f"zone {names}: not modelled", {chain.name: chain}, chain.name)]


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """The ACLs a packet meets: ``in`` on its ingress interface, then ``out`` on its egress."""

    def build() -> list[Stage]:
        result: list[Stage] = []
        seen: list[Interface] = []
        if in_iface:
            result += _iface_stages(ruleset, in_iface, "in")
            seen.append(resolve_interface(ruleset, in_iface))
        if out_iface:
            result += _iface_stages(ruleset, out_iface, "out")
            seen.append(resolve_interface(ruleset, out_iface))
        return result + _zone_stage(ruleset, seen)

    return cached_stages(
        ruleset,
        (in_iface, out_iface, chain),
        build,
        local=local,
        no_local="Cisco IOS ACLs filter traffic crossing interfaces; a "
        "local (host firewall) path does not apply",
        acl_word="access list",
    )


# --- fixes ------------------------------------------------------------------------------


def _render_address(cidr: str, family: int) -> str:
    if family == 6:
        if cidr == "::/0":
            return "any"
        return f"host {cidr}" if "/" not in cidr else cidr
    if cidr == "0.0.0.0/0":
        return "any"
    if "/" not in cidr:
        return f"host {cidr}"
    address, length = cidr.split("/")
    wild = (1 << (32 - int(length))) - 1
    return f"{address} {addresses._from_int(wild)}"


def render_sources(sources: tuple[str, ...], family: int) -> list[str]:
    out: list[str] = []
    fam = addresses.ALL_V6 if family == 6 else addresses.ALL_V4
    for src in sources:
        spans = addresses.parse(src) & fam
        if spans == fam:
            out.append("any")
            continue
        out.extend(_render_address(c, family) for c in addresses.to_cidrs(spans))
    return list(dict.fromkeys(out))


def render_ports(ports: IntervalSet) -> list[str]:
    if ports == IntervalSet.span(0, 65535):
        return [""]
    return [f"eq {lo}" if lo == hi else f"range {lo} {hi}" for lo, hi in ports.spans]


def _acls_for_stage(ruleset: Ruleset, label: str) -> list[Acl]:
    """The lists a stage label names (``out Gi0/1 110 + ipv6 V6``, ``acl X``)."""
    words = label.split()
    if len(words) >= 2 and words[0] == "acl":
        found = _acls(ruleset).get(" ".join(words[1:]))
        return [found] if found is not None else []
    if len(words) < 3 or words[0] not in ("in", "out"):
        return []
    out = []
    for name in " ".join(words[2:]).split(" + "):
        family = 4
        if name.startswith("ipv6 "):
            family, name = 6, name[5:]
        acl = _acl_by_name(ruleset, name, family)
        if acl is not None:
            out.append(acl)
    return out


def _sequences(acl: Acl, before: Origin | None, count: int) -> tuple[list[int], str | None]:
    """Free sequence numbers just above the deciding deny, or a resequence command first."""
    entries = sorted(acl.entries, key=lambda e: e.seq)
    if before is None:
        last = entries[-1].seq if entries else 0
        return [last + 10 * (j + 1) for j in range(count)], None
    position = next((i for i, e in enumerate(entries) if e.index == before.line - 1), None)
    if position is None:
        last = entries[-1].seq if entries else 0
        return [last + 10 * (j + 1) for j in range(count)], None
    deny = entries[position].seq
    prev = entries[position - 1].seq if position > 0 else 0
    step = (deny - prev) // (count + 1)
    if step >= 1:
        return [prev + step * (j + 1) for j in range(count)], None
    increment = 10 * (count // 10 + 1)
    prev, deny = increment * position, increment * (position + 1)
    step = (deny - prev) // (count + 1)
    seqs = [prev + step * (j + 1) for j in range(count)]
    return seqs, f"ip access-list resequence {acl.name} {increment} {increment}"


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """IOS lines inserting permits just above the deny that decided the request."""
    if request.local is not None:
        return None
    dst_family = 6 if addresses.parse(request.destination).issubset(addresses.ALL_V6) else 4
    candidates = [a for a in _acls_for_stage(ruleset, request.stage) if a.family == dst_family]
    if request.before is not None:
        line = request.before.line - 1
        candidates = [a for a in candidates if any(e.index == line for e in a.entries)]
    if not candidates:
        return None
    acl = candidates[0]
    sources = render_sources(request.sources, acl.family)
    dst = render_sources((request.destination,), acl.family)
    if not sources or not dst:
        return None
    bodies = []
    if acl.kind == "standard":
        bodies = [f"permit {s}" for s in sources]
    else:
        for s in sources:
            for d in dst:
                for p in render_ports(request.ports):
                    bodies.append(" ".join(x for x in ("permit", request.proto, s, d, p) if x))
    seqs, reseq = _sequences(acl, request.before, len(bodies))
    out = []
    if acl.numbered:
        out.append(
            f"! access-list {acl.name} is numbered: IOS (12.3 and later) edits it by "
            "sequence number as a named list"
        )
    if acl.kind == "standard":
        out.append(
            f"! {acl.name} is a standard ACL: it matches sources only, so these "
            "entries permit all traffic from them"
        )
    if reseq:
        out.append(reseq)
    if acl.family == 6:
        out.append(f"ipv6 access-list {acl.name}")
        out.extend(f" {body} sequence {seq}" for seq, body in zip(seqs, bodies, strict=False))
    else:
        out.append(f"ip access-list {acl.kind} {acl.name}")
        out.extend(f" {seq} {body}" for seq, body in zip(seqs, bodies, strict=False))
    return "\n".join(out)


def coverage(ruleset: Ruleset) -> dict[str, int]:
    return dict(ruleset.extra.get("coverage", {}))  # type: ignore[arg-type]


PLATFORM = Platform(
    name=NAME,
    title="Cisco IOS",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    comments=CISCO,
)
