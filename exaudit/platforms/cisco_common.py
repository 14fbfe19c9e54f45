"""Pieces shared by the Cisco IOS and ASA parsers: blocks, tokens, ports, addresses, groups."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    ICMP,
    ICMPV6,
    PORTS,
    TCP,
    Chain,
    Issue,
    IssueKind,
    Match,
    Note,
    Origin,
    Rule,
    Ruleset,
    Stage,
    Target,
    Verb,
)

# ciscoconfparse logs through loguru at import and on odd input; exaudit prints its own
# diagnostics, so that logger is silenced before the first import.
try:  # pragma: no cover - loguru is a dependency of ciscoconfparse
    from loguru import logger as _loguru

    _loguru.remove()
    _loguru.disable("ciscoconfparse")
except ImportError:  # pragma: no cover
    pass

from ciscoconfparse import CiscoConfParse

# Protocols whose packets carry ports (a port condition restricts the protocol to these).
PORT_PROTOCOLS = IntervalSet.of([6, 17, 33, 132])
TCP_ONLY = IntervalSet.point(TCP)
TCP_UDP = IntervalSet.of([6, 17])
ICMP_TYPES = IntervalSet.span(0, 255)

# ICMPv4 message names (type, code or None for any code); IOS knows all of them, ASA the
# ones without a code. The numbers are the IANA ones, so one table serves both.
ICMP4_NAMES: dict[str, tuple[int, int | None]] = {
    "echo-reply": (0, None),
    "unreachable": (3, None),
    "net-unreachable": (3, 0),
    "host-unreachable": (3, 1),
    "protocol-unreachable": (3, 2),
    "port-unreachable": (3, 3),
    "packet-too-big": (3, 4),
    "source-route-failed": (3, 5),
    "network-unknown": (3, 6),
    "host-unknown": (3, 7),
    "host-isolated": (3, 8),
    "dod-net-prohibited": (3, 9),
    "dod-host-prohibited": (3, 10),
    "net-tos-unreachable": (3, 11),
    "host-tos-unreachable": (3, 12),
    "administratively-prohibited": (3, 13),
    "host-precedence-unreachable": (3, 14),
    "precedence-unreachable": (3, 15),
    "source-quench": (4, None),
    "redirect": (5, None),
    "net-redirect": (5, 0),
    "host-redirect": (5, 1),
    "net-tos-redirect": (5, 2),
    "host-tos-redirect": (5, 3),
    "alternate-address": (6, None),
    "echo": (8, None),
    "router-advertisement": (9, None),
    "router-solicitation": (10, None),
    "time-exceeded": (11, None),
    "ttl-exceeded": (11, 0),
    "reassembly-timeout": (11, 1),
    "parameter-problem": (12, None),
    "general-parameter-problem": (12, 0),
    "option-missing": (12, 1),
    "no-room-for-option": (12, 2),
    "timestamp-request": (13, None),
    "timestamp-reply": (14, None),
    "information-request": (15, None),
    "information-reply": (16, None),
    "mask-request": (17, None),
    "mask-reply": (18, None),
    "traceroute": (30, None),
    "conversion-error": (31, None),
    "mobile-redirect": (32, None),
}


class ParseError(Exception):
    """A line (or part of one) that does not follow the grammar exaudit knows."""


# --- reading the text -------------------------------------------------------------------


def split_lines(text: str, path: str) -> list[str]:
    """The configuration's lines (``\\n`` only, so numbers match editors); unusable input raises."""
    if not isinstance(text, str):
        raise InputError(path, None, "configuration is not text")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, line, "binary data (NUL byte), not a text configuration")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 9 or 13 < ord(ch) < 32 or ord(ch) == 127)
    if controls * 20 > max(len(sample), 1):
        raise InputError(path, None, "binary data (control bytes), not a text configuration")
    if not text.strip():
        raise InputError(path, None, "the configuration is empty")
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def load_blocks(lines: list[str], path: str, syntax: str) -> CiscoConfParse:
    """ciscoconfparse's block structure (parents and children) over exactly these lines."""
    try:
        conf = CiscoConfParse(lines, syntax=syntax, ignore_blank_lines=False, factory=False)
    except Exception as exc:  # the library's own errors on input it cannot structure
        raise InputError(path, None, f"cannot read the configuration's structure: {exc}") from None
    if len(conf.ConfigObjs) != len(lines):
        raise InputError(
            path, None, "cannot read the configuration's structure (line count mismatch)"
        )
    return conf


def top_level(conf: CiscoConfParse) -> list:
    return [obj for obj in conf.ConfigObjs if obj.parent is obj]


def children(obj) -> list:
    """An object's direct children in file order, each once (banners repeat some)."""
    seen: set[int] = set()
    out = []
    for child in obj.children:
        if child.linenum not in seen:
            seen.add(child.linenum)
            out.append(child)
    return sorted(out, key=lambda c: c.linenum)


# --- diagnostics ------------------------------------------------------------------------


@dataclass
class Context:
    """One file being parsed: its lines, the ruleset being filled, and diagnostics."""

    path: str
    lines: list[str]
    ruleset: Ruleset
    ace_lines: set[int] = field(default_factory=set)  # 0-based indexes of ACE lines
    _reported: set[Issue] = field(default_factory=set)

    def origin(self, index: int) -> Origin:
        return Origin(self.path, index + 1, self.lines[index].strip())

    def issue(self, code: IssueKind, index: int, message: str) -> None:
        issue = Issue(code, self.origin(index), message)
        if issue not in self._reported:  # a line read for several interfaces, say once
            self._reported.add(issue)
            self.ruleset.issues.append(issue)

    def note(self, index: int | None, message: str) -> None:
        origin = self.origin(index) if index is not None else None
        self.ruleset.notes.append(Note(origin, message))

    @contextmanager
    def quiet(self) -> Iterator[list[Issue]]:
        """Read something only to compare it: what reading it reports is collected in the
        list yielded, and dropped from the ruleset."""
        issues, notes = self.ruleset.issues, self.ruleset.notes
        marks = len(issues), len(notes)
        said: list[Issue] = []
        try:
            yield said
        finally:
            said.extend(issues[marks[0] :])
            self._reported.difference_update(said)
            del issues[marks[0] :], notes[marks[1] :]

    def not_understood(self, index: int, message: str) -> None:
        self.issue(IssueKind.UNPARSED, index, message)

    def not_modelled(self, index: int, message: str) -> None:
        self.issue(IssueKind.UNSUPPORTED, index, message)

    def coverage(self) -> dict[str, int]:
        """ACE lines, and how many of them are fully modelled / partly / not understood."""
        by_line: dict[int, set[IssueKind]] = {}
        for issue in self.ruleset.issues:
            by_line.setdefault(issue.origin.line - 1, set()).add(issue.kind)
        bad = sum(1 for i in self.ace_lines if IssueKind.UNPARSED in by_line.get(i, ()))
        partial = sum(
            1
            for i in self.ace_lines
            if IssueKind.UNSUPPORTED in by_line.get(i, ()) and IssueKind.UNPARSED not in by_line[i]
        )
        return {
            "ace_lines": len(self.ace_lines),
            "understood": len(self.ace_lines) - bad,
            "partial": partial,
            "not_understood": bad,
        }


# --- tokens -----------------------------------------------------------------------------


class Tokens:
    """A cursor over the words of one line."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self.i = 0

    @classmethod
    def of(cls, text: str) -> Tokens:
        return cls(text.split())

    def peek(self, ahead: int = 0) -> str | None:
        j = self.i + ahead
        return self.words[j] if j < len(self.words) else None

    def peek_lower(self, ahead: int = 0) -> str | None:
        word = self.peek(ahead)
        return word.lower() if word is not None else None

    def take(self, what: str = "a word") -> str:
        if self.i >= len(self.words):
            raise ParseError(f"expected {what} at the end of the line")
        word = self.words[self.i]
        self.i += 1
        return word

    def take_if(self, *keywords: str) -> str | None:
        word = self.peek_lower()
        if word is not None and word in keywords:
            self.i += 1
            return word
        return None

    def done(self) -> bool:
        return self.i >= len(self.words)

    def rest(self) -> list[str]:
        out = self.words[self.i :]
        self.i = len(self.words)
        return out


# --- numbers, ports and protocols ----------------------------------------------------------

_DIGITS = re.compile(r"^\d+$")


def number(word: str, lo: int, hi: int, what: str) -> int:
    if not _DIGITS.match(word):
        raise ParseError(f"{what} {word!r} is not a number")
    value = int(word)
    if not lo <= value <= hi:
        raise ParseError(f"{what} {value} is outside {lo}-{hi}")
    return value


def is_port_word(word: str | None, names: dict[str, int]) -> bool:
    return word is not None and (_DIGITS.match(word) is not None or word.lower() in names)


def port(word: str, names: dict[str, int]) -> int:
    if _DIGITS.match(word):
        return number(word, 0, 65535, "port")
    try:
        return names[word.lower()]
    except KeyError:
        raise ParseError(f"unknown port name {word!r}") from None


PORT_OPERATORS = ("eq", "neq", "lt", "gt", "range")


def port_operator(toks: Tokens, names: dict[str, int], multi_eq: bool) -> IntervalSet | None:
    """A port condition at the cursor (``eq``/``neq``/``lt``/``gt``/``range``), else None.

    ``multi_eq``: IOS accepts several ports after ``eq`` (any of them matches).
    """
    op = toks.take_if(*PORT_OPERATORS)
    if op is None:
        return None
    if op == "range":
        lo, hi = port(toks.take("a port"), names), port(toks.take("a port"), names)
        if hi < lo:
            raise ParseError(f"port range {lo} {hi} ends before it starts")
        return IntervalSet.span(lo, hi)
    first = port(toks.take("a port"), names)
    if op == "eq":
        values = [first]
        while multi_eq and is_port_word(toks.peek(), names):
            values.append(port(toks.take(), names))
        return IntervalSet.of(values)
    if op == "neq":
        return PORTS - IntervalSet.point(first)
    if op == "lt":
        return IntervalSet.span(0, first - 1)
    return IntervalSet.span(first + 1, 65535)


def protocol(word: str, names: dict[str, IntervalSet | None]) -> IntervalSet | None:
    """A protocol name or number; ``None`` means every protocol (``ip``)."""
    low = word.lower()
    if low in names:
        return names[low]
    if _DIGITS.match(word):
        value = number(word, 0, 255, "protocol")
        return IntervalSet.point(value)
    raise ParseError(f"unknown protocol {word!r}")


def icmp_message(
    toks: Tokens, names: dict[str, tuple[int, int | None]]
) -> tuple[IntervalSet | None, IntervalSet | None]:
    """An optional ICMP type (and code) at the cursor: (types, codes), None = any."""
    word = toks.peek_lower()
    if word is None:
        return None, None
    if word in names:
        toks.take()
        icmp_type, code = names[word]
        if code is None and _DIGITS.match(toks.peek() or ""):
            code = number(toks.take(), 0, 255, "ICMP code")  # ASA: ``unreachable 4``
        return IntervalSet.point(icmp_type), (IntervalSet.point(code) if code is not None else None)
    if _DIGITS.match(word):
        icmp_type = number(toks.take(), 0, 255, "ICMP type")
        codes = None
        if toks.peek() is not None and _DIGITS.match(toks.peek() or ""):
            codes = IntervalSet.point(number(toks.take(), 0, 255, "ICMP code"))
        return IntervalSet.point(icmp_type), codes
    return None, None


# --- addresses --------------------------------------------------------------------------


def is_ipv4(word: str | None) -> bool:
    if word is None or word.count(".") != 3:
        return False
    try:
        ipaddress.IPv4Address(word)
    except ValueError:
        return False
    return True


def is_prefix(word: str | None) -> bool:
    if word is None or "/" not in word:
        return False
    try:
        ipaddress.ip_network(word, strict=False)
    except ValueError:
        return False
    return True


def is_ipv6(word: str | None) -> bool:
    if word is None or ":" not in word:
        return False
    try:
        ipaddress.IPv6Address(word)
    except ValueError:
        return False
    return True


def _checked(build: Callable[[], IntervalSet], text: str) -> IntervalSet:
    try:
        return build()
    except (addresses.AddressError, ValueError) as exc:
        raise ParseError(f"bad address {text!r}: {exc}") from None


def host(word: str) -> IntervalSet:
    return _checked(lambda: addresses.host(word), word)


def with_wildcard(address: str, wild: str) -> IntervalSet:
    """IOS address + wildcard mask (exact for non-contiguous masks too)."""
    return _checked(lambda: addresses.wildcard(address, wild), f"{address} {wild}")


def wildcard_addr(address: str, wild: str) -> Addr:
    """Like ``with_wildcard``; a mask selecting too many blocks is kept as an unknown."""
    try:
        return Addr(addresses.wildcard(address, wild))
    except addresses.AddressError as exc:
        if "separate blocks" not in str(exc):
            raise ParseError(f"bad address '{address} {wild}': {exc}") from None
        return Addr(IntervalSet(), (f"{address} {wild}: {exc}",))
    except ValueError as exc:
        raise ParseError(f"bad address '{address} {wild}': {exc}") from None


def with_netmask(address: str, mask: str) -> IntervalSet:
    """Address + subnet mask; a non-contiguous mask is read bit by bit, like the device."""

    def build() -> IntervalSet:
        inverse = int(ipaddress.IPv4Address(mask)) ^ 0xFFFFFFFF
        return addresses.bits_match(int(ipaddress.IPv4Address(address)), inverse, 32)

    return _checked(build, f"{address} {mask}")


def prefix(word: str) -> IntervalSet:
    return _checked(lambda: addresses.parse(word), word)


def span(first: str, last: str) -> IntervalSet:
    return _checked(lambda: addresses.parse(f"{first}-{last}"), f"{first} {last}")


def mask_is_contiguous(mask: str) -> bool:
    value = int(ipaddress.IPv4Address(mask))
    inverse = value ^ 0xFFFFFFFF
    return inverse & (inverse + 1) == 0


@dataclass(frozen=True)
class Addr:
    """An address condition: exact addresses plus parts exaudit cannot resolve (fqdn, ...)."""

    spans: IntervalSet
    unknown: tuple[str, ...] = ()

    def __or__(self, other: Addr) -> Addr:
        return Addr(self.spans | other.spans, self.unknown + other.unknown)

    def is_empty(self) -> bool:
        return not self.spans and not self.unknown


NO_ADDR = Addr(IntervalSet())


@dataclass(frozen=True)
class Service:
    """A protocol/port box from an ACE or a service object (``None`` = unrestricted)."""

    proto: IntervalSet | None = None
    sport: IntervalSet | None = None
    dport: IntervalSet | None = None
    unknown: tuple[str, ...] = ()

    def normalized(self) -> Service | None:
        """Ports restrict the protocol to port-carrying ones; empty boxes vanish."""
        proto = self.proto
        if (self.sport is not None or self.dport is not None) and not _is_icmp(proto):
            proto = PORT_PROTOCOLS if proto is None else proto & PORT_PROTOCOLS
        for dim in (proto, self.sport, self.dport):
            if dim is not None and not dim:
                return None
        return Service(proto, self.sport, self.dport, self.unknown)


def _is_icmp(proto: IntervalSet | None) -> bool:
    return proto is not None and bool(proto) and proto.issubset(IntervalSet.of([ICMP, ICMPV6]))


def icmp_service(proto: int, types: IntervalSet | None, codes: IntervalSet | None) -> Service:
    """ICMP type in the destination-port dimension, code in the source-port one."""
    return Service(IntervalSet.point(proto), codes, types)


# --- rules ------------------------------------------------------------------------------


def _dim(spans: IntervalSet) -> IntervalSet | None:
    return None if spans == addresses.ALL else spans


def _address_parts(
    addr: Addr, space: IntervalSet
) -> list[tuple[IntervalSet | None, tuple[str, ...]]]:
    parts: list[tuple[IntervalSet | None, tuple[str, ...]]] = []
    spans = addr.spans & space
    if spans:
        parts.append((_dim(spans), ()))
    if addr.unknown:
        # what an unresolved part matches is unknown: the whole space, flagged
        parts.append((_dim(space), tuple(dict.fromkeys(addr.unknown))))
    return parts


def build_rules(
    origin: Origin,
    target: Target,
    services: Iterable[Service],
    src: Addr,
    dst: Addr,
    *,
    flags: IntervalSet | None = None,
    unknown: tuple[str, ...] = (),
    stateful: bool = False,
    space: IntervalSet = addresses.ALL,
) -> list[Rule]:
    """The rules of one ACE: one per service box and resolved/unresolved address part.

    ``space`` is the address family the list filters (an IOS ``ip access-list`` sees only
    IPv4 packets): every rule stays inside it, even where its addresses are unknown.
    """
    out: list[Rule] = []
    for svc in services:
        norm = svc.normalized()
        if norm is None:
            continue
        proto = norm.proto
        if flags is not None:
            proto = TCP_ONLY if proto is None else proto & TCP_ONLY
            if not proto:
                continue
        for s_set, s_unknown in _address_parts(src, space):
            for d_set, d_unknown in _address_parts(dst, space):
                match = Match(
                    proto=proto,
                    src=s_set,
                    dst=d_set,
                    sport=norm.sport,
                    dport=norm.dport,
                    flags=flags,
                )
                why = tuple(dict.fromkeys(norm.unknown + s_unknown + d_unknown + unknown))
                out.append(
                    Rule(origin, match, target, why, stateful and target.verb is Verb.ACCEPT)
                )
    return out


def doubtful(rules: Iterable[Rule], why: str) -> list[Rule]:
    """An entry's rules when the entry may no longer be in its list (or never got in).

    Each rule becomes uncertain: the engine explores it matched and not matched, which is
    exactly "present or absent"; verdicts that differ between the two are undetermined.
    """
    return [replace(r, unknown=tuple(dict.fromkeys(r.unknown + (why,)))) for r in rules]


def unknown_rule(
    origin: Origin,
    verb: Verb | None,
    why: str,
    stateful: bool = False,
    space: IntervalSet = addresses.ALL,
) -> Rule:
    """A line not understood: it may match anything; what it does is its verb, if known."""
    match = Match(src=_dim(space), dst=_dim(space))
    if verb is None:
        return Rule(origin, match, Target(Verb.UNKNOWN, name="not understood"), (why,))
    target = Target(verb, name="permit" if verb is Verb.ACCEPT else "deny")
    return Rule(origin, match, target, (why,), stateful and verb is Verb.ACCEPT)


def acl_chain(name: str) -> Chain:
    return Chain(name, [], Target(Verb.DROP, name="implicit deny"), None)


PERMIT = Target(Verb.ACCEPT, name="permit")
DENY = Target(Verb.DROP, name="deny")
ACTIONS = {"permit": PERMIT, "deny": DENY}


# --- object groups ----------------------------------------------------------------------


@dataclass
class Group:
    """An object or object-group: its own members, nested groups, and where it is."""

    kind: str  # network | service | protocol | icmp | port
    name: str
    index: int  # 0-based line of its definition
    members: list = field(default_factory=list)
    nested: list[tuple[str, int]] = field(default_factory=list)  # (name, line index)
    subtype: str | None = None  # ASA service port-group protocol: tcp, udp, tcp-udp
    # why a later line may have removed or replaced it: every use is then undetermined
    doubt: str | None = None


class Groups:
    """Named objects and groups, resolved with nesting, cycles and undefined names flagged."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_name: dict[str, Group] = {}
        self._cache: dict[str, list] = {}
        self._active: set[str] = set()
        self.used: set[str] = set()

    def define(self, group: Group) -> Group:
        existing = self.by_name.get(group.name)
        if existing is not None and existing.kind == group.kind:
            return existing  # re-entering a group's block adds members to it
        if existing is not None:
            # Which of the two the device keeps is not documented: both readings stay
            # possible, so the name's uses are undetermined and the new block is read
            # into a group nothing refers to (its lines are still checked).
            self.ctx.not_understood(
                group.index,
                f"{group.name} is already a {existing.kind} "
                f"group (line {existing.index + 1}): redefining it as "
                f"a {group.kind} group is not modelled",
            )
            self.doubt(
                group.name,
                group.index,
                f"line {group.index + 1} redefines "
                f"{group.name} as a {group.kind} group (not modelled)",
            )
            return group
        self.by_name[group.name] = group
        return group

    def doubt(self, name: str, index: int, why: str) -> bool:
        """Line ``index`` may have removed or replaced ``name``: only a group defined above
        that line is affected (removing a name not yet defined changes nothing)."""
        group = self.by_name.get(name)
        if group is None or group.index > index:
            return False
        if group.doubt is None:
            group.doubt = why
        return True

    def kind_of(self, name: str) -> str | None:
        group = self.by_name.get(name)
        return group.kind if group is not None else None

    def members(self, name: str, kind: str, undefined: Callable[[str], object]) -> list:
        """Every member of ``name`` (a ``kind`` group), nested groups expanded.

        An undefined or wrongly typed name yields ``undefined(description)``.
        """
        self.used.add(name)
        group = self.by_name.get(name)
        if group is None:
            return [undefined(f"object-group {name} is not defined")]
        if group.kind != kind:
            return [undefined(f"{name} is a {group.kind} group, not a {kind} one")]
        if name in self._cache:
            return self._cache[name]
        if name in self._active:
            return [undefined(f"object-group {name} contains itself")]
        self._active.add(name)
        out = list(group.members)
        for child, _index in group.nested:
            out.extend(self.members(child, kind, undefined))
        self._active.discard(name)
        if group.doubt is not None:
            out = [doubtful_member(kind, m, group.doubt) for m in out] or [
                unresolved_member(kind, group.doubt)
            ]
        self._cache[name] = out
        return out


def union_addr(parts: Iterable[Addr]) -> Addr:
    spans = IntervalSet()
    unknown: list[str] = []
    for part in parts:
        spans = spans | part.spans
        unknown.extend(part.unknown)
    return Addr(spans, tuple(dict.fromkeys(unknown)))


# --- interfaces -------------------------------------------------------------------------

_IFACE_SPLIT = re.compile(r"^([A-Za-z][A-Za-z-]*?)[\s]*([0-9].*)?$")


def resolve_interface(name: str, known: Iterable[str]) -> tuple[str | None, list[str]]:
    """The configured interface ``name`` means: exact (any case) or an unambiguous abbreviation.

    ``Gi0/0`` names ``GigabitEthernet0/0`` when no other configured interface with the
    same numbering starts with ``Gi``. Returns (name or None, candidates when ambiguous).
    """
    known = list(known)
    for cand in known:
        if cand == name:
            return cand, []
    lowered = [c for c in known if c.lower() == name.lower()]
    if len(lowered) == 1:
        return lowered[0], []
    m = _IFACE_SPLIT.match(name.strip())
    if not m:
        return None, []
    stem, number_part = m.group(1).lower(), (m.group(2) or "")
    found = []
    for cand in known:
        cm = _IFACE_SPLIT.match(cand)
        if not cm:
            continue
        if (cm.group(2) or "") == number_part and cm.group(1).lower().startswith(stem):
            found.append(cand)
    if len(found) == 1:
        return found[0], []
    return None, found


def unresolved_member(kind: str, why: str) -> object:
    """A group member that could not be read, kept so every use of the group is flagged:
    an empty address set or a service with an unknown condition, or the error itself for
    port and ICMP groups (their readers report it)."""
    if kind == "network":
        return Addr(IntervalSet(), (why,))
    if kind == "port":
        return ParseError(why)
    if kind == "icmp":
        return why
    return Service(None, None, None, (why,))


def doubtful_member(kind: str, member: object, why: str) -> object:
    """A member of a group that may be gone: what it matches becomes uncertain.

    A service keeps its box as an outer bound; an address set cannot carry an uncertain
    part, so it becomes the whole space, uncertain; port and ICMP members become errors
    their readers report (the entries using them are then not understood).
    """
    if isinstance(member, Service):
        return Service(
            member.proto, member.sport, member.dport, tuple(dict.fromkeys(member.unknown + (why,)))
        )
    if isinstance(member, Addr):
        return Addr(IntervalSet(), tuple(dict.fromkeys(member.unknown + (why,))))
    if kind == "protocol" and isinstance(member, IntervalSet):
        return Service(member, None, None, (why,))
    return unresolved_member(kind, why)


def interface_number(name: str) -> str:
    """The numbering part of an interface name (``0/1.10`` of ``Gi 0/1.10``)."""
    m = _IFACE_SPLIT.match(name.strip())
    return (m.group(2) or "") if m else name.lower()


def interface_stem(name: str) -> str:
    """The type part of an interface name, lower case (``gigabitethernet``)."""
    m = _IFACE_SPLIT.match(name.strip())
    return m.group(1).lower() if m else name.lower()


def same_interface(name: str, known: Iterable[str]) -> str | None:
    """The configured interface that ``name`` spells differently, if exactly one.

    IOS and ASA expand abbreviated and differently cased interface names, so an
    ``interface Gi0/0`` block configures the ``GigabitEthernet0/0`` of an earlier one
    (and the other way round): same numbering, one type name a prefix of the other.
    """
    m = _IFACE_SPLIT.match(name.strip())
    found = []
    for cand in known:
        if cand.lower() == name.lower():
            return cand
        cm = _IFACE_SPLIT.match(cand)
        if not m or not cm or (cm.group(2) or "") != (m.group(2) or ""):
            continue
        a, b = m.group(1).lower(), cm.group(1).lower()
        if a.startswith(b) or b.startswith(a):
            found.append(cand)
    return found[0] if len(found) == 1 else None


def cached_stages(
    ruleset: Ruleset,
    key: tuple[str | None, str | None, str | None],
    build: Callable[[], list[Stage]],
    *,
    local: str | None,
    no_local: str,
    acl_word: str,
) -> list[Stage]:
    """The front both IOS and ASA ``stages`` share: no host path, one named ACL alone when
    ``key``'s chain is given, and every answer cached on the ruleset."""
    if local is not None:
        raise InputError(ruleset.file, None, no_local)
    cache: dict = ruleset.extra.setdefault("stage_cache", {})  # type: ignore[assignment]
    if key not in cache:
        chain = key[2]
        if chain is not None:
            found = ruleset.chains.get(chain)
            if found is None:
                raise InputError(ruleset.file, None, f"{acl_word} {chain} is not defined")
            cache[key] = [Stage(f"acl {chain}", {chain: found}, chain)]
        else:
            cache[key] = build()
    return cache[key]
