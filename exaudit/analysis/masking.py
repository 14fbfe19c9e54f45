"""Permits wider than they look: each stage alone with its deny rules set aside.

A permit's *own* width is what it would let through if nothing stopped the packets before
it: its stage alone (the other stages do not filter) with every deny rule of that stage
made a no-op (defaults, jumps and returns stay). Its *effective* width is what it lets
through today, on the whole path. Where the two differ, the packets in between are
denied (or undetermined) on today's path, and the lines that decide them are what masks
the permit. Both are exact sets: the engine answers the same question twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from exaudit.analysis.context import FirewallAudit
from exaudit.analysis.inbound import Inbound
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import EPHEMERAL, TCP, Chain, Origin, Stage, Target, Verb
from exaudit.engine.evaluate import Part, intersect

_SET_ASIDE = Target(Verb.CONTINUE, name="deny set aside")
_DENIES = (Verb.DROP, Verb.REJECT)


def without_denies(fa: FirewallAudit, stage: Stage) -> Stage:
    """``stage`` with every deny rule made a no-op (one view per chain set, kept)."""
    key = id(stage.chains)
    view = fa.views.get(key)
    if view is None:
        view = {
            name: Chain(
                chain.name,
                [
                    replace(r, target=_SET_ASIDE) if r.target.verb in _DENIES else r
                    for r in chain.rules
                ],
                chain.default,
                chain.default_origin,
            )
            for name, chain in stage.chains.items()
        }
        # kept with the original so that the id the key names is never reused
        fa.views[key] = view
        fa.views[id(view)] = stage.chains
    return Stage(stage.label, view, stage.entry)


@dataclass
class Mask:
    """A line (or implicit default) that denies part of what a permit would let through."""

    origin: Origin | None
    where: str  # the stage where it decides
    verdict: str  # deny or undetermined


@dataclass
class Masked:
    """A permit line whose own width is over the limit while its effective one is not."""

    origin: Origin
    stage: str
    own: IntervalSet  # the ports >= 1024 it would permit with nothing before it
    effective: IntervalSet  # the ports >= 1024 it permits today
    masks: list[Mask] = field(default_factory=list)


def _effective(parts: list[Part]) -> dict[Origin, IntervalSet]:
    """Per permit line, the ports of today's permitted parts whose path it permitted."""
    out: dict[Origin, IntervalSet] = {}
    for p in parts:
        for step in p.path:
            if step.verdict == "permit" and step.origin is not None:
                out[step.origin] = out.get(step.origin, IntervalSet()) | p.dim("dport")
    return out


def masked_permits(ib: Inbound, limit: int) -> tuple[list[Masked], set[Origin]]:
    """The permits towards ``ib``'s server whose width over ``limit`` is hidden today, and
    the permit lines whose width is over it today (EXA201's on any side)."""
    proto = IntervalSet.point(TCP)
    today = ib.ask(proto, EPHEMERAL)
    effective = _effective(today.by_verdict("permit"))
    exposed = {o for o, ports in effective.items() if (ports & EPHEMERAL).size() > limit}
    stopped = [p for p in today.parts if p.verdict != "permit"]
    found: list[Masked] = []
    for stage in ib.stages():
        view = without_denies(ib.fa, stage)
        alone = ib.answer(("alone", id(view.chains), view.entry), [view], proto, EPHEMERAL)
        mine = alone.by_verdict("permit")
        # a chain's policy is no permit line: a raw table's ACCEPT passes packets on to
        # the tables that filter, and a default pass is nobody's rule (EXA201 names those)
        policies = {c.default_origin for c in stage.chains.values()}
        by_line: dict[Origin, list[Part]] = {}
        for p in mine:
            if p.decided_by is not None and p.decided_by not in policies:
                by_line.setdefault(p.decided_by, []).append(p)
        for origin, parts in by_line.items():
            own = IntervalSet()
            for p in parts:
                own = own | p.dim("dport")
            own = own & EPHEMERAL
            now = effective.get(origin, IntervalSet()) & EPHEMERAL
            if own.size() <= limit or now.size() > limit:
                continue  # not over-broad, or over-broad today (EXA201 reports that)
            found.append(Masked(origin, stage.label, own, now, _masks(parts, stopped)))
    return found, exposed


def _masks(parts: list[Part], stopped: list[Part]) -> list[Mask]:
    seen: dict[tuple[Origin | None, str], Mask] = {}
    for p in parts:
        for s in stopped:
            if intersect(p.box, s.box) is None:
                continue
            where = s.path[-1].stage if s.path else ""
            seen.setdefault((s.decided_by, where), Mask(s.decided_by, where, s.verdict))
    return sorted(seen.values(), key=lambda m: (m.origin is None, m.origin.line if m.origin else 0))
