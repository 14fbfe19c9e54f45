"""The platform-neutral rule model: packet-set boxes, rules, chains and rulesets.

Every parser turns vendor text into these objects; the engine and the checks see nothing
else. A packet set is a *box*: one exact IntervalSet per dimension (protocol, source and
destination address, source and destination port, TCP flags, connection state, in and
out interface). For ICMP and ICMPv6 the port dimensions carry the ICMP code (source port)
and type (destination port), which is exact because those protocols have no ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from exaudit.core.intervals import IntervalSet

PROTOCOLS = IntervalSet.span(0, 255)
PORTS = IntervalSet.span(0, 65535)
EPHEMERAL = IntervalSet.span(1024, 65535)
TCP_FLAG_BITS = {
    "FIN": 1,
    "SYN": 2,
    "RST": 4,
    "PSH": 8,
    "ACK": 16,
    "URG": 32,
    "ECE": 64,
    "CWR": 128,
}
FLAGS = IntervalSet.span(0, 255)
SYN = IntervalSet.point(TCP_FLAG_BITS["SYN"])
ACK = IntervalSet.point(TCP_FLAG_BITS["ACK"])

TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58


class State(int, Enum):
    """Connection-tracking states, as numbers on the state dimension."""

    NEW = 0
    ESTABLISHED = 1
    RELATED = 2
    INVALID = 3
    UNTRACKED = 4
    SNAT = 5
    DNAT = 6


STATES = IntervalSet.span(0, 6)
REPLY_STATES = IntervalSet.of([State.ESTABLISHED, State.RELATED])


def states(*names: State) -> IntervalSet:
    return IntervalSet.of(int(s) for s in names)


@dataclass(frozen=True)
class Origin:
    """Where a rule or policy came from: file, 1-based line and the line's own text."""

    file: str
    line: int
    text: str

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class IfaceMatch:
    """An interface condition: names, where a trailing ``+`` means a prefix, maybe negated."""

    patterns: tuple[str, ...]
    negated: bool = False


class Verb(str, Enum):
    """What a rule does with the packets it matches."""

    ACCEPT = "ACCEPT"
    DROP = "DROP"
    REJECT = "REJECT"
    JUMP = "JUMP"
    GOTO = "GOTO"
    RETURN = "RETURN"
    CONTINUE = "CONTINUE"  # non-terminating targets: LOG, NFLOG, MARK, counters, ...
    UNKNOWN = "UNKNOWN"  # a line not understood: whatever it matches is undetermined


TERMINAL_VERDICTS = {Verb.ACCEPT: "permit", Verb.DROP: "deny", Verb.REJECT: "deny"}


@dataclass(frozen=True)
class Target:
    verb: Verb
    chain: str | None = None  # for JUMP and GOTO
    name: str = ""  # the vendor's own word (``LOG``, ``block return``, ``permit``)


class Match(NamedTuple):
    """The conditions of a rule; ``None`` means the dimension is not restricted."""

    proto: IntervalSet | None = None
    src: IntervalSet | None = None
    dst: IntervalSet | None = None
    sport: IntervalSet | None = None
    dport: IntervalSet | None = None
    flags: IntervalSet | None = None
    state: IntervalSet | None = None
    iif: IfaceMatch | None = None
    oif: IfaceMatch | None = None


@dataclass(frozen=True)
class Rule:
    """One normalized rule with the line it came from."""

    origin: Origin
    match: Match
    target: Target
    # Conditions exaudit does not model (``-m recent``, ``user``...); the rule's match is
    # then only an outer bound, and any verdict it touches is undetermined.
    unknown: tuple[str, ...] = ()
    # A permit that creates state letting the connection's replies through whatever the
    # rules say (pf ``keep state``, the default; every ASA permit). iptables rules are not
    # stateful in this sense: their replies meet the rules as ESTABLISHED packets.
    stateful: bool = False

    @property
    def uncertain(self) -> bool:
        return bool(self.unknown)

    @property
    def reply_only(self) -> bool:
        """Matches only packets of established connections (state or ``established``)."""
        m = self.match
        if m.state is not None and m.state.issubset(REPLY_STATES):
            return True
        if m.flags is not None and m.proto is not None and m.proto.issubset(IntervalSet.point(TCP)):
            return not (m.flags & IntervalSet.point(TCP_FLAG_BITS["SYN"]))
        return False


@dataclass
class Chain:
    """An ordered rule list with what happens to packets that fall off its end.

    ``default`` is ``None`` for a user chain (falling off returns to the caller);
    built-in chains and ACLs have a terminal default, with the line that set it
    (``None`` for an implicit deny no line states).
    """

    name: str
    rules: list[Rule] = field(default_factory=list)
    default: Target | None = None
    default_origin: Origin | None = None


class IssueKind(Enum):
    """What a parser says about a line: unreadable, read but not modelled, or refused."""

    UNPARSED = "unparsed"
    UNSUPPORTED = "unsupported"
    REFUSED = "refused"  # the platform's own tool refuses it (a script's command fails)


# the checks that report each kind (EXA001 unparsed-line, EXA002 unsupported-match,
# EXA004 refused-command)
ISSUE_CHECKS = {
    IssueKind.UNPARSED: "EXA001",
    IssueKind.UNSUPPORTED: "EXA002",
    IssueKind.REFUSED: "EXA004",
}


@dataclass(frozen=True)
class Issue:
    """A line the parser did not understand, or a match it reads but does not model."""

    kind: IssueKind
    origin: Origin
    message: str

    @property
    def code(self) -> str:
        """The check that reports this kind of issue."""
        return ISSUE_CHECKS[self.kind]


@dataclass(frozen=True)
class Note:
    """Something the user should know about a ruleset that is not a line-level issue."""

    origin: Origin | None
    message: str


@dataclass(frozen=True)
class InterfaceNetwork:
    """An address block a config gives an interface (``ip address A MASK``), with its line."""

    network: IntervalSet
    origin: Origin


@dataclass
class Ruleset:
    """A parsed configuration: its chains (or ACLs), issues and platform-specific attachments."""

    platform: str
    file: str
    chains: dict[str, Chain] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    lines_total: int = 0
    # the other files the config made the parser read (includes, anchor files), by path,
    # with their text: inline suppressions are written there too
    sources: dict[str, str] = field(default_factory=dict)
    # the address families (4, 6) the config has rules for, when its syntax says so
    # (an iptables-save dump is one family); None: either may be asked about
    families: frozenset[int] | None = None
    # the address blocks the config gives its interfaces, by the name a topology uses for
    # the interface (Cisco IOS: the interface; ASA: the nameif); platforms whose configs
    # state none leave it empty
    interface_networks: dict[str, list[InterfaceNetwork]] = field(default_factory=dict)

    @property
    def rule_count(self) -> int:
        return sum(len(c.rules) for c in self.chains.values())

    def networks_of(self, interface: str) -> list[InterfaceNetwork]:
        """The address blocks the config gives ``interface`` (a topology's name for it)."""
        found = self.interface_networks.get(interface)
        if found is None:
            folded = {k.lower(): v for k, v in self.interface_networks.items()}
            found = folded.get(interface.lower(), [])
        return found

    def rules(self) -> list[Rule]:
        return [r for c in self.chains.values() for r in c.rules]


@dataclass(frozen=True)
class Stage:
    """One filtering step a packet meets (a chain entry point or an ACL), in order."""

    label: str
    chains: dict[str, Chain]
    entry: str
