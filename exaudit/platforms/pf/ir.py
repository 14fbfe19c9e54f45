"""The pf statements exaudit keeps, between the grammar and the chain builder.

The grammar turns text into these records (macros, lists and tables already resolved);
``pf_chains`` turns them into first-match chains. Conditions keep pf's own structure
(lists of alternatives, one pf rule per combination) so the chain builder can apply
pfctl's expansion and last-match semantics in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IfaceMatch, Origin, Target
from exaudit.platforms.pf.addr import AddrItem


@dataclass(frozen=True)
class IfaceAlt:
    """One interface alternative of ``on ...``: a known match, or a reason it is unknown."""

    match: IfaceMatch | None
    reason: str = ""


@dataclass(frozen=True)
class IcmpItem:
    proto: int  # 1 for icmp-type, 58 for icmp6-type
    type: int
    code: int | None = None


@dataclass
class Conditions:
    """What a filter or anchor rule matches; ``None`` fields are unrestricted."""

    direction: str | None = None  # "in", "out" or None (both)
    ifaces: list[IfaceAlt] | None = None
    af: int | None = None
    protos: list[int] | None = None
    src: list[AddrItem] | None = None
    sport: IntervalSet | None = None
    dst: list[AddrItem] | None = None
    dport: IntervalSet | None = None
    icmp: list[IcmpItem] | None = None
    flags: tuple[int, int] | None = None  # (bits that must be set, mask); None: default
    flags_any: bool = False
    fragment: bool = False
    unknown: list[str] = field(default_factory=list)


@dataclass
class FilterRule:
    """``pass``/``block``/``match``; ``broken`` says the line was only partly understood."""

    origin: Origin
    action: str
    target: Target
    quick: bool
    cond: Conditions
    stateful: bool = False
    broken: str = ""


@dataclass
class AnchorRule:
    """``anchor [name] [conditions] [{ ... }]``: evaluated in place when it matches."""

    origin: Origin
    path: str | None  # the anchor's path from the main ruleset; None for an unnamed block
    quick: bool
    cond: Conditions
    body: list[object] | None = None  # an inline block's statements
    wildcard: bool = False  # ``anchor "x/*"``: every child anchor of x, by name


@dataclass
class Opaque:
    """Statements exaudit cannot see (a missing include, an unreadable anchor)."""

    origin: Origin
    cond: Conditions
    reason: str


@dataclass
class HeadPass:
    """Packets passed before the filter rules (``rdr pass``, ``nat pass``): never filtered."""

    origin: Origin
    cond: Conditions
    reason: str


@dataclass
class Skip:
    """``set skip on ...``: packets on these interfaces are not filtered at all."""

    origin: Origin
    ifaces: list[IfaceAlt]
