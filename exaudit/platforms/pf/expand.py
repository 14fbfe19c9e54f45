"""One pf rule's conditions as exact match boxes, the way pfctl expands them.

pfctl turns a rule with lists into one rule per combination of items; since every
combination of one line shares the action, the line matches exactly the union of the
combinations, which is built here as few boxes as the union allows: per address family
(an item's family restricts the other address too), per protocol group (TCP flags only
apply to TCP packets, ports only to TCP/UDP/SCTP, ICMP types only to ICMP), and apart
for the parts exaudit cannot know (each box then carries the reasons).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import product

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PROTOCOLS, IfaceMatch, Match
from exaudit.platforms.pf.addr import AddrItem
from exaudit.platforms.pf.ir import Conditions, IfaceAlt
from exaudit.platforms.pf.names import PORT_PROTOCOLS, TCP

Box = tuple[Match, tuple[str, ...]]
TCP_ONLY = IntervalSet.point(TCP)
EMPTY = IntervalSet()


class Inconsistent(Exception):
    """A rule pfctl refuses (``port`` without tcp/udp, an ICMP type without icmp)."""


@lru_cache(maxsize=1024)
def flag_values(bits: int, mask: int) -> IntervalSet:
    """Every flags byte ``f`` with ``f & mask == bits`` (empty when bits lie outside mask)."""
    return IntervalSet.of(f for f in range(256) if f & mask == bits)


def _address_options(
    items: list[AddrItem] | None, af: int | None
) -> list[tuple[IntervalSet | None, str]]:
    """The certain and the uncertain part of one side, within family ``af``."""
    space = {4: addresses.ALL_V4, 6: addresses.ALL_V6, None: addresses.ALL}[af]
    if items is None:
        return [(None if af is None else space, "")]
    certain = EMPTY
    uncertain = EMPTY
    reasons = []
    for item in items:
        if af is not None and item.af is not None and item.af != af:
            continue
        inside = af is None or item.af == af  # already within the family
        certain = certain | (item.certain if inside else item.certain & space)
        if item.uncertain:
            part = item.uncertain if inside else item.uncertain & space
            if part:
                uncertain = uncertain | part
                reasons.append(item.reason)
    uncertain = uncertain - certain
    out: list[tuple[IntervalSet | None, str]] = []
    if certain:
        out.append((None if certain == addresses.ALL and af is None else certain, ""))
    if uncertain:
        out.append((uncertain, "; ".join(dict.fromkeys(reasons))))
    return out


def _fits(items: list[AddrItem] | None, af: int | None) -> bool:
    """Whether a side has an operand of family ``af`` (pfctl drops the others)."""
    return items is None or af is None or any(i.af in (None, af) for i in items)


def _families(cond: Conditions) -> list[int | None]:
    if cond.af is not None:
        return [cond.af]
    items = (cond.src or []) + (cond.dst or [])
    if all(i.af is None for i in items):
        return [None]
    return [4, 6]


@lru_cache(maxsize=4096)
def _proto_set(protos: tuple[int, ...]) -> IntervalSet:
    return IntervalSet.of(protos)


def _services(
    cond: Conditions,
) -> list[tuple[IntervalSet | None, IntervalSet | None, IntervalSet | None, IntervalSet | None]]:
    """(proto, sport, dport, flags) boxes: ports, ICMP types and TCP flags by protocol."""
    protos = _proto_set(tuple(cond.protos)) if cond.protos else None
    boxes: list[
        tuple[IntervalSet | None, IntervalSet | None, IntervalSet | None, IntervalSet | None]
    ] = []
    if cond.icmp:
        by_code: dict[tuple[int, int | None], list[int]] = {}
        for item in cond.icmp:
            if protos is not None and item.proto not in protos:
                raise Inconsistent("icmp-type does not match the rule's protocol")
            by_code.setdefault((item.proto, item.code), []).append(item.type)
        for (proto, code), types in by_code.items():
            boxes.append(
                (
                    IntervalSet.point(proto),
                    None if code is None else IntervalSet.point(code),
                    IntervalSet.of(types),
                    None,
                )
            )
        return boxes
    has_ports = cond.sport is not None or cond.dport is not None
    if has_ports and (protos is None or any(p not in PORT_PROTOCOLS for p in cond.protos or ())):
        raise Inconsistent("ports only apply to proto tcp, udp or sctp")
    base = (protos, cond.sport, cond.dport, None)
    if cond.flags is None:
        return [base]
    flags = flag_values(*cond.flags)
    whole = PROTOCOLS if protos is None else protos
    out: list[
        tuple[IntervalSet | None, IntervalSet | None, IntervalSet | None, IntervalSet | None]
    ] = []
    rest = whole - TCP_ONLY
    if rest:  # pf tests flags on TCP packets only
        out.append((rest, cond.sport, cond.dport, None))
    if TCP in whole:
        out.append((TCP_ONLY, cond.sport, cond.dport, flags))
    return out


def expand(cond: Conditions, direction: str) -> list[Box]:
    """The boxes one rule matches in the ``direction`` chain, certain ones first."""
    if cond.direction is not None and cond.direction != direction:
        return []
    if cond.fragment:
        # pf skips a 'fragment' rule for a packet that is no fragment (and reassembles
        # fragments first by default); the packets exaudit asks about -- a connection's
        # first packet and its replies -- are whole packets, so the rule never meets them
        return []
    services = _services(cond)
    alts: list[IfaceAlt | None] = list(cond.ifaces) if cond.ifaces else [None]
    base_reasons = tuple(dict.fromkeys(cond.unknown))
    out: list[Box] = []
    families = [af for af in _families(cond) if _fits(cond.src, af) and _fits(cond.dst, af)]
    if not families:
        raise Inconsistent("the rule expands to no valid combination (address families)")
    for af in families:
        srcs = _address_options(cond.src, af)
        dsts = _address_options(cond.dst, af)
        for (src, r1), (dst, r2), alt in product(srcs, dsts, alts):
            iface = alt.match if alt is not None else None
            r3 = alt.reason if alt is not None else ""
            reasons = tuple(dict.fromkeys(base_reasons + tuple(r for r in (r1, r2, r3) if r)))
            for proto, sport, dport, flags in services:
                match = Match(
                    proto=proto,
                    src=src,
                    dst=dst,
                    sport=sport,
                    dport=dport,
                    flags=flags,
                    iif=iface if direction == "in" else None,
                    oif=iface if direction == "out" else None,
                )
                out.append((match, reasons))
    out.sort(key=lambda box: bool(box[1]))
    return out


# --- intersection, for rules inside anchors ---------------------------------------------


def _meet(a: IntervalSet | None, b: IntervalSet | None) -> IntervalSet | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _stem(pattern: str) -> tuple[str, bool]:
    return (pattern[:-1], True) if pattern.endswith("+") else (pattern, False)


def _both(p: str, q: str) -> str | None:
    """The pattern for names matching both ``p`` and ``q`` (None if there are none)."""
    (ps, pp), (qs, qp) = _stem(p), _stem(q)
    if not pp and not qp:
        return p if p == q else None
    if pp and qp:
        return p if ps.startswith(qs) else q if qs.startswith(ps) else None
    exact, prefix = (p, qs) if not pp else (q, ps)
    return exact if exact.startswith(prefix) else None


def _covers(q: str, p: str) -> bool:
    """Every name ``p`` matches is matched by ``q``."""
    (ps, pp), (qs, qp) = _stem(p), _stem(q)
    return ps.startswith(qs) if qp else (not pp and p == q)


def meet_ifaces(a: IfaceMatch | None, b: IfaceMatch | None) -> IfaceMatch | None | bool:
    """Both interface conditions at once; False when none is left, True when not expressible."""
    if a is None:
        return b
    if b is None:
        return a
    if a.negated and b.negated:
        return IfaceMatch(tuple(dict.fromkeys(a.patterns + b.patterns)), True)
    if a.negated:
        a, b = b, a
    kept: list[str] = []
    if not b.negated:
        for p in a.patterns:
            for q in b.patterns:
                both = _both(p, q)
                if both is not None:
                    kept.append(both)
    else:
        for p in a.patterns:
            if any(_covers(q, p) for q in b.patterns):
                continue
            if any(_both(p, q) is not None for q in b.patterns):
                return True  # "eth+ but not eth0" has no IfaceMatch
            kept.append(p)
    return IfaceMatch(tuple(dict.fromkeys(kept))) if kept else False


def meet(outer: Box, inner: Box) -> Box | None:
    """The packets both boxes match (an anchor's conditions and one of its rules)."""
    (a, ra), (b, rb) = outer, inner
    values: list[IntervalSet | None] = []
    for name in ("proto", "src", "dst", "sport", "dport", "flags", "state"):
        value = _meet(getattr(a, name), getattr(b, name))
        if value is not None and not value:
            return None
        values.append(value)
    reasons = tuple(dict.fromkeys(ra + rb))
    ifaces: list[IfaceMatch | None] = []
    for name in ("iif", "oif"):
        joined = meet_ifaces(getattr(a, name), getattr(b, name))
        if joined is False:
            return None
        if joined is True:
            joined = getattr(b, name)
            reasons += ("the anchor's and the rule's interface conditions combined",)
        ifaces.append(joined)
    proto, src, dst, sport, dport, flags, state = values
    return Match(proto, src, dst, sport, dport, flags, state, *ifaces), reasons


def meet_all(outer: Iterable[Box], inner: Iterable[Box]) -> list[Box]:
    out = []
    inner = list(inner)
    for o in outer:
        for i in inner:
            box = meet(o, i)
            if box is not None:
                out.append(box)
    out.sort(key=lambda box: bool(box[1]))
    return out
