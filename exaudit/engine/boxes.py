"""Boxes of packets (one exact set per dimension) and their algebra, shared by every analysis."""

from __future__ import annotations

from collections.abc import Iterable

from exaudit.core import addresses
from exaudit.core.ifaces import Universe
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import FLAGS, PORTS, PROTOCOLS, STATES, Chain, Match

# Dimension order inside a box: the most selective first, so that most rules are found
# disjoint after one comparison.
DIMS = ("dport", "dst", "proto", "src", "sport", "flags", "state", "iif", "oif")
Box = tuple[IntervalSet, ...]


# --- box algebra ------------------------------------------------------------------------


def intersect(a: Box, b: Box) -> Box | None:
    """The packets in both boxes; None when they share none (an empty dimension in
    either, even the same empty set in both, is no packet)."""
    out = []
    for x, y in zip(a, b, strict=False):
        z = x if x is y else x & y
        if not z.spans:
            return None
        out.append(z)
    return tuple(out)


def subtract(a: Box, b: Box) -> list[Box]:
    """``a`` minus ``b`` as disjoint boxes (at most one per dimension)."""
    inter = intersect(a, b)
    if inter is None:
        return [a]
    pieces = []
    prefix: list[IntervalSet] = []
    for i, x in enumerate(a):
        rest = x - inter[i]
        if rest.spans:
            pieces.append(tuple(prefix) + (rest,) + a[i + 1 :])
        prefix.append(inter[i])
    return pieces


def may_meet(a: Box, b: Box) -> bool:
    """Whether the boxes overlap on every dimension (cheaper than ``intersect``)."""
    # a plain loop: no generator to create on this hot path
    for x, y in zip(a, b, strict=False):  # noqa: SIM110
        if x is not y and not x.intersects(y):
            return False
    return True


def rule_box(m: Match, universe: Universe) -> Box:
    """The exact box of packets a rule's match describes, in ``DIMS`` order."""
    return (
        PORTS if m.dport is None else m.dport,
        addresses.ALL if m.dst is None else m.dst,
        PROTOCOLS if m.proto is None else m.proto,
        addresses.ALL if m.src is None else m.src,
        PORTS if m.sport is None else m.sport,
        FLAGS if m.flags is None else m.flags,
        STATES if m.state is None else m.state,
        universe.match(m.iif),
        universe.match(m.oif),
    )


assert DIMS == ("dport", "dst", "proto", "src", "sport", "flags", "state", "iif", "oif")


def patterns_of(chains: Iterable[Chain]) -> set[str]:
    """The interface names and prefixes the chains' rules mention."""
    found: set[str] = set()
    for chain in chains:
        for rule in chain.rules:
            for cond in (rule.match.iif, rule.match.oif):
                if cond is not None:
                    found.update(cond.patterns)
    return found
